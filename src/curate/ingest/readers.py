"""Read a table from CSV/TSV, JSONL or Parquet into a DataFrame of strings and values.

Everything read from a text format is kept as text (``dtype=str``) and only empty cells count as
missing: a headline that says "NA" or "null" is data, not a missing value. Numbers are parsed later,
per column, by the dataset builder, which can then name the row that holds junk.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from curate.errors import FileFormatError, InputError
from curate.ingest.encoding import decode_bytes

__all__ = ["SUPPORTED_SUFFIXES", "ReadTable", "read_table"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".pq")


@dataclass(frozen=True)
class ReadTable:
    """A table read from a file: the frame, the raw bytes it came from, and how it was read."""

    frame: pd.DataFrame
    data: bytes
    format: str
    encoding: str | None
    encoding_detected: bool


def _read_delimited(text: str, delimiter: str, source: str) -> pd.DataFrame:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise FileFormatError(f"{source} is empty: it has no header line and no rows") from None
    if not any(cell.strip() for cell in header):
        raise FileFormatError(f"{source}: the header line is empty")
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = rows.line_num
    try:
        for record in rows:
            start, previous_end = previous_end + 1, rows.line_num
            if not record:  # a blank line between rows
                continue
            lines.append(start)
            if len(record) != len(header):
                raise FileFormatError(
                    f"{source}: line {rows.line_num} has {len(record)} fields but the header has "
                    f"{len(header)}; quote fields that contain the delimiter {delimiter!r}"
                )
            records.append(record)
    except csv.Error as exc:
        raise FileFormatError(f"{source}: line {rows.line_num}: {exc}") from None
    columns = [name.strip() for name in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise FileFormatError(f"{source}: the header names column(s) {duplicated} more than once")
    frame = pd.DataFrame(records, columns=columns, dtype=object).replace("", None)
    frame.attrs["source_lines"] = lines
    return frame


def _read_jsonl(text: str, source: str) -> pd.DataFrame:
    records = []
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{source}: line {number} is not valid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise FileFormatError(f"{source}: line {number} is a JSON {type(value).__name__}, not an object")
        records.append(value)
        lines.append(number)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["source_lines"] = lines
    return frame


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def read_table(path: Path, *, encoding: str | None = None) -> ReadTable:
    """Read ``path`` (CSV, TSV, JSONL or Parquet, chosen by suffix) into a DataFrame.

    Parameters
    ----------
    path : pathlib.Path
        The file to read: ``.csv``, ``.tsv``/``.tab``, ``.txt`` (delimiter sniffed),
        ``.jsonl``/``.ndjson``/``.json`` (one object per line) or ``.parquet``/``.pq``.
    encoding : str, optional
        Force a text encoding; detected when None (ignored for Parquet).

    Returns
    -------
    ReadTable
        The frame (text cells as ``str``, empty cells as missing; ``frame.attrs["source_lines"]``
        holds each row's line in the file for text formats), the raw bytes, the format and the
        encoding.

    Raises
    ------
    InputError
        When ``path`` does not exist, is a folder, or has an unsupported suffix.
    FileFormatError
        When the file is empty, has a header but no rows, or cannot be parsed (ragged CSV,
        repeated column names, a bad JSON line, a damaged Parquet file).
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
        raise InputError(f"{source} is a folder; give a CSV, TSV, JSONL or Parquet file")
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{source}: cannot read '{suffix or 'no suffix'}' files; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    data = path.read_bytes()
    if not data.strip():
        raise FileFormatError(f"{source} is empty: it has no header line and no rows")
    if suffix in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise FileFormatError(f"{source} is not a readable Parquet file ({exc})") from None
        return ReadTable(frame, data, "parquet", None, False)
    decoded = decode_bytes(data, encoding=encoding, source=source)
    if suffix in (".jsonl", ".ndjson", ".json"):
        frame = _read_jsonl(decoded.text, source)
        fmt = "jsonl"
    else:
        delimiter = {".tsv": "\t", ".tab": "\t", ".csv": ","}.get(suffix) or _sniff_delimiter(decoded.text)
        frame = _read_delimited(decoded.text, delimiter, source)
        fmt = "tsv" if delimiter == "\t" else "csv"
    if frame.empty:
        raise FileFormatError(f"{source} has a header but no rows")
    return ReadTable(frame, data, fmt, decoded.encoding, decoded.detected)
