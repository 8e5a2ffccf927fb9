"""One k-nearest-neighbour graph per run, shared by every detector that needs neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import NearestNeighbors

from curate.core.progress import ProgressCallback
from curate.core.threads import sized_threads

__all__ = ["NeighborGraph", "build_neighbor_graph"]

_CHUNK = 2048


@dataclass(frozen=True)
class NeighborGraph:
    """Each row's ``k`` nearest other rows, closest first, with Euclidean distances.

    Attributes
    ----------
    indices : numpy.ndarray
        Shape (n_rows, k), int: row positions of the neighbours, closest first.
    distances : numpy.ndarray
        Shape (n_rows, k), float: Euclidean distances to them.
    normalized : bool
        True when the features were L2-normalised; then the cosine similarity is
        ``1 - distance**2 / 2``.
    scale : float
        The median neighbour distance when the graph was built: the unit of
        :meth:`similarities` for features that are not normalised.
    """

    indices: np.ndarray
    distances: np.ndarray
    normalized: bool
    scale: float = 1.0

    @property
    def k(self) -> int:
        """Neighbours per row.

        Returns
        -------
        int
            The number of columns of ``indices``.
        """
        return int(self.indices.shape[1])

    def first(self, k: int) -> NeighborGraph:
        """The graph of each row's ``k`` nearest neighbours only (a view, no copy).

        Parameters
        ----------
        k : int
            At most :attr:`k`.

        Returns
        -------
        NeighborGraph
            The first ``k`` columns of ``indices`` and ``distances``.

        Raises
        ------
        ValueError
            When ``k`` exceeds the neighbours the graph holds.
        """
        if k > self.k and self.k < len(self.indices) - 1:
            raise ValueError(f"the neighbour graph holds {self.k} neighbours per row, not {k}")
        return NeighborGraph(self.indices[:, :k], self.distances[:, :k], self.normalized, self.scale)

    def similarities(self) -> np.ndarray:
        """Similarity to each neighbour, shape (n_rows, k), 1 for an identical row.

        Cosine similarity for normalised features; otherwise ``exp(-distance / scale)``, which falls
        from 1 to 0.37 at the graph's median neighbour distance.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, k), float, aligned with ``indices``; in [-1, 1] for normalised
            features, in (0, 1] otherwise.
        """
        if self.normalized:
            return 1.0 - self.distances**2 / 2.0
        return np.exp(-self.distances / self.scale)


def build_neighbor_graph(features: np.ndarray, k: int = 10, progress: ProgressCallback | None = None) -> NeighborGraph:
    """Exact k-NN over ``features`` (each row excluded from its own list), by brute force.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, dim).
    k : int, default 10
        Neighbours per row (lowered to ``n_rows - 1``).
    progress : callable, optional
        Called with the number of rows done.

    Returns
    -------
    NeighborGraph
        Each row's nearest other rows, closest first, with Euclidean distances.

    Examples
    --------
    >>> build_neighbor_graph(np.eye(3, dtype=np.float32), k=1).indices.shape
    (3, 1)
    """
    n = len(features)
    k = max(1, min(k, n - 1))
    index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", metric="euclidean").fit(features)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    with sized_threads(n, int(np.prod(features.shape[1:]))):  # one BLAS thread for small inputs
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
    scale = float(np.median(distances)) if distances.size else 0.0
    return NeighborGraph(indices, distances, normalized, scale if scale > 0 else 1.0)
