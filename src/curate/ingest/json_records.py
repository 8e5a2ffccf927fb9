"""Read records from JSON: JSON Lines (one object per line), one array of objects, or an object
holding one array of objects under a key (``{"data": [...]}``).

Which of the three a file is follows from its content, not its extension: a ``.json`` file is often
JSON Lines, and a ``.jsonl`` file is sometimes one array.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from curate.errors import FileFormatError
from curate.ingest.source_lines import SourceLines

__all__ = ["read_json_records"]


def _jsonl(text: str, source: str) -> pd.DataFrame:
    records = []
    lines = []
    # Split on newlines alone: str.splitlines would also split inside strings at U+2028 and the like.
    split = text.split("\n")
    for number, line in enumerate(split, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            # A last line without its newline that stops inside a record: the file was cut off.
            ends_inside = exc.pos >= len(line.rstrip()) - 1 or exc.msg.startswith("Unterminated string")
            cut = (" (it ends without closing its record: the file looks truncated, cut off while it was "
                   "copied or downloaded)") if number == len(split) and ends_inside else ""
            raise FileFormatError(f"{source}: line {number} is not valid JSON ({exc.msg}: column {exc.colno})"
                                  f"{cut}") from None
        if not isinstance(value, dict):
            raise FileFormatError(f"{source}: line {number} is a JSON {_kind(value)}, not an object")
        records.append(value)
        lines.append(number)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["source_lines"] = SourceLines(lines)
    return frame


def _kind(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _records_of_array(items: list[Any], source: str, where: str = "") -> pd.DataFrame:
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise FileFormatError(
                f"{source}: item {position} of the array{where} is a JSON {_kind(item)}, not an object "
                "(curate reads an array of records, one object per row)"
            )
    return pd.DataFrame.from_records(items)


def _records_under_a_key(document: dict[str, Any], source: str) -> pd.DataFrame:
    keys = [k for k, v in document.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    if len(keys) > 1:
        raise FileFormatError(
            f"{source}: holds arrays of records under several keys ({', '.join(map(repr, keys))}); "
            "keep one per file (a test set can go in --test)"
        )
    if keys:
        return _records_of_array(document[keys[0]], source, f" under {keys[0]!r}")
    if any(isinstance(v, list) for v in document.values()):
        listed = [k for k, v in document.items() if isinstance(v, list)]
        raise FileFormatError(
            f"{source}: is one JSON object whose array(s) under {', '.join(map(repr, listed))} do not hold "
            "records; give an array of objects, one per row, or JSON Lines"
        )
    return pd.DataFrame.from_records([document])  # a single record: JSON Lines with one line


def _not_json(source: str, exc: json.JSONDecodeError) -> FileFormatError:
    return FileFormatError(f"{source}: line {exc.lineno} column {exc.colno} is not valid JSON ({exc.msg})")


def read_json_records(text: str, source: str) -> tuple[pd.DataFrame, str]:
    """Read ``text`` as JSON Lines, a JSON array of records, or records under one key.

    Parameters
    ----------
    text : str
        The decoded file.
    source : str
        How to name the file in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per record, one column per key (in order of first appearance); for JSON Lines
        ``attrs["source_lines"]`` holds each row's line.
    str
        ``"jsonl"`` or ``"json"`` (an array, or an object holding one).

    Raises
    ------
    FileFormatError
        When the text is not JSON (the message names the line and column), a line of JSON Lines
        is not an object, an array item is not an object, or an object holds several arrays of
        records.

    Examples
    --------
    >>> read_json_records('{"data": [{"text": "a", "label": "x"}]}', "d.json")[0].columns.tolist()
    ['text', 'label']
    """
    start = text.lstrip()[:1]
    if start == "[":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _not_json(source, exc) from None
        return _records_of_array(document, source), "json"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        first = next((line for line in text.split("\n") if line.strip()), "")
        try:
            first_is_json = isinstance(json.loads(first), dict)
        except json.JSONDecodeError:
            first_is_json = False
        if exc.msg == "Extra data" or first_is_json:
            return _jsonl(text, source), "jsonl"
        raise _not_json(source, exc) from None
    if not isinstance(document, dict):
        raise FileFormatError(
            f"{source}: holds a single JSON {_kind(document)}; give JSON Lines (one object per line), "
            "an array of objects, or an object holding one"
        )
    if document and all(isinstance(v, list) and not v for v in document.values()):  # {"data": []}
        raise FileFormatError(
            f"{source}: holds no records (the array under {', '.join(map(repr, document))} is empty); "
            "give one JSON object (with fields) per row"
        )
    if "\n" in text.strip():  # a pretty-printed object: a wrapper of records, or one record
        return _records_under_a_key(document, source), "json"
    if any(isinstance(v, list) and v and all(isinstance(i, dict) for i in v) for v in document.values()):
        return _records_under_a_key(document, source), "json"
    return _jsonl(text, source), "jsonl"
