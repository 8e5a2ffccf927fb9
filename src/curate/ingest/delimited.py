"""Read delimiter-separated text (CSV, TSV, semicolon or pipe separated) into a frame of strings.

The delimiter is detected from the first records whatever the file's extension, among the four that
spreadsheets and databases write: comma, tab, semicolon and pipe. A candidate fits when it splits
every sampled record into as many fields as the header (quoted fields respected) and the header into
at least two; the extension's own delimiter wins among those that fit, then the one giving the
most columns. Fields of any size are read (a forum post can be longer than the csv module's default
limit of 131,072 characters), and header names are kept byte for byte.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import pandas as pd

from curate.errors import FileFormatError
from curate.ingest.source_lines import SourceLines

__all__ = ["DELIMITERS", "Delimiter", "read_delimited", "sniff_delimiter"]

DELIMITERS = (",", "\t", ";", "|")
_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_SAMPLE_RECORDS = 50
# The C long limit on every platform; a record can never be longer than the file anyway.
_FIELD_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Delimiter:
    """The delimiter to read with, and how sure the choice is."""

    char: str
    fits: bool
    """Whether every sampled record had the header's number of fields with it."""

    @property
    def name(self) -> str:
        """The delimiter in words and as a character, e.g. ``semicolon ';'``.

        Returns
        -------
        str
            Its name and its ``repr``.
        """
        return f"{_NAMES.get(self.char, 'delimiter')} {self.char!r}"


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    csv.field_size_limit(_FIELD_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _opens_unclosed_quote(text: str, line: int, delimiter: str) -> bool:
    """Whether a quote at the start of a field on ``line`` (1-based) is never closed.

    The csv module reads an unclosed quote to the end of the file as one field, which then shows
    as a record with too few fields; the quotes from that line on are then odd in number.
    """
    if '"' not in text:
        return False
    buffer = io.StringIO(text, newline="")
    deque(islice(buffer, line - 1), maxlen=0)  # skip to the line, lines split as the csv module splits them
    first = buffer.readline()
    opens = first.startswith('"') or f'{delimiter}"' in first
    return opens and (first.count('"') + buffer.read().count('"')) % 2 == 1


def _unclosed_quote(source: str, line: int) -> FileFormatError:
    return FileFormatError(
        f"{source}: line {line} opens a quoted field that is never closed (an unclosed quote: everything "
        "after it up to the end of the file reads as one field); close or remove that quote"
    )


def _sample(text: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for record in _records(text, delimiter):
            if record:
                rows.append(record)
            if len(rows) > _SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # the records read so far are the sample
    return rows


def sniff_delimiter(text: str, preferred: str | None = None) -> Delimiter:
    """Choose the delimiter of ``text`` among comma, tab, semicolon and pipe.

    Parameters
    ----------
    text : str
        The decoded file; only its first 51 records are read.
    preferred : str, optional
        The extension's delimiter (``,`` for ``.csv``, tab for ``.tsv``); chosen whenever it fits.

    Returns
    -------
    Delimiter
        The delimiter that fits (``preferred`` first, then the one giving the most columns); when
        none fits, the likeliest (the most records split like the header) with ``fits=False``;
        ``preferred`` (or comma) when no candidate splits the header at all.

    Examples
    --------
    >>> sniff_delimiter("text;label\\nhello, world;a\\nbye;b\\n", preferred=",").char
    ';'
    """
    scores: dict[str, tuple[float, int]] = {}
    for char in DELIMITERS:
        rows = _sample(text, char)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:]
        share = sum(len(r) == width for r in body) / len(body) if body else 1.0
        scores[char] = (share, width)
    fitting = [c for c, (share, _) in scores.items() if share == 1.0]
    if preferred in fitting:
        return Delimiter(preferred, fits=True)
    if fitting:
        return Delimiter(max(fitting, key=lambda c: scores[c][1]), fits=True)
    if scores:
        return Delimiter(max(scores, key=lambda c: scores[c]), fits=False)
    return Delimiter(preferred or ",", fits=True)


def read_delimited(text: str, delimiter: Delimiter, source: str) -> pd.DataFrame:
    """Parse ``text`` with ``delimiter`` into a frame of strings, empty cells missing.

    Parameters
    ----------
    text : str
        The decoded file.
    delimiter : Delimiter
        What :func:`sniff_delimiter` chose.
    source : str
        How to name the file in error messages.

    Returns
    -------
    pandas.DataFrame
        One object column per header name (exactly as written), one row per non-blank record;
        ``attrs["source_lines"]`` holds each row's first line in the file.

    Raises
    ------
    FileFormatError
        When the file has no header, an empty header, a record with another number of fields than
        the header (the message names the line and the delimiter), a quote that is never closed
        (the message names the line it opens on), repeated column names, or a quoting error.
    """
    rows = _records(text, delimiter.char)
    try:
        header = next(rows)
    except StopIteration:
        raise FileFormatError(f"{source} is empty: it has no header line and no rows") from None
    if not any(cell.strip() for cell in header):
        raise FileFormatError(f"{source}: the header line is empty")
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = rows.line_num  # type: ignore[attr-defined]
    try:
        for record in rows:
            start, previous_end = previous_end + 1, rows.line_num  # type: ignore[attr-defined]
            if not record:  # a blank line between rows
                continue
            lines.append(start)
            if len(record) != len(header):
                if next(rows, None) is None and _opens_unclosed_quote(text, start, delimiter.char):
                    raise _unclosed_quote(source, start)
                if previous_end > start:  # a quoted field ran over the line end: a stray quote, not a comma
                    raise FileFormatError(
                        f"{source}: line {start} has a quote that is not closed on its line (its field runs on "
                        f"to line {previous_end}, giving {len(record)} fields where the header has "
                        f"{len(header)}); close or remove that quote"
                    )
                hint = (
                    ""
                    if delimiter.fits
                    else f" (no delimiter splits every line alike; {delimiter.name} is the likeliest)"
                )
                raise FileFormatError(
                    f"{source}: line {start} has {len(record)} fields but the header has "
                    f"{len(header)} when split by the {delimiter.name}{hint}; quote fields that "
                    f"contain {delimiter.char!r}"
                )
            records.append(record)
    except csv.Error as exc:
        raise FileFormatError(f"{source}: line {rows.line_num}: {exc}") from None  # type: ignore[attr-defined]
    # An unclosed quote in the last field still gives the header's number of fields, with every
    # line after it inside that one cell.
    if lines and _opens_unclosed_quote(text, lines[-1], delimiter.char):
        raise _unclosed_quote(source, lines[-1])
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise FileFormatError(f"{source}: the header names column(s) {duplicated} more than once")
    frame = pd.DataFrame(records, columns=header, dtype=object).replace("", None)
    frame.attrs["source_lines"] = SourceLines(lines)
    return frame
