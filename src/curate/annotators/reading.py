"""Annotations as a table of items by annotators, from the wide or the long layout of a file."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from curate.errors import ColumnError, InputError
from curate.ingest.labels import MISSING_LABEL_TEXTS

__all__ = ["guess_annotator_columns", "items_by_annotators", "label_text"]

# Slot columns as KLUE-NLI and similar sets name them: author, label2 .. label5, annotator_1, rater3, ...
_SLOT = re.compile(r"^(author|annotator[_ ]?\d+|rater[_ ]?\d+|label[_ ]?\d+|annotation[_ ]?\d+)$", re.IGNORECASE)


def guess_annotator_columns(frame: pd.DataFrame) -> list[str]:
    """The columns that look like one label per annotator slot (``author``, ``label2``, ``rater_3``, ...).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.

    Returns
    -------
    list of str
        Matching column names in table order; empty when fewer than two match.
    """
    found = [str(c) for c in frame.columns if _SLOT.match(str(c).strip())]
    return found if len(found) >= 2 else []


def label_text(value: object, *, column: str = "label", source: str = "the data") -> str | None:
    """One label cell as text, or None when it is missing.

    Missing: None, NaN, an empty text and the texts ``None``, ``NaN``, ``NA``, ``N/A``, ``null`` (any
    case; :data:`curate.ingest.labels.MISSING_LABEL_TEXTS`, as an audit reads them). A whole number
    read as a float is written as an integer (``1.0`` is ``1``), so one class is one text whichever
    way its column was read.

    Parameters
    ----------
    value : object
        The cell.
    column : str, default "label"
        Its column, for messages.
    source : str, default "the data"
        The file's name, for messages.

    Returns
    -------
    str or None
        The label text, stripped; None when missing.

    Raises
    ------
    InputError
        When the cell holds a list (multi-label data), which is not supported.
    """
    if value is None:
        return None
    if isinstance(value, list | tuple | set | np.ndarray) or _looks_like_list(value):
        raise InputError(f"{source}: the label column {column!r} holds lists (e.g. {_shown(value)}): multi-label "
                         "data is not supported yet; give one label per row")
    if isinstance(value, float | np.floating):
        if value != value:
            return None
        if float(value).is_integer():
            return str(int(value))
    text = str(value).strip()
    return None if text == "" or text == "None" or text.lower() in MISSING_LABEL_TEXTS else text


def _looks_like_list(value: object) -> bool:
    if not isinstance(value, str) or not (value.strip().startswith("[") and value.strip().endswith("]")):
        return False
    try:
        return isinstance(json.loads(value.replace("'", '"')), list)
    except ValueError:
        return False


def _shown(value: object) -> str:
    return repr(list(value)) if isinstance(value, tuple | set | np.ndarray) else repr(value)


def items_by_annotators(frame: pd.DataFrame, *, annotators: Sequence[str] = (), item: str | None = None,
                        annotator: str | None = None, label: str | None = None, source: str = "the data",
                        ) -> pd.DataFrame:
    """One row per item, one column per annotator (wide) or per annotator named in the file (long).

    Wide: ``annotators`` names the label columns (guessed from their names when empty). Long: each
    row is one label, with the ``item``, ``annotator`` and ``label`` columns named; an annotator's
    second label of one item replaces the first, and the result's ``attrs["duplicate_note"]`` then
    says how many were replaced, naming the first. Cells are read by :func:`label_text` (missing
    texts, whole numbers, lists refused).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    annotators : sequence of str, default ()
        Wide layout: the annotator columns.
    item, annotator, label : str, optional
        Long layout: the item id, annotator and label columns (all three together).
    source : str, default "the data"
        The file's name, for messages.

    Returns
    -------
    pandas.DataFrame
        Labels as text (None where missing), indexed by item (position for the wide layout).

    Raises
    ------
    InputError
        When a label cell holds a list (multi-label data).
    ColumnError
        When a named column is missing or named twice, only some of the long layout's columns are named, or no
        annotator columns can be found.
    """
    columns = [str(c) for c in frame.columns]
    long_named = [c for c in (item, annotator, label) if c is not None]
    if long_named and len(long_named) != 3:
        raise ColumnError(f"{source}: the long layout needs --item, --annotator and --label together")
    for name in [*long_named, *annotators]:
        if name not in columns:
            raise ColumnError(f"{source}: no column {name!r} (columns: {', '.join(columns)})")
    if long_named:
        rows = frame[[item, annotator, label]].astype(object)
        repeated = rows.duplicated([item, annotator], keep="last")
        table = rows[~repeated].pivot(index=item, columns=annotator,
                                                                            values=label)
    else:
        chosen = list(annotators) or guess_annotator_columns(frame)
        if len(chosen) < 2:
            raise ColumnError(f"{source}: name at least two annotator columns with --annotators (columns: "
                              f"{', '.join(columns)}), or the long layout with --item, --annotator and --label")
        twice = sorted({c for c in chosen if chosen.count(c) > 1})
        if twice:
            raise ColumnError(f"{source}: name each annotator column once ({', '.join(map(repr, twice))} given twice)")
        table = frame[chosen].astype(object)
    found = pd.DataFrame({name: [label_text(v, column=str(name), source=source) for v in table[name]]
                          for name in table.columns}, index=table.index, columns=table.columns)
    if long_named and repeated.any():
        first = rows[repeated].iloc[0]
        found.attrs["duplicate_note"] = (
            f"{source}: {int(repeated.sum()):,} repeated labels of one annotator on one item were replaced by "
            f"their last (first: annotator {first.iloc[1]!r} on item {first.iloc[0]!r})")
    return found
