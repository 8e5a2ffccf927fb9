"""Write an edited dataset version back in the source's own types and text.

Export applies the ledger to the untouched source, so the output should read like the source:

- CSV/TSV from a CSV/TSV source: the header cells byte for byte, the source's delimiter, line ends,
  encoding and byte-order mark, every cell's text as written (``00007`` stays ``00007``).
- JSONL from a JSONL source: every untouched line verbatim; an edited line is the same object
  (same keys, same order, same JSON types, big integers exact) with the new value.
- JSON from a JSON source holding its records under a key: the same object, its other keys as they
  were, the records replaced.
- Parquet from a Parquet source: the source's Arrow schema (bool stays bool, lists stay lists).
- Across formats, each cell keeps its type where the target has one (bool, int, float, lists). From
  CSV/TSV to JSON, JSONL, Parquet or Excel, a column of canonically written numbers (``120643``, ``2.5``)
  becomes numbers and every other column stays text, so that no id or code loses a digit
  (``00007``, ``1e5`` and ``2.50`` would not read back as written).
- Delimited ``.txt``: as CSV, with a delimited source's delimiter (tab-separated otherwise).
- Excel (``.xlsx``): one sheet, named as a workbook source's first, each cell in its type; an
  integer beyond 2**53, which Excel would round, as text.

A relabel is stored in the ledger as text; it is written as the label column's own value with that
text (``"True"`` in a bool column becomes ``True``, ``"3"`` in an int column ``3``).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.core.dataset import label_text
from curate.core.files import write_atomically
from curate.errors import InputError
from curate.ingest.encoding import byte_order_mark, decode_bytes
from curate.ingest.readers import ReadTable

__all__ = ["OUTPUT_SUFFIXES", "VERSION_SUFFIXES", "VersionEdits", "excel_writer", "output_format", "version_writer",
           "write_version"]

OUTPUT_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "json", ".parquet": "parquet"}
"""The table formats any table (a version, a run's findings) can be written in, by suffix."""
VERSION_SUFFIXES = {**OUTPUT_SUFFIXES, ".txt": "txt", ".xlsx": "xlsx"}
"""The formats a dataset version can be written in: the table formats, delimited ``.txt`` and Excel."""
# Excel keeps numbers as doubles: an integer beyond 2**53 would lose digits, so it is written as text.
_EXCEL_EXACT_INT = 2**53
_EXCEL_MAX_TEXT = 32_767  # characters in one cell
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def output_format(path: Path, fmt: str | None = None, *, formats: dict[str, str] = OUTPUT_SUFFIXES) -> str:
    """The table format to write ``path`` in: its suffix's, which ``fmt`` (if given) must agree with.

    Parameters
    ----------
    path : pathlib.Path
        The output file; its suffix (case-insensitive) names the format.
    fmt : str, optional
        The format asked for (``--format``); None to take the suffix's.
    formats : dict of str to str, default OUTPUT_SUFFIXES
        The suffixes that can be written, each with its format (``VERSION_SUFFIXES`` for a version).

    Returns
    -------
    str
        One of ``formats``' values: ``csv``, ``tsv``, ``jsonl``, ``json``, ``parquet`` (and for a
        version ``txt``).

    Raises
    ------
    InputError
        When the suffix is not one of ``formats``, or names another format than ``fmt``.

    Examples
    --------
    >>> output_format(Path("fixed.parquet"))
    'parquet'
    """
    suffix = path.suffix.lower()
    chosen = formats.get(suffix)
    if chosen is None:
        raise InputError(
            f"cannot write '{suffix or 'no suffix'}' files ({path}); "
            f"end the output name with one of {', '.join(formats)}"
        )
    if fmt is not None and fmt != chosen:
        raise InputError(
            f"--format {fmt} does not match the output {path} (a {chosen} file); drop --format or name the file *.{fmt}"
        )
    return chosen


@dataclass(frozen=True)
class VersionEdits:
    """What a version changes in its source's rows.

    Attributes
    ----------
    keep : list of bool
        One per source row: False for a row the version drops.
    labels : dict of int to str
        Source row position -> its new label, as the ledger stores it (text).
    status : list of str or None
        One review status per source row, written as an extra ``review_status`` column; None for no
        such column.
    """

    keep: list[bool]
    labels: dict[int, str]
    status: list[str] | None = None


STATUS_COLUMN = "review_status"


def write_version(table: ReadTable, label_column: str, edits: VersionEdits, path: Path, fmt: str) -> Path:
    """Write the source ``table`` with ``edits`` applied to ``path`` as ``fmt``, atomically.

    Parameters
    ----------
    table, label_column, edits, fmt
        As for :func:`version_writer`.
    path : pathlib.Path
        The output file.

    Returns
    -------
    pathlib.Path
        ``path``, now holding the version.

    Raises
    ------
    InputError
        As :func:`version_writer` does, and when ``path`` is a folder.
    """
    return write_atomically(path, version_writer(table, label_column, edits, fmt))


def version_writer(table: ReadTable, label_column: str, edits: VersionEdits, fmt: str) -> Callable[[Path], object]:
    """Prepare the source ``table`` with ``edits`` applied as ``fmt``: everything but the writing itself.

    Parameters
    ----------
    table : ReadTable
        The source as read (its frame, raw bytes, format and encoding).
    label_column : str
        The label column of ``table.frame``.
    edits : VersionEdits
        Which rows to keep, the new labels, and an optional status column.
    fmt : str
        ``csv``, ``tsv``, ``txt``, ``jsonl``, ``json`` or ``parquet`` (see :func:`output_format`).

    Returns
    -------
    callable
        Writes the version to the path it is given (for :func:`curate.core.files.write_atomically`).

    Raises
    ------
    InputError
        When ``fmt`` is unknown, or the source already has a ``review_status`` column and a status
        column was asked for.
    """
    if fmt not in VERSION_SUFFIXES.values():
        raise InputError(f"--format must be one of {', '.join(sorted(set(VERSION_SUFFIXES.values())))}, not {fmt!r}")
    frame = table.frame
    if edits.status is not None and STATUS_COLUMN in {str(c).strip() for c in frame.columns}:
        raise InputError(f"the source already has a column {STATUS_COLUMN!r}; export without --with-status")
    typed = _typed_labels(frame[label_column])
    labels = {position: typed(text) for position, text in edits.labels.items()}
    binary = table.format in ("parquet", "xlsx")  # no text of the source to follow
    text = None if binary else decode_bytes(table.data, encoding=table.encoding).text
    writer: Callable[[Path], object]
    if fmt in ("csv", "tsv", "txt") and text is not None and table.format != "jsonl":
        data = _delimited_like_source(table, text, label_column, labels, edits, fmt)
        writer = _data_writer(data)
    elif (
        fmt == "jsonl"
        and text is not None
        and table.format == "jsonl"
        and (lines := _jsonl_like_source(text, len(frame), label_column, labels, edits)) is not None
    ):
        writer = _data_writer(lines.encode("utf-8"))
    elif fmt == "parquet" and table.format == "parquet":
        arrow = _parquet_like_source(table.data, frame, label_column, labels, edits)
        writer = _parquet_writer(arrow)
    else:
        delimited = text is not None and table.format in ("csv", "tsv")
        header = _source_header(text, frame, table) if text is not None and delimited else None
        edited = _edited_frame(frame, label_column, labels, edits, header)
        written = _numbers_of_text(edited) if delimited else edited
        if fmt == "xlsx":
            writer = excel_writer(written, _sheet_name(table))
        else:
            wrapper = _records_wrapper(text) if fmt == "json" and text is not None and table.format == "json" else None
            writer = _frame_writer(written, fmt, wrapper)
    return writer


def _data_writer(data: bytes) -> Callable[[Path], object]:
    return lambda partial: partial.write_bytes(data)


# ------------------------------------------------------------------ label values
def _typed_labels(column: pd.Series) -> Callable[[str], Any]:
    """Map a label's text back to the column's own value with that text (the source's cell)."""
    own: dict[str, Any] = {}
    for value in column.tolist():
        if value is not None and not _is_missing(value):
            own.setdefault(label_text(value), value)
    dtype = column.dtype

    def typed(text: str) -> Any:
        if text in own:
            return own[text]
        if pd.api.types.is_bool_dtype(dtype) and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if pd.api.types.is_integer_dtype(dtype):
            return int(text)
        if pd.api.types.is_float_dtype(dtype):
            return float(text)
        return text

    return typed


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


# ------------------------------------------------------------------ delimited text
def _line_end(text: str) -> str:
    newline = text.find("\n")
    if newline > 0 and text[newline - 1] == "\r":
        return "\r\n"
    if newline < 0 and "\r" in text:
        return "\r"
    return "\n"


def _source_delimiter(table: ReadTable, text: str, n_columns: int) -> str:
    """The delimiter that splits the source's header into its columns (the reader's, when it says)."""
    first = [
        getattr(table, "delimiter", None),
        table.frame.attrs.get("delimiter"),
        "\t" if table.format == "tsv" else ",",
    ]
    for candidate in [*first, ",", "\t", ";", "|"]:
        if candidate and len(_first_record(text, candidate)) == n_columns:
            return candidate
    return ","


def _first_record(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])


