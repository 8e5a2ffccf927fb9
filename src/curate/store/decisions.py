"""SQL of the decision ledger: append entries, read them back. Nothing here updates or deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, inspect, select

from curate.errors import NotFoundError
from curate.store.schema import datasets, decisions
from curate.store.workspace import Workspace

__all__ = ["DecisionRecord", "append_decision", "append_decisions", "dataset_id", "read_decisions"]



@dataclass(frozen=True)
class DecisionRecord:
    """One ledger entry: who decided what about which row, when, and what prompted it.

    Attributes
    ----------
    id : int
        The entry's number in the ledger; version ``id`` is the data with entries 1..id applied.
    row_id : str
        The row decided about.
    input_hash : str
        The hash of the row's input when it was decided.
    action : str
        keep, relabel, ambiguous, remove, skip or undo.
    field : str
        What the action is about: ``label`` or ``row``.
    old_value, new_value : str or None
        The value before and after.
    reviewer : str
        Who decided.
    created_at : str
        When, ISO 8601 in UTC with milliseconds.
    run_id : int or None
        The run whose finding prompted it.
    issue : str or None
        The issue of that finding.
    score : float or None
        The finding's score.
    reason : str or None
        The reviewer's note.
    undoes : int or None
        For an undo, the entry it undoes.
    """

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


_COLUMNS = tuple(f.name for f in fields(DecisionRecord))
# What a caller's entry may set; the store sets the id and the time.
_ENTRY_FIELDS = tuple(name for name in _COLUMNS if name not in ("id", "created_at"))


def _entries() -> Select[Any]:
    return select(*(decisions.c[name] for name in _COLUMNS))


def dataset_id(connection: Connection, name: str) -> int:
    """The id of the dataset called ``name``.

    Parameters
    ----------
    connection : Connection
        An open connection to the workspace database.
    name : str
        The dataset's name.

    Returns
    -------
    int
        Its id.

    Raises
    ------
    NotFoundError
        When the workspace has no such dataset; the message lists the ones it has.
    """
    found = connection.execute(select(datasets.c.id).where(datasets.c.name == name)).scalar()
    if found is None:
        names = connection.execute(select(datasets.c.name).order_by(datasets.c.id)).scalars().all()
        raise NotFoundError(f"no dataset {name!r} in the workspace; it has: {', '.join(names) or 'none'}")
    return int(found)


def append_decision(workspace: Workspace, dataset: str, entry: dict[str, Any]) -> DecisionRecord:
    """Append one entry in its own transaction; returns it with its ledger id and time.

    The write is committed with synchronous=FULL before this returns, so an acknowledged decision
    survives the process being killed.

    Parameters
    ----------
    workspace : Workspace
        The workspace whose ledger to append to.
    dataset : str
        The dataset's name.
    entry : dict
        ``row_id``, ``input_hash``, ``action``, ``field`` and ``reviewer``; optionally ``old_value``,
        ``new_value``, ``run_id``, ``issue``, ``score``, ``reason`` and ``undoes``.

    Returns
    -------
    DecisionRecord
        The entry as stored.

    Raises
    ------
    NotFoundError
        When the workspace has no such dataset.
    """
    return append_decisions(workspace, dataset, [entry])[0]


def append_decisions(workspace: Workspace, dataset: str, entries: Sequence[dict[str, Any]]) -> list[DecisionRecord]:
    """Append several entries in one transaction, in order: all of them are recorded, or none.

    Parameters
    ----------
    workspace : Workspace
        The workspace whose ledger to append to.
    dataset : str
        The dataset's name.
    entries : sequence of dict
        Each as :func:`append_decision` takes it.

    Returns
    -------
    list of DecisionRecord
        The entries as stored, in order.

    Raises
    ------
    NotFoundError
        When the workspace has no such dataset (nothing is recorded).
    """
    created = datetime.now(UTC).isoformat(timespec="milliseconds")
    stored = []
    with workspace.transaction() as txn:
        con = txn.connection
        owner = dataset_id(con, dataset)
        for entry in entries:
            values = {name: entry.get(name) for name in _ENTRY_FIELDS}
            result = con.execute(insert(decisions).values(dataset_id=owner, created_at=created, **values))
            new_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
            stored.append(DecisionRecord(*con.execute(_entries().where(decisions.c.id == new_id)).one()))
    return stored


def read_decisions(workspace: Workspace, dataset: str, upto: int | None = None,
                   row_id: str | None = None) -> list[DecisionRecord]:
    """The dataset's ledger in order, up to and including entry ``upto`` (all when None), of one row if given.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    dataset : str
        The dataset's name.
    upto : int, optional
        The last entry to include.
    row_id : str, optional
        Only this row's entries.

    Returns
    -------
    list of DecisionRecord
        The entries by id; empty when the workspace does not exist yet or has no ledger.

    Raises
    ------
    NotFoundError
        When the workspace has no such dataset.
    """
    if not workspace.exists():
        return []
    query = _entries().order_by(decisions.c.id)
    if upto is not None:
        query = query.where(decisions.c.id <= upto)
    if row_id is not None:
        query = query.where(decisions.c.row_id == row_id)
    with workspace._read() as con:
        if not inspect(con).has_table(decisions.name):
            return []
        rows = con.execute(query.where(decisions.c.dataset_id == dataset_id(con, dataset))).all()
    return [DecisionRecord(*r) for r in rows]
