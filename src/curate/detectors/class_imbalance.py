"""Class imbalance: rows of classes much rarer than an even share would give them."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register

__all__ = ["ClassImbalanceDetector"]


@register
class ClassImbalanceDetector(Detector):
    """Flags rows of a class holding less than ``ratio`` (default 0.2) of an even share of the rows.

    Score: the class's count over the even share (capped at 1).

    Parameters
    ----------
    ratio : float, default 0.2
        A class is rare when its row count is below this share of ``n_rows / n_classes``.
    """

    name: ClassVar[str] = "class_imbalance"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "the row's class is rare"
    judged_by_reviewers: ClassVar[bool] = False
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {"ratio": (0.0, 1.0)}

    def __init__(self, ratio: float = 0.2) -> None:
        self.ratio = ratio

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag every row of a rare class.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): the row's class count over the even share; details give
            the class count and the even share; notes name the rare classes and their counts.
        """
        dataset: Dataset = context.need("dataset")
        codes = dataset.label_codes
        counts = np.bincount(codes, minlength=len(dataset.classes))
        even = dataset.n_rows / len(dataset.classes)
        share = counts / even
        flagged = share[codes] < self.ratio
        details = [{"class_count": int(counts[c]), "even_share": round(even, 1)} for c in codes]
        rare = {dataset.classes[c]: int(counts[c]) for c in np.flatnonzero(share < self.ratio)}
        # A class above an even share has share > 1; scores stop at 1 ("not rare at all").
        return self._result(np.minimum(share[codes], 1.0), flagged, details=details, notes={"rare_classes": rare})
