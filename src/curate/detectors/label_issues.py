"""Label errors: rows whose out-of-fold prediction confidently disagrees with the given label."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.predictions import PredProbs

__all__ = ["LabelIssueDetector", "estimated_errors_per_class", "per_class_thresholds"]


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


def estimated_errors_per_class(probs: np.ndarray, codes: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How many rows of each given class are probably mislabelled (confident learning).

    Counts, for each given class, the rows confidently belonging to another class; rescales each
    given class's counts to the number of rows it really has (rows with no confident class would
    otherwise be dropped from the estimate); returns the off-diagonal total per class.
    """
    n_classes = probs.shape[1]
    above = probs >= thresholds[None, :]
    has_confident = above.any(axis=1)
    confident = np.where(above, probs, -1.0).argmax(axis=1)
    joint = np.zeros((n_classes, n_classes))
    np.add.at(joint, (codes[has_confident], confident[has_confident]), 1.0)
    sizes = np.bincount(codes, minlength=n_classes).astype(float)
    row_totals = joint.sum(axis=1)
    scale = np.divide(sizes, row_totals, out=np.zeros(n_classes), where=row_totals > 0)
    joint *= scale[:, None]
    return np.rint(joint.sum(axis=1) - np.diag(joint)).astype(int)


@register
class LabelIssueDetector(Detector):
    """Flags the rows most likely mislabelled, as many per class as confident learning estimates.

    Score: the out-of-fold probability of the given label (self-confidence). Within each given
    class, the estimated number of mislabelled rows with the lowest scores is flagged, so the flag
    threshold follows each class's own noise rate instead of a fixed cut.
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
        flagged = np.zeros(len(codes), dtype=bool)
        estimated = estimated_errors_per_class(probs, codes, thresholds)
        for c, n_errors in enumerate(estimated):
            members = np.flatnonzero(codes == c)
            flagged[members[np.argsort(given[members], kind="stable")[:n_errors]]] = True
        # a row whose given label is already the model's top choice is never called an error
        flagged &= probs.argmax(axis=1) != codes
        best = probs.argmax(axis=1)
        suggested: list[str | None] = [
            dataset.classes[b] if b != c else None for b, c in zip(best, codes, strict=True)
        ]
        top = np.argsort(-probs, axis=1, kind="stable")[:, :9]
        details = [
            {"given_prob": round(float(g), 4), "suggested_prob": round(float(probs[i, best[i]]), 4),
             "top_classes": [[dataset.classes[c], round(float(probs[i, c]), 4)] for c in top[i]]}
            for i, g in enumerate(given)
        ]
        notes = {"thresholds": {c: round(float(t), 4) for c, t in zip(dataset.classes, thresholds, strict=True)},
                 "estimated_errors": {c: int(e) for c, e in zip(dataset.classes, estimated, strict=True)},
                 "estimated_noise_rate": round(float(estimated.sum()) / len(codes), 4)}
        return self._result(given, flagged, suggested_labels=suggested, details=details, notes=notes)
