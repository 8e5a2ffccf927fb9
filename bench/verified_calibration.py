"""Label flags with and without a verified random sample, on the saved evidence of every label benchmark.

For each condition with truth (see ``bench/evidence_lab.py``), rows are drawn at random as if a
person had checked them (their verified label is the true one), and curate's own label check runs
on the saved evidence with them (:mod:`curate.evidence.verified`), ten draws per sample size. The
table gives the flags' measured precision beside the stated one, how often the stated 90 % interval
held the measured precision, and recall and F1, against the same check without verified rows.

    python bench/verified_calibration.py [--lab DIR] [--draws 10] [--sizes 300 1000] [--end-to-end 300]
                                         [--out bench/RESULTS.md]

``--end-to-end N`` also runs the user's path on NoisyAG-News with the real command line: ``curate
verify-sample`` draws N rows, their ``verified_label`` is filled in from ``true_label`` (the person),
``curate audit --verified`` audits, ``curate findings`` exports; the flags are scored against the truth.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    VENV_BIN,
    check_ok,
    children_table,
    machine_lines,
    run_measured,
    shell_command,
    stated_precision,
    write_section,
)
from curate.core.verified import VerifiedLabels
from curate.detectors.label_issues import LabelIssueDetector

HEADING = "## Label flags with a verified random sample: stated against measured precision (issue 9)"
CONDITIONS = ("noisyag", "c10n_aggre", "c10n_worst", "mnist", "ctl_flipped", "nsmc_random10", "nsmc_random20",
              "nsmc_confusable10")


class _Context:
    """The label check's needs, from saved evidence (the detector itself runs, unchanged)."""

    def __init__(self, saved: Any, verified: VerifiedLabels | None) -> None:
        codes = saved["codes"]
        n_classes = saved["probs"].shape[1]
        extra = {k[len("view_"):]: saved[k] for k in saved.files if k.startswith("view_")}
        self._values = {
            "dataset": SimpleNamespace(label_codes=codes, classes=tuple(f"c{i}" for i in range(n_classes))),
            "label_evidence": SimpleNamespace(
                probs=saved["probs"], classifier=saved["classifier"],
                neighbours=saved["neighbours"] if "neighbours" in saved.files else None, extra=extra,
                unread=None, strength=SimpleNamespace(reliable_class=saved["reliable_class"]),
                ambiguous=saved["ambiguous"], vote_neighbours=None, pruned_rows=None),
            "verified_labels": verified,
        }

    def need(self, name: str) -> Any:
        return self._values[name]


