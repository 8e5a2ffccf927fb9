"""Annotations as a table of items by annotators, from the wide or the long layout of a file."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from curate.errors import ColumnError

__all__ = ["guess_annotator_columns", "items_by_annotators"]

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


def items_by_annotators(frame: pd.DataFrame, *, annotators: Sequence[str] = (), item: str | None = None,
                        annotator: str | None = None, label: str | None = None, source: str = "the data",
                        ) -> pd.DataFrame:
    """One row per item, one column per annotator (wide) or per annotator named in the file (long).

    Wide: ``annotators`` names the label columns (guessed from their names when empty). Long: each
    row is one label, with the ``item``, ``annotator`` and ``label`` columns named; an annotator's
    second label of one item replaces the first, and the result's ``attrs["duplicate_note"]`` then
    says how many were replaced, naming the first. Empty cells and the texts ``""``, ``nan``,
    ``None`` are missing labels.

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
    text = table.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v).strip())
    found = text.map(lambda v: None if v in ("", "nan", "None") else v)
    if long_named and repeated.any():
        first = rows[repeated].iloc[0]
        found.attrs["duplicate_note"] = (
            f"{source}: {int(repeated.sum()):,} repeated labels of one annotator on one item were replaced by "
            f"their last (first: annotator {first.iloc[1]!r} on item {first.iloc[0]!r})")
    return found
