"""Parse the numbers of input columns whose file left their type open, and keep typed text as text.

CSV and TSV hold text whatever a column means, so a column of numbers arrives as strings and is
parsed here; a column that is mostly numbers with a few stray cells is a broken export, named by
line. A column the file itself types as text (a Parquet or Arrow string, a JSON string, a text cell
of a workbook, a DataFrame's strings) stays text: the file says what it is. The reader records which
columns are typed in ``frame.attrs`` (see :func:`mark_typed`).

Even in CSV, some columns of digits are codes rather than quantities: ids and postcodes written with
leading zeros (``00042``), or mostly digits beside a few codes with letters (``K1A0B1``,
``00000_dup``). Those stay text, exactly as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from curate.errors import DatasetError

__all__ = ["ParsedNumbers", "mark_typed", "parse_numeric_columns", "read_numbers", "typed_columns"]

# The frame.attrs key of the columns whose cells the source typed (Parquet, JSON, Excel, a DataFrame).
_TYPED = "typed_columns"
_MISSING_TOKENS = frozenset({"na", "n/a", "nan", "null", "none", "-", "?", "missing"})
# A column is numeric with junk (an error) rather than categorical when at least this share of
# its non-missing cells parse as numbers.
_NUMERIC_SHARE = 0.9
# A code: letters and digits (both), no spaces, in groups joined by - or _ (K1A0B1, A-102, 00000_dup).
_CODE = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")
# ... that is not a number with a unit or an ordinal written after it (12kg, 3rd): those are junk.
_NUMBER_AND_UNIT = re.compile(r"\d+(?:\.\d+)?[a-z]+")
_LEADING_ZERO = re.compile(r"0\d+")


def mark_typed(frame: pd.DataFrame, columns: Iterable[object] | None = None) -> pd.DataFrame:
    """Record in ``frame.attrs`` that the source typed ``columns``: their text cells are text.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read; its ``attrs`` are changed in place.
    columns : iterable, optional
        The typed columns; when None, every column, unless ``frame`` already says which (the
        Parquet copy of a DataFrame keeps what :func:`curate.ingest.frames.frame_input` found).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Examples
    --------
    >>> sorted(typed_columns(mark_typed(pd.DataFrame({"zip": ["02139"], "n": [1]}))))
    ['n', 'zip']
    """
    if columns is None and _TYPED in frame.attrs:
        return frame
    frame.attrs[_TYPED] = [str(c) for c in (frame.columns if columns is None else columns)]
    return frame


def typed_columns(frame: pd.DataFrame | pd.Series) -> frozenset[str]:
    """The columns whose cells the source typed (see :func:`mark_typed`); none for delimited text.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        A table as read, or one of its columns (which carries the table's ``attrs``).

    Returns
    -------
    frozenset of str
        The typed columns' names.
    """
    return frozenset(map(str, frame.attrs.get(_TYPED, ())))


@dataclass(frozen=True)
class ParsedNumbers:
    """A table with its numeric columns parsed, and the columns that are numbers with junk.

    Attributes
    ----------
    frame : pandas.DataFrame
        The table: numeric columns as floats; a column with junk as floats with its junk cells
        missing.
    original : pandas.DataFrame
        The table as given.
    junk : dict of str to str
        Each column with junk, to the message that names its first junk cell.
    """

    frame: pd.DataFrame
    original: pd.DataFrame
    junk: dict[str, str] = field(default_factory=dict)


def _as_number(value: object) -> float | None:
    """The number in a cell, NaN for a missing marker, or None for junk."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in _MISSING_TOKENS or not text:
        return math.nan
    try:
        return float(text.replace(",", "")) if text.count(",") and text.replace(",", "").isdigit() \
            else float(text)
    except ValueError:
        return None


def _beyond_float(value: object) -> bool:
    """A whole number written with more digits than a float keeps exactly (beyond 2**53)."""
    digits = str(value).strip().lstrip("+-")
    return digits.isdigit() and int(digits) > 2**53


def _is_code(value: object) -> bool:
    text = str(value).strip()
    return bool(_CODE.fullmatch(text)) and not _NUMBER_AND_UNIT.fullmatch(text)


def _written_as_codes(series: pd.Series, parsed: Sequence[float | None]) -> bool:
    """Whether the cells are codes: some digits with a leading zero (00042), or, besides numbers, only codes."""
    cells = [(v, p) for v, p in zip(series, parsed, strict=True) if v is not None]
    junk = [v for v, p in cells if p is None]
    if junk:
        return all(_is_code(v) for v in junk)
    whole = [str(v).strip() for v, p in cells if isinstance(v, str) and p == p]
    return any(_LEADING_ZERO.fullmatch(t) for t in whole) and all(t.isdigit() for t in whole)


def read_numbers(frame: pd.DataFrame, columns: Sequence[str], source: str) -> ParsedNumbers:
    """Parse the columns among ``columns`` that are numbers written as text; note those with junk.

    A column of object dtype is parsed when every cell is a number (``1,234`` as 1234; missing
    markers such as ``NA`` or ``-`` as NaN), unless the source typed it as text (every cell a
    string of a typed column, see :func:`typed_columns`), it holds digits with leading zeros
    (``00042``: codes, kept as written), or a whole number beyond 2**53 (a float would lose its
    last digits). A column at least 90 % numbers beside other cells is junk, unless those cells are
    all codes (letters and digits: ``K1A0B1``, ``00000_dup``), which make it a column of text.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; not modified. ``attrs["source_lines"]`` names lines in messages when present.
    columns : sequence of str
        The columns to consider; columns that are not of object dtype are left as they are.
    source : str
        How to name the table in messages.

    Returns
    -------
    ParsedNumbers
        The parsed table, and each column with junk and its message: ``{source}: column {name!r}
        is numeric but line {n} holds {cell!r} ({count} such cell(s)); fix or blank them`` (the
        0-based ``row`` instead of the line when lines are not known).

    Examples
    --------
    >>> parsed = read_numbers(pd.DataFrame({"w": ["1.5", "NA"], "zip": ["02139", "10001"]}), ["w", "zip"], "d.csv")
    >>> parsed.frame["w"].tolist(), parsed.frame["zip"].tolist(), parsed.junk
    ([1.5, nan], ['02139', '10001'], {})
    """
    lines = frame.attrs.get("source_lines")
    typed = typed_columns(frame)
    out = frame.copy()
    junk_of: dict[str, str] = {}
    for column in columns:
        series = frame[column]
        if series.dtype != object:
            continue
        present = series.dropna()
        if present.empty or (column in typed and all(isinstance(v, str) for v in present)):
            continue
        if any(_beyond_float(v) for v in present):
            continue  # account numbers and 20-digit keys: as floats they would lose digits and collide
        parsed = [_as_number(v) for v in series]
        junk = [i for i, v in enumerate(parsed) if v is None]
        parsed_count = sum(1 for i, v in enumerate(parsed) if v is not None and series.iat[i] is not None)
        if (junk and parsed_count / len(present) < _NUMERIC_SHARE) or _written_as_codes(series, parsed):
            continue  # categories, or codes
        numbers = [math.nan if v is None else v for v in parsed]
        out[column] = pd.to_numeric(pd.Series(numbers, index=frame.index), errors="coerce")
        if junk:
            row = junk[0]
            where = f"line {lines[row]}" if lines is not None and len(lines) == len(frame) else f"row {row}"
            junk_of[column] = (f"{source}: column {column!r} is numeric but {where} holds "
                               f"{str(series.iat[row])[:40]!r} ({len(junk)} such cell(s)); fix or blank them")
    return ParsedNumbers(frame=out, original=frame, junk=junk_of)


def parse_numeric_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> pd.DataFrame:
    """Return ``frame`` with the numeric columns among ``columns`` parsed, or fail on one with junk.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; not modified.
    columns : sequence of str
        The columns to consider (see :func:`read_numbers`).
    source : str
        How to name the table in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame``: the columns :func:`read_numbers` parses as floats; the others unchanged.

    Raises
    ------
    DatasetError
        When a column is at least 90 % numbers but some cells are neither numbers nor codes; the
        message names the first such cell's line.
    """
    parsed = read_numbers(frame, columns, source)
    if parsed.junk:
        raise DatasetError(next(iter(parsed.junk.values())))
    return parsed.frame
