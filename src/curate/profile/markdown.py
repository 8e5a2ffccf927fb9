"""Markdown that text from a dataset or a person cannot break out of: escaping for cells, lines and prose."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["escape_inline", "escape_prose", "table"]

# CommonMark lets a backslash escape any ASCII punctuation, which then stands for itself. Escaped
# are the characters that start markup in the middle of a line (where these values always stand):
# emphasis, strikethrough, code spans, links and images, table cell borders, HTML tags and entities.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~!])")
_BREAKS = re.compile(r"[\r\n\t\f\v\u0085\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# A value from the data is cut to this many characters in a card (a text cell can be an article).
INLINE_CHARACTERS = 200


def escape_inline(value: object, limit: int = INLINE_CHARACTERS) -> str:
    r"""A value from the data as literal Markdown text on one line (a table cell, a list item).

    Line breaks become spaces, control characters are dropped, the value is cut to ``limit``
    characters, and every character that could start markup is backslash-escaped, so that class names,
    column names or row ids render as themselves and cannot inject markup or HTML.

    Parameters
    ----------
    value : object
        The value; ``str(value)`` is escaped.
    limit : int, default 200
        Characters kept (an ellipsis marks a cut).

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> print(escape_inline("<b>spam</b> | *x*"))
    \<b\>spam\</b\> \| \*x\*
    """
    text = _CONTROL.sub("", _BREAKS.sub(" ", str(value))).strip()
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return _SPECIAL.sub(r"\\\1", text)


_SCRIPT_SCHEME = re.compile(r"\b(javascript|vbscript|data)\s*:", re.IGNORECASE)
_HEADING = re.compile(r"(?m)^(\s{0,3})#")


def escape_prose(value: str) -> str:
    """A card field a person wrote: its Markdown kept (lists, emphasis, links), raw HTML shown as text.

    ``<`` and ``&`` become entities, so no tag, comment or script can be injected; links with a
    script scheme (``javascript:``, ``vbscript:``, ``data:``) are made text; a line starting with
    ``#`` is text rather than a heading that would break the card's sections; control characters
    are dropped.

    Parameters
    ----------
    value : str
        The field's text.

    Returns
    -------
    str
        The text, safe to place as a Markdown block.

    Examples
    --------
    >>> escape_prose("CC BY 4.0 <script>alert(1)</script>")
    'CC BY 4.0 &lt;script>alert(1)&lt;/script>'
    """
    text = _CONTROL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").strip()
    # A link may lead anywhere on the web, but never run script: the colon of a script scheme is
    # written as an entity, so a renderer sees text, not a javascript:/vbscript:/data: link.
    text = _SCRIPT_SCHEME.sub(lambda m: m.group(1) + "&#58;", text)
    # Headings would cut the card's own sections apart: a field's line starting with # is text.
    return _HEADING.sub(lambda m: m.group(1) + "\\#", text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    r"""A Markdown (GFM) table whose every cell is escaped with :func:`escape_inline`.

    Parameters
    ----------
    headers : sequence of str
        The column names.
    rows : sequence of sequence
        The cells, one sequence per row, as many as ``headers``.

    Returns
    -------
    str
        The table's lines joined by newlines.

    Examples
    --------
    >>> print(table(["class", "rows"], [["a|b", 3]]))
    | class | rows |
    | --- | --- |
    | a\|b | 3 |
    """
    lines = ["| " + " | ".join(escape_inline(h) for h in headers) + " |",
             "| " + " | ".join("---" for _ in headers) + " |"]
    lines.extend("| " + " | ".join(escape_inline(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)
