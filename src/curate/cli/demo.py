"""`make demo`: plant known problems in scikit-learn's bundled digits, audit them, show what was found.

Run with ``python -m curate.cli.demo [WORKSPACE]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["build_demo_data", "main"]


def build_demo_data(seed: int = 7) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Digits (8x8 pixels as 64 columns) with planted problems; returns the table and the truth by id.

    Starting from scikit-learn's bundled digits (nines cut to 20 rows, a rare class), it plants:
    40 flipped labels, 8 exact duplicates in the training split, 6 copies of training rows in the
    test split (leakage), 5 rows of random pixels (outliers) and 6 rows with one missing pixel.

    Parameters
    ----------
    seed : int, default 7
        Seed of the random generator that chooses the planted rows.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``id``, ``px00`` .. ``px63`` (floats, 0 to 16), ``label`` (digit as text) and
        ``split`` (about 20 % ``test``).
    truth : dict of str to list of str
        Per issue name (``label``, ``exact_duplicate``, ``leakage``, ``outlier``,
        ``input_quality``, ``class_imbalance``), the ids of the rows planted with it.
    """
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(seed)
    digits = load_digits()
    frame = pd.DataFrame(digits.data, columns=[f"px{i:02d}" for i in range(64)])
    frame["label"] = digits.target.astype(str)
    # A rare class: keep only 20 rows of the nines.
    nines = np.flatnonzero(frame["label"] == "9")
    frame = frame.drop(index=frame.index[nines[20:]]).reset_index(drop=True)
    frame.insert(0, "id", [f"d{i:04d}" for i in range(len(frame))])
    frame["split"] = np.where(rng.random(len(frame)) < 0.2, "test", "train")
    truth: dict[str, list[str]] = {}

    candidates = rng.permutation(np.flatnonzero(frame["label"] != "9"))
    flipped = candidates[:40]
    for i in flipped:
        frame.loc[i, "label"] = str((int(frame.loc[i, "label"]) + rng.integers(1, 8)) % 9)
    truth["label"] = frame.loc[flipped, "id"].tolist()

    extra = []
    train_rows = np.flatnonzero(frame["split"] == "train")
    for n, i in enumerate(rng.choice(train_rows, 8, replace=False)):
        row = frame.loc[i].copy()
        row["id"] = f"dup{n}"
        extra.append(row)
    truth["exact_duplicate"] = [r["id"] for r in extra]
    for n, i in enumerate(rng.choice(train_rows, 6, replace=False)):
        row = frame.loc[i].copy()
        row["id"], row["split"] = f"leak{n}", "test"
        extra.append(row)
    truth["leakage"] = [f"leak{n}" for n in range(6)]
    for n in range(5):
        noise = {f"px{j:02d}": float(rng.integers(0, 17)) for j in range(64)}
        extra.append(pd.Series({"id": f"noise{n}", **noise, "label": str(n), "split": "train"}))
    truth["outlier"] = [f"noise{n}" for n in range(5)]
    frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    missing_rows = rng.choice(len(frame) - len(extra), 6, replace=False)
    for i in missing_rows:
        frame.loc[i, f"px{rng.integers(20, 44):02d}"] = np.nan
    truth["input_quality"] = frame.loc[missing_rows, "id"].tolist()
    truth["class_imbalance"] = frame.loc[frame["label"] == "9", "id"].tolist()
    return frame, truth


def main(argv: list[str] | None = None) -> int:
    """Write the demo data, audit it into a workspace and print how many planted problems were found.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; the first, if any, is the workspace folder (default
        ``demo-workspace``). ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0.
    """
    from rich.console import Console
    from rich.table import Table

    from curate.audit import audit
    from curate.cli.present import print_summary, write_report
    from curate.core.progress import RichProgress

    args = sys.argv[1:] if argv is None else argv
    workspace = Path(args[0] if args else "demo-workspace")
    console = Console(highlight=False)
    frame, truth = build_demo_data()
    workspace.mkdir(parents=True, exist_ok=True)
    data_path = workspace / "digits_planted.csv"
    frame.to_csv(data_path, index=False)
    (workspace / "planted.json").write_text(json.dumps(truth, indent=1))
    console.print(f"demo data: {data_path} ({len(frame)} rows of scikit-learn's digits, problems planted)")
    result = audit(data_path, label="label", id="id", split="split", workspace=workspace, name="digits-demo",
                   progress=RichProgress())
    print_summary(console, result)
    found = result.findings
    table = Table(title="planted problems found (by row id)", title_justify="left")
    for column in ("issue", "planted", "found", "recall"):
        table.add_column(column)
    for issue, ids in truth.items():
        flagged = set(found.loc[found["issue"] == issue, "row_id"])
        hit = len(set(ids) & flagged)
        table.add_row(issue, str(len(ids)), str(hit), f"{hit / len(ids):.0%}")
    console.print(table)
    report = write_report(result.to_html(), workspace / "reports" / f"run-{result.run_id}.html", in_workspace=True)
    console.print(f"report: {report.resolve()}")
    console.print(f"next: .venv/bin/curate findings --workspace {workspace} --format csv | head")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
