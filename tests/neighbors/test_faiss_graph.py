"""The neighbour graph on faiss: exact search equals scikit-learn's brute force, HNSW keeps its recall."""

from __future__ import annotations

import faiss
import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from curate.neighbors import NeighborGraph, build_neighbor_graph
from curate.neighbors import graph as graph_module

METHODS = ["exact", "hnsw"]


def _brute_force(features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The graph as curate built it before faiss: scikit-learn brute force, the row dropped by id."""
    dist, idx = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(features).kneighbors(features)
    indices = np.empty((len(features), k), dtype=np.int64)
    distances = np.empty((len(features), k))
    for row in range(len(features)):
        keep = idx[row] != row
        indices[row], distances[row] = idx[row][keep][:k], dist[row][keep][:k]
    return indices, distances


def _clustered(rows: int, dim: int, clusters: int, spread: float = 0.6, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``clusters`` centres; with ``spread`` 2 the clusters overlap."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    points = centres[rng.integers(clusters, size=rows)] + rng.normal(scale=spread, size=(rows, dim))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def _untied(distances: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """True where a distance differs from its row's previous and next ones (its rank is then unique)."""
    gaps = np.diff(distances, axis=1) > tol
    edge = np.ones((len(distances), 1), dtype=bool)
    return np.hstack([edge, gaps]) & np.hstack([gaps, edge])


def test_the_exact_graph_is_scikit_learn_s_brute_force_graph() -> None:
    features = np.random.default_rng(1).normal(size=(1_500, 32))
    features[:100] += 3.0  # a dense corner and a sparse rest
    graph = build_neighbor_graph(features, k=10, method="exact")
    indices, distances = _brute_force(features, 10)
    assert graph.method == "exact"
    assert graph.indices.dtype == np.int64 and graph.indices.shape == (1_500, 10)
    assert graph.distances.dtype == np.float64
    np.testing.assert_allclose(graph.distances, distances, rtol=1e-9, atol=1e-9)
    untied = _untied(distances)
    assert untied.mean() > 0.99
    np.testing.assert_array_equal(graph.indices[untied], indices[untied])
    assert not graph.normalized
    assert graph.scale == pytest.approx(float(np.median(distances)))


def test_float32_strided_and_fortran_inputs_give_the_same_graph() -> None:
    features = np.random.default_rng(2).normal(size=(800, 48))
    expected = build_neighbor_graph(features, k=5, method="exact")
    wide = np.repeat(features, 2, axis=1)[:, ::2]  # not C-contiguous
    for given in (wide, np.asfortranarray(features)):
        graph = build_neighbor_graph(given, k=5, method="exact")
        np.testing.assert_array_equal(graph.indices, expected.indices)
        np.testing.assert_array_equal(graph.distances, expected.distances)
    single = build_neighbor_graph(features.astype(np.float32), k=5, method="exact")
    assert (single.indices == expected.indices).mean() > 0.999  # float32 values, a few ties reorder
    np.testing.assert_allclose(single.distances, expected.distances, rtol=1e-6)


def test_normalised_features_are_recognised() -> None:
    graph = build_neighbor_graph(_clustered(500, 16, 5), k=4)
    assert graph.normalized
    np.testing.assert_array_less(-1e-12, graph.distances)
    assert np.all(graph.similarities() <= 1.0)


@pytest.mark.parametrize("method", METHODS)
def test_a_row_never_lists_itself_even_among_its_exact_duplicates(method: str) -> None:
    rng = np.random.default_rng(3)
    features = rng.normal(size=(600, 8)).astype(np.float32)
    features[100:115] = features[100]  # 15 copies: more than the k + 1 = 11 rows faiss returns
    features[200:203] = features[200]  # 3 copies: each has 2 at distance 0, then other rows
    graph = build_neighbor_graph(features, k=10, method=method)
    rows = np.arange(600)
    assert not (graph.indices == rows[:, None]).any()
    for row in range(100, 115):
        assert set(graph.indices[row]) <= set(range(100, 115)) - {row}
        assert graph.distances[row].tolist() == [0.0] * 10
    for row in range(200, 203):
        assert set(graph.indices[row, :2]) == {200, 201, 202} - {row}
        assert graph.distances[row, :2].tolist() == [0.0, 0.0]
        assert graph.distances[row, 2] > 0.0
    assert (graph.distances >= 0.0).all()


@pytest.mark.parametrize("method", METHODS)
def test_tiny_inputs_list_every_other_row(method: str) -> None:
    one = build_neighbor_graph(np.ones((1, 3)), k=10, method=method)
    assert one.indices.shape == (1, 0) and one.distances.shape == (1, 0)
    two = build_neighbor_graph(np.array([[0.0, 0.0], [3.0, 4.0]]), k=10, method=method)
    assert two.indices.tolist() == [[1], [0]] and two.distances.tolist() == [[5.0], [5.0]]
    three = build_neighbor_graph(np.array([[0.0], [1.0], [3.0]]), k=2, method=method)
    assert three.indices.tolist() == [[1, 2], [0, 2], [1, 0]]
    assert three.distances.tolist() == [[1.0, 3.0], [1.0, 2.0], [2.0, 3.0]]
    same = build_neighbor_graph(np.zeros((3, 4)), k=5, method=method)
    assert same.indices.shape == (3, 2) and (same.distances == 0).all()
    assert not (same.indices == np.arange(3)[:, None]).any()


def test_k_below_one_is_raised_to_one_as_before() -> None:
    graph = build_neighbor_graph(np.array([[0.0], [1.0], [3.0]]), k=0)
    assert graph.indices.tolist() == [[1], [0], [1]]


@pytest.mark.parametrize("method", METHODS)
def test_rows_of_nan_are_searched_as_zeros(method: str) -> None:
    features = np.random.default_rng(4).normal(size=(300, 6))
    features[7] = np.nan
    features[8, 2] = np.inf
    graph = build_neighbor_graph(features, k=5, method=method)
    assert np.isfinite(graph.distances).all() and (graph.indices >= 0).all()
    cleaned = np.nan_to_num(features, nan=0.0, posinf=0.0)
    expected = build_neighbor_graph(cleaned, k=5, method="exact")
    np.testing.assert_array_equal(graph.indices[7], expected.indices[7])
    np.testing.assert_allclose(graph.distances[7], np.sort(np.linalg.norm(cleaned[expected.indices[7]], axis=1)))


def test_hnsw_finds_at_least_95_percent_of_the_true_ten_neighbours() -> None:
    features = _clustered(20_000, 48, 300, spread=2.0, seed=5)  # recall 0.987 with faiss 1.15
    exact = build_neighbor_graph(features, k=10, method="exact")
    approx = build_neighbor_graph(features, k=10, method="hnsw")
    assert approx.method == "hnsw" and approx.indices.shape == (20_000, 10)
    found = sum(len(np.intersect1d(a, b)) for a, b in zip(approx.indices, exact.indices, strict=True))
    assert found / exact.indices.size >= 0.95
    assert not (approx.indices == np.arange(20_000)[:, None]).any()
    # every listed distance is at least the true k-th smallest (float32 sums of squares: within 1e-6)
    assert (approx.distances[:, -1] >= exact.distances[:, -1] - 1e-6).all()
    assert (np.diff(approx.distances, axis=1) >= 0).all()
    # HNSW's distances are faiss's float32 ones, kept without recomputing: right to float32 precision
    recomputed = np.linalg.norm(features[approx.indices].astype(np.float64) - features[:, None, :], axis=2)
    np.testing.assert_allclose(approx.distances, recomputed, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_progress_adds_up_to_the_rows(method: str) -> None:
    calls: list[int] = []
    build_neighbor_graph(np.random.default_rng(6).normal(size=(10_000, 4)), k=3, progress=calls.append,
                         method=method)
    assert sum(calls) == 10_000 and min(calls) > 0
    assert len(calls) >= 3  # chunked: progress moves during the search


def test_auto_searches_exactly_up_to_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    features = np.random.default_rng(7).normal(size=(50, 3))
    monkeypatch.setattr(graph_module, "EXACT_UP_TO", 50)
    assert build_neighbor_graph(features, k=3).method == "exact"
    monkeypatch.setattr(graph_module, "EXACT_UP_TO", 49)
    assert build_neighbor_graph(features, k=3).method == "hnsw"


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of auto, exact, hnsw, not 'ivf'"):
        build_neighbor_graph(np.zeros((3, 2)), method="ivf")


def test_a_small_search_runs_faiss_on_one_thread() -> None:
    seen: list[int] = []
    with threadpool_limits(limits=2):  # as on a machine whose libraries would use 2 threads
        build_neighbor_graph(np.random.default_rng(8).normal(size=(300, 8)), k=3,
                             progress=lambda _: seen.append(faiss.omp_get_max_threads()))
        after = faiss.omp_get_max_threads()
    assert seen and set(seen) == {1}
    assert after == 2  # the limit ends with the search


def test_first_keeps_the_method_and_old_positional_graphs_are_exact() -> None:
    graph = NeighborGraph(np.array([[1, 2], [0, 2], [0, 1]]), np.ones((3, 2)), True, 1.0, "hnsw")
    assert graph.first(1).method == "hnsw" and graph.first(1).k == 1
    assert NeighborGraph(np.zeros((2, 1), dtype=np.int64), np.zeros((2, 1)), False).method == "exact"
