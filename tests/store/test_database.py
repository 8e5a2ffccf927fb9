"""The workspace database: its URL, SQLite's settings, write locking, and what stays inside the store."""

from __future__ import annotations

import ast
import inspect
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import insert, update

import curate
from curate.audit.importing import version_rows
from curate.errors import WorkspaceError
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.ledger.versions import load_stored_version
from curate.store import Workspace, WorkspaceTransaction
from curate.store.database import sqlite_url
from curate.store.decisions import read_decisions
from curate.store.schema import decisions, rows

from ..conftest import snapshot

SRC = Path(curate.__file__).parent


def test_the_default_database_is_the_folders_curate_db(workspace: Path) -> None:
    ws = Workspace(workspace)
    assert ws.db_path == workspace / "curate.db"
    assert ws.db_url == f"sqlite:///{workspace / 'curate.db'}"
    assert not ws.exists() and not workspace.exists()  # naming a workspace creates nothing


def test_a_database_url_elsewhere(text_csv: Path, tmp_path: Path) -> None:
    folder, db = tmp_path / "ws", tmp_path / "db" / "elsewhere.db"
    db.parent.mkdir()
    ws = Workspace(folder, url=sqlite_url(db))
    result = curate.audit(text_csv, id="id", workspace=ws, embedder=HashedTextEmbedder())
    assert result.run_id == 1
    assert db.exists() and not (folder / "curate.db").exists()
    assert [p.parent.name for p in folder.rglob("*.csv")] == ["sources"]
    again = Workspace(folder, url=sqlite_url(db))
    assert [(r.id, r.dataset, r.version) for r in again.runs()] == [(1, "reviews", 1)]
    assert not Workspace(folder).exists()  # the folder alone has no database


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://curate@localhost/curate", "not 'postgresql'"),
    ("sqlite://", "in-memory"),
    ("sqlite:///:memory:", "in-memory"),
    ("not a url", "not a database URL"),
])
def test_unusable_urls_are_refused(workspace: Path, url: str, expected: str) -> None:
    ws = Workspace(workspace, url=url)
    with pytest.raises(WorkspaceError, match=expected), ws.transaction():
        pass
    assert not workspace.exists()


def test_sqlite_settings_of_a_write(workspace: Path) -> None:
    with Workspace(workspace).transaction() as txn:
        assert isinstance(txn, WorkspaceTransaction)
        pragma = txn.connection.exec_driver_sql
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_write_holds_the_write_lock_from_its_start(audited_workspace: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits at its BEGIN, never half-way through its work."""
    with Workspace(audited_workspace).transaction():
        other = sqlite3.connect(audited_workspace / "curate.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM runs").fetchone() == (1,)  # readers still read
        finally:
            other.close()


def test_foreign_keys_are_enforced_and_a_failed_write_rolls_back(audited_workspace: Path) -> None:
    before = snapshot(audited_workspace)
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="FOREIGN KEY"), \
            Workspace(audited_workspace).transaction() as txn:
        txn.connection.execute(insert(rows).values(version_id=99, position=0, row_id="x", label="a",
                                                   content_hash="h"))
    assert snapshot(audited_workspace) == before


def test_the_ledger_refuses_updates_through_the_store_too(audited_workspace: Path) -> None:
    ws = Workspace(audited_workspace)
    entry = record(ws, load_stored_version(ws, run_id=1).dataset, row_id="0", action="keep", reviewer="ana")
    for statement in (update(decisions).values(reviewer="eve"), decisions.delete()):
        with pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"), ws.transaction() as txn:
            txn.connection.execute(statement)
    assert read_decisions(ws, "reviews") == [entry]


def test_a_failed_first_write_removes_the_database_it_created(tmp_path: Path) -> None:
    folder = tmp_path / "made-by-hand"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), Workspace(folder).transaction():
        raise KeyboardInterrupt
    assert snapshot(folder) == {"notes.txt": b"mine"}


def test_a_failed_write_removes_the_source_copies_it_stored(audited_workspace: Path, tmp_path: Path) -> None:
    data = tmp_path / "other.csv"
    data.write_text("text,label\nthe bread,food\nthe goal,sport\nthe soup,food\nthe coach,sport\n", encoding="utf-8")
    loaded = curate.load_data(data, label="label", text=["text"])
    before = snapshot(audited_workspace)
    ws = Workspace(audited_workspace)
    with pytest.raises(RuntimeError, match="after the copy"), ws.transaction() as txn:
        version = ws.save_version(txn, loaded.source, version_rows(loaded), loaded.dataset.classes)
        assert version.is_new and len(txn.written) == 1 and txn.written[0].exists()
        raise RuntimeError("after the copy")
    assert snapshot(audited_workspace) == before


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_store_talks_to_databases() -> None:
    """SQLAlchemy, Alembic and sqlite3 stay inside curate.store, the embedding cache's SQL included."""
    outside = {
        str(path.relative_to(SRC)): _imports(path) & {"sqlite3", "sqlalchemy", "alembic"}
        for path in SRC.rglob("*.py") if path.relative_to(SRC).parts[0] != "store"
    }
    assert {name: found for name, found in outside.items() if found} == {}


def test_no_workspace_method_names_sqlite3() -> None:
    for name, member in inspect.getmembers(Workspace, inspect.isfunction):
        assert "sqlite3" not in str(inspect.signature(member)), name