def _source_header(text: str, frame: pd.DataFrame, table: ReadTable) -> list[str]:
    """The source's header cells exactly as written (the frame's column names may be cleaned)."""
    if table.format not in ("csv", "tsv"):  # JSON keys are the frame's column names as written
        return [str(c) for c in frame.columns]
    header = _first_record(text, _source_delimiter(table, text, frame.shape[1]))
    return header if len(header) == frame.shape[1] else [str(c) for c in frame.columns]


def _source_encoding(table: ReadTable) -> tuple[bytes, str]:
    return byte_order_mark(table.data) or (b"", table.encoding or "utf-8")


def _delimited_like_source(
    table: ReadTable, text: str, label_column: str, labels: dict[int, Any], edits: VersionEdits, fmt: str
) -> bytes:
    frame = table.frame
    delimited = table.format in ("csv", "tsv")
    source_delimiter = _source_delimiter(table, text, frame.shape[1]) if delimited else None
    if fmt == "txt":  # delimited text as the source wrote it, tab-separated when it was not delimited
        delimiter = source_delimiter or "\t"
    else:
        delimiter = "\t" if fmt == "tsv" else (source_delimiter if source_delimiter not in (None, "\t") else ",")
    header = _source_header(text, frame, table)
    label_at = list(frame.columns).index(label_column)
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=delimiter, lineterminator=_line_end(text))
    out.writerow([*header, STATUS_COLUMN] if edits.status is not None else header)
    for position, row in enumerate(frame.itertuples(index=False, name=None)):
        if not edits.keep[position]:
            continue
        cells = [_cell_text(v) for v in row]
        if position in labels:
            cells[label_at] = _cell_text(labels[position])
        out.writerow([*cells, edits.status[position]] if edits.status is not None else cells)
    bom, codec = _source_encoding(table)
    return bom + buffer.getvalue().encode(codec)


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if _is_plain_missing(value):
        return ""
    if isinstance(value, dict | list | tuple | np.ndarray):
        return json.dumps(_json_value(value), ensure_ascii=False)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


