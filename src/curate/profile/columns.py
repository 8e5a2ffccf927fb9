"""Per-column facts of a table as read: kind, missing and non-finite cells, and the distribution of values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import DatasetError
from curate.ingest.numbers import parse_numeric_columns
from curate.modalities.image_decode import image_kind
from curate.profile.stats import Distribution, distribution

__all__ = ["BinaryCells", "ColumnProfile", "byte_size", "profile_column", "profile_columns"]

# How many of a column's most frequent values a profile lists.
TOP_VALUES = 5
# A listed value is cut to this many characters (a repeated text can be a whole article).
VALUE_CHARACTERS = 80
# Cells of a column read as text that spell a number which is not finite. "nan" is one of the
# missing markers ingest reads as NaN; written out in a numeric column it is counted as NaN, not missing.
_NAN_SPELLINGS = frozenset({"nan"})
_INFINITE_SPELLINGS = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


def byte_size(size: float) -> str:
    """A size in bytes for people, in powers of 1024.

    Parameters
    ----------
    size : float
        Bytes.

    Returns
    -------
    str
        Whole bytes below 1 KiB, else KiB, MiB or GiB to one decimal.

    Examples
    --------
    >>> byte_size(273), byte_size(1234), byte_size(5 * 1024**3)
    ('273 B', '1.2 KiB', '5.0 GiB')
    """
    if size < 1024:
        return f"{size:.0f} B"
    for unit in ("KiB", "MiB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GiB"


@dataclass(frozen=True)
class BinaryCells:
    """A column's cells of bytes, summarised instead of listed (bytes printed as text are garbage).

    Attributes
    ----------
    cells : int
        Cells that hold bytes.
    what : str
        What the bytes are: ``image bytes (PNG)`` (or another format) when they are pictures,
        else ``binary``.
    sizes : Distribution
        Their sizes in bytes.
    """

    cells: int
    what: str
    sizes: Distribution

    def describe(self) -> str:
        """The cells in a few words, for a table of columns.

        Returns
        -------
        str
            What they are and their median size, e.g. ``image bytes (PNG), median 273 B``.
        """
        return f"{self.what}, median {byte_size(self.sizes.median)}"

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values.

        Returns
        -------
        dict
            ``cells``, ``what`` and ``sizes`` (a dict).
        """
        return {"cells": self.cells, "what": self.what, "sizes": self.sizes.to_dict()}


def _bytes_of(value: object) -> bytes | None:
    """A cell's bytes: bytes-like cells, and the bytes of a Hugging Face image struct; None for others."""
    if isinstance(value, dict):
        value = value.get("bytes")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _binary_cells(filled: pd.Series) -> tuple[BinaryCells | None, pd.Series]:
    """The filled cells that hold bytes, summarised, and the other filled cells."""
    blobs = [_bytes_of(v) for v in filled]
    found = [b for b in blobs if b is not None]
    if not found:
        return None, filled
    sizes = distribution(np.array([len(b) for b in found], dtype=np.float64))
    assert sizes is not None  # lengths are finite, and there is one at least
    summary = BinaryCells(len(found), image_kind(pd.Series(found)) or "binary", sizes)
    return summary, filled[np.array([b is None for b in blobs], dtype=bool)]


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
        ``image``, ``binary`` (every filled cell bytes), ``categorical`` (anything else), or
        ``empty`` (no filled cell).
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
        frequent first; for columns that are not numeric. Cells of bytes are never listed.
    binary : BinaryCells or None
        The cells that hold bytes (encoded pictures, blobs), summarised; None when there are none.
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
    binary: BinaryCells | None = None

    def to_dict(self) -> dict[str, Any]:
        """The column's facts as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; ``numbers`` and ``binary`` as dicts or None, ``top`` as
            ``[value, count]`` pairs.
        """
        return {"name": self.name, "role": self.role, "kind": self.kind, "count": self.count,
                "missing": self.missing, "nan": self.nan, "infinite": self.infinite, "distinct": self.distinct,
                "numbers": self.numbers.to_dict() if self.numbers is not None else None,
                "top": [[value, count] for value, count in self.top], "notes": list(self.notes),
                "binary": self.binary.to_dict() if self.binary is not None else None}

    def values_summary(self) -> str | None:
        """The column's values in a few words where listing them would not do: its cells of bytes.

        Returns
        -------
        str or None
            :meth:`BinaryCells.describe`, with the most frequent other values after it; None for a
            column without bytes (its numbers or top values say it).
        """
        if self.binary is None:
            return None
        others = ", ".join(f"{value} ({count:,})" for value, count in self.top[:3])
        return self.binary.describe() + (f"; also {others}" if others else "")


def _shown(value: object) -> str:
    text = str(value)  # never bytes: those are summarised (BinaryCells)
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
    binary, others = _binary_cells(filled)
    numbers, note = (None, None) if role in ("text", "image") or binary is not None else _numeric(series, name,
                                                                                                     source)
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
    kind = role if role in ("text", "image") else "boolean" if pd.api.types.is_bool_dtype(series) \
        else "binary" if others.empty else "categorical"
    return ColumnProfile(name, role, kind, len(series), int(missing.sum()),
                         distinct=int(_hashable_cells(filled).nunique()), top=_top(others),
                         notes=notes, binary=binary)


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
