"""Label-error detection on Korean movie reviews (NSMC) with planted noise: curate vs cleanlab.

Conditions: the given labels (no ground truth: out-of-fold accuracy and flag counts only), 10 % and
20 % of labels flipped at random, and 10 % flipped among the rows a reference classifier finds most
confusable (see ``confusable_flips``). The truth is the planted flips. curate runs its default
audit (``curate.audit(frame, label="label", text="text")``); cleanlab's Datalab runs on 5-fold
logistic-regression probabilities over two feature sets: all-MiniLM-L6-v2 embeddings (its default
pipeline) and character 1-3-gram TF-IDF. Each run is its own measured child process (bench/sides.py).

    .venv/bin/python bench/nsmc.py [--data CSV] [--limit N | --dry] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    add_size_options,
    fail,
    finish,
    flag_quality,
    flip_labels,
    fmt,
    footer,
    markdown_table,
    require_files,
    sample_rows,
    shell_command,
    size_limit,
)
from sides import FEATURE_SETS, Side, run_side, write_table

HEADING = "## Label trust: NSMC (Korean reviews) with planted noise"
DEFAULT_DATA = DEFAULT_DATA_ROOT / "nsmc" / "reviews_10k.csv"
PACKAGES = ("curate", "cleanlab", "scikit-learn", "sentence-transformers", "torch", "kiwipiepy", "numpy",
            "pandas")
SEED = 0
CONDITIONS = {"given": ("given labels", "none", 0.0), "random10": ("random 10 %", "random", 0.10),
              "random20": ("random 20 %", "random", 0.20), "confusable10": ("confusable 10 %", "confusable", 0.10)}
F1_TARGETS = {"random 10 %": 0.55, "random 20 %": 0.62}
HEADERS = ("condition", "tool", "OOF accuracy", "flagged", "on planted rows", "on unplanted rows (also flagged "
           "on the given labels)", "precision", "recall", "F1", "AUPRC", "estimated precision (expected true)",
           "warnings")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA,
                        help=f"CSV with text and label (default: {DEFAULT_DATA})")
    parser.add_argument("--conditions", default=",".join(CONDITIONS),
                        help=f"comma-separated subset of {', '.join(CONDITIONS)} (default: all; a flip "
                             "condition counts unplanted flags against 'given' only when that runs too)")
    add_size_options(parser)
    return parser.parse_args(argv)


def random_flips(labels: np.ndarray, rate: float) -> np.ndarray:
    """``rate`` of the rows, drawn uniformly with a generator seeded by (SEED, percent)."""
    rng = np.random.default_rng([SEED, round(rate * 100)])
    return np.sort(rng.choice(len(labels), size=round(rate * len(labels)), replace=False))


def confusable_flips(probs: np.ndarray, codes: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """The rows to flip, and the class each moves to, for the confusable variant.

    The pool is the rows whose given label the reference classifier agrees with (its out-of-fold
    top class), so that a flip never "corrects" a natural error of the star rating; from it, the
    ``rate`` x n rows with the highest out-of-fold probability of another class (the least sure
    agreements: reviews near the boundary), each moved to its most probable other class.
    """
    others = probs.copy()
    others[np.arange(len(codes)), codes] = -1.0
    other_prob = others.max(axis=1)
    pool = np.flatnonzero(probs.argmax(axis=1) == codes)
    k = min(round(rate * len(codes)), len(pool))
    chosen = np.sort(pool[np.argsort(-other_prob[pool], kind="stable")[:k]])
    return chosen, others.argmax(axis=1)[chosen]


def result_row(condition: str, side: Side, truth: np.ndarray | None, given_flags: np.ndarray | None) -> list[str]:
    """One table row: a tool's flags under one condition, against the planted truth if any."""
    expected = side.facts.get("expected_true_errors")
    estimate = fmt(side.estimated_precision) + ("" if expected is None else f" ({fmt(float(expected), 0)})")
    common = [condition, side.tool, fmt(side.facts.get("oof_accuracy")), str(int(side.flagged.sum()))]
    tail = [estimate, "; ".join(side.warning_codes()) or "-"]
    if truth is None:
        return [*common, "-", "-", "-", "-", "-", "-", *tail]
    q = flag_quality(truth, side.flagged, side.error_score)
    unplanted = side.flagged & ~truth
    return [*common, str(int((side.flagged & truth).sum())),
            f"{int(unplanted.sum())}" + ("" if given_flags is None else f" ({int((unplanted & given_flags).sum())})"),
            fmt(q["precision"]), fmt(q["recall"]), fmt(q["f1"]), fmt(q["auprc"]), *tail]


