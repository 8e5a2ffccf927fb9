"""The embedding cache's SQL: vectors by (content hash, model id) in a SQLite file outside the workspace.

The cache is derived data, written as batches finish so that an interrupted embedding resumes; it
is kept apart from the workspace database, which changes only when a command succeeds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["FeatureCache"]


class FeatureCache:
    """Embeddings stored by content hash and model id, in a SQLite file of their own.

    Parameters
    ----------
    path : pathlib.Path
        The cache file; it and its folder are created on first write.
    """

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
        """The cached vectors of ``hashes`` made by ``model_id``.

        Parameters
        ----------
        hashes : sequence of str
            Content hashes (see :func:`curate.features.cache.text_hash`).
        model_id : str
            The embedder's id.

        Returns
        -------
        dict of str to numpy.ndarray
            Hash to float32 vector, for the hashes found (the others are left out).
        """
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
        """Store ``vectors`` under ``hashes`` for ``model_id``, replacing what was there.

        Parameters
        ----------
        hashes : sequence of str
            One content hash per vector.
        vectors : numpy.ndarray
            Shape (len(hashes), dim).
        model_id : str
            The embedder's id.
        """
        with self._connect() as con:
            con.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                [(h, model_id, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                 for h, v in zip(hashes, vectors, strict=True)],
            )
