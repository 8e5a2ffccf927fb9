"""The ``shouting`` detector: text rows written entirely in upper case."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from curate import Dataset, Detector, DetectorResult
from curate.detectors import NeedProvider
from curate.modalities.text import texts as texts_of

__all__ = ["ShoutingDetector"]


class ShoutingDetector(Detector):
    """Flags text rows whose letters are all upper case (at least ``min_letters`` of them).

    Score: the share of the row's cased letters that are lower case, so 0 is all capitals; a row
    without cased letters (Korean, digits) or written mostly in a script without case (a Korean
    sentence quoting "IMDB") scores 1. Tables have no text: every row scores 1.

    Parameters
    ----------
    min_letters : int
        Fewer cased letters than this (an "OK") are never called shouting.
    """

    name: ClassVar[str] = "shouting"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "the text is written entirely in upper case"

    def __init__(self, min_letters: int = 4) -> None:
        self.min_letters = min_letters

    def find(self, context: NeedProvider) -> DetectorResult:
        """Score every row by its share of lower-case letters; flag the rows with none.

        Parameters
        ----------
        context : NeedProvider
            Gives the dataset.

        Returns
        -------
        DetectorResult
            Scores, flags, and for flagged rows the number of capitals.
        """
        dataset: Dataset = context.need("dataset")
        n = dataset.n_rows
        if dataset.modality != "text":  # not checked: the run does not list it (pictures have no capitals)
            return self._result(np.ones(n), np.zeros(n, dtype=bool), notes={"checked": False}, checked=False)
        texts = texts_of(dataset)
        lower = np.array([sum(c.islower() for c in t) for t in texts], dtype=np.int64)
        upper = np.array([sum(c.isupper() for c in t) for t in texts], dtype=np.int64)
        letters = np.array([sum(c.isalpha() for c in t) for t in texts], dtype=np.int64)
        cased = lower + upper
        # Capitals in a text written mostly in a script without case ("IMDB 차트 1위") are not shouting.
        mostly_cased = 2 * cased >= letters
        scores = np.divide(lower, cased, out=np.ones(n), where=(cased > 0) & mostly_cased)
        flagged = (lower == 0) & (cased >= self.min_letters) & mostly_cased
        details: list[dict[str, Any]] = [{"capitals": int(upper[i])} if flagged[i] else {} for i in range(n)]
        return self._result(scores, flagged, details=details, notes={"checked": True})
