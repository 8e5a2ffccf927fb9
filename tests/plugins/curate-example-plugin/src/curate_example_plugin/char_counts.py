"""The ``char-counts`` embedder: a text's character histogram, hashed into ``dim`` buckets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curate.core.progress import ProgressCallback

__all__ = ["CharCountEmbedder"]


class CharCountEmbedder:
    """Counts each character into bucket ``code point % dim`` and scales the counts to unit length.

    Deterministic, needs no model, and each text's vector depends on that text alone, as curate's
    cache requires. An empty text has no characters and gets a vector of zeros.

    Parameters
    ----------
    dim : int
        Number of buckets (the vector's length).
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"char-counts:{dim}"

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts``.

        Parameters
        ----------
        texts : Sequence[str]
            The texts.
        progress : ProgressCallback or None
            Told once that all texts are done.

        Returns
        -------
        numpy.ndarray
            float32, shape (len(texts), dim), rows of unit L2 norm (zeros for an empty text).
        """
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            codes = np.fromiter((ord(c) % self.dim for c in text), dtype=np.int64, count=len(text))
            vectors[row] = np.bincount(codes, minlength=self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms == 0, 1.0, norms)
        if progress is not None:
            progress(len(texts))
        return vectors
