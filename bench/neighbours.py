"""Neighbour search: scikit-learn brute force (curate's path before faiss), faiss exact, faiss HNSW.

Vectors: curate's sentence embeddings (all-MiniLM-L6-v2 via ``curate.features.SentenceEmbedder``,
384 dimensions, L2-normalised) of every distinct text in NoisyAG-News (noisy_10k, clean_test) and
Banking77 (train, test). The 10,000-row set is the first 10,000 of them (NoisyAG-News noisy_10k,
then clean_test); the larger sets are every real vector plus perturbed copies of them (see
``perturbed``), because embedding 100,000 real texts on CPU takes hours. The vectors come from
curate's embedding cache (``--cache DIR``; filled on the first run, read by later ones).

Each (rows, method) runs in its own child process (this script with ``--child``): the time of the
graph alone is measured inside it (``time.perf_counter`` around the call, after the vectors are
loaded), its peak memory from outside (``ru_maxrss`` via ``os.wait4``), beside a child that only
loads the vectors (the floor every side shares). Recall@k of HNSW is measured against faiss exact,
counting a listed neighbour as right when it is no farther than the true k-th neighbour (exact
ties, such as duplicate texts, count either way). Above ``--exact-up-to`` rows only HNSW runs, and
its recall is measured on a seeded sample of rows searched exactly in the parent.

    .venv/bin/python bench/neighbours.py [--sizes 10000,100000] [--cache DIR] [--threads 1] [--dry] [--out MD]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    VENV_BIN,
    Child,
    check_ok,
    children_table,
    fail,
    finish,
    fmt,
    machine_lines,
    markdown_table,
    require_files,
    run_measured,
    shell_command,
)

HEADING = "## Neighbour search: scikit-learn brute force, faiss exact, faiss HNSW"
TEXT_FILES = ("noisyag-news/noisy_10k.csv", "noisyag-news/clean_test.csv", "banking77/train.csv",
              "banking77/test.csv")
PACKAGES = ("curate", "faiss-cpu", "scikit-learn", "numpy", "sentence-transformers", "torch", "threadpoolctl")
METHODS = ("sklearn", "exact", "hnsw")
METHOD_NAMES = {"sklearn": "scikit-learn brute force (before)", "exact": "faiss exact (IndexFlatL2)",
                "hnsw": "faiss HNSW (IndexHNSWFlat)", "load": "(load the vectors only)"}
GRAPH_K = 50  # what an audit builds: the label vote reads 50 neighbours (curate.evidence.vote_neighbours)
DRY_TEXTS = 3_000
RECALL_SAMPLE = 2_000  # rows searched exactly for the recall of sizes above --exact-up-to
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
SEED = 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA_ROOT,
                        help=f"the shared data folder (default: {DEFAULT_DATA_ROOT})")
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated row counts (default: 10000,100000)")
    parser.add_argument("--exact-up-to", type=int, default=100_000,
                        help="largest size that also runs the two exact searches (default: 100000)")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="keep the embedding cache in DIR (filled on the first run, read by later ones); "
                             "default: a fresh temp folder")
    parser.add_argument("--threads", type=int, default=1,
                        help="OMP_NUM_THREADS and the BLAS thread variables of every child (default: 1)")
    parser.add_argument("--dry", action="store_true",
                        help=f"a quick check of the script: {DRY_TEXTS:,} texts of the first file, 2,000 rows (every "
                             "side) and 5,000 (HNSW only), printed only")
    parser.add_argument("--out", type=Path,
                        help="the markdown file whose section this script rewrites (bench/RESULTS.md for the "
                             "record); without it the results are only printed")
    parser.add_argument("--child", choices=[*METHODS, "load"], help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, default=GRAPH_K, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--graph-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- children -------------------------------------------------------------------------------------


def sklearn_graph(features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """curate's neighbour search before faiss (``build_neighbor_graph`` at commit 99dc15b), kept here.

    scikit-learn's exact brute force in chunks of 2,048 queries, each row dropped from its own list
    by id, threads sized as curate sizes them.
    """
    from sklearn.neighbors import NearestNeighbors

    from curate.core.threads import sized_threads

    n = len(features)
    k = max(1, min(k, n - 1))
    index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", metric="euclidean").fit(features)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    with sized_threads(n, int(np.prod(features.shape[1:]))):
        for start in range(0, n, 2048):
            stop = min(n, start + 2048)
            dist, idx = index.kneighbors(features[start:stop], n_neighbors=k + 1)
            for row in range(stop - start):
                keep = idx[row] != start + row
                indices[start + row] = idx[row][keep][:k]
                distances[start + row] = np.maximum(dist[row][keep][:k], 0.0)
    return indices, distances


def run_child(args: argparse.Namespace) -> None:
    """One side in this process: load the vectors, time the graph, save it, print the seconds as JSON.

    Every child (the loading-only one too) imports scikit-learn's and curate's neighbour modules
    (faiss with them) before the clock starts, so neither the time nor the memory over loading
    counts importing a library.
    """
    import sklearn.neighbors  # noqa: F401 - imported for its memory and time, outside the measured call

    from curate.neighbors import build_neighbor_graph

    vectors = np.load(args.vectors)
    start = time.perf_counter()
    if args.child == "load":
        indices = distances = np.zeros((len(vectors), 0))
    elif args.child == "sklearn":
        indices, distances = sklearn_graph(vectors, args.k)
    else:
        graph = build_neighbor_graph(vectors, k=args.k, method=args.child)
        indices, distances = graph.indices, graph.distances
    seconds = time.perf_counter() - start
    np.savez(args.graph_out, indices=indices, distances=distances)
    print(json.dumps({"seconds": seconds, "peak_mib": own_peak_mib()}))


def own_peak_mib() -> float:
    """This process's peak resident memory since it started its program (``VmHWM``), in MiB.

    Not ``ru_maxrss``: Linux carries the parent's resident size at the fork into the child's, and
    the parent here holds the vectors and the graphs it compares.
    """
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- vectors --------------------------------------------------------------------------------------


def real_texts(data: Path, dry: bool) -> list[str]:
    """Every distinct text of the four files, in file order (the first file's first few with ``--dry``)."""
    paths = [data / name for name in TEXT_FILES]
    require_files(paths)
    if dry:
        return list(dict.fromkeys(pd.read_csv(paths[0])["text"].astype(str)))[:DRY_TEXTS]
    return list(dict.fromkeys(t for path in paths for t in pd.read_csv(path)["text"].astype(str)))


def embed(texts: list[str], cache: Path) -> tuple[np.ndarray, int, float]:
    """Sentence vectors of ``texts`` through curate's cache: (vectors, newly embedded, seconds)."""
    os.environ["CURATE_CACHE_DIR"] = str(cache)
    from curate.features import FeatureCache, SentenceEmbedder, default_cache_path, embed_with_cache

    start = time.perf_counter()
    vectors, new = embed_with_cache(texts, SentenceEmbedder(), FeatureCache(default_cache_path()))
    return vectors.astype(np.float32), new, time.perf_counter() - start


def nearest_distance(vectors: np.ndarray) -> float:
    """The median distance from a real vector to its nearest other one (faiss exact)."""
    from curate.neighbors import build_neighbor_graph

    return float(np.median(build_neighbor_graph(vectors, k=1, method="exact").distances[:, 0]))


def perturbed(real: np.ndarray, rows: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    """``rows`` unit vectors: every real one, then copies of real ones (cycled) moved at random.

    A copy is ``normalise(v + e)`` with ``e`` Gaussian of expected length ``spread`` (the median
    distance between a real vector and its nearest neighbour), so a copy sits about as far from its
    source as the nearest other real text does. Isotropic noise adds dimensions that real
    embeddings lack, which makes the search harder than on real texts, not easier.
    """
    if rows <= len(real):
        return real[:rows].copy()
    extra = rows - len(real)
    sources = real[np.arange(extra) % len(real)]
    noise = rng.normal(scale=spread / np.sqrt(real.shape[1]), size=sources.shape).astype(np.float32)
    copies = sources + noise
    copies /= np.linalg.norm(copies, axis=1, keepdims=True)
    return np.vstack([real, copies])


# --- the comparison -------------------------------------------------------------------------------


def distances_of(vectors: np.ndarray, rows: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Float64 Euclidean distances from each of ``rows`` to its listed ``ids`` (recomputed, not trusted)."""
    out = np.empty(ids.shape)
    block = max(1, 2_000_000 // (ids.shape[1] * vectors.shape[1]))
    for start in range(0, len(rows), block):
        part = slice(start, start + block)
        gap = vectors[ids[part]].astype(np.float64) - vectors[rows[part], None, :]
        out[part] = np.sqrt(np.einsum("ijk,ijk->ij", gap, gap))
    return out


def recall(found_distances: np.ndarray, true_distances: np.ndarray, k: int) -> float:
    """Share of the listed first ``k`` neighbours no farther than the true ``k``-th (ties count either way)."""
    kth = true_distances[:, k - 1:k]
    return float((found_distances[:, :k] <= kth + 1e-9).mean())


def measure(method: str, k: int, vectors: Path, tmp: Path, env: dict[str, str]) -> tuple[Child, float, Path]:
    """Run one side as a child: its measurements, the graph's own seconds, and where the graph is.

    The child's peak memory is the one it reports itself (``own_peak_mib``).
    """
    out = tmp / f"{vectors.stem}-{method}-k{k}.npz"
    command = [str(REPO / VENV_BIN / "python"), str(Path(__file__).resolve()), "--child", method,
               "--k", str(k), "--vectors", str(vectors), "--graph-out", str(out)]
    log = tmp / f"{out.stem}.log"
    run = run_measured(command, log, env)
    check_ok(run, f"{method} on {vectors.name}", log)
    said = json.loads(log.read_text(encoding="utf-8").strip().splitlines()[-1])
    run = replace(run, peak_rss_mib=said["peak_mib"])
    return (shell_command(command, tmp), run), said["seconds"], out


def sampled_truth(vectors: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a seeded sample and their true distances to the ``k`` nearest other rows (faiss exact)."""
    import faiss

    rows = np.sort(rng.choice(len(vectors), size=min(RECALL_SAMPLE, len(vectors)), replace=False))
    index = faiss.IndexFlatL2(vectors.shape[1])
    index.add(vectors)
    _, found = index.search(vectors[rows], k + 1)
    truth = np.empty((len(rows), k))
    for i, (row, ids) in enumerate(zip(rows, found, strict=True)):
        others = ids[ids != row][:k]
        truth[i] = np.sort(np.linalg.norm(vectors[others].astype(np.float64) - vectors[row], axis=1))
    return rows, truth


def compare(sizes: list[int], real: np.ndarray, exact_up_to: int, tmp: Path,
            env: dict[str, str]) -> tuple[list[list[str]], list[Child], float]:
    """Every side at every size: the table's rows, the children, and the perturbation's spread."""
    rng = np.random.default_rng(SEED)
    spread = nearest_distance(real)
    rows_out: list[list[str]] = []
    children: list[Child] = []
    for size in sizes:
        vectors = perturbed(real, size, spread, rng)
        path = tmp / f"vectors-{size}.npy"
        np.save(path, vectors)
        source = "real" if size <= len(real) else f"{len(real):,} real + {size - len(real):,} perturbed"
        floor, _, _ = measure("load", 1, path, tmp, env)
        children.append(floor)
        exact = size <= exact_up_to
        sides = [("sklearn", GRAPH_K), ("exact", GRAPH_K)] if exact else []
        sides += [("hnsw", GRAPH_K), ("hnsw", 10)]
        graphs: dict[tuple[str, int], np.lib.npyio.NpzFile] = {}
        timing: dict[tuple[str, int], tuple[Child, float]] = {}
        for method, k in sides:
            child, seconds, out = measure(method, k, path, tmp, env)
            children.append(child)
            graphs[(method, k)] = np.load(out)
            timing[(method, k)] = (child, seconds)
        if exact:
            truth_rows = np.arange(size)
            truth = graphs[("exact", GRAPH_K)]["distances"]
        else:
            truth_rows, truth = sampled_truth(vectors, GRAPH_K, rng)
        for method, k in sides:
            (_, run), seconds = timing[(method, k)]
            graph = graphs[(method, k)]
            found = distances_of(vectors, truth_rows, graph["indices"][truth_rows])
            recalls = [fmt(recall(found, truth, r)) if r <= k else "-" for r in (10, GRAPH_K)]
            agree = "-"
            if method == "sklearn":
                same = graph["indices"] == graphs[("exact", GRAPH_K)]["indices"]
                gap = np.abs(graph["distances"] - truth).max()
                agree = f"{same.mean():.4f} of ids, distances within {gap:.1e}"
            rows_out.append([f"{size:,}", source, METHOD_NAMES[method], str(k), f"{seconds:.1f}",
                             f"{run.cpu_seconds:.1f}", f"{run.peak_rss_mib:.0f}",
                             f"{run.peak_rss_mib - floor[1].peak_rss_mib:.0f}", *recalls, agree])
    return rows_out, children, spread


def main(argv: Sequence[str] | None = None) -> None:
    """Embed, compare every side at every size; print (and with ``--out``, write) the section."""
    args = parse_args(argv)
    if args.child:
        run_child(args)
        return
    sizes = [2_000, 5_000] if args.dry else [int(s) for s in args.sizes.split(",") if s]
    if args.dry:
        args.out, args.exact_up_to = None, 2_000
    if not sizes or min(sizes) < 2:
        fail(f"--sizes must list row counts of at least 2, got {args.sizes!r}")
    threads = {name: str(args.threads) for name in THREAD_VARIABLES}
    env = {"PYTHONPATH": str(REPO / "src"), **threads}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cache = args.cache.resolve() if args.cache is not None else tmp / "cache"
        warm = (cache / "features.sqlite").exists()
        texts = real_texts(args.data, args.dry)
        real, new, embed_seconds = embed(texts, cache)
        table, children, spread = compare(sizes, real, args.exact_up_to, tmp, env)
    from curate.neighbors import graph as curate_graph

    given = " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    headers = ["rows", "vectors", "search", "k", "graph wall s", "child CPU s", "peak RSS MiB",
               "RSS over loading MiB", "recall@10", f"recall@{GRAPH_K}", "same graph as faiss exact"]
    body = [
        f"Vectors: curate's sentence embeddings (all-MiniLM-L6-v2, 384 dimensions, L2-normalised) of the "
        f"{len(real):,} distinct texts of NoisyAG-News `noisy_10k.csv` and `clean_test.csv` and Banking77 "
        f"`train.csv` and `test.csv` (in that order{'; --dry: only the first ones' if args.dry else ''}; "
        + (f"{new:,} newly embedded in {embed_seconds:.0f} s, the rest " if new else "all ")
        + "read from curate's embedding cache" + (", filled by an earlier run" if warm else "") + "). "
        f"A size up to {len(real):,} rows takes the first real vectors; a larger one is every real vector "
        "plus perturbed copies of them in turn: `normalise(v + e)`, `e` Gaussian of expected length "
        f"{spread:.3f} (the median distance from a real vector to its nearest other one), so each copy sits "
        "about as far from its source as the nearest other text. Isotropic noise adds dimensions real "
        "embeddings lack, so the approximate search has it harder than on real texts.",
        "",
        f"Each side is its own child process with {args.threads} BLAS/OpenMP thread(s) "
        "(`OMP_NUM_THREADS` and the BLAS variables). \"graph wall s\" is the graph alone, from the vectors in "
        "memory to the (n, k) indices and float64 distances. Peak RSS is the child's own high-water mark "
        "(`VmHWM`, read by the child at its end; `ru_maxrss` would count this script's memory at the fork), "
        "beside a child that only imports the libraries and loads the vectors. scikit-learn brute force is curate's "
        "search before faiss (`sklearn_graph` in this script, the code of commit 99dc15b). faiss exact is "
        "`IndexFlatL2`; HNSW "
        f"is `IndexHNSWFlat` (M {curate_graph.HNSW_M}, efConstruction {curate_graph.HNSW_EF_CONSTRUCTION}, "
        f"efSearch max({curate_graph.HNSW_EF_SEARCH}, 2(k+1)); Malkov & Yashunin 2018). curate computes "
        f"k = {GRAPH_K} neighbours when it gathers label evidence (the vote reads 50), so every side runs at "
        f"k = {GRAPH_K}; HNSW also at k = 10 (its candidate list is then {curate_graph.HNSW_EF_SEARCH}). "
        "Recall@k: the share of listed neighbours (distances recomputed in float64 from their ids) no farther "
        "than the true k-th one (faiss exact's graph; "
        f"above {args.exact_up_to:,} rows, {RECALL_SAMPLE:,} sampled rows searched exactly). "
        f"curate's `EXACT_UP_TO` is {curate_graph.EXACT_UP_TO:,} rows: up to it `auto` searches exactly. "
        + ("" if max(sizes) >= 1_000_000 else "1,000,000 rows were not run: HNSW's build grows a little faster "
           "than the rows, so at one thread it would take over ten times its 100,000-row time (not measured), "
           "beyond this benchmark's 15 minutes."),
        "",
        *markdown_table(headers, table),
        "",
        f"Command: `{shell_command(['.venv/bin/python', 'bench/neighbours.py', *given.split()])}`, which runs:",
        "",
        *children_table(children),
        "",
        *machine_lines(PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
