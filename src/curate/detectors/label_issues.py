"""Label errors: rows whose out-of-fold prediction confidently disagrees with the given label."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.predictions import PredProbs

__all__ = ["LabelIssueDetector", "per_class_thresholds"]


def per_class_thresholds(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each class's threshold: the mean probability the model gives that class on rows labelled with it.

    A class the model finds hard gets a low threshold, so a row counts as confidently belonging to
    a class relative to how sure the model usually is about that class, not to a fixed cut.
    """
    n_classes = probs.shape[1]
    thresholds = np.ones(n_classes)
    for c in range(n_classes):
        mask = codes == c
        if mask.any():
            thresholds[c] = probs[mask, c].mean()
    return thresholds


@register
class LabelIssueDetector(Detector):
    """Flags a row when another class is confidently more likely than its given label.

    Score: the out-of-fold probability of the given label (self-confidence).
    """

    name: ClassVar[str] = "label"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "pred_probs"})
    description: ClassVar[str] = "the given label is probably wrong"

    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        pred: PredProbs = context.need("pred_probs")
        probs = pred.probs
        codes = dataset.label_codes
        rows = np.arange(len(codes))
        given = probs[rows, codes]
        thresholds = per_class_thresholds(probs, codes)
        above = probs >= thresholds[None, :]
        confident = np.where(above, probs, -1.0).argmax(axis=1)
        has_confident = above.any(axis=1)
        flagged = has_confident & (confident != codes) & (probs[rows, confident] > given)
        best = probs.argmax(axis=1)
        suggested: list[str | None] = [
            dataset.classes[b] if b != c else None for b, c in zip(best, codes, strict=True)
        ]
        details = [
            {"given_prob": round(float(g), 4), "suggested_prob": round(float(probs[i, best[i]]), 4)}
            for i, g in enumerate(given)
        ]
        notes = {"thresholds": {c: round(float(t), 4) for c, t in zip(dataset.classes, thresholds, strict=True)}}
        return self._result(given, flagged, suggested_labels=suggested, details=details, notes=notes)
