"""Active learning: how many labels curate's queue order needs against a random order, on real data.

Labels are revealed in batches from data whose labels are known. Each data set's texts are embedded
once (the features an audit chooses, cached); every order starts from the same seeded random set,
then reveals ``batch`` labels per round chosen (a) at random or (b) by ``curate.annotators.next_items``
(its default ``combined`` strategy); after each round logistic regression (``curate.annotators.retrain``)
is refitted and scored on held-out data. Reference: the same model on every pool label. Reported:
the labels each order needs to reach 95 % of that full-data accuracy, over seeds, and the labels saved.

- NoisyAG-News: pool = the noisy training file, whose **noisy human labels** are revealed (what
  annotators give); scored on the clean test set's true labels.
- Banking77: pool = train, scored on test.
- NSMC (Korean): a seeded held-out part (``--heldout`` rows) of the 10,000 reviews; pool = the rest.

    .venv/bin/python bench/active_learning.py [--pool N] [--seeds 5] [--dry] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import DEFAULT_DATA_ROOT, REPO, machine_lines, markdown_table, require_files, shell_command, write_section

HEADING = "## Active learning: labels to reach 95 % of full-data accuracy, {name} (issue 14)"
PACKAGES = ("curate", "scikit-learn", "model2vec", "kiwipiepy", "numpy", "matplotlib")
TARGET_SHARE = 0.95
ROUNDS_AFTER_TARGET = 1  # a run goes on this many rounds past the target, then stops (for the plots)


@dataclass(frozen=True)
class Spec:
    """One data set: where its pool and held-out texts come from, and the batch sizes."""

    name: str
    start: int  # labels in the seeded random start
    batch: int  # labels revealed per round
    max_labels: int  # a run that has not reached the target by then stops


SPECS = {"noisyag": Spec("NoisyAG-News", 20, 20, 2000),
         "banking77": Spec("Banking77", 200, 200, 8000),
         "nsmc": Spec("NSMC", 50, 50, 4000)}


def load(key: str, root: Path, pool: int, heldout: int) -> tuple[list[str], np.ndarray, list[str], np.ndarray, str]:
    """Pool texts and label codes, held-out texts and codes, and a line on what was used."""
    if key == "noisyag":
        paths = [root / "noisyag-news" / "noisy_10k.csv", root / "noisyag-news" / "clean_test.csv"]
        require_files(paths, "--data-root")
        train, test = (pd.read_csv(p) for p in paths)
        train_labels, test_labels = train["label"], test["true_label"]
        what = "noisy human labels revealed; clean test set's true labels scored"
    elif key == "banking77":
        paths = [root / "banking77" / "train.csv", root / "banking77" / "test.csv"]
        require_files(paths, "--data-root")
        train, test = (pd.read_csv(p) for p in paths)
        train_labels, test_labels = train["category"], test["category"]
        what = "train pool, test scored"
    else:
        path = root / "nsmc" / "reviews_10k.csv"
        require_files([path], "--data-root")
        frame = pd.read_csv(path)
        held = np.random.default_rng(0).permutation(len(frame))[:heldout]
        test, train = frame.iloc[np.sort(held)], frame.drop(frame.index[held])
        train_labels, test_labels = train["label"], test["label"]
        what = f"seeded (0) held-out part of {heldout:,} reviews scored, the rest is the pool"
    if pool and pool < len(train):
        keep = np.sort(np.random.default_rng(0).permutation(len(train))[:pool])
        train, train_labels = train.iloc[keep], train_labels.iloc[keep]
    classes = sorted(set(train_labels.astype(str)))
    index = {c: i for i, c in enumerate(classes)}
    codes = np.array([index[str(v)] for v in train_labels])
    test_codes = np.array([index.get(str(v), -1) for v in test_labels])
    return (train["text"].fillna("").astype(str).tolist(), codes, test["text"].fillna("").astype(str).tolist(),
            test_codes, what)


def learning_curve(features: np.ndarray, codes: np.ndarray, test_at: np.ndarray, test_codes: np.ndarray,
                   spec: Spec, order: str, seed: int, target: float) -> list[tuple[int, float]]:
    """(labels, held-out accuracy) after each round of one order and seed."""
    from curate.annotators import next_items, retrain

    n_pool, n_classes = len(codes), int(codes.max()) + 1
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(n_pool)
    labels = np.full(len(features), -1, dtype=np.int64)
    labels[shuffled[:spec.start]] = codes[shuffled[:spec.start]]
    random_rest = iter(shuffled[spec.start:])
    curve: list[tuple[int, float]] = []
    after = None
    while True:
        fitted = retrain(features, labels, n_classes, folds=0)
        n_labels = int((labels >= 0).sum())
        accuracy = float(np.mean(fitted.probs[test_at].argmax(axis=1) == test_codes))
        curve.append((n_labels, accuracy))
        if after is None and accuracy >= target:
            after = 0
        if after is not None:
            after += 1
        if n_labels >= min(spec.max_labels, n_pool) or (after is not None and after > ROUNDS_AFTER_TARGET):
            return curve
        if order == "random":
            chosen = np.array([next(random_rest) for _ in range(min(spec.batch, n_pool - n_labels))])
        else:
            # Only the pool can be queued (it comes first in the features).
            chosen = np.array(next_items(features[:n_pool], labels[:n_pool], probs=fitted.probs[:n_pool],
                                         n_classes=n_classes, batch=spec.batch, seed=seed).positions, dtype=np.int64)
        labels[chosen] = codes[chosen]


def needed(curve: Sequence[tuple[int, float]], target: float) -> int | None:
    """The first label count whose accuracy reaches ``target``; None when none does."""
    return next((n for n, accuracy in curve if accuracy >= target), None)


def summary(values: Sequence[int | None]) -> tuple[str, float | None]:
    reached = [v for v in values if v is not None]
    if len(reached) < len(values):
        return f"not reached by {len(values) - len(reached)} of {len(values)} seeds", None
    mean = float(np.mean(reached))
    return f"{mean:,.0f} ± {np.std(reached):,.0f} ({min(reached):,}-{max(reached):,})", mean


def plot(path: Path, title: str, curves: dict[str, list[list[tuple[int, float]]]], full: float, target: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=80)
    for (order, runs), colour in zip(curves.items(), ("tab:grey", "tab:blue"), strict=True):
        counts = sorted({n for run in runs for n, _ in run})
        table = [[a for run in runs for n, a in run if n == c] for c in counts]
        mean = np.array([np.mean(v) for v in table])
        low, high = np.array([min(v) for v in table]), np.array([max(v) for v in table])
        ax.plot(counts, mean, color=colour, label=f"{order} (mean of {len(runs)} seeds)")
        ax.fill_between(counts, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.axhline(full, color="black", linewidth=0.8, label=f"all pool labels ({full:.3f})")
    ax.axhline(target, color="black", linewidth=0.8, linestyle="--", label=f"95 % of that ({target:.3f})")
    ax.set(title=title, xlabel="labels", ylabel="held-out accuracy")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="svg" if path.suffix == ".svg" else "png")
    plt.close(fig)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=REPO / DEFAULT_DATA_ROOT)
    parser.add_argument("--datasets", default=",".join(SPECS), help=f"comma-separated subset of {', '.join(SPECS)}")
    parser.add_argument("--pool", type=int, default=0, help="at most N pool rows, a seeded sample (0 = all)")
    parser.add_argument("--heldout", type=int, default=2000, help="NSMC rows held out for scoring")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--dry", action="store_true", help="600 pool rows, 2 seeds, nothing written")
    parser.add_argument("--out", type=Path, default=None, help="markdown file to (re)write the section in")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.dry:
        args.pool, args.seeds, args.out = 600, 2, None
    given = list(argv if argv is not None else sys.argv[1:])
    for key in args.datasets.split(","):
        if key not in SPECS:
            sys.exit(f"bench: unknown data set {key!r}; use {', '.join(SPECS)}")
        run_one(args, key, given)


def run_one(args: argparse.Namespace, key: str, given: Sequence[str]) -> None:
    """Run one data set and print (and with ``--out``, write) its section."""
    from curate.annotators import retrain, text_vectors
    from curate.features import FeatureCache, default_cache_path

    started = time.perf_counter()
    rows, lines = [], []
    spec = SPECS[key]
    clock = time.perf_counter()
    pool_texts, codes, test_texts, test_codes, what = load(key, args.data_root, args.pool, args.heldout)
    features, feature_line = text_vectors(pool_texts + test_texts, cache=FeatureCache(default_cache_path()))
    test_at = np.arange(len(pool_texts), len(features))
    scored = test_codes >= 0
    test_at, test_codes = test_at[scored], test_codes[scored]
    all_labels = np.r_[codes, np.full(len(test_texts), -1)]
    full_fit = retrain(features, all_labels, int(codes.max()) + 1, folds=0)
    full = float(np.mean(full_fit.probs[test_at].argmax(axis=1) == test_codes))
    target = TARGET_SHARE * full
    curves: dict[str, list[list[tuple[int, float]]]] = {"random": [], "active": []}
    for seed in range(args.seeds):
        for order in curves:
            curves[order].append(learning_curve(features, codes, test_at, test_codes, spec, order, seed, target))
        print(f"{spec.name} seed {seed}: " + ", ".join(f"{o} {needed(c[-1], target)}" for o, c in curves.items()),
              file=sys.stderr, flush=True)
    random_text, random_mean = summary([needed(c, target) for c in curves["random"]])
    active_text, active_mean = summary([needed(c, target) for c in curves["active"]])
    per_seed = [(r, a) for r, a in zip((needed(c, target) for c in curves["random"]),
                                        (needed(c, target) for c in curves["active"]), strict=True)]
    fewer = sum(1 for r, a in per_seed if r is not None and a is not None and a < r)
    saved = (f"{random_mean - active_mean:,.0f} ({100 * (random_mean - active_mean) / random_mean:.0f} %)"
             if random_mean is not None and active_mean is not None else "n/a")
    rows.append([spec.name, f"{len(pool_texts):,}", f"{len(test_at):,}", int(codes.max()) + 1,
                 f"{spec.start} + {spec.batch}/round", f"{full:.3f}", f"{target:.3f}", random_text, active_text,
                 saved, f"{fewer} of {args.seeds}", f"{time.perf_counter() - clock:.0f}"])
    lines.append(f"- {spec.name}: {what}; {feature_line}.")
    if not args.dry:
        plot(REPO / "bench" / f"active_learning_{key}.svg", f"{spec.name}: random vs curate's queue", curves,
             full, target)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    headers = ("data set", "pool", "held-out", "classes", "labels", "full-data accuracy", "target (95 %)",
               "random: labels to target, mean ± sd (min-max)", "curate's queue: labels to target", "labels saved",
               "seeds where the queue needed fewer", "time s")
    body = [
        "Labels revealed in batches from data with known labels; logistic regression (C=1) refitted after each "
        "round and scored on held-out data. *random*: a seeded random order; *curate's queue*: "
        "`curate.annotators.next_items` with its default `combined` strategy (margin uncertainty, the 10 x batch most "
        "uncertain grouped by weighted k-means, the most uncertain of each group). Both start from the same seeded "
        f"random set; seeds 0-{args.seeds - 1}. A label count is the first round whose accuracy reaches 95 % of the "
        "full-data accuracy (resolution: one batch).",
        "",
        *markdown_table(headers, rows),
        "",
        *lines,
        f"- Plot: `bench/active_learning_{key}.svg`.",
        f"- Total {time.perf_counter() - started:.0f} s, peak RSS {peak:,.0f} MiB (this process; features from the "
        "cache when present). The machine is shared by other work (2 cores), so times are inflated.",
        "",
        f"Command: `{shell_command(['.venv/bin/python', 'bench/active_learning.py', *given])}`",
        "",
        *machine_lines(PACKAGES),
        f"- Run finished {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
    ]
    heading = HEADING.format(name=SPECS[key].name)
    print("\n".join([heading, "", *body]))
    if args.out is not None:
        # One process per data set may run at once: the read-modify-write of the file is locked.
        with (Path(tempfile.gettempdir()) / "curate-bench-results.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            write_section(args.out, heading, body)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
