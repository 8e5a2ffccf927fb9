"""A workspace holding two datasets: commands without --dataset say which one they used, and compare
pairs a run with the latest run of its own dataset, not the workspace's latest."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

import curate
from curate.compare import compare_runs
from curate.ledger import record
from curate.store import Workspace

from .conftest import run_cli

ROWS = 200


def _audit(tmp_path: Path, name: str, workspace: Path, seed: int = 0) -> curate.AuditResult:
    """A quick audit (given probabilities, the label check only) of a small file named ``name``.csv."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, ROWS)
    path = tmp_path / f"{name}.csv"
    pd.DataFrame({"text": [f"{name} row {i}" for i in range(ROWS)],
                  "label": [f"c{c}" for c in labels]}).to_csv(path, index=False)
    logits = rng.normal(size=(ROWS, 2)) + 2.0 * np.eye(2)[labels]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return curate.audit(path, label="label", text="text", pred_probs=probs, detectors=["label"], progress=False,
                        workspace=workspace)


def _two_datasets(tmp_path: Path) -> Path:
    """Dataset 'first' audited with one decision in its ledger, then dataset 'second' audited."""
    workspace = tmp_path / "ws"
    first = _audit(tmp_path, "first", workspace)
    other = "c1" if first.dataset.labels[3] == "c0" else "c0"
    record(Workspace(workspace), first.dataset, row_id="3", action="relabel", new_label=other, reviewer="ana",
           run_id=first.run_id)
    _audit(tmp_path, "second", workspace, seed=1)
    return workspace


NOTE = ("note: the workspace holds 2 datasets; this is 'second', the latest run's (--dataset NAME for another: "
        "'first')")


def test_log_diff_and_export_name_the_dataset_they_chose_among_two(tmp_path: Path) -> None:
    workspace = _two_datasets(tmp_path)
    log = run_cli(["log", "-w", workspace])
    assert log.exit_code == 0, log.output
    assert NOTE in log.stderr and "the ledger is empty" in log.stdout
    chosen = run_cli(["log", "--dataset", "first", "-w", workspace])
    assert "relabel" in chosen.stdout and chosen.stderr == ""  # chosen by name: nothing to say
    diff = run_cli(["diff", "0", "latest", "-w", workspace])
    assert diff.exit_code == 0, diff.output
    assert NOTE in diff.stderr and diff.stdout.strip() == "no differences"  # stdout stays what a script reads
    exported = run_cli(["export", tmp_path / "out.csv", "-w", workspace])
    assert exported.exit_code == 0, exported.output
    assert NOTE in exported.stderr and len(pd.read_csv(tmp_path / "out.csv")) == ROWS
    named = run_cli(["export", tmp_path / "first.out.csv", "--dataset", "first", "-w", workspace])
    assert named.exit_code == 0 and "(1 relabelled, 0 removed)" in named.stdout and named.stderr == ""


def test_a_workspace_of_one_dataset_needs_no_note(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    _audit(tmp_path, "only", workspace)
    log = run_cli(["log", "-w", workspace])
    assert log.exit_code == 0 and log.stderr == ""


def test_compare_without_a_second_run_takes_the_latest_run_of_the_first_runs_dataset(tmp_path: Path) -> None:
    workspace = _two_datasets(tmp_path)  # run 1 of 'first', run 2 of 'second'
    again = _audit(tmp_path, "first", workspace)  # run 3: 'first' after its decision
    _audit(tmp_path, "second", workspace, seed=1)  # run 4: the workspace's latest is 'second' again
    shown = run_cli(["compare", "1", "-w", workspace])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("run 1 (first v1, ") and f"-> run {again.run_id} (first v1, " in shown.stdout
    assert compare_runs(Workspace(workspace), 2).second.id == 4


def test_a_re_audit_of_an_unchanged_first_dataset_makes_it_the_default_again(tmp_path: Path) -> None:
    # The re-audit records no new version; log and export must follow the latest run, as findings do.
    workspace = _two_datasets(tmp_path)
    _audit(tmp_path, "first", workspace)
    log = run_cli(["log", "-w", workspace])
    assert log.exit_code == 0, log.output
    assert "this is 'first', the latest run's (--dataset NAME for another: 'second')" in log.stderr
    assert "relabel" in log.stdout


def test_the_workspace_lists_one_datasets_runs(tmp_path: Path) -> None:
    workspace = Workspace(_two_datasets(tmp_path))  # run 1 of 'first', run 2 of 'second'
    assert [r.id for r in workspace.runs()] == [1, 2]
    assert [(r.id, r.dataset) for r in workspace.runs("first")] == [(1, "first")]
    assert [(r.id, r.dataset) for r in workspace.runs("second")] == [(2, "second")]
    assert workspace.runs("no such dataset") == []


def test_findings_and_report_name_the_run_they_chose_among_two_datasets(tmp_path: Path) -> None:
    workspace = _two_datasets(tmp_path)  # run 1 of 'first', run 2 of 'second'
    note = ("note: the workspace holds 2 datasets; this is run 2, of 'second', the latest run (RUN for another: "
            "`curate runs` lists them)")
    found = run_cli(["findings", "--all", "-w", workspace])
    assert found.exit_code == 0, found.output
    assert note in found.stderr  # stdout stays the CSV a script reads
    assert len(pd.read_csv(StringIO(found.stdout))) == ROWS
    report = run_cli(["report", "-o", tmp_path / "r.html", "-w", workspace])
    assert report.exit_code == 0 and note in report.stderr, report.output
    chosen = run_cli(["findings", "1", "-w", workspace])  # a RUN given: nothing to say
    assert chosen.exit_code == 0 and chosen.stderr == ""
