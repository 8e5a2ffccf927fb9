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
    hashes = [text_hash(t) for t in texts]
    known = cache.get(hashes, embedder.model_id) if cache is not None else {}
    todo = list(dict.fromkeys(h for h in hashes if h not in known))
    if progress is not None and len(hashes) > len(todo):
        progress(len(hashes) - len(todo))  # cached rows and repeats of a text count as done
    first_text: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        first_text.setdefault(h, t)
    engine = engine or current_engine()
    if not fits_corpus and todo and not isinstance(engine, LocalEngine):
        _embed_on(engine, embedder, todo, first_text, cache, known, progress)
    else:
        batch = max(1, len(todo)) if fits_corpus else _BATCH
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            vectors = embedder.embed([first_text[h] for h in chunk], progress)
            if cache is not None:
                cache.put(chunk, vectors, embedder.model_id)
            known.update(zip(chunk, vectors, strict=True))
    if not hashes:
        return np.zeros((0, 1), dtype=np.float32), 0
    return np.vstack([known[h] for h in hashes]).astype(np.float32), len(todo)


def _embed_texts(texts: list[str], *, embedder: TextEmbedder) -> np.ndarray:
    """One embedding task: the vectors of ``texts`` (top level, so that an engine can send it)."""
    return np.asarray(embedder.embed(texts))


def _embed_on(engine: Engine, embedder: TextEmbedder, todo: list[str], first_text: dict[str, str],
              cache: FeatureCache | None, known: dict[str, np.ndarray], progress: ProgressCallback | None) -> None:
    """Embed the texts of hashes ``todo`` as tasks of ``engine``, caching and keeping the vectors here."""
    # The model is loaded (and, the first time, distilled) once, here, and travels with the
    # embedder to the tasks: no task loads or distils it again, and a node need not have it.
    embedder.embed([first_text[todo[0]]])
    chunks = [todo[start:start + _TASK_TEXTS] for start in range(0, len(todo), _TASK_TEXTS)]

    def done(index: int) -> None:
        if progress is not None:
            progress(len(chunks[index]))

    results = engine.map(_embed_texts, [[first_text[h] for h in chunk] for chunk in chunks],
                         shared={"embedder": embedder}, on_done=done)
    for chunk, vectors in zip(chunks, results, strict=True):
        if cache is not None:
            cache.put(chunk, vectors, embedder.model_id)
        known.update(zip(chunk, vectors, strict=True))
