"""Alembic migrations: a workspace written by curate 0.1.0 opens, is stamped and keeps working."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from curate.export import export_version
from curate.ledger import record
from curate.ledger.versions import load_stored_version
from curate.store import RunRecord, Workspace
from curate.store.decisions import DecisionRecord, read_decisions
from curate.store.schema import metadata

from ..conftest import run_cli, snapshot

FIXTURE = Path(__file__).parent.parent / "fixtures" / "workspace-0.1.0"
SOURCE = "sources/9b52bd42eb7edc074feb3f390152cfadbcb189af67747d6ae9092d523b13aefa.csv"
OPTIONS = {"encoding": "utf-8", "id": None, "label": "label", "split": None, "text": ["text"]}
FIRST_ENTRY = DecisionRecord(
    id=1, row_id="11", input_hash="e3919750d668868d994db7b9fc40b77e", action="relabel", field="label",
    old_value="tech", new_value="food", reviewer="ana", created_at="2026-11-30T17:47:50.819+00:00", run_id=1,
    issue="label", score=0.156844, reason="fixture", undoes=None,
)


def _query(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _schema(db: Path) -> dict[str, object]:
    """Every table's columns, keys, indexes and triggers as SQLite reports them, by name."""
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out: dict[str, object] = {}
        for table in tables:
            indexes = {
                name: (unique, origin, [c[2] for c in con.execute(f"PRAGMA index_info('{name}')")])
                for _, name, unique, origin, _ in con.execute(f"PRAGMA index_list('{table}')")
            }
            out[table] = {
                "columns": con.execute(f"PRAGMA table_info('{table}')").fetchall(),
                "foreign_keys": sorted(r[2:5] for r in con.execute(f"PRAGMA foreign_key_list('{table}')")),
                "indexes": indexes,
            }
        out["triggers"] = con.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A private copy of the workspace curate 0.1.0 wrote (tests/fixtures/workspace-0.1.0)."""
    target = tmp_path / "ws-0.1.0"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def test_the_fixture_is_as_0_1_0_left_it() -> None:
    db = FIXTURE / "curate.db"
    assert not Path(f"{db}-wal").exists()
    assert _query(db, "SELECT version FROM schema_migrations ORDER BY version") == [(1,), (2,)]
    assert _query(db, "SELECT name FROM sqlite_master WHERE name = 'alembic_version'") == []


def test_reading_a_0_1_0_workspace_changes_nothing(legacy: Path) -> None:
    before = snapshot(legacy)
    ws = Workspace(legacy)
    [run] = ws.runs()
    assert isinstance(run, RunRecord)
    assert (run.id, run.dataset, run.version, run.started_at, run.code_version) == (
        1, "reviews", 1, "2026-11-30T17:47:38+00:00", "0.1.0")
    assert run.params == {
        "detectors": ["label", "ambiguous", "exact_duplicate", "near_duplicate", "conflicting_labels", "leakage",
                      "outlier", "class_imbalance", "input_quality"],
        "ledger_version": 0, "modality": "text", "options": OPTIONS, "pred_probs": None, "source": "reviews.csv",
        "test": None,
    }
    assert (run.metrics["rows"], run.metrics["classes"], run.timings["total"]) == (24, 3, 0.547)
    assert ws.run() == run
    flagged = ws.findings(1)
    assert flagged[["position", "row_id", "issue", "given_label", "suggested_label"]].values.tolist() == [
        [22, "22", "ambiguous", "sport", None],
        [11, "11", "label", "tech", "food"],
        [5, "5", "label", "tech", "sport"],
    ]
    assert flagged["score"].tolist() == [0.186501, 0.156844, 0.194062]
    assert len(ws.findings(1, flagged_only=False)) == 216
    assert read_decisions(ws, "reviews") == [FIRST_ENTRY]
    assert ws.neighbors(1, 0)[:3] == [(6, 0.8676), (12, 0.7832), (18, 0.7718)]
    assert [(v.dataset, v.number, v.n_rows) for v in ws.versions()] == [("reviews", 1, 24)]
    assert snapshot(legacy) == before  # a read never stamps or migrates


def test_a_write_stamps_the_0_1_0_revision_and_appends(legacy: Path) -> None:
    applied_before = _query(legacy / "curate.db", "SELECT * FROM schema_migrations ORDER BY version")
    ws = Workspace(legacy)
    stored = load_stored_version(ws, run_id=1)
    second = record(ws, stored.dataset, row_id="5", action="remove", reviewer="bo", run_id=1, issue="label")

    assert (second.id, second.row_id, second.action, second.old_value, second.new_value) == (
        2, "5", "remove", "present", "removed")
    assert read_decisions(ws, "reviews") == [FIRST_ENTRY, second]
    db = legacy / "curate.db"
    assert _query(db, "SELECT version_num FROM alembic_version") == [("0003",)]
    # stamped at 0002, not migrated again: 0.1.0's records stay as they were; 0003 (annotation mode) adds its own
    assert _query(db, "SELECT * FROM schema_migrations ORDER BY version")[:2] == applied_before
    assert [r[0] for r in _query(db, "SELECT version FROM schema_migrations ORDER BY version")] == [1, 2, 3]


def test_export_and_a_new_audit_of_a_0_1_0_workspace(legacy: Path, tmp_path: Path) -> None:
    ws = Workspace(legacy)
    out = tmp_path / "fixed.csv"
    summary = export_version(ws, None, "latest", "csv", out)
    expected = pd.read_csv(legacy / SOURCE)
    expected.loc[11, "label"] = "food"
    pd.testing.assert_frame_equal(pd.read_csv(out), expected)
    assert (summary.version, summary.rows, summary.relabelled, summary.removed) == (1, 24, 1, 0)

    again = run_cli(["audit", legacy / SOURCE, "--name", "reviews", "--no-embed", "-w", legacy])
    assert again.exit_code == 0, again.output
    assert [(r.id, r.dataset, r.version) for r in ws.runs()] == [(1, "reviews", 1), (2, "reviews", 1)]
    assert ws.runs()[1].params["ledger_version"] == 1  # the re-audit applied the 0.1.0 ledger entry


def test_the_ledger_of_a_migrated_workspace_refuses_updates_and_deletes(legacy: Path) -> None:
    ws = Workspace(legacy)
    record(ws, load_stored_version(ws, run_id=1).dataset, row_id="0", action="keep", reviewer="ana")
    con = sqlite3.connect(ws.db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only: decisions are never updated"):
            con.execute("UPDATE decisions SET new_value = 'sport'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only: decisions are never deleted"):
            con.execute("DELETE FROM decisions WHERE id = 1")
    finally:
        con.close()
    assert [e.id for e in read_decisions(ws, "reviews")] == [1, 2]


def test_a_failed_first_write_leaves_a_0_1_0_workspace_byte_identical(legacy: Path) -> None:
    before = snapshot(legacy)
    with pytest.raises(RuntimeError, match="boom"), Workspace(legacy).transaction():
        raise RuntimeError("boom")
    assert snapshot(legacy) == before
    assert _query(legacy / "curate.db", "SELECT name FROM sqlite_master WHERE name = 'alembic_version'") == []


def test_a_0_1_0_workspace_at_migration_1_is_upgraded(legacy: Path) -> None:
    """A database 0.1.0's first migration made: no ledger yet, then revision 0002 adds it."""
    con = sqlite3.connect(legacy / "curate.db")
    con.executescript(
        "DROP TABLE decisions; DROP TABLE run_neighbors; DELETE FROM schema_migrations WHERE version = 2;"
    )
    con.close()
    ws = Workspace(legacy)
    assert read_decisions(ws, "reviews") == []
    assert ws.neighbors(1, 0) == []
    stored = load_stored_version(ws, run_id=1)
    entry = record(ws, stored.dataset, row_id="3", action="keep", reviewer="ana")
    assert entry.id == 1
    db = legacy / "curate.db"
    assert _query(db, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert [r[0] for r in _query(db, "SELECT version FROM schema_migrations ORDER BY version")] == [1, 2, 3]
    upgraded = _without_annotation_tables(_schema(db))
    assert upgraded == _schema(FIXTURE / "curate.db") | {"alembic_version": upgraded["alembic_version"]}


ANNOTATION_TABLES = ("accounts", "annotation_items", "annotation_settings")


def _without_annotation_tables(found: dict[str, object]) -> dict[str, object]:
    """``found`` less what revision 0003 (annotation mode) adds: three tables and two triggers."""
    kept = {name: value for name, value in found.items() if name not in ANNOTATION_TABLES}
    triggers = found["triggers"]
    assert isinstance(triggers, list)
    assert [t[:2] for t in triggers if t[1] == "annotation_settings"] == [
        ("annotation_settings_never_deleted", "annotation_settings"),
        ("annotation_settings_never_updated", "annotation_settings")]
    kept["triggers"] = [t for t in triggers if t[1] != "annotation_settings"]
    return kept


def test_new_workspaces_get_exactly_the_0_1_0_schema(text_csv: Path, workspace: Path) -> None:
    """Revisions 0001 and 0002 reproduce 0.1.0's two migrations; Alembic adds only its own table, 0003 its three."""
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    new = _without_annotation_tables(_schema(workspace / "curate.db"))
    assert new.pop("alembic_version") == {
        "columns": [(0, "version_num", "VARCHAR(32)", 1, None, 1)],
        "foreign_keys": [],
        "indexes": {"sqlite_autoindex_alembic_version_1": (1, "pk", ["version_num"])},
    }
    assert new == _schema(FIXTURE / "curate.db")


def test_the_revisions_build_what_the_query_metadata_describes(text_csv: Path, workspace: Path) -> None:
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    engine = create_engine(f"sqlite:///{workspace / 'curate.db'}")
    try:
        with engine.connect() as con:
            differences = compare_metadata(MigrationContext.configure(con), metadata)
    finally:
        engine.dispose()
    assert differences == []
