"""One k-nearest-neighbour graph per run, shared by every detector that needs neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from curate.core.progress import ProgressCallback

__all__ = ["NeighborGraph", "build_neighbor_graph"]

_CHUNK = 2048


@dataclass(frozen=True)
class NeighborGraph:
    """Each row's ``k`` nearest other rows, closest first, with Euclidean distances.

    For L2-normalised features the cosine similarity is ``1 - distance**2 / 2``.
    """

    indices: np.ndarray
    distances: np.ndarray
    normalized: bool

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    def similarities(self) -> np.ndarray:
        """Cosine similarities to each neighbour (only meaningful for normalised features)."""
        return 1.0 - self.distances**2 / 2.0


def build_neighbor_graph(features: np.ndarray, k: int = 10, progress: ProgressCallback | None = None) -> NeighborGraph:
    """Exact k-NN over ``features`` (each row excluded from its own list).

    Example
    -------
    >>> build_neighbor_graph(np.eye(3, dtype=np.float32), k=1).indices.shape
    (3, 1)
    """
    n = len(features)
    k = max(1, min(k, n - 1))
    index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", metric="euclidean").fit(features)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        dist, idx = index.kneighbors(features[start:stop], n_neighbors=k + 1)
        for row in range(stop - start):
            me = start + row
            # An exact duplicate can tie with the row itself, so drop the row by id, not position.
            keep = idx[row] != me
            chosen_idx = idx[row][keep][:k]
            chosen_dist = dist[row][keep][:k]
            indices[me] = chosen_idx
            distances[me] = np.maximum(chosen_dist, 0.0)
        if progress is not None:
            progress(stop - start)
    norms = np.linalg.norm(features, axis=1)
    normalized = bool(np.allclose(norms[norms > 0], 1.0, atol=1e-3))
    return NeighborGraph(indices, distances, normalized)
