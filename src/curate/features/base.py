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
    same vector for the same text, because the cache is keyed by (content hash, model id).
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
