"""The workspace: a folder with a database, copies of imported sources, and reports.

The store is the only code that writes SQL, all of it SQLAlchemy Core over the tables in
:mod:`curate.store.schema`; a run's per-row scores and neighbours go to Parquet files under ``runs/``
(:mod:`curate.store.run_files`). Each command that changes the workspace does so in one transaction at
its end, so a failed or interrupted command leaves the workspace as it was; a workspace folder is
created only when the first such transaction commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Select, and_, func, insert, inspect, select

from curate.core.source import SourceRecord
from curate.errors import InputError, NotFoundError, WorkspaceError
from curate.store import database, run_files, schema
from curate.store.records import RunRecord, StoredSource, VersionRecord
from curate.store.schema import dataset_versions, datasets, run_neighbors, runs
from curate.store.upgrade import refuse_newer_schema, upgrade

# RunRecord, SourceRecord and VersionRecord stay importable from here, as in 0.1.0; they live in
# curate.store.records and curate.core.source.
__all__ = ["DEFAULT_WORKSPACE", "Workspace", "WorkspaceTransaction"]

DEFAULT_WORKSPACE = Path("curate-workspace")
_DB_NAME = "curate.db"
# SQLite keeps these next to the database while it is open in WAL mode.
_DB_COMPANIONS = ("-wal", "-shm")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class WorkspaceTransaction:
    """One open write to a workspace, from :meth:`Workspace.transaction`.

    Pass it to the workspace's ``save_*`` methods. The files it wrote are removed again if the
    transaction rolls back, so that a failed command leaves no stored copy behind.

    Attributes
    ----------
    connection : Connection
        The database connection, inside its write transaction.
    written : list of Path
        Files this transaction created in the workspace folder.
    """

    connection: Connection
    written: list[Path] = field(default_factory=list)


class Workspace:
    """A curate workspace folder, and the database that records its datasets, runs and ledger.

    Parameters
    ----------
    path : Path or str
        The workspace folder: stored sources go to ``sources/``, each run's per-row scores and
        neighbours to ``runs/``, reports to ``reports/``.
    url : str, optional
        The database's SQLAlchemy URL; by default the SQLite file ``curate.db`` in ``path``.
        Only SQLite is accepted for now (see :mod:`curate.store.database` for what PostgreSQL needs).

    Examples
    --------
    >>> ws = Workspace(Path("curate-workspace"))  # doctest: +SKIP
    >>> ws.runs()[-1].metrics["oof_accuracy"]  # doctest: +SKIP
    0.91
    """

    def __init__(self, path: Path | str = DEFAULT_WORKSPACE, *, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url

    @property
    def db_url(self) -> str:
        """The database's URL: ``url`` if one was given, else the folder's ``curate.db``.

        Returns
        -------
        str
        """
        return self.url if self.url is not None else database.sqlite_url(self.path / _DB_NAME)

    @property
    def db_path(self) -> Path:
        """The SQLite file that holds the workspace database.

        Returns
        -------
        pathlib.Path
        """
        return self.path / _DB_NAME if self.url is None else database.sqlite_file(self.url)

    @cached_property
    def _engine(self) -> Engine:
        return database.make_engine(self.db_url)

    def exists(self) -> bool:
        """Whether the workspace has a database yet.

        Returns
        -------
        bool
            True once a command has recorded something in it.
        """
        return self.db_path.exists()

    def check_writable(self) -> None:
        """Fail early, before any work, if a command could not write this workspace.

        Raises
        ------
        WorkspaceError
            When the path is a file, or the workspace was written by a newer curate.
        """
        self._check_folder()
        if self.exists():
            with self._read():
                pass

    def _check_folder(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"{self.path} is a file, not a workspace folder; pass another --workspace")
        # The folder is made when the first result is recorded: a file on the way there would fail it
        # only after the whole audit had run.
        for above in self.path.absolute().parents:
            if above.exists():
                if not above.is_dir():
                    raise WorkspaceError(f"cannot make the workspace {self.path}: {above} is a file, not a folder; "
                                         "pass another --workspace")
                if not os.access(above, os.W_OK | os.X_OK) and not self.path.exists():
                    raise WorkspaceError(f"cannot make the workspace {self.path}: {above} is not writable; "
                                         "pass another --workspace")
                break

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction on an existing workspace, for the store's own modules."""
        if not self.exists():
            raise WorkspaceError(
                f"no curate workspace at {self.path}; run 'curate audit FILE' first or pass --workspace"
            )
        self._check_folder()
        with database.begin(self._engine, write=False) as connection:
            refuse_newer_schema(connection, self.path)
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[WorkspaceTransaction]:
        """One all-or-nothing write; creates the workspace on first use, removing it again on failure.

        The schema is brought up to date inside the same transaction (Alembic revisions; a
        workspace from curate 0.1.0 is recognised and stamped first).

        Returns
        -------
        Iterator[WorkspaceTransaction]
            The open transaction, committed when the ``with`` block ends without an exception.

        Raises
        ------
        WorkspaceError
            When the path is a file or the workspace was written by a newer curate; nothing is written.
        """
        self._check_folder()
        created_folder = not self.path.exists()
        created_db = not self.exists()
        self.path.mkdir(parents=True, exist_ok=True)
        opened: WorkspaceTransaction | None = None
        try:
            with database.begin(self._engine, write=True) as connection:
                opened = WorkspaceTransaction(connection)
                upgrade(connection, self.path)
                yield opened
        except BaseException:
            for written in opened.written if opened is not None else []:
                written.unlink(missing_ok=True)
                if written.parent != self.path and written.parent.is_dir() and not any(written.parent.iterdir()):
                    written.parent.rmdir()  # a folder the failed write made (runs/, sources/)
            if created_folder:
                shutil.rmtree(self.path, ignore_errors=True)
            elif created_db:
                for suffix in ("", *_DB_COMPANIONS):
                    Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            raise

    # ----------------------------------------------------------------------------- datasets
    def _store_source(self, txn: WorkspaceTransaction, data: bytes, suffix: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        relative = f"sources/{digest}{suffix}"
        target = self.path / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".partial")
            partial.write_bytes(data)
            partial.replace(target)
            txn.written.append(target)
        return relative

    def save_version(self, txn: WorkspaceTransaction, source: SourceRecord, rows: pd.DataFrame,
                     classes: Sequence[str]) -> VersionRecord:
        """Record ``source`` as a version of its dataset, or return the version it already is.

        Parameters
        ----------
        txn : WorkspaceTransaction
            The open transaction from :meth:`transaction`.
        source : SourceRecord
            The imported bytes and how they were read.
        rows : pandas.DataFrame
            One row per data row: ``position``, ``row_id``, ``split``, ``label``, ``content_hash``.
        classes : sequence of str
            The dataset's classes.

        Returns
        -------
        VersionRecord
            The version; ``is_new`` is False when the same bytes and options were recorded before.
        """
        con = txn.connection
        v = dataset_versions
        found = con.execute(select(datasets.c.id).where(datasets.c.name == source.name)).scalar()
        dataset_id = found if found is not None else _inserted_id(
            con.execute(insert(datasets).values(name=source.name, created_at=_now())))
        existing = con.execute(
            select(v.c.id, v.c.number, v.c.source_path, v.c.n_rows, v.c.created_at)
            .where(v.c.dataset_id == dataset_id, v.c.fingerprint == source.fingerprint)).first()
        if existing is not None:
            return VersionRecord(existing.id, source.name, existing.number, existing.source_path, existing.n_rows,
                                 existing.created_at)
        number = con.execute(
            select(func.coalesce(func.max(v.c.number), 0) + 1).where(v.c.dataset_id == dataset_id)).scalar_one()
        copy = self._store_source(txn, source.data, source.suffix)
        # a test part without a suffix of its own (an image folder's test/) is stored in the source's format
        test_suffix = Path(source.test_path or "").suffix or source.suffix
        test_copy = (self._store_source(txn, source.test_data, test_suffix)
                     if source.test_data is not None else None)
        created = _now()
        version_id = _inserted_id(con.execute(insert(v).values(
            dataset_id=dataset_id, number=number, fingerprint=source.fingerprint, source_path=source.source_path,
            source_copy=copy, test_source_path=source.test_path, test_source_copy=test_copy, format=source.format,
            encoding=source.encoding, options=json.dumps(source.options, sort_keys=True), n_rows=len(rows),
            classes=json.dumps(list(classes), ensure_ascii=False), created_at=created)))
        frame = rows[["position", "row_id", "split", "label", "content_hash"]]
        database.insert_many(con, schema.rows, ["version_id", *frame.columns], [
            (version_id, int(p), str(r), s, str(lab), h)
            for p, r, s, lab, h in frame.itertuples(index=False, name=None)])
        return VersionRecord(version_id, source.name, number, source.source_path, len(rows), created,
                             is_new=True)

    def versions(self, dataset: str | None = None) -> list[VersionRecord]:
        """Every recorded version, oldest first, of one dataset or of all.

        Parameters
        ----------
        dataset : str, optional
            Only this dataset's versions.

        Returns
        -------
        list of VersionRecord
            In the order they were recorded.
        """
        v = dataset_versions
        query = (select(v.c.id, datasets.c.name, v.c.number, v.c.source_path, v.c.n_rows, v.c.created_at)
                 .join_from(v, datasets, datasets.c.id == v.c.dataset_id).order_by(v.c.id))
        if dataset is not None:
            query = query.where(datasets.c.name == dataset)
        with self._read() as con:
            return [VersionRecord(*row) for row in con.execute(query)]

    def stored_source(self, *, run_id: int | None = None, dataset: str | None = None) -> StoredSource:
        """Where a version's source is stored and how it was read: a run's version or a dataset's latest.

        Parameters
        ----------
        run_id : int, optional
            The version this run audited.
        dataset : str, optional
            The newest version of this dataset.

        Returns
        -------
        StoredSource
            The version's stored copies and reading options.

        Raises
        ------
        InputError
            When both or neither of ``run_id`` and ``dataset`` are given.
        NotFoundError
            When the run or dataset is not in the workspace.
        """
        if (run_id is None) == (dataset is None):
            raise InputError("name either a run or a dataset to find its stored source, not both or neither")
        v = dataset_versions
        query = select(v, datasets.c.name).join_from(v, datasets, datasets.c.id == v.c.dataset_id)
        if run_id is not None:
            query = query.join(runs, runs.c.version_id == v.c.id).where(runs.c.id == run_id)
        else:
            query = query.where(datasets.c.name == dataset).order_by(v.c.number.desc()).limit(1)
        with self._read() as con:
            found = con.execute(query).first()
        if found is None:
            raise NotFoundError(f"no run {run_id} in {self.path}" if run_id is not None
                                else f"no dataset {dataset!r} in {self.path}")
        version = VersionRecord(found.id, found.name, found.number, found.source_path, found.n_rows, found.created_at)
        return StoredSource(version, found.source_copy, found.test_source_copy, found.test_source_path, found.format,
                            found.encoding, json.loads(found.options))

    def source_of_run(self, run_id: int) -> dict[str, Any] | None:
        """Where the version a run audited is stored, as 0.1.0 returned it; prefer :meth:`stored_source`.

        Parameters
        ----------
        run_id : int
            The run.

        Returns
        -------
        dict or None
            ``source_copy``, ``test_source_copy``, ``options`` (JSON text), ``format`` and
            ``encoding``; None when there is no such run.
        """
        try:
            stored = self.stored_source(run_id=run_id)
        except NotFoundError:
            return None
        return {"source_copy": stored.source_copy, "test_source_copy": stored.test_source_copy,
                "options": json.dumps(stored.options, sort_keys=True), "format": stored.format,
                "encoding": stored.encoding}

    # ----------------------------------------------------------------------------- runs
    def save_run(self, txn: WorkspaceTransaction, version_id: int, *, params: dict, code_version: str,
                 started_at: str, timings: dict, metrics: dict, notes: dict,
                 findings: pd.DataFrame) -> int:
        """Insert a completed run and all its per-row scores.

        Parameters
        ----------
        txn : WorkspaceTransaction
            The open transaction from :meth:`transaction`.
        version_id : int
            The id of the audited version (:attr:`VersionRecord.id`).
        params, timings, metrics, notes : dict
            What the run was asked, how long it took, what it measured, what each detector noted.
        code_version : str
            The curate version that ran it.
        started_at : str
            When it started, ISO 8601 in UTC.
        findings : pandas.DataFrame
            Every (row, issue) score: ``position``, ``row_id``, ``issue``, ``score``, ``flagged``,
            ``suggested_label``, ``details`` (a dict or JSON text). The flagged ones go to the
            database, every one to the run's scores file (:mod:`curate.store.run_files`).

        Returns
        -------
        int
            The new run's id.
        """
        con = txn.connection
        run_id = _inserted_id(con.execute(insert(runs).values(
            version_id=version_id, status="completed", params=json.dumps(params, sort_keys=True, default=str),
            code_version=code_version, started_at=started_at, finished_at=_now(), timings=json.dumps(timings),
            metrics=json.dumps(metrics, default=str), notes=json.dumps(notes, default=str, ensure_ascii=False))))
        columns = ["position", "row_id", "issue", "score", "flagged", "suggested_label", "details"]
        flagged = findings.loc[findings["flagged"].to_numpy(dtype=bool), columns]
        database.insert_many(con, schema.findings, ["run_id", *columns], [
            (run_id, int(pos), str(rid), issue, float(score), int(flag), None if pd.isna(sug) else str(sug),
             run_files.details_text(det))
            for pos, rid, issue, score, flag, sug, det in flagged.itertuples(index=False, name=None)])
        path = run_files.run_file(self.path, run_id, "scores")
        txn.written.append(path)
        run_files.write_scores(path, findings)  # it reads the columns it writes: no copy of the table
        return run_id

    def runs(self, dataset: str | None = None) -> list[RunRecord]:
        """Every recorded run, oldest first; or every run of one dataset.

        Parameters
        ----------
        dataset : str, optional
            Only the runs of this dataset (none when it has none); every run when None.

        Returns
        -------
        list of RunRecord
            The runs, by id.
        """
        r, v = runs, dataset_versions
        query = (select(r.c.id, datasets.c.name, v.c.number, r.c.started_at, r.c.finished_at, r.c.params,
                        r.c.timings, r.c.metrics, r.c.notes, r.c.code_version)
                 .join_from(r, v, v.c.id == r.c.version_id).join(datasets, datasets.c.id == v.c.dataset_id)
                 .order_by(r.c.id))
        if dataset is not None:
            query = query.where(datasets.c.name == dataset)
        with self._read() as con:
            found = con.execute(query).all()
        return [RunRecord(row.id, row.name, row.number, row.started_at, row.finished_at, json.loads(row.params),
                          json.loads(row.timings), json.loads(row.metrics), json.loads(row.notes), row.code_version)
                for row in found]

    def latest_run_id(self, dataset: str) -> int | None:
        """The id of ``dataset``'s latest run, by one ``max(id)`` query (the review app asks on every page).

        Parameters
        ----------
        dataset : str
            The dataset's name.

        Returns
        -------
        int or None
            None when the dataset has no run (or the workspace none at all).
        """
        r, v = runs, dataset_versions
        query = (select(func.max(r.c.id)).join_from(r, v, v.c.id == r.c.version_id)
                 .join(datasets, datasets.c.id == v.c.dataset_id).where(datasets.c.name == dataset))
        with self._read() as con:
            found = con.execute(query).scalar()
        return None if found is None else int(found)

    def run(self, run_id: int | None = None) -> RunRecord:
        """The run with ``run_id``, or the latest run when None.

        Parameters
        ----------
        run_id : int, optional
            The run's id; the latest run when None.

        Returns
        -------
        RunRecord
            The run.

        Raises
        ------
        NotFoundError
            When the workspace has no runs, or none with this id.
        """
        recorded = self.runs()
        if not recorded:
            raise NotFoundError(f"the workspace {self.path} has no runs yet; run 'curate audit FILE' first")
        if run_id is None:
            return recorded[-1]
        for record in recorded:
            if record.id == run_id:
                return record
        raise NotFoundError(
            f"no run {run_id} in {self.path}; 'curate runs' lists them ({recorded[0].id}..{recorded[-1].id})")

    def findings(self, run_id: int, *, flagged_only: bool = True, issues: Sequence[str] | None = None,
                 details_as_text: bool = False) -> pd.DataFrame:
        """Findings of a run (all scored rows when ``flagged_only`` is False), worst first per issue.

        Parameters
        ----------
        run_id : int
            The run.
        flagged_only : bool, default True
            Only the flagged (row, issue) pairs.
        issues : sequence of str, optional
            Only these issue types (read as such: the other issues' rows are never loaded).
        details_as_text : bool, default False
            Leave ``details`` as the stored JSON text, for callers that read few of them
            (:func:`curate.store.run_files.decode_details` turns chosen rows into dicts).

        Returns
        -------
        pandas.DataFrame
            ``position``, ``row_id``, ``split``, ``given_label``, ``issue``, ``score``, ``flagged``,
            ``suggested_label`` and ``details`` (a dict), sorted by issue, score and position.
        """
        stored = run_files.run_file(self.path, run_id, "scores")
        if not flagged_only and stored.exists():
            frame = self._all_scores(run_id, stored, issues)
        else:
            f, r = schema.findings, schema.rows
            query = (select(f.c.position, f.c.row_id, r.c.split, r.c.label.label("given_label"), f.c.issue,
                            f.c.score, f.c.flagged, f.c.suggested_label, f.c.details)
                     .join_from(f, runs, runs.c.id == f.c.run_id)
                     .join(r, and_(r.c.version_id == runs.c.version_id, r.c.position == f.c.position))
                     .where(f.c.run_id == run_id).order_by(f.c.issue, f.c.score, f.c.position))
            if flagged_only:
                query = query.where(f.c.flagged == 1)
            if issues is not None:
                query = query.where(f.c.issue.in_(list(issues)))
            frame = self._frame(query)
            frame["flagged"] = frame["flagged"].astype(bool)
        return frame if details_as_text else run_files.decode_details(frame)

    def _all_scores(self, run_id: int, stored: Path, issues: Sequence[str] | None) -> pd.DataFrame:
        """Every score of a run from its scores file, as :meth:`findings` gives them (details as text)."""
        scores = run_files.read_scores(stored, issues)
        rows = self.version_rows(run_id)[["position", "split", "label"]].rename(columns={"label": "given_label"})
        frame = scores.merge(rows, on="position", how="left", validate="many_to_one")
        frame = frame.sort_values(["issue", "score", "position"], kind="stable").reset_index(drop=True)
        return frame[["position", "row_id", "split", "given_label", "issue", "score", "flagged", "suggested_label",
                      "details"]]

    def version_rows(self, run_id: int) -> pd.DataFrame:
        """The rows of the version a run audited.

        Parameters
        ----------
        run_id : int
            The run.

        Returns
        -------
        pandas.DataFrame
            ``position``, ``row_id``, ``split``, ``label`` and ``content_hash``, by position.
        """
        r = schema.rows
        return self._frame(_rows_query().join_from(r, runs, runs.c.version_id == r.c.version_id)
                           .where(runs.c.id == run_id))

    def rows_of_version(self, version_id: int) -> pd.DataFrame:
        """The rows of a dataset version, as :meth:`version_rows` gives a run's.

        Parameters
        ----------
        version_id : int
            The version's id (:attr:`VersionRecord.id`).

        Returns
        -------
        pandas.DataFrame
            ``position``, ``row_id``, ``split``, ``label`` and ``content_hash``, by position.
        """
        return self._frame(_rows_query().where(schema.rows.c.version_id == version_id))

    def _frame(self, query: Select[Any]) -> pd.DataFrame:
        with self._read() as con:
            result = con.execute(query)
            # As pandas.read_sql_query builds it, so that column dtypes are what they always were.
            return pd.DataFrame.from_records([tuple(row) for row in result], columns=list(result.keys()),
                                             coerce_float=True)

    def save_neighbors(self, txn: WorkspaceTransaction, run_id: int, positions: Any, indices: Any,
                       similarities: Any) -> None:
        """Store each row's nearest neighbours (positions, similarities) for the review pages.

        Parameters
        ----------
        txn : WorkspaceTransaction
            The open transaction from :meth:`transaction`.
        run_id : int
            The run the neighbours belong to.
        positions : array-like of int
            Each row's position in the audited version.
        indices : array-like of shape (rows, k)
            Each row's neighbours as positions, closest first.
        similarities : array-like of shape (rows, k)
            The matching similarities (higher is closer).
        """
        path = run_files.run_file(self.path, run_id, "neighbors")
        txn.written.append(path)
        run_files.write_neighbors(path, np.asarray(positions), np.asarray(indices), np.asarray(similarities))

    def save_map(self, txn: WorkspaceTransaction, run_id: int, positions: Any, xy: Any) -> None:
        """Write ``runs/run-N-map.parquet``: where the report draws each mapped row.

        Parameters
        ----------
        txn : WorkspaceTransaction
            This command's transaction; the file goes with it if the command fails.
        run_id : int
            N, the recorded run.
        positions : array-like of int
            Shape (n,): which rows of the stored version are drawn.
        xy : array-like of shape (n, 2)
            Their map coordinates, same order.
        """
        path = run_files.run_file(self.path, run_id, "map")
        txn.written.append(path)
        run_files.write_map(path, np.asarray(positions), np.asarray(xy))

    def data_map(self, run_id: int) -> pd.DataFrame | None:
        """The 2-D map of run ``run_id``'s rows (``position``, ``x``, ``y``); None when it stored none.

        Parameters
        ----------
        run_id : int
            Whose map to read (runs before maps were made have none).

        Returns
        -------
        pandas.DataFrame or None
            One row per mapped row.
        """
        return run_files.read_map(run_files.run_file(self.path, run_id, "map"))

    def neighbors(self, run_id: int, position: int) -> list[tuple[int, float]]:
        """Row ``position``'s nearest neighbours in run ``run_id``, closest first; empty if not stored.

        Parameters
        ----------
        run_id : int
            The run.
        position : int
            The row's position in the audited version.

        Returns
        -------
        list of (int, float)
            Neighbour positions and similarities.
        """
        stored = run_files.run_file(self.path, run_id, "neighbors")
        if stored.exists():
            return run_files.read_neighbors(stored, position)
        # Runs recorded before the neighbours moved to files keep them in the database.
        n = run_neighbors
        with self._read() as con:
            if not inspect(con).has_table(n.name):
                return []
            found = con.execute(select(n.c.neighbors, n.c.similarities)
                                .where(n.c.run_id == run_id, n.c.position == position)).first()
        if found is None:
            return []
        return list(zip(json.loads(found.neighbors), json.loads(found.similarities), strict=True))


def _rows_query() -> Select[Any]:
    """A version's stored rows, by position (the caller says which version)."""
    r = schema.rows
    return select(r.c.position, r.c.row_id, r.c.split, r.c.label, r.c.content_hash).order_by(r.c.position)


def _inserted_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None and key[0] is not None, "an insert returned no id"
    return int(key[0])
