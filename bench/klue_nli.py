"""Korean natural language inference (KLUE-NLI dev): do curate's label flags follow annotator disagreement?

Every pair was labelled by 5 annotators and ``gold_label`` is their majority. curate audits premise
and hypothesis as two text columns (it joins them with a newline); cleanlab runs beside it on 5-fold
logistic-regression probabilities over MiniLM embeddings and over character 1-3-gram TF-IDF of the
same joined text. There is no ground truth for the gold labels; the question is whether the model
explains the labels better than chance and, if the tool flags rows, whether the flags fall on items
the annotators disagreed on and suggest a label some annotator chose.

    .venv/bin/python bench/klue_nli.py [--data JSON] [--limit N | --dry] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    add_size_options,
    finish,
    fmt,
    footer,
    markdown_table,
    require_files,
    sample_rows,
    shell_command,
    size_limit,
)
from sides import Side, run_side, write_table

HEADING = "## Label trust: KLUE-NLI dev (Korean), flags against annotator disagreement"
DEFAULT_DATA = DEFAULT_DATA_ROOT / "klue-nli" / "dev.json"
PACKAGES = ("curate", "cleanlab", "scikit-learn", "sentence-transformers", "torch", "kiwipiepy", "scipy",
            "numpy", "pandas")
ANNOTATORS = ("author", "label2", "label3", "label4", "label5")
TEXTS = ("premise", "hypothesis")
HEADERS = ("tool", "OOF accuracy", "p (above majority share)", "flagged", "share flagged: not unanimous",
           "share flagged: unanimous", "flags on not-unanimous items", "suggested label chosen by >= 1 annotator",
           "estimated precision", "ambiguous", "warnings")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA,
                        help=f"KLUE-NLI JSON array (default: {DEFAULT_DATA})")
    add_size_options(parser)
    return parser.parse_args(argv)


def load(path: Path) -> pd.DataFrame:
    """The JSON array as a frame: premise, hypothesis, label (gold) and the five annotators' labels."""
    frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    return frame[[*TEXTS, "gold_label", *ANNOTATORS]].rename(columns={"gold_label": "label"})


def unanimous_items(frame: pd.DataFrame) -> pd.Series:
    """True where all five annotators chose the same label."""
    votes = frame[list(ANNOTATORS)].astype(str)
    return votes.eq(votes.iloc[:, 0], axis=0).all(axis=1)


def above_majority(accuracy: float | None, n: int, majority: float) -> float | None:
    """One-sided binomial p-value of the out-of-fold accuracy against always answering the majority class."""
    if accuracy is None:
        return None
    from scipy.stats import binomtest

    return float(binomtest(round(float(accuracy) * n), n, majority, alternative="greater").pvalue)


def result_row(side: Side, frame: pd.DataFrame, majority: float) -> list[str]:
    votes = frame[list(ANNOTATORS)].astype(str).to_numpy()
    unanimous = unanimous_items(frame).to_numpy()
    flagged = side.flagged
    chosen = [str(s) in row for s, row in zip(side.suggested[flagged], votes[flagged], strict=True)]
    accuracy = side.facts.get("oof_accuracy")
    return [side.tool, fmt(accuracy), fmt(above_majority(accuracy, len(frame), majority), 4),
            str(int(flagged.sum())), fmt(flagged[~unanimous].mean() if (~unanimous).any() else None),
            fmt(flagged[unanimous].mean() if unanimous.any() else None),
            f"{int((flagged & ~unanimous).sum())} of {int(flagged.sum())}",
            f"{sum(chosen)} of {len(chosen)}" if chosen else "-",
            fmt(side.estimated_precision), str(int(side.ambiguous.sum())),
            "; ".join(side.warning_codes()) or "-"]


def verdict(side: Side, frame: pd.DataFrame, majority: float) -> str:
    """curate against issue 9's KLUE outcome: flags withheld with a warning, or flags on disagreement."""
    withheld = [w.get("code") for w in side.facts.get("warnings") or [] if "label" in (w.get("withheld") or [])]
    if withheld:
        return f"curate withheld its label flags ({', '.join(map(str, withheld))}): the issue's second outcome."
    p = above_majority(side.facts.get("oof_accuracy"), len(frame), majority)
    unanimous = unanimous_items(frame).to_numpy()
    flags = side.flagged
    if not flags.any():
        return f"curate flagged no rows and gave no warning that withholds them (p against the majority: {fmt(p, 4)})."
    lift = flags[~unanimous].mean() / max(flags[unanimous].mean(), 1e-12)
    return (f"curate did not withhold its flags (one-sided p of its accuracy against the majority class: "
            f"{fmt(p, 4)}); "
            f"{(flags & ~unanimous).sum() / flags.sum():.0%} of its flags are on not-unanimous items "
            f"({(~unanimous).mean():.0%} of rows), a flag rate {lift:.1f}x that on unanimous items.")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    require_files([args.data], "--data PATH")
    limit = size_limit(args)
    frame = sample_rows(load(args.data), limit)
    majority = float(frame["label"].value_counts(normalize=True).max())
    unanimous = unanimous_items(frame).to_numpy()
    sides = []
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        tmp = Path(name)
        table = write_table(frame[[*TEXTS, "label"]], tmp / "klue_nli.parquet")
        for kind, features in (("curate", None), ("cleanlab", "minilm"), ("cleanlab", "tfidf")):
            sides.append(run_side(kind, table, TEXTS, tmp / f"{kind}-{features}", features))
    rows = [result_row(side, frame, majority) for side in sides]
    given_args = sys.argv[1:] if argv is None else list(argv)
    curate_warnings = list(sides[0].facts.get("warnings") or [])
    body = [
        f"Data: `{shell_command([args.data])}` (one JSON array), "
        + (f"a seeded random sample of {len(frame):,} pairs" if limit else f"all {len(frame):,} pairs")
        + f"; {int((~unanimous).sum()):,} ({(~unanimous).mean():.1%}) on which the 5 annotators were not "
        f"unanimous. Label = `gold_label` (their majority); chance is 1/3 and the majority class is "
        f"{majority:.3f} of the rows. Text = premise and hypothesis as two text columns "
        "(`curate.audit(frame, label='label', text=['premise', 'hypothesis'])`, joined with a newline; "
        "cleanlab gets the same joined text). The p-value is a one-sided binomial test of the "
        "out-of-fold accuracy against always answering the majority class. A suggested label is "
        f"curate's `suggested_label` (cleanlab's `predicted_label`) of a flagged row. curate used: {sides[0].used()}.",
        "",
        *markdown_table(HEADERS, rows),
        "",
        verdict(sides[0], frame, majority),
        "",
        *(["curate's warnings:", "", *[f"- `{w.get('code')}`: {w.get('message', '')}" for w in curate_warnings],
           ""] if curate_warnings else ["curate gave no run warning.", ""]),
        *footer("klue_nli.py", given_args, [s.child() for s in sides], PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
