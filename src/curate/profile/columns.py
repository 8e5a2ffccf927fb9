"""Per-column facts of a table as read: kind, missing and non-finite cells, and the distribution of values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import DatasetError
from curate.ingest.numbers import parse_numeric_columns
from curate.profile.stats import Distribution, distribution

__all__ = ["ColumnProfile", "profile_column", "profile_columns"]

# How many of a column's most frequent values a profile lists.
TOP_VALUES = 5
# A listed value is cut to this many characters (a repeated text can be a whole article).
VALUE_CHARACTERS = 80
# Cells of a column read as text that spell a number which is not finite. "nan" is one of the
# missing markers ingest reads as NaN; written out in a numeric column it is counted as NaN, not missing.
_NAN_SPELLINGS = frozenset({"nan"})
_INFINITE_SPELLINGS = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


@dataclass(frozen=True)
class ColumnProfile:
    """What one column holds.

    Attributes
    ----------
    name : str
        The column's name.
    role : str
        What curate reads it as: ``label``, ``text``, ``input``, ``image``, ``id``, ``split``, or
        ``unused`` (read by no model).
    kind : str
        ``numeric`` (every filled cell a number), ``boolean``, ``text`` (the text the model reads),
        ``image``, ``categorical`` (anything else), or ``empty`` (no filled cell).
    count : int
        Cells (rows).
    missing : int
        Cells with no value: empty or null, and in a numeric column a missing marker (``NA``, ``-``, ...).
    nan : int
        In a numeric column, cells that hold NaN written out (``NaN``), which is not missing but not a number.
    infinite : int
        In a numeric column, cells that hold ``inf`` or ``-inf``.
    distinct : int
        Distinct filled values.
    numbers : Distribution or None
        The finite numbers' distribution, for a numeric column.
    top : list of tuple of (str, int)
        The most frequent filled values (at most 5, cut to 80 characters) and their counts, most
        frequent first; for columns that are not numeric.
    notes : list of str
        What else a person should know (a mostly numeric column with some other cells).
    """

    name: str
    role: str
    kind: str
    count: int
    missing: int
    nan: int = 0
    infinite: int = 0
    distinct: int = 0
    numbers: Distribution | None = None
    top: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The column's facts as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; ``numbers`` as a dict or None, ``top`` as ``[value, count]`` pairs.
        """
        return {"name": self.name, "role": self.role, "kind": self.kind, "count": self.count,
                "missing": self.missing, "nan": self.nan, "infinite": self.infinite, "distinct": self.distinct,
                "numbers": self.numbers.to_dict() if self.numbers is not None else None,
                "top": [[value, count] for value, count in self.top], "notes": list(self.notes)}


def _shown(value: object) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= VALUE_CHARACTERS else text[:VALUE_CHARACTERS - 1] + "…"


def _hashable_cells(series: pd.Series) -> pd.Series:
    """Cells that can be counted: lists and dicts (JSON records) by their text."""
    try:
        series.nunique()
        return series
    except TypeError:
        return series.map(lambda v: v if isinstance(v, str | bytes | int | float | bool) else repr(v))


def _top(filled: pd.Series) -> list[tuple[str, int]]:
    counts = _hashable_cells(filled).value_counts(sort=True)
    return [(_shown(value), int(n)) for value, n in counts.head(TOP_VALUES).items()]


def _missing_cells(series: pd.Series) -> np.ndarray:
    """Null cells, and text cells that are blank."""
    blank = np.array([isinstance(v, str) and not v.strip() for v in series], dtype=bool) \
        if series.dtype == object else np.zeros(len(series), dtype=bool)
    return series.isna().to_numpy() | blank


def _numeric(series: pd.Series, name: str, source: str) -> tuple[pd.Series | None, str | None]:
    """The column as floats when every filled cell is a number (the reading ingest gives input columns).

    Returns (numbers, None), or (None, a note) for a column that is mostly numbers with some other
    cells (which ingest refuses as a model input), or (None, None) for a column of other values.
    """
    if pd.api.types.is_bool_dtype(series):
        return None, None
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(np.float64), None
    try:
        parsed = parse_numeric_columns(series.to_frame(name), [name], source)[name]
    except DatasetError as exc:
        return None, str(exc).removeprefix(f"{source}: ")
    return (parsed.astype(np.float64), None) if pd.api.types.is_numeric_dtype(parsed) else (None, None)


def profile_column(series: pd.Series, *, role: str, source: str = "the data") -> ColumnProfile:
    """Profile one column: its kind, missing and non-finite cells, and its values.

    Parameters
    ----------
    series : pandas.Series
        The column as read (text cells as str, empty cells missing); its name is the column's.
    role : str
        What curate reads it as (see :attr:`ColumnProfile.role`); ``text`` and ``image`` columns
        get those kinds whatever their cells.
    source : str, default "the data"
        How to name the table in notes.

    Returns
    -------
    ColumnProfile
        The column's facts.

    Examples
    --------
    >>> import pandas as pd
    >>> column = profile_column(pd.Series(["1.5", "inf", None, "NaN"], name="score"), role="unused")
    >>> column.kind, column.missing, column.nan, column.infinite
    ('numeric', 1, 1, 1)
    """
    name = str(series.name)
    missing = _missing_cells(series)
    filled = series[~missing]
    numbers, note = (None, None) if role in ("text", "image") else _numeric(series, name, source)
    notes = [note] if note else []
    if filled.empty:
        return ColumnProfile(name, role, "empty", len(series), int(missing.sum()), notes=notes)
    if numbers is not None:
        spelled = filled.astype(str).str.strip().str.lower() if filled.dtype == object else None
        values = numbers[~missing].to_numpy()
        nan = int(spelled.isin(_NAN_SPELLINGS).sum()) if spelled is not None else 0
        # The other missing markers (NA, null, -, ...) read as NaN too: they are missing cells.
        marked = int(np.isnan(values).sum()) - nan
        finite = values[np.isfinite(values)]
        distinct = int(pd.unique(values[~np.isnan(values)]).size)
        return ColumnProfile(name, role, "numeric", len(series), int(missing.sum()) + marked, nan=nan,
                             infinite=int(np.isinf(values).sum()), distinct=distinct, numbers=distribution(finite),
                             notes=notes)
    kind = role if role in ("text", "image") else "boolean" if pd.api.types.is_bool_dtype(series) else "categorical"
    return ColumnProfile(name, role, kind, len(series), int(missing.sum()),
                         distinct=int(_hashable_cells(filled).nunique()), top=_top(filled), notes=notes)


def profile_columns(frame: pd.DataFrame, roles: Mapping[str, str], *, source: str = "the data") -> list[ColumnProfile]:
    """Profile every column of ``frame``, in its order.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    roles : mapping of str to str
        Each column's role (see :attr:`ColumnProfile.role`); a column not in it is ``unused``.
    source : str, default "the data"
        How to name the table in notes.

    Returns
    -------
    list of ColumnProfile
        One per column.
    """
    return [profile_column(frame[column], role=roles.get(str(column), "unused"), source=source)
            for column in frame.columns]
