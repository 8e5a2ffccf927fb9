"""An interrupted audit takes up its finished stages from the cache and ends with the same findings."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.detectors.registry import get_detector
from curate.features import default_cache_path
from curate.store import Workspace
from curate.store.run_files import run_file

from .conftest import make_text_frame, run_cli, snapshot

# ``curate.audit`` is the function; the module is reached by its full name.
needs_module = importlib.import_module("curate.audit.needs")
COLUMNS = ["row_id", "issue", "score", "flagged", "suggested_label", "given_label", "position", "details"]


def _resume_folders() -> list[Path]:
    root = default_cache_path().parent / "resume"
    return sorted(root.iterdir()) if root.exists() else []


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, detector: str) -> None:
    def find(self: object, context: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(get_detector(detector), "find", find)


def _forbid_recomputing(monkeypatch: pytest.MonkeyPatch) -> None:
    def recomputed(*args: object, **kwargs: object) -> None:
        raise AssertionError("a finished stage was computed again")

    for stage in ("cross_val_pred_probs", "build_neighbor_graph", "label_evidence"):
        monkeypatch.setattr(needs_module, stage, recomputed)
    monkeypatch.setattr(get_detector("label"), "find", recomputed)
    monkeypatch.setattr(get_detector("near_duplicate"), "find", recomputed)


def _frame(result: curate.AuditResult) -> pd.DataFrame:
    return result.scores[COLUMNS].reset_index(drop=True)


def test_an_interrupted_audit_resumes_and_finds_the_same(
    monkeypatch: pytest.MonkeyPatch, tabular_csv: Path, tmp_path: Path
) -> None:
    reference = curate.audit(tabular_csv, workspace=tmp_path / "ref", resume=False)
    assert _resume_folders() == []  # resume=False keeps nothing

    workspace = tmp_path / "ws"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, "input_quality")  # the last check: everything else has finished
        with pytest.raises(KeyboardInterrupt):
            curate.audit(tabular_csv, workspace=workspace)
    assert not workspace.exists()  # kept in the cache, not the workspace
    (kept,) = _resume_folders()
    stages = sorted(p.name for p in kept.iterdir())
    assert {"pred_probs.pickle", "neighbors.pickle", "label_evidence.pickle", "detector-label.pickle"} <= set(stages)
    assert "detector-input_quality.pickle" not in stages

    with monkeypatch.context() as patch:
        _forbid_recomputing(patch)
        resumed = curate.audit(tabular_csv, workspace=workspace)
    # pred_probs is read inside the label evidence, which was kept whole: it is not asked for again.
    assert {"neighbors", "label_evidence", "detector:label", "detector:near_duplicate"} <= set(
        resumed.metrics["resumed_stages"])
    assert "detector:input_quality" not in resumed.metrics["resumed_stages"]
    pd.testing.assert_frame_equal(_frame(resumed), _frame(reference))
    assert resumed.warnings == reference.warnings
    # What this process used (CPU, peak memory) differs between any two runs; everything else is equal.
    measured = {"resumed_stages", "cpu_seconds", "peak_memory_mib"}
    same = {k: v for k, v in resumed.metrics.items() if k not in measured}
    assert same == {k: v for k, v in reference.metrics.items() if k not in measured}
    stored = Workspace(workspace).findings(resumed.run_id, flagged_only=False)
    expected = Workspace(tmp_path / "ref").findings(reference.run_id, flagged_only=False)
    pd.testing.assert_frame_equal(stored, expected)
    assert Workspace(workspace).neighbors(resumed.run_id, 3) == Workspace(tmp_path / "ref").neighbors(1, 3)
    assert _resume_folders() == []  # completed: nothing left to resume


def test_other_settings_or_fresh_start_over(monkeypatch: pytest.MonkeyPatch, tabular_csv: Path) -> None:
    with monkeypatch.context() as patch:
        _interrupt_at(patch, "input_quality")
        with pytest.raises(KeyboardInterrupt):
            curate.audit(tabular_csv)
    (kept,) = _resume_folders()
    other = curate.audit(tabular_csv, config={"folds": 3})
    assert "resumed_stages" not in other.metrics
    fresh = curate.audit(tabular_csv, resume=False)
    assert "resumed_stages" not in fresh.metrics
    assert _resume_folders() == [kept]  # neither touched the interrupted run's stages
    again = curate.audit(tabular_csv)
    assert "label_evidence" in again.metrics["resumed_stages"]
    assert _resume_folders() == []


def test_a_failure_while_recording_leaves_the_workspace_and_resumes(
    monkeypatch: pytest.MonkeyPatch, audited_workspace: Path, tmp_path: Path
) -> None:
    data = tmp_path / "reviews.csv"
    changed = make_text_frame()
    changed.loc[0, "label"] = "tech"
    changed.to_csv(data, index=False)
    before = snapshot(audited_workspace)
    before_names = sorted(p.name for p in audited_workspace.iterdir())

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    # The run's scores file is written by then: the failed transaction must take it back.
    with monkeypatch.context() as patch:
        patch.setattr(Workspace, "save_neighbors", fail)
        with pytest.raises(OSError, match="disk full"):
            curate.audit(data, workspace=audited_workspace, embedder="hashed")
    assert not run_file(audited_workspace, 2, "scores").exists()
    assert snapshot(audited_workspace) == before
    assert sorted(p.name for p in audited_workspace.iterdir()) == before_names
    with monkeypatch.context() as patch:
        _forbid_recomputing(patch)
        result = curate.audit(data, workspace=audited_workspace, embedder="hashed")
    assert result.run_id == 2 and "label_evidence" in result.metrics["resumed_stages"]


def _curate_command() -> list[str]:
    return [sys.executable, "-c", "from curate.cli import main; main()"]


def test_a_killed_cli_audit_resumes(tmp_path: Path) -> None:
    data = tmp_path / "big.csv"
    make_text_frame(400).to_csv(data, index=False)
    workspace = tmp_path / "ws"
    proc = subprocess.Popen([*_curate_command(), "audit", str(data), "--no-embed", "-w", str(workspace)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    # Killed once the label evidence is kept, while the checks run.
    deadline = time.monotonic() + 120
    while not list((default_cache_path().parent / "resume").glob("*/label_evidence.pickle")):
        assert proc.poll() is None and time.monotonic() < deadline, "the audit ended before it could be killed"
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not Workspace(workspace).exists() or Workspace(workspace).runs() == []

    again = run_cli(["audit", data, "--no-embed", "-w", workspace])
    assert again.exit_code == 0, again.output
    assert "resuming an interrupted audit" in again.stderr
    assert "finished stage(s) of an interrupted run taken up" in again.stdout
    run = Workspace(workspace).run()
    assert {"neighbors", "label_evidence"} <= set(run.metrics["resumed_stages"])
    fresh = run_cli(["audit", data, "--no-embed", "-w", workspace, "--fresh"])
    assert fresh.exit_code == 0, fresh.output
    assert "resuming" not in fresh.stderr


def test_abandoned_interrupted_audits_are_forgotten_after_a_week(tabular_csv: Path) -> None:
    root = default_cache_path().parent / "resume"
    old, recent = root / ("0" * 24), root / ("1" * 24)
    for folder in (old, recent):
        folder.mkdir(parents=True)
        (folder / "pred_probs.pickle").write_bytes(b"stale")
    week_ago = time.time() - 8 * 86_400
    os.utime(old, (week_ago, week_ago))
    curate.audit(tabular_csv)
    assert not old.exists()
    assert recent.exists()
