"""Read a table from delimited text, JSON, Excel or Parquet into a DataFrame of strings and values.

Everything read from a text format is kept as text (``dtype=str``) and only empty cells count as
missing: a headline that says "NA" or "null" is data, not a missing value. Numbers are parsed later,
per column, by the dataset builder, which can then name the row that holds junk. JSON, Excel and
Parquet cells keep the types the file stores, and the frame says so (``attrs``, see
:func:`curate.ingest.numbers.typed_columns`): their text stays text. Header names are kept exactly as written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from curate.errors import FileFormatError, InputError
from curate.ingest.delimited import read_delimited, sniff_delimiter
from curate.ingest.encoding import byte_order_mark, decode_bytes, replace_surrogates_in_frame
from curate.ingest.json_records import read_json_records
from curate.ingest.numbers import mark_typed

__all__ = ["SUPPORTED_SUFFIXES", "ReadTable", "read_table"]

SUPPORTED_SUFFIXES = (
    ".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".pq", ".xlsx", ".xlsm",
)
_DELIMITER_OF_SUFFIX = {".csv": ",", ".tsv": "\t", ".tab": "\t"}


@dataclass(frozen=True)
class ReadTable:
    """A table read from a file: the frame, the raw bytes it came from, and how it was read.

    ``notes`` say what was detected beyond the encoding (a delimiter other than the extension's,
    the sheet of a workbook with several).
    """

    frame: pd.DataFrame
    data: bytes
    format: str
    encoding: str | None
    encoding_detected: bool
    notes: tuple[str, ...] = field(default=())


def _read_excel(data: bytes, source: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    try:
        sheets = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        # Cells as the workbook stores them: a text cell "00007" stays text (pandas' guess made it 7)
        frame = _typed_columns(sheets.parse(sheets.sheet_names[0], dtype=object))
    except Exception as exc:  # openpyxl and zipfile raise many types for a damaged workbook
        raise FileFormatError(f"{source} is not a readable Excel workbook ({exc})") from None
    notes: tuple[str, ...] = ()
    if len(sheets.sheet_names) > 1:
        notes = (f"sheet: {sheets.sheet_names[0]!r}, the first of {len(sheets.sheet_names)} "
                 "(save another sheet on its own to audit it)",)
    frame.columns = [str(c) for c in frame.columns]
    return frame, notes


# The first bytes of the binary files people most often save under a text suffix, and what to do.
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)", "if it is a workbook, name it .xlsx"),
    (b"PAR1", "a Parquet file", "name it .parquet"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls)", "save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document", "export its table as CSV"),
)


# Above this share of control bytes (other than tab, line feed, form feed and carriage return) in the
# first 4 KiB, and decoding as UTF-16 neither way, a file is taken for binary: text in any 8-bit code
# page has next to none, and random bytes about a tenth.
_BINARY_CONTROL_SHARE = 0.05


def _decodes_as_utf16(head: bytes) -> bool:
    """Whether ``head`` is UTF-16 text (a pair of surrogates may be cut at the end)."""
    for codec in ("utf-16-le", "utf-16-be"):
        for end in (len(head) // 2 * 2, len(head) // 2 * 2 - 2):
            try:
                head[:end].decode(codec)
            except UnicodeDecodeError:
                continue
            return True
    return False


def _refuse_binary(data: bytes, source: str, suffix: str) -> None:
    """One clear error for a binary file under a text suffix, instead of a misleading delimiter message."""
    for signature, what, advice in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise FileFormatError(f"{source} is {what}, not {suffix} text: {advice}")
    head = data[:4096]
    if not head or byte_order_mark(head) is not None:
        return
    controls = sum(1 for b in head if (b < 32 and b not in (9, 10, 12, 13)) or b == 127)
    if controls > _BINARY_CONTROL_SHARE * len(head) and not _decodes_as_utf16(head):
        raise FileFormatError(f"{source} does not look like text: {controls / len(head):.0%} of its first {len(head)} "
                              f"bytes are control bytes (a binary file named {suffix}?); curate reads CSV, TSV, JSON "
                              "Lines, JSON, Excel and Parquet files")


def _typed_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns whose every filled cell is a number (or every one a bool) as numbers (bools); the rest as stored."""
    typed = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty:
            continue
        if all(isinstance(v, bool) for v in values):
            typed[column] = frame[column].astype("boolean" if frame[column].isna().any() else bool)
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            typed[column] = pd.to_numeric(frame[column])
    return frame.assign(**typed) if typed else frame


