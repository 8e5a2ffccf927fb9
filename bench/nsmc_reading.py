"""NSMC's own label errors, read blind: how precise curate's flags are once the star ratings' errors count.

NSMC's labels come from star ratings, and some reviews contradict their rating, so a benchmark that
counts only the planted flips as errors calls every flag of such a review wrong. Two samples were read
by a reader who saw the review text only (no label, no rating, no flag; an AI reading assistant in
the session of 2026-12-02, told to judge each review's sentiment as positive, negative or unclear):

- ``nsmc_reading/flags_and_controls.csv``: 300 rows drawn at random from the union of the unplanted
  flags of curate's default audit in the four NSMC conditions of ``bench/evidence_lab.py``, shuffled
  with 100 rows none of them flagged (controls);
- ``nsmc_reading/random_rows.csv``: 400 rows drawn at random from all 10,000.

A flagged row's given label is a real error when the reader's judgement is the other class. From
these, the script gives each condition's precision with the ratings' errors counted (planted hits
plus the read share of unplanted flags, with a 95 % interval from the sample), the natural noise
rate, and, with ``--audit``, curate's audit of the given labels with the random sample's decisive
judgements as verified labels (``curate audit --verified``), its flags scored on the rows read.

    python bench/nsmc_reading.py [--lab DIR] [--audit] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import DEFAULT_DATA_ROOT, machine_lines, shell_command, write_section

HEADING = "## Label trust: NSMC's own label errors, read blind (issue 9)"
HERE = Path(__file__).resolve().parent / "nsmc_reading"
RUNS = ("nsmc_given", "nsmc_random10", "nsmc_random20", "nsmc_confusable10")


def _contradicts(judgement: pd.Series, label: pd.Series) -> np.ndarray:
    decided = judgement.isin(["positive", "negative"])
    return (decided & (judgement != label)).to_numpy()


def reading_lines(lab: Path) -> list[str]:
    labels = pd.read_csv(DEFAULT_DATA_ROOT / "nsmc" / "reviews_10k.csv", usecols=["label"])["label"].astype(str)
    read = pd.read_csv(HERE / "flags_and_controls.csv")
    read["label"] = labels.to_numpy()[read["row"]]
    read["wrong"] = _contradicts(read["judgement"], read["label"])
    lines = ["| sample | rows | reader agrees with the label | reader says the other class | unclear |",
             "|---|---|---|---|---|"]
    randoms = pd.read_csv(HERE / "random_rows.csv")
    randoms["label"] = labels.to_numpy()[randoms["row"]]
    randoms["wrong"] = _contradicts(randoms["judgement"], randoms["label"])
    for name, part in (("controls (flagged in no condition)", read[read["sampled_from"] == "control"]),
                       ("unplanted flags (union of the 4 conditions)", read[read["sampled_from"] == "flags"]),
                       ("random rows", randoms)):
        agree = (part["judgement"] == part["label"]).mean()
        lines.append(f"| {name} | {len(part)} | {agree:.3f} | {part['wrong'].mean():.3f} | "
                     f"{(part['judgement'] == 'unclear').mean():.3f} |")
    lines += ["", "| condition | flags | planted among them | unplanted | unplanted read | read: other class | "
              "precision, planted only | precision, ratings' errors counted (95 % interval) | stated |",
              "|---|---|---|---|---|---|---|---|---|"]
    wrong_of = dict(zip(read["row"], read["wrong"], strict=True))
    for name in RUNS:
        path = lab / f"{name}.npz"
        if not path.exists():
            print(f"{name}: no saved evidence in {lab}", file=sys.stderr)
            continue
        saved = np.load(path)
        flagged = saved["flagged"]
        truth = saved["truth"].astype(bool) if saved["truth"].size else np.zeros(len(flagged), bool)
        unplanted = np.flatnonzero(flagged & ~truth)
        seen = np.array([wrong_of[r] for r in unplanted if r in wrong_of], dtype=float)
        share = seen.mean()
        # the sample is a simple random sample of the union; within one condition it is one too
        half = 1.96 * np.sqrt(share * (1 - share) / len(seen) * (1 - len(seen) / len(unplanted)))
        planted = int((flagged & truth).sum())
        total = int(flagged.sum())

        def counted(s: float, planted: int = planted, total: int = total, n: int = len(unplanted)) -> float:
            return (planted + s * n) / total

        from curate.detectors.label_issues import wrong_label_probability

        views = [saved[k] for k in saved.files if k in ("classifier", "neighbours") or k.startswith("view_")]
        error = wrong_label_probability(saved["probs"], saved["codes"], views)[0]
        lines.append(f"| {name} | {total:,} | {planted:,} | {len(unplanted):,} | {len(seen)} | {share:.3f} | "
                     f"{planted / total:.3f} | {counted(share):.3f} ({counted(share - half):.3f}-"
                     f"{counted(share + half):.3f}) | {error[flagged].mean():.3f} |")
    return lines


def audit_lines() -> list[str]:
    import curate

    data = pd.read_csv(DEFAULT_DATA_ROOT / "nsmc" / "reviews_10k.csv", usecols=["text", "label"])
    randoms = pd.read_csv(HERE / "random_rows.csv")
    decided = randoms[randoms["judgement"].isin(["positive", "negative"])]
    verified = pd.DataFrame({"row_id": decided["row"], "verified_label": decided["judgement"]})
    read = pd.concat([pd.read_csv(HERE / "flags_and_controls.csv")[["row", "judgement"]],
                      randoms[["row", "judgement"]]]).drop_duplicates("row").set_index("row")
    labels = data["label"].astype(str)
    lines = ["| labels checked | flags | stated precision (90 % interval) | flags read | read: other class | "
             "read: same class | read: unclear | precision on the rows read (unclear as right - as wrong) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, given in (("none", None), (f"{len(verified)} random rows", verified)):
        result = curate.audit(data, label="label", text="text", detectors=["label", "ambiguous"], progress=False,
                              verified=given)
        found = result.findings[result.findings["issue"] == "label"]
        rows = found["row_id"].astype(int).to_numpy()
        notes = result.notes["label"]
        interval = (notes.get("verified") or {}).get("estimated_precision_interval")
        seen = read.loc[read.index.intersection(rows)]
        other = int(_contradicts(seen["judgement"], labels.loc[seen.index]).sum())
        same = int((seen["judgement"] == labels.loc[seen.index]).sum())
        unclear = len(seen) - other - same
        stated = f"{notes['estimated_precision']:.3f}" + (f" ({interval[0]:.2f}-{interval[1]:.2f})" if interval else "")
        lines.append(f"| {name} | {len(found):,} | {stated} | {len(seen)} | {other} | {same} | {unclear} | "
                     f"{other / len(seen):.3f} - {(other + unclear) / len(seen):.3f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", type=Path, default=Path("/tmp/curate-lab"))
    parser.add_argument("--audit", action="store_true", help="also audit with the random rows as verified labels")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    body = reading_lines(args.lab)
    if args.audit:
        body += ["", *audit_lines()]
    print("\n".join(body))
    if args.out:
        paragraphs = (__doc__ or "").split("\n\n")[1:4]
        intro = [paragraphs[0].replace("\n", " "), "",
                 *(line if line.startswith("- ") else f"  {line.strip()}" for line in paragraphs[1].splitlines()), "",
                 paragraphs[2].replace("\n", " "), "",
                 "The readings, without the texts: `bench/nsmc_reading/` (row = position in "
                 "`../shared/data/nsmc/reviews_10k.csv`). The flags are those saved by `bench/evidence_lab.py dump` "
                 "with curate's default audit; `stated` is the run's estimated precision."]
        command = shell_command([".venv/bin/python", "bench/nsmc_reading.py", *sys.argv[1:]])
        write_section(args.out, HEADING, [*intro, "", *body, "", f"Command: `{command}`", "",
                                          *machine_lines(["numpy", "scikit-learn"])])


if __name__ == "__main__":
    main()
