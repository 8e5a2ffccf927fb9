"""curate compare: the findings a set of reviewed fixes resolved, those that are new, and the accuracy change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import curate
from curate.compare import compare_runs
from curate.ledger import record
from curate.store import Workspace

from ..conftest import run_cli


def _planted(tmp_path: Path) -> tuple[Path, set[str]]:
    """Three separable classes of 6 numbers, 30 labels flipped; returns the CSV and the flipped ids."""
    rng = np.random.default_rng(7)
    n = 600
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 6)) + 3.0 * np.eye(3, 6)[y]
    flipped = rng.choice(n, 30, replace=False)
    given = y.copy()
    given[flipped] = (y[flipped] + 1) % 3
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(6)])
    frame.insert(0, "id", [f"r{i}" for i in range(n)])
    frame["label"] = np.array(["a", "b", "c"])[given]
    path = tmp_path / "planted.csv"
    frame.to_csv(path, index=False)
    return path, {f"r{i}" for i in flipped}


def _audited(tmp_path: Path) -> tuple[Path, set[str], Path, curate.AuditResult, pd.DataFrame]:
    """The planted table, its flipped ids, the workspace, the first audit and its label flags."""
    path, flipped = _planted(tmp_path)
    workspace = tmp_path / "ws"
    first = curate.audit(path, label="label", id="id", workspace=workspace, progress=False)
    flags = first.findings
    return path, flipped, workspace, first, flags[(flags["issue"] == "label") & flags["flagged"]]


def test_relabelling_the_flagged_rows_resolves_them_and_raises_the_accuracy(tmp_path: Path) -> None:
    path, flipped, workspace, first, label_flags = _audited(tmp_path)
    flags = first.findings
    fixed = set(label_flags["row_id"].astype(str))
    assert len(fixed & flipped) >= 20  # the audit finds most planted flips
    ws = Workspace(workspace)
    for row_id, suggested in zip(label_flags["row_id"].astype(str), label_flags["suggested_label"], strict=True):
        record(ws, first.dataset, row_id=row_id, action="relabel", new_label=suggested, reviewer="ana",
               run_id=first.run_id, issue="label")
    removed = sorted(set(flags.loc[flags["issue"] == "outlier", "row_id"].astype(str)) - fixed)[:1]
    for row_id in removed:
        record(ws, first.dataset, row_id=row_id, action="remove", reviewer="ana", run_id=first.run_id)
    second = curate.audit(path, label="label", id="id", workspace=workspace, progress=False)

    comparison = compare_runs(ws, first.run_id, second.run_id)
    label = next(c for c in comparison.issues if c.issue == "label")
    second_flags = second.findings
    still = set(second_flags.loc[(second_flags["issue"] == "label") & second_flags["flagged"], "row_id"].astype(str))
    assert label.before == len(fixed) and label.after == len(still)
    assert label.resolved == len(fixed - still) and label.persisting == len(fixed & still) and label.dropped == 0
    assert label.new == len(still - fixed)
    resolved = comparison.rows[(comparison.rows["issue"] == "label") & (comparison.rows["change"] == "resolved")]
    assert set(resolved["row_id"]) == fixed - still
    one = resolved.iloc[0]
    assert one["label_before"] != one["label_after"]  # judged under the relabel in the second run
    assert comparison.relabelled == len(fixed) and comparison.removed_rows == len(removed)
    before, after = comparison.accuracy["oof_accuracy"]
    assert before is not None and after is not None and after > before
    assert comparison.classes["after"].sum() == 600 - len(removed)
    changed = comparison.rows
    churn = int((changed["change"] == "dropped").sum()
                + ((changed["change"] == "new") & ~changed["row_id"].isin(fixed | set(removed))).sum())
    said = [n for n in comparison.notes if "came or went on rows nobody touched" in n]
    assert said == ([] if churn == 0 else [said[0]]) and (churn == 0 or said[0].startswith(f"{churn} flag(s) "))

    shown = run_cli(["compare", str(first.run_id), "-w", workspace])
    assert shown.exit_code == 0, shown.output
    assert f"out-of-fold accuracy (classifier): {before:.3f} -> {after:.3f} ({after - before:+.3f})" in shown.stdout
    assert (f"label\t{label.before}\t{label.after}\t{label.resolved}\t{label.kept}\t{label.dropped}\t"
            f"{label.removed}\t{label.persisting}\t{label.new}") in shown.stdout
    html = second.to_html()  # the report of the second run compares it with the first
    assert f'<h2 id="comparison">Compared with run {first.run_id}</h2>' in html
    assert (f'<tr><td>label</td><td class="num">{label.before}</td><td class="num">{label.after}</td>'
            f'<td class="num">{label.resolved}</td>') in html
    assert f"out-of-fold accuracy (classifier) {before:.3f} → {after:.3f}" in html
    as_json = json.loads(run_cli(["compare", str(first.run_id), str(second.run_id), "-w", workspace,
                                  "--format", "json"]).stdout)
    resolved_ids = {r["row_id"] for r in as_json["rows"] if r["issue"] == "label" and r["change"] == "resolved"}
    assert as_json["relabelled"] == len(fixed) and resolved_ids == fixed - still


def test_compare_names_a_missing_run(tmp_path: Path) -> None:
    path, _ = _planted(tmp_path)
    curate.audit(path, label="label", id="id", workspace=tmp_path / "ws", progress=False)
    result = run_cli(["compare", "1", "7", "-w", tmp_path / "ws"])
    assert result.exit_code != 0 and result.stderr.strip().splitlines()[-1].startswith("error:")
    assert "7" in result.stderr
    same = run_cli(["compare", "1", "-w", tmp_path / "ws"])  # the latest run is run 1 itself
    assert same.exit_code != 0
    assert same.stderr.strip() == ("error: curate compare needs two different runs; both are run 1 (give RUN_A and "
                                   "RUN_B, or audit again after the fixes)")


def test_stated_precision_counts_only_the_flags_left_after_reviewers_kept_rows(tmp_path: Path) -> None:
    path, _, workspace, first, label_flags = _audited(tmp_path)
    ws = Workspace(workspace)
    kept = label_flags["row_id"].astype(str).head(8).tolist()
    for row_id in kept:
        record(ws, first.dataset, row_id=row_id, action="keep", reviewer="ana", run_id=first.run_id, issue="label")
    second = curate.audit(path, label="label", id="id", workspace=workspace, progress=False)
    notes = second.notes["label"]
    standing = second.findings[(second.findings["issue"] == "label") & second.findings["flagged"]]
    assert not set(kept) & set(standing["row_id"].astype(str))  # kept rows are not flagged again
    assert sum(notes["flagged_per_class"].values()) == len(standing) == second.metrics["flagged"]["label"]
    chances = [d["error_prob"] for d in standing["details"]]
    assert notes["expected_true_errors"] == round(sum(chances), 1) <= len(standing)
    assert notes["before_reviewer_feedback"]["expected_true_errors"] >= notes["expected_true_errors"]
    assert f"of the {len(standing)} are real errors" in second.to_html()
    # in the comparison, a flag withdrawn because a reviewer kept the row is not a fix
    label = next(c for c in compare_runs(ws, first.run_id, second.run_id).issues if c.issue == "label")
    assert label.kept == len(kept)
    # nobody fixed the other rows: a flag gone without a fix is dropped, not resolved
    assert label.resolved == 0 and label.dropped == label.before - label.kept - label.persisting


def test_runs_of_two_datasets_are_not_compared(tmp_path: Path) -> None:
    path, _ = _planted(tmp_path)
    other = tmp_path / "other.csv"
    pd.read_csv(path).head(300).to_csv(other, index=False)
    workspace = tmp_path / "ws"
    curate.audit(path, label="label", id="id", workspace=workspace, progress=False)
    curate.audit(other, label="label", id="id", workspace=workspace, progress=False)
    refused = run_cli(["compare", "1", "2", "-w", workspace])
    assert refused.exit_code != 0
    assert refused.stderr.strip() == ("error: run 1 audited dataset 'planted' and run 2 'other': their row ids name "
                                      "different rows; compare two runs of one dataset (curate runs lists them)")


def test_removing_a_copy_resolves_the_duplicate_flag_of_the_row_it_copied(tmp_path: Path) -> None:
    # A user trial: removing row 1518 (an exact copy of 647) showed "647 exact_duplicate dropped",
    # which reads as the evidence changing its mind; the removal resolved it.
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(60)], "x": rng.normal(size=60), "y": rng.normal(size=60),
                          "label": np.tile(["a", "b"], 30)})
    frame.loc[59, ["x", "y", "label"]] = frame.loc[7, ["x", "y", "label"]].to_numpy()  # r59 copies r7
    path, workspace = tmp_path / "copies.csv", tmp_path / "ws"
    frame.to_csv(path, index=False)
    first = curate.audit(path, label="label", id="id", workspace=workspace, progress=False,
                         detectors=["exact_duplicate"])
    assert sorted(first.findings.loc[first.findings["flagged"], "row_id"]) == ["r59", "r7"]
    ws = Workspace(workspace)
    record(ws, first.dataset, row_id="r59", action="remove", reviewer="ana", run_id=first.run_id)
    second = curate.audit(path, label="label", id="id", workspace=workspace, progress=False,
                          detectors=["exact_duplicate"])
    comparison = compare_runs(ws, first.run_id, second.run_id)
    changes = dict(zip(comparison.rows["row_id"], comparison.rows["change"], strict=True))
    assert changes == {"r7": "resolved", "r59": "removed"}
    [dup] = [c for c in comparison.issues if c.issue == "exact_duplicate"]
    assert (dup.resolved, dup.dropped, dup.removed) == (1, 0, 1)
    assert comparison.notes == []  # nothing came or went on its own
