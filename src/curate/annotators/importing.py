"""Import a file of items and the labels several annotators gave them into the ledger, for annotation mode.

Wide layout: one row per item, one column per annotator slot (KLUE's ``author``, ``label2`` ..
``label5``); each slot's labels go into the ledger under the slot's name. A cell may hold a JSON
list of labels (``["a", "b"]``): its labels become slots ``COLUMN#1``, ``COLUMN#2``, ... Long
layout: one row per label, with item, annotator and label columns; the annotators' own names are
kept. A row without any label is an unlabelled item, waiting for annotators.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from curate.annotators.reading import guess_annotator_columns
from curate.errors import ColumnError, InputError
from curate.store import Workspace
from curate.store.annotations import import_annotations, imported_already

__all__ = ["AnnotationFile", "ImportSummary", "import_annotation_file", "read_annotation_file"]


@dataclass(frozen=True)
class AnnotationFile:
    """Items and labels read from a file, ready to store.

    Attributes
    ----------
    items : pandas.DataFrame
        ``row_id``, ``fields`` (JSON object text: column to text) and ``content_hash``, in file order.
    labels : list of (int, str, str)
        ``(position, annotator, label)`` per label.
    classes : list of str
        The classes: ``--labels`` when given, else every label found, sorted.
    annotators : list of str
        The annotators or slots, in the order first seen.
    """

    items: pd.DataFrame
    labels: list[tuple[int, str, str]]
    classes: list[str]
    annotators: list[str]


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored.

    Attributes
    ----------
    dataset : str
        The new dataset's name.
    items : int
        Items stored.
    labelled : int
        Items with at least one label.
    labels : int
        Ledger entries written.
    annotators : list of str
        The annotators or slots the labels were recorded under.
    classes : list of str
        The classes.
    already : bool, default False
        True when the workspace held this file's items and labels already: nothing was written.
    """

    dataset: str
    items: int
    labelled: int
    labels: int
    annotators: list[str]
    classes: list[str]
    already: bool = False


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip() in ("", "nan", "None")


def _where(frame: pd.DataFrame, index: int) -> str:
    lines = frame.attrs.get("source_lines")
    return f"line {lines[index]}" if lines is not None and index < len(lines) else f"record {index + 1}"


def _cell_labels(value: Any, source: str, column: str, where: str) -> tuple[list[str | None], bool]:
    """A cell's labels (None for a missing one), and whether the cell held a list of several."""
    if _missing(value):
        return [None], False
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InputError(f"{source}: {where}, column {column!r}: {value!r} starts like a JSON list but is not "
                             "one; write it as [\"a\", \"b\"] or as a single label") from None
    if isinstance(value, list | tuple):
        out: list[str | None] = []
        for v in value:
            if isinstance(v, list | dict):
                raise InputError(f"{source}: {where}, column {column!r}: a list of labels may not nest further")
            out.append(None if _missing(v) else str(v).strip())
        return out, True
    if isinstance(value, dict):
        raise InputError(f"{source}: {where}, column {column!r}: a label must be text or a list, not an object")
    return [str(value).strip()], False


def _fields(frame: pd.DataFrame, text: Sequence[str], index: int, source: str) -> str:
    values = {}
    for column in text:
        value = frame[column].iat[index]
        if _missing(value):
            raise InputError(f"{source}: {_where(frame, index)}, column {column!r}: no text; every item needs "
                             "its text (drop the row or fill it in)")
        values[column] = str(value)
    return json.dumps(values, ensure_ascii=False, sort_keys=False)


def _hash(fields: str) -> str:
    return hashlib.blake2b(fields.encode("utf-8"), digest_size=16).hexdigest()


def _check_columns(frame: pd.DataFrame, names: Sequence[str], source: str) -> None:
    columns = [str(c) for c in frame.columns]
    for name in names:
        if name not in columns:
            raise ColumnError(f"{source}: no column {name!r} (columns: {', '.join(columns)})")


