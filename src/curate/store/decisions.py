"""SQL of the decision ledger: append entries, read them back. Nothing here updates or deletes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from curate.errors import NotFoundError
from curate.store.workspace import Workspace

__all__ = ["DecisionRecord", "append_decision", "dataset_id", "read_decisions"]

_COLUMNS = ("id, row_id, input_hash, action, field, old_value, new_value, reviewer, created_at, run_id, "
            "issue, score, reason, undoes")


@dataclass(frozen=True)
class DecisionRecord:
    """One ledger entry: who decided what about which row, when, and what prompted it."""

    id: int
    row_id: str
    input_hash: str
    action: str
    field: str
    old_value: str | None
    new_value: str | None
    reviewer: str
    created_at: str
    run_id: int | None
    issue: str | None
    score: float | None
    reason: str | None
    undoes: int | None


def dataset_id(con: sqlite3.Connection, name: str) -> int:
    found = con.execute("SELECT id FROM datasets WHERE name = ?", (name,)).fetchone()
    if found is None:
        names = [r[0] for r in con.execute("SELECT name FROM datasets ORDER BY id")]
        raise NotFoundError(f"no dataset {name!r} in the workspace; it has: {', '.join(names) or 'none'}")
    return int(found[0])


def append_decision(workspace: Workspace, dataset: str, entry: dict[str, Any]) -> DecisionRecord:
    """Append one entry in its own transaction; returns it with its ledger id and time.

    The write is committed with synchronous=FULL before this returns, so an acknowledged decision
    survives the process being killed.
    """
    created = datetime.now(UTC).isoformat(timespec="milliseconds")
    with workspace.transaction() as con:
        ds = dataset_id(con, dataset)
        cursor = con.execute(
            "INSERT INTO decisions (dataset_id, row_id, input_hash, action, field, old_value, new_value, reviewer, "
            "created_at, run_id, issue, score, reason, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ds, entry["row_id"], entry["input_hash"], entry["action"], entry["field"], entry.get("old_value"),
             entry.get("new_value"), entry["reviewer"], created, entry.get("run_id"), entry.get("issue"),
             entry.get("score"), entry.get("reason"), entry.get("undoes")),
        )
        new_id = int(cursor.lastrowid or 0)
        row = con.execute(f"SELECT {_COLUMNS} FROM decisions WHERE id = ?", (new_id,)).fetchone()
    return DecisionRecord(*row)


def read_decisions(workspace: Workspace, dataset: str, upto: int | None = None,
                   row_id: str | None = None) -> list[DecisionRecord]:
    """The dataset's ledger in order, up to and including entry ``upto`` (all when None), of one row if given."""
    if not workspace.exists():
        return []
    with workspace._read() as con:
        known = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'decisions'").fetchone()
        if known is None:
            return []
        ds = dataset_id(con, dataset)
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM decisions WHERE dataset_id = ? AND (? IS NULL OR id <= ?) "
            "AND (? IS NULL OR row_id = ?) ORDER BY id", (ds, upto, upto, row_id, row_id)).fetchall()
    return [DecisionRecord(*r) for r in rows]