def _is_plain_missing(value: Any) -> bool:
    return not isinstance(value, dict | list | tuple | np.ndarray) and _is_missing(value)


# ------------------------------------------------------------------ numbers in text
_INT64 = (-(2**63), 2**63 - 1)


def _canonical_int(text: str) -> int | None:
    """The int ``text`` writes canonically (``-12``, not ``007``, ``+3``, ``1_000`` or ``-0``); None otherwise."""
    if not text or not (text.isascii() and text.lstrip("-").isdigit()):
        return None
    number = int(text)
    return number if str(number) == text and _INT64[0] <= number <= _INT64[1] else None


def _canonical_float(text: str) -> float | None:
    """The finite float whose shortest text is ``text`` (``2.5``, not ``2.50``, ``1e5`` or ``.5``); None otherwise."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and repr(number) == text else None


def _numbers_of_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a delimited source's text cells) with each column of canonically written numbers as numbers.

    A column whose every non-empty cell is a canonical int (within 64 bits) becomes ``Int64``; one
    whose cells are canonical ints (within 2**53) or floats that read back to the same text becomes
    ``float64``; any other column, an empty one included, stays text. Empty cells become missing
    (null in JSON and Parquet).
    """
    out = frame.copy()
    for at in range(frame.shape[1]):
        values = frame.iloc[:, at].tolist()
        cells = [v for v in values if not _is_plain_missing(v)]
        if not cells:  # no cell to type: text, as every cell of the source is
            out.isetitem(at, pd.array([None] * len(values), dtype="string"))
        if not cells or not all(isinstance(v, str) for v in cells):
            continue
        ints = [_canonical_int(v) for v in cells]
        if all(i is not None for i in ints):
            out.isetitem(at, pd.array([None if _is_plain_missing(v) else int(v) for v in values], dtype="Int64"))
            continue
        floats = [
            float(i) if i is not None and abs(i) <= 2**53 else _canonical_float(v)
            for i, v in zip(ints, cells, strict=True)
        ]
        if all(f is not None for f in floats):
            out.isetitem(at, np.array([np.nan if _is_plain_missing(v) else float(v) for v in values], dtype="float64"))
    return out


