"""Schema migrations of the workspace database, applied in order; the applied ones are recorded.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

MIGRATIONS: list[str] = [
    # 1: datasets, their versions and rows; runs and their findings
    """
    CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE dataset_versions (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        number INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        source_path TEXT NOT NULL,
        source_copy TEXT NOT NULL,
        test_source_path TEXT,
        test_source_copy TEXT,
        format TEXT NOT NULL,
        encoding TEXT,
        options TEXT NOT NULL,
        n_rows INTEGER NOT NULL,
        classes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, number),
        UNIQUE (dataset_id, fingerprint)
    );
    CREATE TABLE rows (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        position INTEGER NOT NULL,
        row_id TEXT NOT NULL,
        split TEXT,
        label TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        PRIMARY KEY (version_id, position)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        code_version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        timings TEXT NOT NULL,
        metrics TEXT NOT NULL,
        notes TEXT NOT NULL
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL,
        row_id TEXT NOT NULL,
        issue TEXT NOT NULL,
        score REAL NOT NULL,
        flagged INTEGER NOT NULL,
        suggested_label TEXT,
        details TEXT NOT NULL,
        PRIMARY KEY (run_id, issue, position)
    );
    CREATE INDEX findings_flagged ON findings (run_id, flagged, issue, score);
    """,
    # 2: the append-only ledger of human decisions, and each run's neighbour lists
    """
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        row_id TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        action TEXT NOT NULL,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        reviewer TEXT NOT NULL,
        created_at TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        issue TEXT,
        score REAL,
        reason TEXT,
        undoes INTEGER REFERENCES decisions(id)
    );
    CREATE INDEX decisions_by_row ON decisions (dataset_id, row_id, id);
    CREATE TRIGGER decisions_never_updated BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: decisions are never updated'); END;
    CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: decisions are never deleted'); END;
    CREATE TABLE run_neighbors (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL,
        neighbors TEXT NOT NULL,
        similarities TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a script into statements; a trigger's BEGIN ... END body stays whole."""
    out: list[str] = []
    buffer = ""
    for part in script.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                out.append(buffer.strip())
            buffer = ""
    return out


def migrate(con: sqlite3.Connection) -> None:
    """Bring ``con``'s schema up to date inside the caller's transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations")}
    for version, script in enumerate(MIGRATIONS, start=1):
        if version in applied:
            continue
        for statement in _statements(script):
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))", (version,))
