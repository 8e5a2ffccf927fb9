"""Choose the label, text and input columns when the user did not name them.

Every automatic choice is returned as a sentence so that the CLI can print what was chosen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from curate.errors import ColumnError

__all__ = [
    "ColumnChoice",
    "choose_columns",
    "continuous_label_facts",
    "match_column",
    "tabular_inputs_note",
]

# Names compared without case, spacing or punctuation ("Gold Label" is "goldlabel"), English and Korean.
_LABEL_NAMES = ("label", "labels", "goldlabel", "target", "class", "category", "y", "intent", "sentiment",
                "라벨", "레이블", "정답", "감정", "분류", "클래스", "카테고리", "범주", "타겟", "긍부정")
_TEXT_NAMES = (
    "text", "sentence", "content", "review", "body", "document", "comment", "utterance", "question",
    "title", "message", "본문", "내용", "문장", "텍스트", "리뷰", "후기", "댓글", "제목", "질문", "발화", "문서",
)
# Hangul, kana and CJK ideographs: scripts written without spaces between words (or with few).
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
# A numeric label with more distinct values than this is continuous when most of them are not
# whole numbers, or when there are more distinct values than half the rows (mostly singletons).
_CONTINUOUS_MIN_VALUES = 20


@dataclass
class ColumnChoice:
    """Which column plays which part, and a sentence for each automatic choice."""

    label: str
    text: tuple[str, ...]
    inputs: tuple[str, ...]
    notes: list[str] = field(default_factory=list)


def match_column(columns: Iterable[object], name: str | None) -> str | None:
    """The header that ``name`` means: itself when a column has exactly that name, else the one
    column whose name differs from it only by surrounding spaces, else the one that differs only in
    case (as column detection ignores case).

    Headers are kept byte for byte; this only forgives a name typed without a header's spaces
    (``--label "gold label"`` for `` gold label ``), with spaces the header lacks, or in another
    case (``gold label`` for ``Gold Label``).

    Parameters
    ----------
    columns : iterable
        The table's column names (a list or a pandas Index).
    name : str or None
        The name the user gave; None is returned as None.

    Returns
    -------
    str or None
        The exact header, or ``name`` unchanged when no column (or more than one) matches, so that
        the caller's missing-column error names what the user typed.

    Examples
    --------
    >>> match_column(["text", " gold label "], "gold label")
    ' gold label '
    >>> match_column(["text", "Gold Label"], "gold label")
    'Gold Label'
    """
    if name is None:
        return None
    names = [str(c) for c in columns]
    if name in names:
        return name
    near = [c for c in names if c.strip() == name.strip()]
    if len(near) == 1:
        return near[0]
    # "--label gold label" for "Gold Label": detection ignores case, so a name typed by hand does too
    # (two columns that differ only in case stay ambiguous: the error lists both).
    folded = [c for c in names if c.strip().casefold() == name.strip().casefold()]
    return folded[0] if len(near) == 0 and len(folded) == 1 else name


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """The column named like one of ``names``; else the one column whose name ends with one ("Review Text")."""
    keys = {_name_key(c): c for c in columns}
    for name in names:
        if name in keys:
            return keys[name]
    endings = [c for key, c in keys.items() if any(key.endswith(name) for name in names if len(name) > 1)]
    return endings[0] if len(endings) == 1 else None


def _require(frame: pd.DataFrame, column: str, what: str, source: str) -> None:
    if column not in frame.columns:
        raise ColumnError(
            f"{source} has no {what} column {column!r}; its columns are: "
            f"{', '.join(map(str, frame.columns))}"
        )


def _looks_like_text(series: pd.Series, named: bool = False) -> bool:
    """Prose: long strings of several words, mostly distinct; a column named like text needs only two words."""
    values = series.dropna()
    if values.empty or not all(isinstance(v, str) for v in values.head(200)):
        return False
    strings = values.astype(str)
    lengths = strings.str.len()
    words = strings.str.count(" ") + 1
    # Japanese and Chinese put no spaces between words: there, length alone says prose
    unspaced = strings.head(200).map(lambda t: len(_UNSPACED_SCRIPT.findall(t)) > len(t) / 2).mean() > 0.5
    if named:  # "text", "Review Text", "본문": short sentences are still its text
        long_enough = unspaced or words.mean() >= 2
    else:
        long_enough = lengths.mean() >= (10 if unspaced else 25) and (unspaced or words.mean() >= 4)
    return bool(long_enough and values.nunique() > 0.5 * len(values))


def tabular_inputs_note(inputs: Sequence[str]) -> str:
    """The line that names a table's input columns (the first six).

    Parameters
    ----------
    inputs : sequence of str
        The input columns read.

    Returns
    -------
    str
        One line, starting with ``tabular inputs:``.
    """
    shown = ", ".join(inputs[:6]) + (", ..." if len(inputs) > 6 else "")
    return f"tabular inputs: {len(inputs)} column(s) ({shown}); name a text column with --text (text= in Python)"


def choose_columns(
    frame: pd.DataFrame,
    *,
    label: str | None,
    text: Sequence[str] | None,
    reserved: Sequence[str],
    source: str,
    own_features: bool = False,
) -> ColumnChoice:
    """Decide the label column, the text column(s) and the other input columns.

    ``reserved`` are columns with another part (id, split) that are never inputs.

    The label is detected from common names (``label``, ``target``, ``class``, ...); a text column
    from common names (``text``, ``review``, ...) when its cells look like prose, else the one
    prose-like column of a table with at most two candidates. Without a text column, every other
    column is a tabular input.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    label : str or None
        The label column; detected when None.
    text : sequence of str or None
        The text column(s); detected when None, none at all for an empty sequence.
    reserved : sequence of str
        Columns with another part (id, split); they must exist and are never inputs.
    source : str
        How to name the table in error messages.
    own_features : bool, default False
        Whether the user gives their own features: then they are the input, and a table with no
        column besides the label is allowed.

    Returns
    -------
    ColumnChoice
        The label, text and input columns (``inputs`` is empty when there is text, and may be
        empty with ``own_features``), and a note for each automatic choice.

    Raises
    ------
    ColumnError
        When a named column is missing, the label cannot be detected, or no column is left as
        input (and ``own_features`` is False).
    """
    notes: list[str] = []
    columns = [str(c) for c in frame.columns]
    if label is None:
        found = _find(columns, _LABEL_NAMES)
        if found is None:
            raise ColumnError(
                f"cannot tell which column of {source} is the label; name it with --label "
                f"(columns: {', '.join(columns)})"
            )
        label = found
        notes.append(f"label column: {label!r} (detected; override with --label)")
    _require(frame, label, "label", source)
    for column in reserved:
        _require(frame, column, "named", source)
    others = [c for c in columns if c != label and c not in reserved]

    if text:
        for column in text:
            _require(frame, column, "text", source)
        text_columns = tuple(text)
    elif text is not None:  # an explicit empty list: a table with no text column, detect nothing
        text_columns = ()
    else:
        named = _find(others, _TEXT_NAMES)
        if named is not None and (_looks_like_text(frame[named], named=True) or len(others) == 1):
            text_columns = (named,)
        else:
            texty = [c for c in others if _looks_like_text(frame[c])]
            text_columns = (texty[0],) if len(texty) == 1 and len(others) <= 2 else ()
        if text_columns:
            notes.append(f"text column: {text_columns[0]!r} (detected; override with --text)")
    inputs = tuple(c for c in others if c not in text_columns)
    if not text_columns and not inputs and own_features:
        notes.append(f"inputs: your own features alone (no column besides the label {label!r})")
    elif not text_columns and not inputs:
        raise ColumnError(f"{source} has no input columns besides the label {label!r}")
    return ColumnChoice(label=label, text=text_columns, inputs=inputs if not text_columns else (),
                        notes=notes)


def continuous_label_facts(labels: Sequence[str]) -> dict[str, int | float] | None:
    """Facts showing that a label column holds measurements rather than classes, or None.

    A label is continuous when every value is a finite number, there are more than 20 distinct
    values, and either most distinct values are not whole numbers or there are more distinct
    values than half the rows. Classification of such a label means one class per measurement.

    Parameters
    ----------
    labels : sequence of str
        The labels as text (as :func:`curate.core.dataset.label_text` makes them).

    Returns
    -------
    dict or None
        ``distinct`` (distinct values), ``rows``, ``non_integer_share`` (of the distinct values,
        rounded to 3 decimals), ``min`` and ``max``; None when the label does not look continuous.

    Examples
    --------
    >>> continuous_label_facts([f"{i / 10}" for i in range(40)])["distinct"]
    40
    >>> continuous_label_facts(["1", "2", "2", "1"]) is None
    True
    """
    distinct_text = set(labels)
    if len(distinct_text) <= _CONTINUOUS_MIN_VALUES:
        return None
    try:
        values = {float(v) for v in distinct_text}
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in values) or len(values) <= _CONTINUOUS_MIN_VALUES:
        return None
    non_integer = sum(1 for v in values if not v.is_integer()) / len(values)
    if non_integer <= 0.5 and len(values) <= len(labels) / 2:
        return None
    return {"distinct": len(values), "rows": len(labels), "non_integer_share": round(non_integer, 3),
            "min": min(values), "max": max(values)}