# ------------------------------------------------------------------ JSON
def _jsonl_like_source(
    text: str, n_rows: int, label_column: str, labels: dict[int, Any], edits: VersionEdits
) -> str | None:
    """The source's lines, untouched ones verbatim; None when they do not match the frame's rows."""
    lines = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if len(lines) != n_rows:
        return None
    out = []
    for position, line in enumerate(lines):
        if not edits.keep[position]:
            continue
        if position not in labels and edits.status is None:
            out.append(line)
            continue
        record = json.loads(line)
        if position in labels:
            key = next((k for k in record if k == label_column), None) or next(
                (k for k in record if k.strip() == label_column), label_column
            )
            record[key] = _json_value(labels[position])
        if edits.status is not None:
            record[STATUS_COLUMN] = edits.status[position]
        out.append(_json_line(record))
    ending = _line_end(text)
    return ending.join(out) + ending if out else ""


def _json_line(record: dict[str, Any]) -> str:
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate the source wrote as an escape: keep it escaped
        line = json.dumps(record)
    return line


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, np.generic):
        value = value.item()
    if _is_missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) else str(value)


# ------------------------------------------------------------------ frames and Parquet
def _edited_frame(
    frame: pd.DataFrame, label_column: str, labels: dict[int, Any], edits: VersionEdits, header: list[str] | None
) -> pd.DataFrame:
    values = frame[label_column].tolist()
    for position, value in labels.items():
        values[position] = value
    out = frame.copy()
    out[label_column] = pd.Series(values, index=frame.index, dtype=frame[label_column].dtype)
    if header is not None:
        out.columns = header
    if edits.status is not None:
        out[STATUS_COLUMN] = edits.status
    return out.loc[edits.keep].reset_index(drop=True)


def _frame_writer(
    frame: pd.DataFrame, fmt: str, wrapper: tuple[dict[str, Any], str] | None = None
) -> Callable[[Path], object]:
    """Write ``frame`` as ``fmt``; for JSON, inside ``wrapper`` (the source's object and its records' key) if given."""
    if fmt == "parquet":
        return _parquet_writer(_arrow_table(frame))
    names = [str(c) for c in frame.columns]
    if fmt in ("csv", "tsv", "txt"):
        buffer = io.StringIO(newline="")
        out = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        out.writerow(names)
        out.writerows([_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None))
        return _data_writer(buffer.getvalue().encode("utf-8"))
    records = [
        _json_line(dict(zip(names, map(_json_value, row), strict=True)))
        for row in frame.itertuples(index=False, name=None)
    ]
    if fmt == "jsonl":
        body = "".join(r + "\n" for r in records)
    elif wrapper is None:
        body = "[" + ",\n".join(records) + "]\n"
    else:
        document, key = wrapper
        members = [
            f"{json.dumps(k, ensure_ascii=False)}: "
            + ("[\n" + ",\n".join(records) + "\n]" if k == key else json.dumps(v, ensure_ascii=False))
            for k, v in document.items()
        ]
        body = "{" + ",\n".join(members) + "}\n"
    return _data_writer(body.encode("utf-8"))


