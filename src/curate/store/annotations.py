"""SQL of annotation mode: the items of annotation datasets, their settings, the labels given.

Every label is a ledger entry (``decisions``, action ``annotate``, field ``label``, ``new_value`` the
label, ``reviewer`` the account or, for imports, the annotator slot); a skip is action ``skip``.
Nothing here updates or deletes a ledger entry or a settings row. Accounts are in
:mod:`curate.store.accounts`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from curate.errors import ConflictError, InputError, NotFoundError
from curate.store import database
from curate.store.decisions import DecisionRecord, _entries, dataset_id
from curate.store.schema import annotation_items, annotation_settings, datasets, decisions
from curate.store.workspace import Workspace

__all__ = [
    "ANNOTATE",
    "SettingsRecord",
    "annotation_datasets",
    "annotation_version",
    "append_annotation",
    "append_settings",
    "import_annotations",
    "imported_already",
    "items_of",
    "settings_history",
]

ANNOTATE = "annotate"


def _now(milliseconds: bool = False) -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds" if milliseconds else "seconds")


@dataclass(frozen=True)
class SettingsRecord:
    """One appended version of a dataset's annotation settings; the newest is in force.

    Attributes
    ----------
    id : int
        The row's number; later rows have larger ones.
    per_item : int
        How many annotators label each item (K).
    guidelines : str
        The guidelines, plain text or Markdown, shown escaped.
    classes : list of str
        The classes annotators choose from, in button order.
    changed_by : str
        Who saved this version.
    created_at : str
        When, ISO 8601 in UTC.
    """

    id: int
    per_item: int
    guidelines: str
    classes: list[str]
    changed_by: str
    created_at: str


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None and key[0] is not None, "an insert returned no id"
    return int(key[0])


def _settings(row: Any) -> SettingsRecord:
    return SettingsRecord(row.id, row.per_item, row.guidelines, json.loads(row.classes), row.changed_by,
                          row.created_at)


def _newest_settings(con: Connection, ds_id: int) -> SettingsRecord | None:
    row = con.execute(select(annotation_settings).where(annotation_settings.c.dataset_id == ds_id)
                      .order_by(annotation_settings.c.id.desc()).limit(1)).first()
    return None if row is None else _settings(row)


def _check_settings(per_item: int, classes: Sequence[str]) -> None:
    if not 1 <= per_item <= 100:
        raise InputError(f"annotators per item must be between 1 and 100, not {per_item}")
    if not classes:
        raise InputError("an annotation dataset needs classes: pass --labels CLASS,CLASS,...")
    if len(set(classes)) != len(classes):
        raise InputError(f"the classes repeat a name: {', '.join(classes)}")


def append_settings(workspace: Workspace, dataset: str, *, per_item: int | None = None,
                    guidelines: str | None = None, changed_by: str) -> SettingsRecord:
    """Append a new version of the dataset's settings; what is not given stays as it was.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str
        The annotation dataset's name.
    per_item : int, optional
        Annotators per item (K), 1-100.
    guidelines : str, optional
        The new guidelines text.
    changed_by : str
        Who changes them.

    Returns
    -------
    SettingsRecord
        The settings now in force.

    Raises
    ------
    NotFoundError
        When the dataset does not exist or was not imported for annotation.
    InputError
        When ``per_item`` is out of range.
    """
    with workspace.transaction() as txn:
        con = txn.connection
        ds_id = dataset_id(con, dataset)
        now = _newest_settings(con, ds_id)
        if now is None:
            raise NotFoundError(f"{dataset!r} was not imported for annotation; run 'curate annotate import' first")
        k = now.per_item if per_item is None else per_item
        _check_settings(k, now.classes)
        con.execute(insert(annotation_settings).values(
            dataset_id=ds_id, per_item=k, guidelines=now.guidelines if guidelines is None else guidelines,
            classes=json.dumps(now.classes, ensure_ascii=False), changed_by=changed_by, created_at=_now()))
        new = _newest_settings(con, ds_id)
    assert new is not None
    return new


def settings_history(workspace: Workspace, dataset: str) -> list[SettingsRecord]:
    """Every version of the dataset's settings, oldest first; the last is in force.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    dataset : str
        The annotation dataset's name.

    Returns
    -------
    list of SettingsRecord
        Empty when the dataset was not imported for annotation.

    Raises
    ------
    NotFoundError
        When there is no such dataset.
    """
    with workspace._read() as con:
        ds_id = dataset_id(con, dataset)
        rows = con.execute(select(annotation_settings).where(annotation_settings.c.dataset_id == ds_id)
                           .order_by(annotation_settings.c.id)).all()
    return [_settings(r) for r in rows]


def annotation_datasets(workspace: Workspace) -> list[str]:
    """The names of the datasets imported for annotation, oldest first.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.

    Returns
    -------
    list of str
        Empty when there are none or no workspace yet.
    """
    if not workspace.exists():
        return []
    with workspace._read() as con:
        query = (select(datasets.c.name).where(datasets.c.id.in_(select(annotation_settings.c.dataset_id)))
                 .order_by(datasets.c.id))
        return [str(n) for n in con.execute(query).scalars()]


def import_annotations(workspace: Workspace, dataset: str, items: pd.DataFrame, labels: Sequence[tuple[int, str, str]],
                       *, classes: Sequence[str], per_item: int, guidelines: str, reason: str,
                       imported_by: str) -> int:
    """Store a new annotation dataset, its first settings and its imported labels in one transaction.

    Parameters
    ----------
    workspace : Workspace
        The workspace; created if it does not exist yet (and removed again if this fails).
    dataset : str
        The new dataset's name; it must not exist yet.
    items : pandas.DataFrame
        One row per item: ``row_id`` (str), ``fields`` (JSON object text), ``content_hash``; the
        position is the row's order.
    labels : sequence of (int, str, str)
        ``(position, annotator, label)`` per imported label, in ledger order.
    classes : sequence of str
        The classes annotators choose from.
    per_item : int
        Annotators per item (K).
    guidelines : str
        The first guidelines text (may be empty).
    reason : str
        The reason recorded with each imported label, e.g. ``imported from dev.json``.
    imported_by : str
        Who imported, recorded with the first settings.

    Returns
    -------
    int
        The number of ledger entries written.

    Raises
    ------
    InputError
        When the dataset exists already, or the settings are not valid.
    """
    _check_settings(per_item, classes)
    with workspace.transaction() as txn:
        con = txn.connection
        if con.execute(select(datasets.c.id).where(datasets.c.name == dataset)).first() is not None:
            raise InputError(f"the workspace has a dataset {dataset!r} already, with other items or labels; "
                             "pass another --name")
        created = _now()
        ds_id = _new_id(con.execute(insert(datasets).values(name=dataset, created_at=created)))
        database.insert_many(con, annotation_items, ["dataset_id", "position", "row_id", "fields", "content_hash"],
                             [(ds_id, i, r, f, h) for i, (r, f, h) in enumerate(
                                 zip(items["row_id"], items["fields"], items["content_hash"], strict=True))])
        con.execute(insert(annotation_settings).values(
            dataset_id=ds_id, per_item=per_item, guidelines=guidelines,
            classes=json.dumps(list(classes), ensure_ascii=False), changed_by=imported_by, created_at=created))
        row_ids, hashes = items["row_id"].tolist(), items["content_hash"].tolist()
        stamp = _now(milliseconds=True)
        database.insert_many(
            con, decisions, ["dataset_id", "row_id", "input_hash", "action", "field", "new_value", "reviewer",
                             "created_at", "reason"],
            [(ds_id, row_ids[p], hashes[p], ANNOTATE, "label", label, who, stamp, reason) for p, who, label in labels])
    return len(labels)


def imported_already(workspace: Workspace, dataset: str, items: pd.DataFrame,
                     labels: Sequence[tuple[int, str, str]], reason: str) -> bool:
    """Whether ``dataset`` holds exactly these items and, imported with ``reason``, exactly these labels.

    Importing the same file twice is then a no-op, as ``curate import`` is for an audited file;
    labels people gave since in the app do not count against it.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    dataset : str
        The annotation dataset's name.
    items : pandas.DataFrame
        The file's items (``row_id``, ``content_hash``), in position order.
    labels : sequence of (int, str, str)
        The file's labels: item position, annotator, label.
    reason : str
        The reason the import records with each label (``imported from FILE``).

    Returns
    -------
    bool
        False when there is no such dataset, or it differs in any item or imported label.
    """
    if not workspace.exists():
        return False
    try:
        stored = items_of(workspace, dataset)
    except NotFoundError:
        return False
    if (stored["row_id"].tolist() != items["row_id"].tolist()
            or stored["content_hash"].tolist() != items["content_hash"].tolist()):
        return False
    t = decisions
    with workspace._read() as con:
        ds_id = dataset_id(con, dataset)
        rows = con.execute(select(t.c.row_id, t.c.reviewer, t.c.new_value)
                           .where(t.c.dataset_id == ds_id, t.c.action == ANNOTATE, t.c.reason == reason)).all()
    row_ids = items["row_id"].tolist()
    return sorted((str(r), str(w), str(v)) for r, w, v in rows) == sorted(
        (str(row_ids[p]), str(who), str(value)) for p, who, value in labels)


def items_of(workspace: Workspace, dataset: str) -> pd.DataFrame:
    """The items of an annotation dataset in position order.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    dataset : str
        The annotation dataset's name.

    Returns
    -------
    pandas.DataFrame
        Columns ``position``, ``row_id``, ``fields`` (JSON text), ``content_hash``.

    Raises
    ------
    NotFoundError
        When there is no such dataset.
    """
    t = annotation_items
    with workspace._read() as con:
        ds_id = dataset_id(con, dataset)
        rows = con.execute(select(t.c.position, t.c.row_id, t.c.fields, t.c.content_hash)
                           .where(t.c.dataset_id == ds_id).order_by(t.c.position)).all()
    return pd.DataFrame(rows, columns=["position", "row_id", "fields", "content_hash"])


def append_annotation(workspace: Workspace, dataset: str, *, row_id: str, annotator: str, action: str,
                      label: str | None = None) -> DecisionRecord:
    """Record one annotator's label (``annotate``) or skip of an item, checked inside the write.

    The checks run in the same transaction as the insert, so two annotators who label the last
    open place of an item at once cannot both get it.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str
        The annotation dataset's name.
    row_id : str
        The item.
    annotator : str
        The account name.
    action : {"annotate", "skip"}
        Label the item, or pass it by.
    label : str, optional
        The label, one of the dataset's classes (for ``annotate``).

    Returns
    -------
    DecisionRecord
        The ledger entry.

    Raises
    ------
    InputError
        When the label is not one of the classes or the action is unknown.
    ConflictError
        When this annotator labelled or skipped the item before, or it has K labels already.
    NotFoundError
        When there is no such dataset or item.
    """
    if action not in (ANNOTATE, "skip"):
        raise InputError(f"action must be annotate or skip, not {action!r}")
    with workspace.transaction() as txn:
        con = txn.connection
        ds_id = dataset_id(con, dataset)
        settings = _newest_settings(con, ds_id)
        if settings is None:
            raise NotFoundError(f"{dataset!r} was not imported for annotation")
        item = con.execute(select(annotation_items.c.content_hash).where(
            annotation_items.c.dataset_id == ds_id, annotation_items.c.row_id == row_id)).first()
        if item is None:
            raise NotFoundError(f"{dataset!r} has no item {row_id!r}")
        if action == ANNOTATE and label not in settings.classes:
            raise InputError(f"{label!r} is not one of the classes: {', '.join(settings.classes)}")
        given = con.execute(select(decisions.c.reviewer, decisions.c.action).where(
            decisions.c.dataset_id == ds_id, decisions.c.row_id == row_id,
            decisions.c.action.in_((ANNOTATE, "skip")))).all()
        if any(r.reviewer == annotator for r in given):
            raise ConflictError(f"{annotator!r} has labelled or skipped item {row_id!r} already")
        if action == ANNOTATE and len({r.reviewer for r in given if r.action == ANNOTATE}) >= settings.per_item:
            raise ConflictError(f"item {row_id!r} has its {settings.per_item} labels already; take the next one")
        result = con.execute(insert(decisions).values(
            dataset_id=ds_id, row_id=row_id, input_hash=item.content_hash, action=action,
            field="label" if action == ANNOTATE else "row", new_value=label if action == ANNOTATE else "skipped",
            reviewer=annotator, created_at=_now(milliseconds=True)))
        row = con.execute(_entries().where(decisions.c.id == _new_id(result))).one()
    return DecisionRecord(*tuple(row))



def annotation_version(workspace: Workspace, dataset: str) -> tuple[int, int]:
    """The newest ledger entry id and settings id of a dataset: a key that changes with every write.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    dataset : str
        The annotation dataset's name.

    Returns
    -------
    tuple of int
        ``(newest entry id, newest settings id)``, 0 where there is none.

    Raises
    ------
    NotFoundError
        When there is no such dataset.
    """
    with workspace._read() as con:
        ds_id = dataset_id(con, dataset)
        entry = con.execute(select(func.max(decisions.c.id)).where(decisions.c.dataset_id == ds_id)).scalar()
        setting = con.execute(select(func.max(annotation_settings.c.id))
                              .where(annotation_settings.c.dataset_id == ds_id)).scalar()
    return int(entry or 0), int(setting or 0)
