"""The workspace store: versions, stored sources, all-or-nothing audits, and schema migrations."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.detectors.registry import get_detector
from curate.errors import WorkspaceError
from curate.features import HashedTextEmbedder
from curate.store import Workspace
from curate.store.upgrade import head_revision

from .conftest import (
    assert_clean_failure,
    assert_one_line_error,
    make_text_frame,
    run_cli,
    snapshot,
)


def _count(workspace: Path, table: str) -> int:
    con = sqlite3.connect(workspace / "curate.db")
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def _changed_copy(source: Path, target: Path) -> Path:
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[0, "label"] = "tech"
    frame.to_csv(target, index=False)
    return target


# ------------------------------------------------------------------ versions and sources
def test_importing_the_same_file_twice_is_a_no_op(text_csv: Path, workspace: Path) -> None:
    first = run_cli(["import", text_csv, "-w", workspace])
    assert first.exit_code == 0, first.output
    assert first.stdout == "imported as reviews version 1 (60 rows)\n"
    before = snapshot(workspace)
    second = run_cli(["import", text_csv, "-w", workspace])
    assert second.exit_code == 0, second.output
    assert second.stdout == "unchanged: already reviews version 1 (60 rows)\n"
    assert [(v.dataset, v.number, v.n_rows) for v in Workspace(workspace).versions()] == [
        ("reviews", 1, 60)
    ]
    assert _count(workspace, "dataset_versions") == 1
    assert _count(workspace, "rows") == 60
    assert snapshot(workspace) == before


def test_a_changed_file_becomes_version_2(text_csv: Path, workspace: Path, tmp_path: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    (tmp_path / "changed").mkdir()
    changed = _changed_copy(text_csv, tmp_path / "changed" / "reviews.csv")
    result = run_cli(["import", changed, "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported as reviews version 2 (60 rows)\n"
    versions = Workspace(workspace).versions("reviews")
    assert [v.number for v in versions] == [1, 2]
    assert [v.source_path for v in versions] == [str(text_csv), str(changed)]
    assert _count(workspace, "rows") == 120
    # importing version 1's bytes again finds version 1 rather than making a third
    again = run_cli(["import", text_csv, "-w", workspace])
    assert again.stdout == "unchanged: already reviews version 1 (60 rows)\n"


def test_the_same_bytes_with_other_options_are_a_new_version(
    text_csv: Path, workspace: Path
) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    result = run_cli(["import", text_csv, "--id", "id", "-w", workspace])
    assert result.stdout == "imported as reviews version 2 (60 rows)\n"
    # the bytes are stored once
    assert len(list((workspace / "sources").iterdir())) == 1


def test_names_keep_datasets_apart(text_csv: Path, workspace: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    result = run_cli(["import", text_csv, "--name", "other", "-w", workspace])
    assert result.stdout == "imported as other version 1 (60 rows)\n"
    assert sorted((v.dataset, v.number) for v in Workspace(workspace).versions()) == [
        ("other", 1),
        ("reviews", 1),
    ]


def test_the_source_copy_is_stored(text_csv: Path, workspace: Path, tmp_path: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    (tmp_path / "v2").mkdir()
    changed = _changed_copy(text_csv, tmp_path / "v2" / "reviews.csv")
    assert run_cli(["import", changed, "-w", workspace]).exit_code == 0
    stored = {p.name: p.read_bytes() for p in (workspace / "sources").iterdir()}
    expected = {
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}.csv": p.read_bytes()
        for p in (text_csv, changed)
    }
    assert stored == expected
    # the stored copy stays as it was even when the original file changes or goes away
    text_csv.unlink()
    assert stored == {p.name: p.read_bytes() for p in (workspace / "sources").iterdir()}


def test_an_audit_records_its_rows(text_csv: Path, workspace: Path) -> None:
    result = curate.audit(text_csv, id="id", workspace=workspace, embedder=HashedTextEmbedder())
    assert result.run_id == 1
    rows = Workspace(workspace).version_rows(1)
    assert rows["row_id"].tolist() == [f"r{i}" for i in range(60)]
    assert rows["label"].tolist() == list(result.dataset.labels)
    stored = Workspace(workspace).findings(1, flagged_only=False)
    assert len(stored) == len(result.scores) == 60 * len(result.summary)
    source = Workspace(workspace).stored_source(run_id=1)
    assert (source.version.dataset, source.version.number, source.version.n_rows) == ("reviews", 1, 60)
    assert (workspace / source.source_copy).read_bytes() == text_csv.read_bytes()


# ------------------------------------------------------------------ interrupted audits
def _break_detector(monkeypatch: pytest.MonkeyPatch, name: str, exc: BaseException) -> None:
    def find(self: object, context: object) -> None:
        raise exc

    monkeypatch.setattr(get_detector(name), "find", find)


@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), RuntimeError("detector blew up")], ids=["ctrl-c", "error"]
)
def test_interrupted_audit_leaves_no_workspace(
    monkeypatch: pytest.MonkeyPatch, text_csv: Path, workspace: Path, exc: BaseException
) -> None:
    _break_detector(monkeypatch, "outlier", exc)
    with pytest.raises(type(exc)):
        curate.audit(text_csv, workspace=workspace, embedder=HashedTextEmbedder())
    assert not workspace.exists(), sorted(
        str(p.relative_to(workspace)) for p in workspace.rglob("*")
    )


@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), RuntimeError("detector blew up")], ids=["ctrl-c", "error"]
)
def test_interrupted_audit_adds_nothing(
    monkeypatch: pytest.MonkeyPatch, audited_workspace: Path, tmp_path: Path, exc: BaseException
) -> None:
    data = tmp_path / "reviews.csv"
    changed = make_text_frame()
    changed.loc[0, "label"] = "tech"  # a new version if it were recorded
    changed.to_csv(data, index=False)
    counts = {
        t: _count(audited_workspace, t) for t in ("runs", "findings", "dataset_versions", "rows")
    }
    db_before = (audited_workspace / "curate.db").read_bytes()
    sources_before = snapshot(audited_workspace / "sources")
    _break_detector(monkeypatch, "input_quality", exc)  # the last detector: everything else has run
    with pytest.raises(type(exc)):
        curate.audit(data, workspace=audited_workspace, embedder=HashedTextEmbedder())
    assert {t: _count(audited_workspace, t) for t in counts} == counts
    assert [r.id for r in Workspace(audited_workspace).runs()] == [1]
    assert (audited_workspace / "curate.db").read_bytes() == db_before
    assert snapshot(audited_workspace / "sources") == sources_before
    assert not list(audited_workspace.rglob("*.partial"))


def test_ctrl_c_in_the_cli(
    monkeypatch: pytest.MonkeyPatch, audited_workspace: Path, tmp_path: Path
) -> None:
    data = tmp_path / "reviews.csv"
    make_text_frame().assign(label=lambda f: f["label"].where(f.index != 0, "tech")).to_csv(
        data, index=False
    )
    _break_detector(monkeypatch, "outlier", KeyboardInterrupt())
    result = run_cli(["audit", data, "--no-embed", "-w", audited_workspace])
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    assert (
        result.stderr.strip().splitlines()[-1]
        == "interrupted: nothing was written to the workspace"
    )
    assert [r.id for r in Workspace(audited_workspace).runs()] == [1]
    assert _count(audited_workspace, "dataset_versions") == 1


def _curate_command() -> list[str]:
    script = Path(sys.executable).parent / "curate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "curate.cli"]


def test_sigkill_mid_audit_leaves_no_run(tmp_path: Path) -> None:
    data = tmp_path / "big.csv"
    make_text_frame(500).to_csv(data, index=False)  # 1,500 rows: cross-validation takes a moment
    workspace = tmp_path / "ws"
    proc = subprocess.Popen(
        [*_curate_command(), "audit", str(data), "--no-embed", "-w", str(workspace)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("embedding"):  # printed when embedding ends; the audit is still running
            proc.kill()
            break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)

    ws = Workspace(workspace)
    if ws.exists():
        assert ws.runs() == []
        assert ws.versions() == []
        assert _count(workspace, "findings") == 0
    runs = run_cli(["runs", "-w", workspace])
    if ws.exists():
        assert runs.exit_code == 0, runs.output
        assert runs.stdout.strip() == "no runs yet"
    else:
        assert_one_line_error(runs, "no curate workspace")

    # the next audit runs to the end, reusing the embeddings the killed one finished
    again = run_cli(["audit", data, "--no-embed", "-w", workspace])
    assert again.exit_code == 0, again.output
    recorded = Workspace(workspace).runs()
    assert [(r.id, r.version) for r in recorded] == [(1, 1)]
    assert recorded[0].metrics["rows"] == 1500


# ------------------------------------------------------------------ migrations
SCHEMA_VERSION = 3  # revisions 0001, 0002 and 0003 (annotation mode)


def _query(workspace: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(workspace / "curate.db")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_opening_a_workspace_records_the_schema_version(text_csv: Path, workspace: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    assert head_revision() == f"{SCHEMA_VERSION:04d}"
    assert _query(workspace, "SELECT version_num FROM alembic_version") == [("0003",)]
    # curate 0.1.0 reads schema_migrations: every revision records its number there too
    assert _query(workspace, "SELECT version FROM schema_migrations ORDER BY version") == [(1,), (2,), (3,)]
    tables = {r[0] for r in _query(workspace, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "alembic_version",
        "schema_migrations",
        "datasets",
        "dataset_versions",
        "rows",
        "runs",
        "findings",
        "decisions",
        "run_neighbors",
        "accounts",
        "annotation_items",
        "annotation_settings",
    }


def test_migrations_are_applied_once(text_csv: Path, workspace: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    assert run_cli(["audit", text_csv, "--no-embed", "-w", workspace]).exit_code == 0
    assert _count(workspace, "schema_migrations") == SCHEMA_VERSION
    assert _query(workspace, "SELECT version_num FROM alembic_version") == [("0003",)]


def _from_the_future(workspace: Path, marker: str = "alembic") -> None:
    """Make the workspace look written by a curate whose newest revision is 98 beyond ours."""
    con = sqlite3.connect(workspace / "curate.db")
    try:
        if marker == "alembic":
            con.execute("UPDATE alembic_version SET version_num = ?", (f"{SCHEMA_VERSION + 98:04d}",))
        else:  # what a newer curate also writes for curate 0.1.0
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, datetime('now'))", (SCHEMA_VERSION + 98,)
            )
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("marker", ["alembic", "schema_migrations"])
@pytest.mark.parametrize("command", [["runs"], ["findings"], ["report"]])
def test_a_newer_schema_is_refused_for_reading(
    audited_workspace: Path, command: list[str], marker: str
) -> None:
    _from_the_future(audited_workspace, marker)
    before = snapshot(audited_workspace)
    result = run_cli([*command, "-w", audited_workspace])
    assert_one_line_error(
        result, "newer curate", f"schema {SCHEMA_VERSION + 98} > {SCHEMA_VERSION}", "upgrade"
    )
    assert snapshot(audited_workspace) == before


@pytest.mark.parametrize("marker", ["alembic", "schema_migrations"])
@pytest.mark.parametrize("command", ["import", "audit"])
def test_a_newer_schema_is_refused_for_writing(
    audited_workspace: Path, text_csv: Path, command: str, marker: str
) -> None:
    """Writing rows an older curate understands into a newer schema could corrupt the workspace."""
    _from_the_future(audited_workspace, marker)
    before = snapshot(audited_workspace)
    fast = ["--no-embed"] if command == "audit" else []
    result = run_cli([command, text_csv, "--name", "fresh", *fast, "-w", audited_workspace])
    assert_clean_failure(result, "newer curate", "upgrade")
    assert snapshot(audited_workspace) == before


def test_a_newer_schema_is_refused_by_the_library(audited_workspace: Path) -> None:
    _from_the_future(audited_workspace)
    with pytest.raises(WorkspaceError, match="newer curate"):
        Workspace(audited_workspace).runs()
    newer = rf"newer curate \(schema {SCHEMA_VERSION + 98} > {SCHEMA_VERSION}\)"
    with pytest.raises(WorkspaceError, match=newer), Workspace(audited_workspace).transaction():
        pass


def test_no_workspace_yet(workspace: Path) -> None:
    assert_one_line_error(run_cli(["runs", "-w", workspace]), "no curate workspace", str(workspace))
    assert not workspace.exists()


def test_a_workspace_with_no_runs(text_csv: Path, workspace: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    result = run_cli(["runs", "-w", workspace])
    assert result.exit_code == 0
    assert result.stdout.strip() == "no runs yet"
    assert_one_line_error(run_cli(["findings", "-w", workspace]), "no runs yet")


def test_a_file_is_not_a_workspace(text_csv: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "ws"
    not_a_folder.write_text("hello", encoding="utf-8")
    result = run_cli(["audit", text_csv, "--no-embed", "-w", not_a_folder])
    assert_clean_failure(result, str(not_a_folder))
    assert not_a_folder.read_text(encoding="utf-8") == "hello"


def test_a_workspace_below_a_file_is_refused_before_any_work(text_csv: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A user trial: the audit ran for 39 s, then failed with a NotADirectoryError traceback.
    a_file = tmp_path / "notes"
    a_file.write_text("hello", encoding="utf-8")
    cache = tmp_path / "cache"
    monkeypatch.setenv("CURATE_CACHE_DIR", str(cache))
    result = run_cli(["audit", text_csv, "--no-embed", "-w", a_file / "ws"])
    assert_one_line_error(result, f"cannot make the workspace {a_file / 'ws'}: {a_file} is a file, not a folder")
    assert result.exit_code == 2 and a_file.read_text(encoding="utf-8") == "hello"
    assert not cache.exists() or not any(cache.rglob("*"))  # refused before any stage ran