def _records_wrapper(text: str) -> tuple[dict[str, Any], str] | None:
    """The JSON source's object and the key its records are under (``{"meta": ..., "data": [...]}``).

    None when the source is an array of records (or one record): the reader takes the records from
    the one key whose value is a non-empty array of objects.
    """
    document = json.loads(text)
    if not isinstance(document, dict):
        return None
    keys = [k for k, v in document.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    return (document, keys[0]) if len(keys) == 1 else None


# ------------------------------------------------------------------ Excel
def _sheet_name(table: ReadTable) -> str:
    """The source workbook's first sheet's name (the one curate read), or ``Sheet1``."""
    if table.format != "xlsx":
        return "Sheet1"
    with pd.ExcelFile(io.BytesIO(table.data), engine="openpyxl") as book:
        return str(book.sheet_names[0])


def _excel_cell(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if _is_plain_missing(value):
        return None
    if isinstance(value, bool | float | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _EXCEL_EXACT_INT else str(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tzinfo is None else value.isoformat()
    return _cell_text(value)  # lists and objects as JSON, bytes as base64


def excel_writer(frame: pd.DataFrame, sheet: str) -> Callable[[Path], object]:
    """Write ``frame`` as the one sheet of a workbook: its header, then its rows, each cell in its type.

    Text is always stored as text, never as a formula (a cell reading ``=1+1`` stays that text).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.
    sheet : str
        The sheet's name.

    Returns
    -------
    callable
        Writes the workbook to the path it is given.

    Raises
    ------
    InputError
        Before anything is written, when a cell cannot be stored in Excel (a control character,
        or more than 32,767 characters).
    """
    from openpyxl import Workbook

    names = [str(c) for c in frame.columns]
    rows = [names, *([_excel_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))]
    for number, row in enumerate(rows, start=1):
        for name, cell in zip(names, row, strict=True):
            if not isinstance(cell, str):
                continue
            where = "the header" if number == 1 else f"row {number}"
            if (bad := _EXCEL_ILLEGAL.search(cell)) is not None:
                raise InputError(
                    f"column {name!r}, {where} of the sheet holds the control character U+{ord(bad.group()):04X}, "
                    "which Excel cannot store; export as .csv, .jsonl or .parquet"
                )
            if len(cell) > _EXCEL_MAX_TEXT:
                raise InputError(
                    f"column {name!r}, {where} of the sheet holds {len(cell):,} characters, more than an Excel "
                    f"cell's {_EXCEL_MAX_TEXT:,}; export as .csv, .jsonl or .parquet"
                )

    def write(partial: Path) -> None:
        """Save the workbook at ``partial``.

        Parameters
        ----------
        partial : pathlib.Path
            Where to save it.
        """
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        sheet_out = book.create_sheet(sheet)
        for row in rows:
            sheet_out.append([_text_cell(sheet_out, cell, WriteOnlyCell) if isinstance(cell, str) else cell
                              for cell in row])
        book.save(partial)

    return write


def _text_cell(sheet: Any, text: str, make: Any) -> Any:
    """A cell that holds ``text`` as text. openpyxl stores a string that starts with ``=`` as a
    formula: a review reading ``=1+1`` would come back as 2 (or as nothing, to a reader without
    Excel's engine), and ``=HYPERLINK(...)`` from the data would be live when a person opens the
    sheet. Dataset text is never a formula."""
    cell = make(sheet, value=text)
    cell.data_type = "s"
    return cell


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as Arrow, column by column: a column Arrow cannot type (mixed values, integers
    beyond 64 bits) is written as its cells' text, so that nothing is lost or refused."""
    arrays = []
    for name in frame.columns:
        column = frame[name]
        try:
            arrays.append(pa.Array.from_pandas(column))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(
                pa.array([None if _is_plain_missing(v) else _cell_text(v) for v in column.tolist()], type=pa.string())
            )
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def _parquet_like_source(
    data: bytes, frame: pd.DataFrame, label_column: str, labels: dict[int, Any], edits: VersionEdits
) -> pa.Table:
    """The source's own Arrow table with the edits: its schema, and so every column's type, unchanged."""
    source = pq.read_table(io.BytesIO(data))
    if source.num_rows != len(frame) or label_column not in source.column_names:
        return _arrow_table(_edited_frame(frame, label_column, labels, edits, None))
    at = source.column_names.index(label_column)
    field = source.schema.field(at)
    values = source.column(at).to_pylist()
    for position, value in labels.items():
        values[position] = _json_value(value) if isinstance(value, np.ndarray | np.generic) else value
    source = source.set_column(at, field, pa.array(values, type=field.type))
    if edits.status is not None:
        source = source.append_column(STATUS_COLUMN, pa.array(edits.status, type=pa.string()))
    return source.filter(pa.array(edits.keep, type=pa.bool_()))


def _parquet_writer(table: pa.Table) -> Callable[[Path], object]:
    return lambda partial: pq.write_table(table, partial)
