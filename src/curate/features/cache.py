"""Embedding with a cache of vectors keyed by (text hash, model id), kept in its own SQLite file.

A model id names the vectors only when curate derives it: from the settings of a registered
embedder class (the sentence model, hashed n-grams, a plugin's). Any other embedder object passed
through the API carries an id its author chose, often around vectors computed elsewhere: two audits
under one id with different vectors must not share them. What keys such vectors is the vectors
themselves, which exist only once they are computed, so they are used as given and never cached.

The cache lives in the user's cache folder ($CURATE_CACHE_DIR, else $XDG_CACHE_HOME/curate, else
~/.cache/curate), not in the workspace: it is derived data, written as batches finish so an
interrupted embedding resumes where it stopped, while the workspace itself changes only when a
command succeeds.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from curate.core.progress import ProgressCallback
from curate.engines import Engine, LocalEngine, current_engine
from curate.features.base import TextEmbedder
from curate.features.registry import available_embedders
from curate.store.feature_cache import FeatureCache

__all__ = ["FeatureCache", "cacheable", "default_cache_path", "embed_with_cache", "text_hash"]

_BATCH = 1024
# Texts per task when the embedding is spread over an engine's workers: enough that a task's work
# outweighs sending it, few enough that the progress bar moves and the workers share the load.
_TASK_TEXTS = 4096
_CACHE_BLOCK = 50_000  # distinct texts looked up in the cache at a time
_WRITES_AHEAD = 8  # batches of vectors waiting for the cache writer at most (8 MB of 256-d float32)


def default_cache_path() -> Path:
    """Where embeddings are cached unless told otherwise.

    Returns
    -------
    pathlib.Path
        ``$CURATE_CACHE_DIR/features.sqlite``, else ``$XDG_CACHE_HOME/curate/features.sqlite``,
        else ``~/.cache/curate/features.sqlite``.
    """
    if os.environ.get("CURATE_CACHE_DIR"):
        base = Path(os.environ["CURATE_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "curate"
    else:
        base = Path.home() / ".cache" / "curate"
    return base / "features.sqlite"


def text_hash(text: str) -> str:
    """The cache key of a text: the SHA-256 of its UTF-8 bytes, in hex.

    Half a surrogate pair (which the readers replace, but a caller's own text may hold) is hashed
    as its code point's bytes rather than refused, so no text can break the cache.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        64 hex characters.
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cacheable(embedder: TextEmbedder) -> bool:
    """Whether the cache may serve ``embedder``'s vectors by (text hash, model id).

    Parameters
    ----------
    embedder : TextEmbedder
        The embedder of a run.

    Returns
    -------
    bool
        True for an instance of a registered embedder class itself (not a subclass), whose
        ``model_id`` curate derives from its settings; False for any other object (its id is
        its author's word, not a name of its vectors) and for an embedder fitted on the corpus.

    Examples
    --------
    >>> from curate.features import HashedTextEmbedder
    >>> cacheable(HashedTextEmbedder())
    True
    """
    if getattr(embedder, "fits_corpus", False):
        return False
    return any(type(embedder) is factory for factory in available_embedders().values())


def embed_with_cache(
    texts: Sequence[str],
    embedder: TextEmbedder,
    cache: FeatureCache | None,
    progress: ProgressCallback | None = None,
    engine: Engine | None = None,
) -> tuple[np.ndarray, int]:
    """Embed ``texts``, reusing cached vectors; return (vectors, number newly embedded).

    Parameters
    ----------
    texts : sequence of str
        The texts, in row order.
    embedder : TextEmbedder
        Embeds what the cache lacks; its ``model_id`` keys the cache.
    cache : FeatureCache or None
        Where vectors are looked up and stored (None: embed everything). Used only for an
        embedder that is :func:`cacheable`: not for one fitted on the corpus (``fits_corpus``),
        whose vectors depend on the whole corpus, nor for an object of a class curate does not
        register, whose model id need not name its vectors.
    progress : callable, optional
        Called with the number of texts done (cached ones count as done at once).
    engine : Engine, optional
        Where the texts the cache lacks are embedded, in tasks of 4,096 texts; default
        :func:`curate.engines.current_engine`. An embedder fitted on the corpus always runs here.
        Vectors are stored in the cache by this process either way.

    Returns
    -------
    vectors : numpy.ndarray
        Shape (len(texts), dim), float32.
    embedded : int
        How many distinct texts were newly embedded.

    Identical texts are embedded once. An embedder fitted on the corpus gets every distinct text in
    one call, since batches fitted apart would not be comparable.
    """
    fits_corpus = bool(getattr(embedder, "fits_corpus", False))
    if not cacheable(embedder):
        cache = None
    if not texts:
        return np.zeros((0, 1), dtype=np.float32), 0
    # Each distinct text once, in first-seen order; ``row_of`` maps every row to its text's slot.
    slot_of: dict[str, int] = {}
    first_text: list[str] = []
    row_of = np.empty(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        key = text_hash(text)
        slot = slot_of.setdefault(key, len(slot_of))
        if slot == len(first_text):
            first_text.append(text)
        row_of[row] = slot
    hashes = list(slot_of)
    del slot_of
    # One array of vectors, filled in place (no per-row arrays): a million 256-dimensional vectors
    # are 1 GiB, and a dict of row arrays stacked at the end held them three times.
    store = _Vectors(len(hashes))
    if cache is not None:
        store.fill_from_cache(cache, hashes, embedder.model_id)
    todo = np.flatnonzero(~store.known)
    if progress is not None and len(texts) > len(todo):
        progress(len(texts) - len(todo))  # cached rows and repeats of a text count as done
    engine = engine or current_engine()
    with _CacheWriter(cache, embedder.model_id) as writer:
        if not fits_corpus and len(todo) and not isinstance(engine, LocalEngine):
            _embed_on(engine, embedder, todo, first_text, hashes, writer, store, progress)
        else:
            batch = max(1, len(todo)) if fits_corpus else _BATCH
            for start in range(0, len(todo), batch):
                chunk = todo[start:start + batch]
                vectors = embedder.embed([first_text[i] for i in chunk], progress)
                writer.put([hashes[i] for i in chunk], vectors)
                store.put(chunk, vectors)
    vectors = store.array()
    if len(hashes) == len(texts):  # no repeated text: the rows are the slots, in order
        return vectors, len(todo)
    return vectors[row_of], len(todo)


class _CacheWriter:
    """Stores batches of vectors in the cache from a thread of its own, while the next batch is embedded.

    Writing a batch to SQLite costs about as much as embedding it with the static model (100,000
    texts: 13 s to embed, 8 to 13 s to store), and both let other threads run (the tokenizer and
    SQLite release the GIL), so the writes overlap the embedding instead of following it. At most
    ``_WRITES_AHEAD`` batches wait; leaving the ``with`` block waits for every write and raises the
    first write error, if any. Without a cache, ``put`` does nothing.
    """

    def __init__(self, cache: FeatureCache | None, model_id: str) -> None:
        self._cache = cache
        self._model_id = model_id
        self._queue: queue.Queue[tuple[list[str], np.ndarray] | None] = queue.Queue(maxsize=_WRITES_AHEAD)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _CacheWriter:
        if self._cache is not None:
            self._thread = threading.Thread(target=self._write, name="curate-cache-writer", daemon=True)
            self._thread.start()
        return self

    def put(self, hashes: list[str], vectors: np.ndarray) -> None:
        if self._thread is None:
            return
        if self._error is not None:  # stop embedding into a cache that no longer takes writes
            raise self._error
        self._queue.put((hashes, np.asarray(vectors)))

    def _write(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None and self._cache is not None:
                try:
                    self._cache.put(item[0], item[1], self._model_id)
                except BaseException as error:  # handed to the embedding thread, raised there
                    self._error = error

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error


class _Vectors:
    """The vectors of ``n`` distinct texts, one float32 row each, filled in any order."""

    def __init__(self, n: int) -> None:
        self.known = np.zeros(n, dtype=bool)
        self._array: np.ndarray | None = None

    def _ensure(self, dim: int) -> np.ndarray:
        if self._array is None:
            self._array = np.zeros((len(self.known), dim), dtype=np.float32)
        return self._array

    def put(self, slots: np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors)
        if len(slots):
            self._ensure(vectors.shape[1])[slots] = vectors
            self.known[slots] = True

    def fill_from_cache(self, cache: FeatureCache, hashes: list[str], model_id: str) -> None:
        # In blocks, so that the blobs read from the cache are never all held at once.
        for start in range(0, len(hashes), _CACHE_BLOCK):
            block = hashes[start:start + _CACHE_BLOCK]
            found = cache.get(block, model_id)
            if found:
                slots = [i for i, h in enumerate(block) if h in found]
                self.put(np.asarray(slots, dtype=np.int64) + start, np.vstack([found[block[i]] for i in slots]))

    def array(self) -> np.ndarray:
        return self._array if self._array is not None else np.zeros((len(self.known), 1), dtype=np.float32)


def _embed_texts(texts: list[str], *, embedder: TextEmbedder) -> np.ndarray:
    """One embedding task: the vectors of ``texts`` (top level, so that an engine can send it)."""
    return np.asarray(embedder.embed(texts))


def _embed_on(engine: Engine, embedder: TextEmbedder, todo: np.ndarray, first_text: list[str], hashes: list[str],
              writer: _CacheWriter, store: _Vectors, progress: ProgressCallback | None) -> None:
    """Embed the distinct texts at slots ``todo`` as tasks of ``engine``, caching and keeping the vectors here."""
    # The model is loaded (and, the first time, distilled) once, here, and travels with the
    # embedder to the tasks: no task loads or distils it again, and a node need not have it.
    embedder.embed([first_text[todo[0]]])
    chunks = [todo[start:start + _TASK_TEXTS] for start in range(0, len(todo), _TASK_TEXTS)]

    def done(index: int) -> None:
        if progress is not None:
            progress(len(chunks[index]))

    results = engine.map(_embed_texts, [[first_text[i] for i in chunk] for chunk in chunks],
                         shared={"embedder": embedder}, on_done=done)
    for chunk, vectors in zip(chunks, results, strict=True):
        writer.put([hashes[i] for i in chunk], vectors)
        store.put(chunk, vectors)
