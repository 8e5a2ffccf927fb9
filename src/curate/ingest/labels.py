"""Validate the label column of the training table and an optional test table into label texts.

Labels are checked per file, so every message names the file (and line) that holds the fault:
lists (multi-label data), missing labels (empty cells, and the texts ``NaN``, ``NA``, ``N/A`` and
``null`` that spreadsheets and pandas write for a missing value). The label ``None`` is kept as a
class, since it can be one ("no topic"), with a warning. In a column of numbers alone, labels that
are numerically equal but written differently (``1`` in the training file, ``1.0`` in the test
file) become one class; any other label stays exactly as written.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from curate.core.dataset import label_text
from curate.errors import DatasetError

__all__ = ["MISSING_LABEL_TEXTS", "LabelPart", "validate_labels"]

MISSING_LABEL_TEXTS = frozenset({"nan", "na", "n/a", "null"})
"""Label texts (compared without case) that mean a missing label."""

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# Longer cells are not parsed as Python lists: no label is that long, and parsing is not free.
_LIST_CHARS = 10_000


@dataclass(frozen=True)
class LabelPart:
    """The label cells of one file, with what names its rows in messages."""

    values: pd.Series
    row_ids: np.ndarray
    source: str
    lines: Sequence[int] | None = None

    def where(self, position: int) -> str:
        """Name the row at ``position`` (0-based in this part) for a message.

        Parameters
        ----------
        position : int
            The row's position in this part.

        Returns
        -------
        str
            ``line N, row_id X`` when the file's lines are known, else ``row_id X``.
        """
        if self.lines is not None and len(self.lines) == len(self.values):
            return f"line {self.lines[position]}, row_id {self.row_ids[position]}"
        return f"row_id {self.row_ids[position]}"


def _as_list(value: object) -> list[object] | None:
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.startswith("[") and text.endswith("]")) or len(text) > _LIST_CHARS:
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        return parsed if isinstance(parsed, list) else None
    return None


def _refuse_lists(part: LabelPart, column: str) -> None:
    present = [v for v in part.values if not _is_blank(v)]
    lists = [found for v in present if (found := _as_list(v)) is not None]
    if present and len(lists) > len(present) / 2:
        raise DatasetError(
            f"{part.source}: the label column {column!r} holds lists ({len(lists)} of {len(present)} rows, "
            f"e.g. {lists[0]!r}): multi-label data is not supported yet; give one label per row"
        )


def _is_blank(value: object) -> bool:
    if isinstance(value, list | tuple | dict | np.ndarray):
        return False
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _refuse_missing(part: LabelPart, column: str) -> None:
    blank = [_is_blank(v) for v in part.values]
    texts = [
        v.strip() if isinstance(v, str) and v.strip().lower() in MISSING_LABEL_TEXTS else None for v in part.values
    ]
    missing = [i for i in range(len(blank)) if blank[i] or texts[i] is not None]
    if not missing:
        return
    said = Counter(t for t in texts if t is not None)
    details = [f"{sum(blank)} empty"] if any(blank) else []
    details += [f"{n} with the text {text!r}" for text, n in sorted(said.items())]
    read = ", read as missing" if said else ""
    raise DatasetError(
        f"{part.source}: {len(missing)} row(s) have no label in {column!r} ({', '.join(details)}{read}; "
        f"first: {part.where(missing[0])}); fill them in or remove them"
    )


def _unify_numbers(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Map numerically equal spellings of a number label onto the most common one."""
    counts = Counter(labels.tolist())
    if not all(_NUMBER.fullmatch(text) for text in counts):
        return labels, []
    spellings: dict[float, list[str]] = {}
    for text in counts:  # in order of first appearance: training rows first
        spellings.setdefault(float(text), []).append(text)
    mapping: dict[str, str] = {}
    notes = []
    for texts in spellings.values():
        if len(texts) < 2:
            continue
        kept = max(texts, key=lambda t: counts[t])  # ties: the first seen
        others = [t for t in texts if t != kept]
        mapping.update(dict.fromkeys(others, kept))
        notes.append(
            f"labels: {', '.join(f'{t!r} ({counts[t]} rows)' for t in others)} read as {kept!r} (numerically equal)"
        )
    if not mapping:
        return labels, []
    return np.array([mapping.get(v, v) for v in labels], dtype=object), notes


def validate_labels(parts: Sequence[LabelPart], column: str) -> tuple[np.ndarray, list[str]]:
    """Check each part's labels and return them all as text, in order, with notes.

    Parameters
    ----------
    parts : sequence of LabelPart
        The training file's labels, then the test file's, if any.
    column : str
        The label column's name, for messages.

    Returns
    -------
    numpy.ndarray
        Shape (total rows,), object: each label as text (:func:`curate.core.dataset.label_text`),
        numerically equal number spellings made one.
    list of str
        Notes: which spellings were made one, and a ``warning:`` when the label ``None`` is kept.

    Raises
    ------
    DatasetError
        When a part's label column holds lists in most rows (multi-label data), or some of its
        rows have no label (empty, or ``NaN``/``NA``/``N/A``/``null``); the message names the
        part's file and the first such row.

    Examples
    --------
    >>> part = LabelPart(pd.Series(["1", "2", "1.0"]), np.array(["a", "b", "c"]), "d.csv")
    >>> validate_labels([part], "label")[0].tolist()
    ['1', '2', '1']
    """
    for part in parts:
        _refuse_lists(part, column)
        _refuse_missing(part, column)
    labels = np.array([label_text(v) for part in parts for v in part.values], dtype=object)
    labels, notes = _unify_numbers(labels)
    nones = int((labels == "None").sum())
    if nones:
        notes.append(
            f"warning: {nones} row(s) have the label 'None' in {column!r}; it is kept as a class "
            "of its own (blank those cells if it means a missing label)"
        )
    return labels, notes
