"""One k-nearest-neighbour graph per run, shared by every detector that needs neighbours.

The search runs on faiss (Douze et al. 2024, "The Faiss library", arXiv:2401.08281): exact by brute
force (``IndexFlatL2``) up to :data:`EXACT_UP_TO` rows, approximate above it with an HNSW graph
(``IndexHNSWFlat``; Malkov & Yashunin 2018, "Efficient and robust approximate nearest neighbor search
using Hierarchical Navigable Small World graphs", IEEE TPAMI, arXiv:1603.09320). Either way faiss
only proposes each row's candidates, in float32. The exact search ranks them by float32's
``|a|^2 + |b|^2 - 2ab`` (one matrix product per block), whose rounding can leave a duplicate a little
above 0 and reorder close rows, so the distances the exact graph keeps are recomputed from the features
in float64. HNSW computes each distance directly, as a float32 sum of squared differences (an exact
duplicate is at 0 exactly), and keeps faiss's distances: with the recomputation a million-row search
took 13.5 minutes in the audit against 10.7 for faiss's build and search alone (bench/RESULTS.md,
"Scale"), for a change in the seventh digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from curate.core.progress import ProgressCallback
from curate.core.threads import sized_threads

__all__ = [
    "EXACT_UP_TO",
    "HNSW_EF_CONSTRUCTION",
    "HNSW_EF_SEARCH",
    "HNSW_LARGE_EF_CONSTRUCTION",
    "HNSW_LARGE_FROM",
    "HNSW_LARGE_M",
    "HNSW_M",
    "METHODS",
    "NeighborGraph",
    "build_neighbor_graph",
]

# Rows up to which the search is exact. Exact search costs rows**2 x dimension: at 100,000 rows of
# 384-dimensional sentence embeddings and k = 50 it took 114 s of one core (scikit-learn's brute
# force before it: 226 s) against 58 s for HNSW at recall@50 0.990 (bench/RESULTS.md, "Neighbour
# search"). Up to here an exact graph (the same on every run, no neighbour missed) costs at most about
# twice the approximate one; at 200,000 rows it would cost four times as much again.
EXACT_UP_TO = 100_000
# HNSW's links per node and the candidate list while building: M=32 keeps recall high on
# 384-dimensional embeddings for 256 bytes of links per row (faiss's level-0 list holds 2 M ids).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# The candidate list while searching: the recall knob. On the 30,683 real sentence vectors of the
# benchmark, recall@10 was 0.988 with 16 and 0.994 with 32; 48 gave 0.996 at 10,000 real rows and 0.993
# at 100,000 (bench/RESULTS.md), a margin above 0.98 for larger data. It grows with k (see _search).
HNSW_EF_SEARCH = 48
# From this many rows the graph is built and searched with half the links, half the build list and a
# candidate list of k + 1: on a million generated texts (256-dimensional static embeddings) the
# settings above took 296 s to build and 348 s to search at k = 50 (recall@50 0.71, bench/RESULTS.md,
# "Scale"), these 125 s and 169 s (recall@50 0.46), which a 20-minute audit of a million rows can
# afford. The label flags the audit made from either graph are compared there too.
HNSW_LARGE_FROM = 500_000
HNSW_LARGE_M = 16
HNSW_LARGE_EF_CONSTRUCTION = 40
METHODS = ("auto", "exact", "hnsw")

_CHUNK = 4096  # query rows per search call (faiss's own block of queries): one progress step
_ADD_CHUNK = 16_384  # rows per HNSW insertion call, so that progress moves while the graph is built
_REFINE_CELLS = 1_000_000  # float64 values per block when distances are recomputed (8 MB)


@dataclass(frozen=True)
class NeighborGraph:
    """Each row's ``k`` nearest other rows, closest first, with Euclidean distances.

    Attributes
    ----------
    indices : numpy.ndarray
        Shape (n_rows, k), int64: row positions of the neighbours, closest first; never the row itself.
    distances : numpy.ndarray
        Shape (n_rows, k), float64, at least 0: Euclidean distances to them.
    normalized : bool
        True when the features were L2-normalised; then the cosine similarity is
        ``1 - distance**2 / 2``.
    scale : float
        The median neighbour distance when the graph was built: the unit of
        :meth:`similarities` for features that are not normalised.
    method : str
        How the neighbours were found: ``"exact"`` (brute force, every row's true nearest rows) or
        ``"hnsw"`` (approximate: an HNSW graph, which may miss a few true neighbours).
    """

    indices: np.ndarray
    distances: np.ndarray
    normalized: bool
    scale: float = 1.0
    method: str = "exact"

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
        return NeighborGraph(self.indices[:, :k], self.distances[:, :k], self.normalized, self.scale, self.method)

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


def build_neighbor_graph(features: np.ndarray, k: int = 10, progress: ProgressCallback | None = None, *,
                         method: str = "auto") -> NeighborGraph:
    """Each row's ``k`` nearest other rows by Euclidean distance, with faiss.

    Exact (faiss ``IndexFlatL2``, brute force) up to :data:`EXACT_UP_TO` rows; above it approximate,
    with an HNSW graph (faiss ``IndexHNSWFlat``, ``M`` = :data:`HNSW_M`, ``efConstruction`` =
    :data:`HNSW_EF_CONSTRUCTION`, ``efSearch`` = :data:`HNSW_EF_SEARCH` or ``2 (k + 1)`` for large ``k``;
    from :data:`HNSW_LARGE_FROM` rows the cheaper :data:`HNSW_LARGE_M`,
    :data:`HNSW_LARGE_EF_CONSTRUCTION` and ``k + 1``; Malkov & Yashunin 2018, arXiv:1603.09320),
    whose recall is measured in bench/RESULTS.md.

    A row is never listed among its own neighbours, not even when an exact duplicate of it ties at
    distance 0. BLAS and OpenMP threads are sized to the work (:func:`curate.core.threads.sized_threads`).
    The exact search gives the same graph on every run (up to the order of equally distant rows);
    the HNSW graph is built in parallel and can differ slightly between runs with several threads.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, dim), any real dtype and memory layout (faiss gets a C-contiguous float32
        copy when it needs one). Non-finite values (NaN, inf) are read as 0, the value curate gives
        rows it could not read, so that one bad row cannot break every row's search.
    k : int, default 10
        Neighbours per row: at least 1, lowered to ``n_rows - 1`` (so 0 for a single row).
    progress : callable, optional
        Called with the number of rows done; the calls add up to ``n_rows``. For HNSW, inserting a
        row into the graph and searching from it count half a row each.
    method : {"auto", "exact", "hnsw"}, default "auto"
        ``"auto"``: exact up to :data:`EXACT_UP_TO` rows, HNSW above; the others force one search.

    Returns
    -------
    NeighborGraph
        ``indices`` shape (n_rows, k) int64, closest first; ``distances`` shape (n_rows, k) float64,
        Euclidean (the exact search's recomputed in float64, HNSW's as faiss computed them in
        float32); ``method`` says which search built it.

    Raises
    ------
    ValueError
        When ``method`` is not one of :data:`METHODS`.

    Examples
    --------
    >>> build_neighbor_graph(np.eye(3, dtype=np.float32), k=1).indices.shape
    (3, 1)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    given = np.asarray(features)
    n = len(given)
    values = _finite(given.reshape(n, int(np.prod(given.shape[1:]))))
    k = min(max(1, k), max(0, n - 1))
    chosen = method if method != "auto" else ("exact" if n <= EXACT_UP_TO else "hnsw")
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    if k > 0:
        with sized_threads(n, values.shape[1]):  # one thread for small inputs (faiss's OpenMP and BLAS too)
            _search(values, k, chosen, indices, distances, progress)
    elif progress is not None and n:
        progress(n)
    norms = np.linalg.norm(values, axis=1)
    normalized = bool(np.allclose(norms[norms > 0], 1.0, atol=1e-3))
    scale = float(np.median(distances)) if distances.size else 0.0
    return NeighborGraph(indices, distances, normalized, scale if scale > 0 else 1.0, chosen)


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` as floats with NaN and inf replaced by 0; the array itself when it already is."""
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    finite = np.isfinite(values)
    if finite.all():
        return values
    return np.where(finite, values, 0.0).astype(values.dtype, copy=False)


def _search(values: np.ndarray, k: int, method: str, indices: np.ndarray, distances: np.ndarray,
            progress: ProgressCallback | None) -> None:
    """Fill ``indices`` and ``distances`` (n, k) with each row's nearest other rows."""
    n, dim = values.shape
    vectors = np.ascontiguousarray(values, dtype=np.float32)  # no copy when already float32 and C-ordered
    reported = 0

    def advance(units: int) -> None:
        # HNSW does 2n units of work (n insertions, n searches) that progress shows as n rows.
        nonlocal reported
        done = units // 2 if method == "hnsw" else units
        if progress is not None and done > reported:
            progress(done - reported)
        reported = done

    index: faiss.Index
    exhaustive: faiss.Index
    if method == "exact":
        exhaustive = faiss.IndexFlatL2(dim)
        exhaustive.add(vectors)
        index, units = exhaustive, 0
    else:
        large = n >= HNSW_LARGE_FROM
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_LARGE_M if large else HNSW_M)
        hnsw.hnsw.efConstruction = HNSW_LARGE_EF_CONSTRUCTION if large else HNSW_EF_CONSTRUCTION
        for start in range(0, n, _ADD_CHUNK):
            hnsw.add(vectors[start:start + _ADD_CHUNK])
            advance(min(n, start + _ADD_CHUNK))
        # A candidate list shorter than k + 1 could not hold the answer; twice that keeps recall at
        # large k (the label vote reads 50 neighbours) near its level at k = 10, where it is affordable.
        hnsw.hnsw.efSearch = max(HNSW_EF_SEARCH, (k + 1) if large else 2 * (k + 1))
        # The vectors the HNSW index keeps anyway, searchable exactly for the rare row it cannot serve.
        exhaustive = faiss.downcast_index(hnsw.storage)
        index, units = hnsw, n
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        # k + 1 candidates: the row itself is usually one of them, and is dropped by id below.
        squared, found = index.search(vectors[start:stop], k + 1)
        rows = np.arange(start, stop)
        if method == "exact":
            missing = _keep_nearest(values, rows, found, indices, distances)
        else:
            missing = _keep_found(rows, found, squared, indices, distances)
        if missing.size:
            # HNSW found fewer than k other rows for these (unreachable from the graph's entry
            # point): search them exactly.
            _, found = exhaustive.search(vectors[missing], k + 1)
            _keep_nearest(values, missing, found, indices, distances)
        advance(units + stop)


def _keep_found(rows: np.ndarray, found: np.ndarray, squared: np.ndarray, indices: np.ndarray,
                distances: np.ndarray) -> np.ndarray:
    """Write the ``k`` nearest of HNSW's ``found`` other than the row itself, with faiss's distances.

    ``squared`` holds faiss's squared distances, closest first. Returns the rows left with fewer
    than ``k`` candidates (faiss marks a missing candidate -1).
    """
    k = indices.shape[1]
    found = found.astype(np.int64, copy=False)
    # By id, not position: an exact duplicate ties with the row at distance 0 and may come first.
    keep = (found >= 0) & (found != rows[:, None])
    complete = keep.sum(axis=1) >= k
    # The first k kept candidates of each row, in faiss's order (a stable sort of "dropped" flags).
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]
    near = np.sqrt(np.maximum(np.take_along_axis(squared, order, axis=1), 0.0), dtype=np.float64)
    indices[rows[complete]] = np.take_along_axis(found, order, axis=1)[complete]
    distances[rows[complete]] = near[complete]
    return rows[~complete]


def _keep_nearest(values: np.ndarray, rows: np.ndarray, found: np.ndarray, indices: np.ndarray,
                  distances: np.ndarray) -> np.ndarray:
    """Write the ``k`` nearest of ``found`` other than the row itself into ``indices``/``distances``.

    Distances are recomputed in float64 from ``values`` (faiss's float32 ``|a|^2 + |b|^2 - 2ab``
    loses precision near 0 and far from the origin). Returns the rows left with fewer than ``k``
    candidates (faiss marks a missing candidate -1).
    """
    k = indices.shape[1]
    found = found.astype(np.int64, copy=False)
    # By id, not position: an exact duplicate ties with the row at distance 0 and may come first.
    bad = (found < 0) | (found == rows[:, None])
    safe = np.where(bad, 0, found)
    exact = np.empty(found.shape, dtype=np.float64)
    block = max(1, _REFINE_CELLS // (found.shape[1] * values.shape[1]))
    for start in range(0, len(rows), block):
        part = slice(start, start + block)
        gap = values[safe[part]].astype(np.float64, copy=False)
        gap -= values[rows[part], None, :]
        exact[part] = np.sqrt(np.einsum("ijk,ijk->ij", gap, gap))
    exact[bad] = np.inf
    # Stable, so rows at equal distance keep faiss's order.
    order = np.argsort(exact, axis=1, kind="stable")[:, :k]
    near = np.take_along_axis(exact, order, axis=1)
    complete = np.isfinite(near).all(axis=1)
    indices[rows[complete]] = np.take_along_axis(found, order, axis=1)[complete]
    distances[rows[complete]] = near[complete]
    return rows[~complete]
