"""Input quality: empty, too short or too long text, mojibake, U+FFFD, control characters,
missing values, and constant or id-like columns."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.features.tabular import usable_columns

__all__ = ["InputQualityDetector", "text_problems"]

# How bad each problem is (the row's score is its worst problem's value).
_SEVERITY = {
    "empty": 0.0,
    "replacement_char": 0.1,
    "mojibake": 0.1,
    "control_chars": 0.3,
    "too_short": 0.3,
    "too_long": 0.4,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORDISH = re.compile(r"\w", re.UNICODE)


def _is_mojibake(text: str) -> bool:
    """UTF-8 bytes that were decoded as Latin-1/CP1252 re-encode to valid, different UTF-8."""
    if text.isascii():
        return False
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        if repaired != text:
            return True
    return False


def text_problems(text: str, *, long_limit: int) -> list[str]:
    """Names of the problems of one text (empty list when it is fine).

    >>> text_problems("cafÃ©", long_limit=1000)
    ['mojibake']
    """
    stripped = text.strip()
    if not stripped:
        return ["empty"]
    problems = []
    if "\ufffd" in text:
        problems.append("replacement_char")
    if _is_mojibake(text):
        problems.append("mojibake")
    if _CONTROL.search(text):
        problems.append("control_chars")
    if len(_WORDISH.findall(stripped)) < 2:
        problems.append("too_short")
    if len(stripped) > long_limit:
        problems.append("too_long")
    return problems


@register
class InputQualityDetector(Detector):
    """Flags rows whose input is empty, garbled, truncated-looking or missing values.

    Text longer than ``long_factor`` times the median length (and over 1,000 characters) counts as
    too long: the sentence model reads only its first 256 word pieces. Constant and id-like columns
    are dataset-level notes, since they are problems of a column, not of a row.
    """

    name: ClassVar[str] = "input_quality"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "the input is empty, garbled or incomplete"

    def __init__(self, long_factor: float = 10.0) -> None:
        self.long_factor = long_factor

    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        n = dataset.n_rows
        problems: list[list[str]] = [[] for _ in range(n)]
        notes: dict = {}
        if dataset.modality == "text":
            texts = dataset.texts()
            median = float(np.median([len(t) for t in texts])) if texts else 0.0
            long_limit = int(max(1000, self.long_factor * median))
            problems = [text_problems(t, long_limit=long_limit) for t in texts]
            notes["long_limit_chars"] = long_limit
        else:
            frame = dataset.frame[list(dataset.input_columns)]
            missing = frame.isna().to_numpy()
            columns = list(frame.columns)
            for row in np.flatnonzero(missing.any(axis=1)):
                problems[row] = [f"missing:{columns[c]}" for c in np.flatnonzero(missing[row])]
            kept = set(usable_columns(frame))
            constant = [c for c in columns if frame[c].dropna().nunique() <= 1]
            id_like = [c for c in columns if c not in kept and c not in constant]
            notes["constant_columns"] = constant
            notes["id_like_columns"] = id_like
            notes["missing_by_column"] = {c: int(v) for c, v in pd.Series(missing.sum(axis=0), columns).items() if v}
        scores: np.ndarray = np.ones(n)
        width = max(1, len(dataset.input_columns))
        for i, found in enumerate(problems):
            for p in found:
                scores[i] = min(scores[i], _SEVERITY.get(p, 1.0 - 0.5 * len(found) / width))
        flagged = np.array([bool(p) for p in problems])
        details = [{"problems": p} if p else {} for p in problems]
        return self._result(scores, flagged, details=details, notes=notes)