def _true_labels(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The condition's given and true labels as text, in the order its evidence was saved."""
    import pandas as pd

    from benchlib import DEFAULT_DATA_ROOT, sample_rows
    from evidence_lab import CASES, CONDITIONS

    frame, _, _ = CONDITIONS[name]()
    given = frame["label"].astype(str).to_numpy()
    if name == "noisyag":
        true = pd.read_csv(DEFAULT_DATA_ROOT / "noisyag-news" / "noisy_10k.csv")["true_label"].astype(str).to_numpy()
    elif name.startswith("c10n_"):
        cifar = pd.read_parquet(DEFAULT_DATA_ROOT / "cifar10" / "train.parquet", columns=["id", "label"])
        true = cifar.sort_values("id", kind="stable")["label"].astype(str).to_numpy()[:len(given)]
    elif name.startswith("nsmc_"):  # the star ratings' labels before the flips (their own errors stay)
        ratings = pd.read_csv(DEFAULT_DATA_ROOT / "nsmc" / "reviews_10k.csv", usecols=["label"])
        true = ratings["label"].astype(str).to_numpy()
    elif name == "mnist":
        digits = sample_rows(pd.read_parquet(DEFAULT_DATA_ROOT / "mnist" / "test.parquet", columns=["label"]), 0)
        true = digits["label"].astype(str).to_numpy()
    else:  # ctl_flipped: the 75x10 control's own (all correct) labels
        true = pd.read_csv(CASES / "many_classes_75x10_all_correct.csv")["label"].astype(str).to_numpy()
    return given, true


def _true_codes(name: str, saved: Any) -> np.ndarray:
    """Each row's true class as a code of the saved evidence's classes."""
    given, true = _true_labels(name)
    code_of = dict(zip(given, saved["codes"].tolist(), strict=True))
    codes = np.array([code_of[t] for t in true])
    if not np.array_equal(codes != saved["codes"], saved["truth"].astype(bool)):
        raise SystemExit(f"{name}: the true labels read do not match the saved truth")
    return codes


def _run(saved: Any, truth: np.ndarray, true_codes: np.ndarray, verified: VerifiedLabels | None) -> dict[str, Any]:
    result = LabelIssueDetector().find(_Context(saved, verified))
    flagged = np.asarray(result.flagged, dtype=bool)
    notes = result.notes
    precision = float(truth[flagged].mean()) if flagged.any() else float("nan")
    recall = float(truth[flagged].sum() / truth.sum())
    interval = (notes.get("verified") or {}).get("estimated_precision_interval")
    return {"flags": int(flagged.sum()), "precision": precision, "stated": notes.get("estimated_precision"),
            "recall": recall, "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "held": None if interval is None else bool(interval[0] <= precision <= interval[1]),
            "calibrated": bool((notes.get("verified") or {}).get("calibrated"))}


def report(lab: Path, sizes: list[int], draws: int) -> list[str]:
    lines = ["| condition | rows | wrong labels | verified rows | draws calibrated | flags | measured precision | "
             "stated precision | gap (mean of abs) | 90 % interval held | recall | F1 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in CONDITIONS:
        path = lab / f"{name}.npz"
        if not path.exists():
            print(f"{name}: no saved evidence in {lab} (run bench/evidence_lab.py dump {name})", file=sys.stderr)
            continue
        saved = np.load(path)
        truth = saved["truth"].astype(bool)
        true_codes = _true_codes(name, saved)
        n = len(truth)
        base = _run(saved, truth, true_codes, None)
        gap = abs(base["stated"] - base["precision"])
        lines.append(f"| {name} | {n:,} | {int(truth.sum()):,} | none | - | {base['flags']:,} | "
                     f"{base['precision']:.3f} | {base['stated']:.3f} | {gap:.3f} | "
                     f"- | {base['recall']:.3f} | {base['f1']:.3f} |")
        for size in sizes:
            runs = []
            for draw in range(draws):
                rows = np.sort(np.random.default_rng([draw, size]).choice(n, min(size, n), replace=False))
                runs.append(_run(saved, truth, true_codes, VerifiedLabels(rows, true_codes[rows], "bench")))
            done = [r for r in runs if r["calibrated"]]
            if not done:
                lines.append(f"| {name} | {n:,} | {int(truth.sum()):,} | {size:,} | 0 of {draws} | - | - | - | - | - "
                             "| - | - |")
                continue

            def spread(key: str, rows: list[dict[str, Any]] = done) -> str:
                values = np.array([r[key] for r in rows], dtype=float)
                return f"{values.mean():.3f} ± {values.std():.3f}"

            gap = np.mean([abs(r["stated"] - r["precision"]) for r in done])
            judged = [r for r in done if r["held"] is not None]  # every flag checked: no interval to hold
            held = f"{sum(bool(r['held']) for r in judged)} of {len(judged)}" if judged else "- (all rows checked)"
            lines.append(f"| {name} | {n:,} | {int(truth.sum()):,} | {size:,} | {len(done)} of {draws} | "
                         f"{np.mean([r['flags'] for r in done]):,.0f} | {spread('precision')} | {spread('stated')} | "
                         f"{gap:.3f} | {held} | {spread('recall')} | {spread('f1')} |")
    print("\n".join(lines))
    return lines


def end_to_end(size: int) -> list[str]:
    """NoisyAG-News through the command line with ``size`` verified rows; the section's lines about it."""
    import pandas as pd

    data = DEFAULT_DATA_ROOT / "noisyag-news" / "noisy_10k.csv"
    frame = pd.read_csv(data)
    truth = (frame["label"].astype(str) != frame["true_label"].astype(str)).to_numpy()
    curate = REPO / VENV_BIN / "curate"
    with tempfile.TemporaryDirectory(prefix="curate-verified-") as name:
        tmp = Path(name)
        sample = tmp / "sample.csv"
        steps = [("sample", [curate, "verify-sample", data, "--label", "label", "--text", "text", "--size", size,
                             "--output", sample]),
                 ("audit", [curate, "audit", data, "--label", "label", "--text", "text", "--workspace", tmp / "ws",
                            "--report", tmp / "r.html", "--verified", sample]),
                 ("findings", [curate, "findings", "--workspace", tmp / "ws", "--issue", "label", "--all",
                               "--format", "csv", "--output", tmp / "f.csv"])]
        children = []
        for step, argv in steps:
            log = tmp / f"{step}.log"
            print(f"curate {step} ...", flush=True)
            run = run_measured([str(a) for a in argv], log, {"CURATE_CACHE_DIR": str(tmp / "cache")})
            check_ok(run, f"curate {step}", log)
            children.append((shell_command(argv, tmp), run))
            if step == "sample":  # the person: each drawn row's true label
                checked = pd.read_csv(sample, keep_default_na=False)
                checked["verified_label"] = frame["true_label"].astype(str).to_numpy()[checked["row_id"].astype(int)]
                checked.to_csv(sample, index=False)
        found = pd.read_csv(tmp / "f.csv")
        found = found[found["issue"] == "label"]
        flagged = np.zeros(len(frame), dtype=bool)
        flagged[found.loc[found["flagged"].astype(bool), "row_id"].astype(int).to_numpy()] = True
        estimate, expected = stated_precision(tmp / "ws")
    precision, recall = truth[flagged].mean(), truth[flagged].sum() / truth.sum()
    f1 = 2 * precision * recall / (precision + recall)
    print(f"end to end: {flagged.sum()} flags, precision {precision:.3f}, stated {estimate}, recall {recall:.3f}, "
          f"F1 {f1:.3f}")
    return [f"End to end on NoisyAG-News (10,000 rows, 1,975 wrong labels) with {size} verified rows, through the "
            "command line with an empty feature cache: "
            f"**{int(flagged.sum()):,} flags, precision {precision:.3f} against {estimate:.3f} stated "
            f"(about {expected:.0f} real errors), recall {recall:.3f}, F1 {f1:.3f}** "
            "(the default audit without them: the table's `none` row of noisyag). "
            "The commands, and each one's time and memory:", "", *children_table(children)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", type=Path, default=Path("/tmp/curate-lab"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--end-to-end", type=int, default=0, metavar="N",
                        help="also audit NoisyAG-News through the command line with N verified rows")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    table = report(args.lab, args.sizes, args.draws)
    whole = end_to_end(args.end_to_end) if args.end_to_end else []
    if args.out:
        intro = [
            "Each condition's evidence was saved by `bench/evidence_lab.py dump` (curate's default audit); rows are "
            "drawn at random as a person's checked sample, their verified label the true one, and curate's label "
            "check runs on the same evidence with them (`curate audit --verified`, :mod:`curate.evidence.verified`: "
            "a logistic regression of a wrong label on the noise posterior, the given and the top class's "
            "probability and the views' agreement, fitted on the verified rows). `none` is the check without "
            "verified rows. Measured precision counts the flags whose given label is wrong (the verified rows' "
            "own flags included: they are certain); the stated precision is the run's `estimated_precision`; "
            "the interval is the run's 90 % interval for it. Mean ± standard deviation over the draws in which "
            "at least 10 verified labels were wrong and 10 right (fewer leave the noise model's chances; the run "
            "says so).",
        ]
        command = shell_command([".venv/bin/python", "bench/verified_calibration.py", *sys.argv[1:]])
        write_section(args.out, HEADING, [*intro, "", *table, "", *whole, *([""] if whole else []),
                                          f"Command: `{command}`", "", *machine_lines(["numpy", "scikit-learn"])])


if __name__ == "__main__":
    main()
