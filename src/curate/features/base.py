"""The embedder protocol: turn a modality's inputs into one dense vector per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from curate.core.progress import ProgressCallback

__all__ = ["ProgressCallback", "TextEmbedder"]


@runtime_checkable
class TextEmbedder(Protocol):
    """Embeds texts one at a time, so results can be cached per text.

    ``model_id`` names the model and its settings: two embedders with the same id must return the
    same vector for the same text, because the cache is keyed by (content hash, model id). The cache
    serves only registered embedder classes (see :func:`curate.features.cache.cacheable`): an
    object of another class passed through the API is asked for its vectors every run.

    Two optional class attributes say more (read with a default when absent):
    ``fits_corpus`` (default False) is True for an embedder fitted on the texts it embeds, such as
    TF-IDF with SVD: its vectors depend on the corpus, so they are never cached and it gets every
    text in one call; ``reads_meaning`` (default True) is False for surface features (n-grams),
    whose nearness cannot vouch for near copies (see :class:`curate.modalities.FeatureSet`).
    An embedder with a ``window_report(texts)`` method (the sentence model) reports how its texts
    fit the model's window.
    """

    model_id: str

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts``, one vector per text.

        Parameters
        ----------
        texts : sequence of str
            The texts, in order.
        progress : callable, optional
            Called with the number of texts just embedded.

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), dim), float32, rows L2-normalised.
        """
        ...