def target_lines(curate_runs: Sequence[tuple[str, Side, np.ndarray | None]]) -> list[str]:
    """curate against issue 9's NSMC targets, one bullet per condition that has one."""
    lines = []
    for condition, side, truth in curate_runs:
        if truth is None:
            accuracy = side.facts.get("oof_accuracy")
            met = "-" if accuracy is None else "met" if accuracy >= 0.80 else "not met"
            lines.append(f"- {condition}: out-of-fold accuracy >= 0.80: {fmt(accuracy)}, {met}")
            continue
        q = flag_quality(truth, side.flagged, side.error_score)
        floor = F1_TARGETS.get(condition)
        if floor is not None:
            lines.append(f"- {condition}: F1 >= {floor}: {fmt(q['f1'])}, {'met' if q['f1'] >= floor else 'not met'}")
        estimate = side.estimated_precision
        if estimate is not None and not np.isnan(q["precision"]):
            gap = estimate - q["precision"]
            lines.append(f"- {condition}: stated precision within 0.10 of measured: {estimate:.3f} vs "
                         f"{q['precision']:.3f} (gap {gap:+.3f}), {'met' if abs(gap) <= 0.10 else 'not met'}")
    return ["curate against issue 9's targets:", "", *lines] if lines else []


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    require_files([args.data], "--data PATH")
    limit = size_limit(args)
    chosen = [c.strip() for c in args.conditions.split(",") if c.strip()]
    if not chosen or any(c not in CONDITIONS for c in chosen):
        fail(f"--conditions takes a comma-separated subset of {', '.join(CONDITIONS)}, got {args.conditions!r}")
    frame = sample_rows(pd.read_csv(args.data, usecols=["text", "label"]), limit)
    given = frame["label"].astype(str).to_numpy()
    rows: list[list[str]] = []
    children = []
    sides: dict[str, list[Side]] = {}
    given_flags: dict[str, np.ndarray] = {}
    curate_runs: list[tuple[str, Side, np.ndarray | None]] = []
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        tmp = Path(name)
        if "confusable10" in chosen:  # the reference classifier's probabilities pick the confusable rows
            base = write_table(frame, tmp / "given.parquet")
            reference = run_side("reference", base, ["text"], tmp / "reference")
            children.append(reference.child())
            classes = np.array(reference.facts["classes"], dtype=object)
            probs = np.load(tmp / "reference" / "probs.npy")
            codes = np.searchsorted(classes.astype(str), given)
        for condition, kind, rate in (CONDITIONS[c] for c in chosen):
            labels, planted = given.astype(object), np.array([], dtype=np.int64)
            if kind == "random":
                planted = random_flips(given, rate)
                labels = flip_labels(given, planted, np.random.default_rng([SEED, round(rate * 100), 1]))
            elif kind == "confusable":
                planted, targets = confusable_flips(probs, codes, rate)
                labels = given.astype(object).copy()
                labels[planted] = classes[targets]
            truth = None if kind == "none" else np.isin(np.arange(len(given)), planted)
            slug = condition.replace(" ", "").replace("%", "pct")
            table = write_table(frame.assign(label=labels), tmp / f"{slug}.parquet")
            for kind_, features in (("curate", None), ("cleanlab", "minilm"), ("cleanlab", "tfidf")):
                side = run_side(kind_, table, ["text"], tmp / f"{slug}-{kind_}-{features}", features)
                if kind == "none":
                    given_flags[side.tool] = side.flagged
                rows.append(result_row(condition, side, truth, given_flags.get(side.tool)))
                sides.setdefault(side.tool, []).append(side)
                if side.tool == "curate":
                    curate_runs.append((condition, side, truth))
                children.append(side.child())
            print("\n".join("| " + " | ".join(r) + " |" for r in rows[-3:]), flush=True)
    wall = {tool: sum(s.measured.seconds for s in runs) for tool, runs in sides.items()}
    cpu = {tool: sum(s.measured.cpu_seconds for s in runs) for tool, runs in sides.items()}
    rss = {tool: max(s.measured.peak_rss_mib for s in runs) for tool, runs in sides.items()}
    peer = "cleanlab (minilm)"
    given_args = sys.argv[1:] if argv is None else list(argv)
    body = [
        f"Data: `{shell_command([args.data])}`, "
        + (f"a seeded random sample of {len(frame):,} rows" if limit else f"all {len(frame):,} rows")
        + f" ({pd.Series(given).value_counts().to_dict()}). The given labels come from the star rating "
        "and carry natural noise of their own: a flag on an unplanted row is counted as wrong, which "
        "caps measured precision; the number in brackets is how many of those rows the same tool also "
        "flagged on the given labels (likely natural errors). Random flips: "
        f"`default_rng([{SEED}, percent])` draws the rows, each moved to the other class. Confusable "
        "flips (10 %): a reference classifier that is neither compared feature set (word 1-2-gram "
        "TF-IDF, 5-fold logistic regression, out-of-fold on the given labels) picks, among the rows "
        "whose given label it agrees with, those with the highest probability of the other class (the "
        "least sure agreements), and those rows are flipped. Truth = the planted rows. Flags give "
        "precision/recall/F1; the error scores (curate `1 - score`, cleanlab `1 - label_score`) give "
        "AUPRC. curate's estimated precision is what the run states in "
        "`notes['label']['estimated_precision']` (expected true errors in brackets; `-` when not "
        "stated) and counts natural errors as true, so it should sit above the measured precision by "
        "about the share of unplanted flags that are natural errors.",
        "",
        *markdown_table(HEADERS, rows),
        "",
        "curate: `curate.audit(frame, label='label', text='text')` (every default detector; its text "
        "features are its own choice for Korean). cleanlab: `Datalab.find_issues` on 5-fold "
        "`LogisticRegression(max_iter=2000)` out-of-fold probabilities (`StratifiedKFold(5, "
        "shuffle=True, random_state=0)`), one child per feature set: "
        + "; ".join(f"`{k}`: {v}" for k, v in FEATURE_SETS.items())
        + " (with `features=` and every default issue type for the dense embeddings, label issues "
        "only for the sparse TF-IDF). Each child starts Python, reads the table, embeds from scratch "
        f"(curate's cache starts empty) and audits. curate used: {sides['curate'][0].used()}.",
        "",
        *target_lines(curate_runs),
        "",
        f"Ratios curate / {peer}, all conditions: wall time {wall['curate'] / wall[peer]:.2f}x, CPU time "
        f"{cpu['curate'] / cpu[peer]:.2f}x, peak RSS {rss['curate'] / rss[peer]:.2f}x.",
        "",
        *footer("nsmc.py", given_args, children, PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
