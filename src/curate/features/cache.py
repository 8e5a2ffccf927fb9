"""A cache of embeddings keyed by (text hash, model id), in its own SQLite file.

The cache lives in the user's cache folder ($CURATE_CACHE_DIR, else $XDG_CACHE_HOME/curate, else
~/.cache/curate), not in the workspace: it is derived data, written as batches finish so an
interrupted embedding resumes where it stopped, while the workspace itself changes only when a
command succeeds.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from curate.core.progress import ProgressCallback
from curate.features.base import TextEmbedder

__all__ = ["FeatureCache", "default_cache_path", "embed_with_cache", "text_hash"]

_BATCH = 1024


def default_cache_path() -> Path:
    """Where embeddings are cached unless told otherwise."""
    if os.environ.get("CURATE_CACHE_DIR"):
        base = Path(os.environ["CURATE_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "curate"
    else:
        base = Path.home() / ".cache" / "curate"
    return base / "features.sqlite"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FeatureCache:
    """Embeddings stored by content hash and model id."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (content_hash TEXT NOT NULL, model_id TEXT NOT NULL,"
            " dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (content_hash, model_id))"
        )
        return con

    def get(self, hashes: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        found: dict[str, np.ndarray] = {}
        with self._connect() as con:
            unique = list(dict.fromkeys(hashes))
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(
                    f"SELECT content_hash, vector FROM embeddings WHERE model_id = ? AND content_hash IN ({marks})",
                    [model_id, *chunk],
                )
                for content_hash, blob in rows:
                    found[content_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, hashes: Sequence[str], vectors: np.ndarray, model_id: str) -> None:
        with self._connect() as con:
            con.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                [(h, model_id, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                 for h, v in zip(hashes, vectors, strict=True)],
            )


def embed_with_cache(
    texts: Sequence[str],
    embedder: TextEmbedder,
    cache: FeatureCache | None,
    progress: ProgressCallback | None = None,
) -> tuple[np.ndarray, int]:
    """Embed ``texts``, reusing cached vectors; return (vectors, number newly embedded).

    Identical texts are embedded once.
    """
    hashes = [text_hash(t) for t in texts]
    known = cache.get(hashes, embedder.model_id) if cache is not None else {}
    todo = list(dict.fromkeys(h for h in hashes if h not in known))
    if progress is not None and len(hashes) > len(todo):
        progress(len(hashes) - len(todo))  # cached rows and repeats of a text count as done
    first_text: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        first_text.setdefault(h, t)
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start:start + _BATCH]
        vectors = embedder.embed([first_text[h] for h in chunk], progress)
        if cache is not None:
            cache.put(chunk, vectors, embedder.model_id)
        known.update(zip(chunk, vectors, strict=True))
    if not hashes:
        return np.zeros((0, 1), dtype=np.float32), 0
    return np.vstack([known[h] for h in hashes]).astype(np.float32), len(todo)
