"""Cells that are not plain values (lists, dicts, sets, arrays, custom objects) made plain, column by column.

Parquet stores plain values, and exact-copy keys and column statistics hash every cell: one set or
custom object in a column would otherwise end an audit in a raw ``TypeError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from curate.errors import DatasetError

__all__ = ["convert_cells", "nested_text"]


def nested_text(value: object) -> str | None:
    """A nested cell as JSON text: dicts, lists, tuples and arrays as they are, sets sorted.

    Parameters
    ----------
    value : object
        A cell.

    Returns
    -------
    str or None
        The JSON text (items that JSON cannot hold as their ``str``; the whole value's ``str`` when
        JSON cannot hold it at all, e.g. a dict keyed by tuples); None for a cell that is not nested.

    Examples
    --------
    >>> nested_text({3, 1, 2}), nested_text({"k": [1, 2]}), nested_text("text")
    ('[1, 2, 3]', '{"k": [1, 2]}', None)
    """
    if isinstance(value, set | frozenset):
        value = _sorted_items(value)
    if not isinstance(value, dict | list | tuple | np.ndarray):
        return None
    try:
        return json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):  # keys that are not text, a list that holds itself
        return str(value)


def convert_cells(series: pd.Series, convert: Callable[[object], object], *, source: str) -> pd.Series:
    """``series`` with ``convert`` applied to each cell, or one error naming the column.

    Parameters
    ----------
    series : pandas.Series
        A column; its name is the column's name.
    convert : callable
        Makes one cell plain.
    source : str
        How to name the table in the error message.

    Returns
    -------
    pandas.Series
        The converted cells, object dtype, same index.

    Raises
    ------
    DatasetError
        When ``convert`` fails on a cell (a custom object whose ``str`` raises, say): the message
        names the column, the cell's row and type.
    """
    out = []
    for row, value in enumerate(series):
        try:
            out.append(convert(value))
        except Exception as exc:  # any failure of the user's object: one message that names the column
            raise DatasetError(
                f"{source}: column {series.name!r} holds a {type(value).__name__} at row {row} that curate cannot "
                f"read as text ({type(exc).__name__}: {exc}); convert the column to text or numbers"
            ) from exc
    return pd.Series(out, index=series.index, dtype=object, name=series.name)


def _sorted_items(items: set | frozenset) -> list:
    """A set's items in a stable order, so that equal sets give the same text."""
    try:
        return sorted(items)
    except TypeError:  # items of types that do not compare
        return sorted(items, key=lambda v: (type(v).__name__, repr(v)))