def read_table(path: Path, *, encoding: str | None = None) -> ReadTable:
    """Read ``path`` (delimited text, JSON, Excel or Parquet, chosen by suffix) into a DataFrame.

    Parameters
    ----------
    path : pathlib.Path
        The file to read: ``.csv``, ``.tsv``/``.tab`` or ``.txt`` (the delimiter, comma, tab,
        semicolon or pipe, is detected whatever the suffix), ``.jsonl``/``.ndjson``/``.json``
        (JSON Lines, an array of objects, or an object holding one), ``.xlsx``/``.xlsm`` (the first
        sheet) or ``.parquet``/``.pq``.
    encoding : str, optional
        Force a text encoding; detected when None (ignored for Excel and Parquet).

    Returns
    -------
    ReadTable
        The frame (text cells as ``str``, empty cells as missing, lone surrogates as U+FFFD;
        ``frame.attrs["source_lines"]`` holds each row's line in the file for delimited text and
        JSON Lines), the raw bytes, the format, the encoding and notes on what was detected.

    Raises
    ------
    InputError
        When ``path`` does not exist, is a folder, or has an unsupported suffix.
    FileFormatError
        When the file is empty, has a header but no rows (JSON: no records), or cannot be parsed
        (ragged CSV, an unclosed quote, repeated column names, invalid JSON, a damaged workbook or
        Parquet file).
    DecodingError
        When the bytes cannot be decoded as text.

    Examples
    --------
    >>> read_table(Path("reviews.csv")).frame.columns.tolist()  # doctest: +SKIP
    ['text', 'label']
    """
    source = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{source} does not exist; check the path")
    if path.is_dir():
        raise InputError(f"{source} is a folder; give a CSV, TSV, JSON, Excel or Parquet file")
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{source}: cannot read '{suffix or 'no suffix'}' files; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    data = path.read_bytes()
    if not data.strip():
        raise FileFormatError(f"{source} is empty: it has no header line and no rows")
    notes: tuple[str, ...] = ()
    used_encoding: str | None = None
    detected = False
    if suffix in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise FileFormatError(f"{source} is not a readable Parquet file ({exc})") from None
        fmt = "parquet"
        mark_typed(frame)
    elif suffix in (".xlsx", ".xlsm"):
        frame, notes = _read_excel(data, source)
        fmt = "xlsx"
        mark_typed(frame)
    else:
        _refuse_binary(data, source, suffix)
        decoded = decode_bytes(data, encoding=encoding, source=source)
        used_encoding, detected = decoded.encoding, decoded.detected
        if suffix in (".jsonl", ".ndjson", ".json"):
            frame, fmt = read_json_records(decoded.text, source)
            mark_typed(frame)
        else:
            preferred = _DELIMITER_OF_SUFFIX.get(suffix)
            delimiter = sniff_delimiter(decoded.text, preferred)
            frame = read_delimited(decoded.text, delimiter, source)
            fmt = "tsv" if delimiter.char == "\t" else "csv"
            if preferred is not None and delimiter.char != preferred:
                notes = (f"delimiter: {delimiter.name} (detected)",)
    if frame.empty and fmt in ("json", "jsonl"):  # JSON has no header: it holds records or it does not
        raise FileFormatError(f"{source}: holds no records; give one JSON object (with fields) per row")
    if frame.empty:
        raise FileFormatError(f"{source} has a header but no rows")
    frame = replace_surrogates_in_frame(frame)
    return ReadTable(frame, data, fmt, used_encoding, detected, notes)