def read_annotation_file(frame: pd.DataFrame, *, text: Sequence[str], id_column: str | None = None,
                         annotators: Sequence[str] = (), item: str | None = None, annotator: str | None = None,
                         label: str | None = None, classes: Sequence[str] = (), source: str = "the data",
                         ) -> AnnotationFile:
    """Items and labels from a table in the wide or the long layout.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read (``frame.attrs["source_lines"]`` names lines in messages when present).
    text : sequence of str
        The input column(s) shown to annotators.
    id_column : str, optional
        Wide layout: the item id column (ids must be unique); the row's position when None.
    annotators : sequence of str, default ()
        Wide layout: the annotator slot columns; guessed from their names when empty (none found:
        the items are imported unlabelled).
    item, annotator, label : str, optional
        Long layout: the item id, annotator and label columns, all three together.
    classes : sequence of str, default ()
        The classes; every label must be one. When empty, the labels found, sorted.
    source : str, default "the data"
        The file's name, for messages.

    Returns
    -------
    AnnotationFile
        The items, the labels and the classes.

    Raises
    ------
    ColumnError
        When a named column is missing or the long layout is named only in part.
    InputError
        When an item has no text, ids repeat, a label is not one of ``classes``, or there are no
        classes at all.
    """
    if not text:
        raise ColumnError(f"{source}: name the text column(s) with --text")
    long_named = [c for c in (item, annotator, label) if c is not None]
    if long_named and len(long_named) != 3:
        raise ColumnError(f"{source}: the long layout needs --item, --annotator and --label together")
    _check_columns(frame, [*text, *long_named, *annotators, *([id_column] if id_column else [])], source)
    found: list[tuple[int, str, str]] = []
    where: list[str] = []
    if long_named:
        assert item is not None and annotator is not None and label is not None
        positions: dict[str, int] = {}
        row_ids: list[str] = []
        fields: list[str] = []
        latest: dict[tuple[int, str], tuple[str, str]] = {}
        for i in range(len(frame)):
            key = frame[item].iat[i]
            if _missing(key):
                raise InputError(f"{source}: {_where(frame, i)}, column {item!r}: no item id")
            row_id = str(key).strip()
            if row_id not in positions:
                positions[row_id] = len(row_ids)
                row_ids.append(row_id)
                fields.append(_fields(frame, text, i, source))
            given = frame[label].iat[i]
            if _missing(given):
                continue
            who = frame[annotator].iat[i]
            if _missing(who):
                raise InputError(f"{source}: {_where(frame, i)}, column {annotator!r}: a label without an annotator")
            # an annotator's second label of one item replaces the first, as items_by_annotators reads it
            latest[(positions[row_id], str(who).strip())] = (str(given).strip(), _where(frame, i))
        found = [(p, who, value) for (p, who), (value, _) in latest.items()]
        where = [w for _, w in latest.values()]
        label_column = label
    else:
        slots = list(annotators) or guess_annotator_columns(frame)
        if id_column:
            ids = frame[id_column]
            if any(_missing(v) for v in ids):
                first = next(i for i, v in enumerate(ids) if _missing(v))
                raise InputError(f"{source}: {_where(frame, first)}, column {id_column!r}: no id")
            row_ids = [str(v).strip() for v in ids]
            first_seen: dict[str, int] = {}
            for i, row_id in enumerate(row_ids):
                if row_id in first_seen:
                    raise InputError(f"{source}: {_where(frame, i)}, column {id_column!r}: the id {row_id!r} repeats "
                                     f"that of {_where(frame, first_seen[row_id])}; ids must be unique")
                first_seen[row_id] = i
        else:
            row_ids = [str(i) for i in range(len(frame))]
        fields = [_fields(frame, text, i, source) for i in range(len(frame))]
        for i in range(len(frame)):
            for column in slots:
                values, nested = _cell_labels(frame[column].iat[i], source, column, _where(frame, i))
                for k, value in enumerate(values):
                    if value is not None:
                        found.append((i, f"{column}#{k + 1}" if nested else column, value))
                        where.append(f"{_where(frame, i)}, column {column!r}")
        label_column = None
    chosen = [c.strip() for c in classes if c.strip()]
    if chosen:
        allowed = set(chosen)
        for (_, _, value), place in zip(found, where, strict=True):
            if value not in allowed:
                column = f", column {label_column!r}" if label_column else ""
                raise InputError(f"{source}: {place}{column}: label {value!r} is not one of --labels "
                                 f"({', '.join(chosen)}); add it to --labels or correct the file")
    else:
        chosen = sorted({value for _, _, value in found})
        if not chosen:
            raise InputError(f"{source}: no labels found to take the classes from; pass --labels CLASS,CLASS,...")
    items = pd.DataFrame({"row_id": row_ids, "fields": fields, "content_hash": [_hash(f) for f in fields]})
    names = list(dict.fromkeys(who for _, who, _ in found))
    return AnnotationFile(items, found, chosen, names)


def import_annotation_file(workspace: Workspace, path: Path, *, text: Sequence[str], name: str | None = None,
                           id_column: str | None = None, annotators: Sequence[str] = (), item: str | None = None,
                           annotator: str | None = None, label: str | None = None, classes: Sequence[str] = (),
                           per_item: int = 3, guidelines: str = "", encoding: str | None = None,
                           imported_by: str = "import") -> ImportSummary:
    """Read ``path`` and store its items and labels as a new annotation dataset, all in one transaction.

    Parameters
    ----------
    workspace : Workspace
        The workspace; left exactly as it was when anything fails.
    path : pathlib.Path
        A CSV/TSV/JSON/JSONL/Parquet/Excel file.
    text : sequence of str
        The input column(s).
    name : str, optional
        The dataset's name; the file's stem when None.
    id_column : str, optional
        Wide layout: the item id column.
    annotators : sequence of str, default ()
        Wide layout: the annotator slot columns (guessed when empty).
    item, annotator, label : str, optional
        Long layout: the item, annotator and label columns.
    classes : sequence of str, default ()
        The classes (``--labels``); the labels found when empty.
    per_item : int, default 3
        Annotators per item (K).
    guidelines : str, default ""
        The first guidelines.
    encoding : str, optional
        Force the file's text encoding.
    imported_by : str, default "import"
        Recorded with the first settings.

    Returns
    -------
    ImportSummary
        What was stored.

    Raises
    ------
    InputError
        When the file or the options are unusable (see :func:`read_annotation_file`), or a
        dataset of that name exists with other items or imported labels (the same file
        imported again is a no-op: ``already``).
    """
    from curate.ingest.readers import read_table

    frame = read_table(path, encoding=encoding).frame
    read = read_annotation_file(frame, text=text, id_column=id_column, annotators=annotators, item=item,
                                annotator=annotator, label=label, classes=classes, source=path.name)
    dataset, reason = name or path.stem, f"imported from {path.name}"
    labelled = len({p for p, _, _ in read.labels})
    if imported_already(workspace, dataset, read.items, read.labels, reason):
        return ImportSummary(dataset, len(read.items), labelled, len(read.labels), read.annotators, read.classes,
                             already=True)
    written = import_annotations(workspace, dataset, read.items, read.labels, classes=read.classes,
                                 per_item=per_item, guidelines=guidelines, reason=reason, imported_by=imported_by)
    return ImportSummary(dataset, len(read.items), labelled, written, read.annotators, read.classes)
