"""The workspace: a folder with a SQLite database, copies of imported sources, and a feature cache.

This module is the only code that writes SQL. Each command that changes the workspace does so in
one transaction at its end, so a failed or interrupted command leaves the workspace as it was; a
workspace folder is created only when the first such transaction commits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from curate.core.source import SourceRecord
from curate.errors import NotFoundError, WorkspaceError
from curate.store.migrations import SCHEMA_VERSION, migrate

__all__ = ["DEFAULT_WORKSPACE", "RunRecord", "SourceRecord", "VersionRecord", "Workspace"]

DEFAULT_WORKSPACE = Path("curate-workspace")
_DB_NAME = "curate.db"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class VersionRecord:
    id: int
    dataset: str
    number: int
    source_path: str
    n_rows: int
    created_at: str
    is_new: bool = False


@dataclass(frozen=True)
class RunRecord:
    id: int
    dataset: str
    version: int
    started_at: str
    finished_at: str
    params: dict[str, Any]
    timings: dict[str, float]
    metrics: dict[str, Any]
    notes: dict[str, Any]
    code_version: str


class Workspace:
    """A curate workspace folder.

    Example
    -------
    >>> ws = Workspace(Path("curate-workspace"))  # doctest: +SKIP
    >>> ws.runs()[-1].metrics["oof_accuracy"]  # doctest: +SKIP
    0.91
    """

    def __init__(self, path: Path | str = DEFAULT_WORKSPACE) -> None:
        self.path = Path(path)

    @property
    def db_path(self) -> Path:
        return self.path / _DB_NAME

    def exists(self) -> bool:
        return self.db_path.exists()

    def check_writable(self) -> None:
        """Fail early, before any work, if a command could not write this workspace."""
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"{self.path} is a file, not a workspace folder; pass another --workspace")
        if self.exists():
            with self._read():
                pass

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if not create and not self.exists():
            raise WorkspaceError(
                f"no curate workspace at {self.path}; run 'curate audit FILE' first or pass --workspace"
            )
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"{self.path} is a file, not a workspace folder; pass another --workspace")
        self.path.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
        return con

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._open(create=False)
        try:
            _refuse_newer_schema(con, self.path)
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write; creates the workspace on first use, removing it again on failure."""
        created = not self.path.exists()
        con = self._open(create=True)
        self._pending_files: list[Path] = []
        try:
            con.execute("BEGIN IMMEDIATE")
            _refuse_newer_schema(con, self.path)
            migrate(con)
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            con.close()
            for written in self._pending_files:
                written.unlink(missing_ok=True)
            if created:
                _remove_tree(self.path)
            raise
        con.close()

    # ----------------------------------------------------------------------------- datasets
    def _store_source(self, data: bytes, suffix: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        relative = f"sources/{digest}{suffix}"
        target = self.path / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".partial")
            partial.write_bytes(data)
            partial.replace(target)
            self._pending_files.append(target)
        return relative

    def save_version(self, con: sqlite3.Connection, source: SourceRecord, rows: pd.DataFrame,
                     classes: Sequence[str]) -> VersionRecord:
        """Record ``source`` as a version of its dataset, or return the version it already is."""
        found = con.execute("SELECT id FROM datasets WHERE name = ?", (source.name,)).fetchone()
        dataset_id = found[0] if found else con.execute(
            "INSERT INTO datasets (name, created_at) VALUES (?, ?)", (source.name, _now())).lastrowid
        existing = con.execute(
            "SELECT id, number, source_path, n_rows, created_at FROM dataset_versions "
            "WHERE dataset_id = ? AND fingerprint = ?", (dataset_id, source.fingerprint)).fetchone()
        if existing:
            return VersionRecord(existing[0], source.name, existing[1], existing[2], existing[3], existing[4])
        number = con.execute("SELECT coalesce(max(number), 0) + 1 FROM dataset_versions WHERE dataset_id = ?",
                             (dataset_id,)).fetchone()[0]
        copy = self._store_source(source.data, source.suffix)
        test_copy = (self._store_source(source.test_data, Path(source.test_path or "").suffix)
                     if source.test_data is not None else None)
        created = _now()
        version_id: int = con.execute(
            "INSERT INTO dataset_versions (dataset_id, number, fingerprint, source_path, source_copy, "
            "test_source_path, test_source_copy, format, encoding, options, n_rows, classes, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dataset_id, number, source.fingerprint, source.source_path, copy, source.test_path, test_copy,
             source.format, source.encoding, json.dumps(source.options, sort_keys=True), len(rows),
             json.dumps(list(classes), ensure_ascii=False), created),
        ).lastrowid or 0
        con.executemany(
            "INSERT INTO rows (version_id, position, row_id, split, label, content_hash) VALUES (?, ?, ?, ?, ?, ?)",
            [(version_id, int(p), str(r), s, str(lab), h) for p, r, s, lab, h in
             rows[["position", "row_id", "split", "label", "content_hash"]].itertuples(index=False, name=None)],
        )
        return VersionRecord(version_id, source.name, number, source.source_path, len(rows), created, is_new=True)

    def versions(self, dataset: str | None = None) -> list[VersionRecord]:
        with self._read() as con:
            rows = con.execute(
                "SELECT v.id, d.name, v.number, v.source_path, v.n_rows, v.created_at FROM dataset_versions v "
                "JOIN datasets d ON d.id = v.dataset_id WHERE ? IS NULL OR d.name = ? ORDER BY v.id",
                (dataset, dataset)).fetchall()
        return [VersionRecord(*r) for r in rows]

    # ----------------------------------------------------------------------------- runs
    def save_run(self, con: sqlite3.Connection, version_id: int, *, params: dict, code_version: str,
                 started_at: str, timings: dict, metrics: dict, notes: dict,
                 findings: pd.DataFrame) -> int:
        """Insert a completed run and all its per-row scores; returns the run id."""
        run_id = con.execute(
            "INSERT INTO runs (version_id, status, params, code_version, started_at, finished_at, timings, "
            "metrics, notes) VALUES (?, 'completed', ?, ?, ?, ?, ?, ?, ?)",
            (version_id, json.dumps(params, sort_keys=True, default=str), code_version, started_at, _now(),
             json.dumps(timings), json.dumps(metrics, default=str), json.dumps(notes, default=str, ensure_ascii=False)),
        ).lastrowid
        assert run_id is not None
        con.executemany(
            "INSERT INTO findings (run_id, position, row_id, issue, score, flagged, suggested_label, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, int(pos), str(rid), issue, float(score), int(flag), sug,
              json.dumps(det, ensure_ascii=False, default=str))
             for pos, rid, issue, score, flag, sug, det in findings[
                 ["position", "row_id", "issue", "score", "flagged", "suggested_label", "details"]
             ].itertuples(index=False, name=None)],
        )
        return int(run_id)

    def runs(self) -> list[RunRecord]:
        with self._read() as con:
            rows = con.execute(
                "SELECT r.id, d.name, v.number, r.started_at, r.finished_at, r.params, r.timings, r.metrics, "
                "r.notes, r.code_version FROM runs r JOIN dataset_versions v ON v.id = r.version_id "
                "JOIN datasets d ON d.id = v.dataset_id ORDER BY r.id").fetchall()
        return [RunRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), json.loads(r[7]),
                          json.loads(r[8]), r[9]) for r in rows]

    def run(self, run_id: int | None = None) -> RunRecord:
        """The run with ``run_id``, or the latest run when None."""
        runs = self.runs()
        if not runs:
            raise NotFoundError(f"the workspace {self.path} has no runs yet; run 'curate audit FILE' first")
        if run_id is None:
            return runs[-1]
        for record in runs:
            if record.id == run_id:
                return record
        raise NotFoundError(f"no run {run_id} in {self.path}; 'curate runs' lists them ({runs[0].id}..{runs[-1].id})")

    def findings(self, run_id: int, *, flagged_only: bool = True) -> pd.DataFrame:
        """Findings of a run (all scored rows when ``flagged_only`` is False), worst first per issue."""
        with self._read() as con:
            frame = pd.read_sql_query(
                "SELECT f.position, f.row_id, r.split, r.label AS given_label, f.issue, f.score, f.flagged, "
                "f.suggested_label, f.details FROM findings f JOIN runs ru ON ru.id = f.run_id "
                "JOIN rows r ON r.version_id = ru.version_id AND r.position = f.position "
                "WHERE f.run_id = ? AND (f.flagged = 1 OR ? = 0) ORDER BY f.issue, f.score, f.position",
                con, params=(run_id, 1 if flagged_only else 0))
        frame["flagged"] = frame["flagged"].astype(bool)
        frame["details"] = frame["details"].map(json.loads)
        return frame

    def version_rows(self, run_id: int) -> pd.DataFrame:
        """The rows (position, row_id, split, label) of the version a run audited."""
        with self._read() as con:
            return pd.read_sql_query(
                "SELECT r.position, r.row_id, r.split, r.label, r.content_hash FROM rows r "
                "JOIN runs ru ON ru.version_id = r.version_id WHERE ru.id = ? ORDER BY r.position",
                con, params=(run_id,))

    def save_neighbors(self, con: sqlite3.Connection, run_id: int, positions: Any, indices: Any,
                       similarities: Any) -> None:
        """Store each row's nearest neighbours (positions, similarities) for the review pages."""
        con.executemany(
            "INSERT INTO run_neighbors (run_id, position, neighbors, similarities) VALUES (?, ?, ?, ?)",
            [(run_id, int(position), json.dumps([int(i) for i in idx]),
              json.dumps([round(float(s), 4) for s in sims]))
             for position, idx, sims in zip(positions, indices, similarities, strict=True)],
        )

    def neighbors(self, run_id: int, position: int) -> list[tuple[int, float]]:
        """Row ``position``'s nearest neighbours in run ``run_id``, closest first; empty if not stored."""
        with self._read() as con:
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'run_neighbors'").fetchone() is None:
                return []
            row = con.execute("SELECT neighbors, similarities FROM run_neighbors WHERE run_id = ? AND position = ?",
                              (run_id, position)).fetchone()
        if row is None:
            return []
        return list(zip(json.loads(row[0]), json.loads(row[1]), strict=True))

    def source_of_run(self, run_id: int) -> dict[str, Any] | None:
        """Where the version a run audited is stored in the workspace, and how it was read."""
        with self._read() as con:
            con.row_factory = sqlite3.Row
            row = con.execute(
                "SELECT v.source_copy, v.test_source_copy, v.options, v.format, v.encoding FROM dataset_versions v "
                "JOIN runs r ON r.version_id = v.id WHERE r.id = ?", (run_id,)).fetchone()
        return dict(row) if row is not None else None


def _refuse_newer_schema(con: sqlite3.Connection, path: Path) -> None:
    known = con.execute("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").fetchone()
    if known is None:
        return
    found = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    if found is not None and found > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{path} was written by a newer curate (schema {found} > {SCHEMA_VERSION}); upgrade curate"
        )


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
