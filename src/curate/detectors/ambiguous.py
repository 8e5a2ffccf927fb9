"""Ambiguous items: the given label is one of two classes the evidence finds about equally plausible."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.evidence.label_evidence import LabelEvidence

__all__ = ["AmbiguousDetector"]


@register
class AmbiguousDetector(Detector):
    """Flags rows that sit between two classes (like ImageNet's overlapping classes), naming both.

    Such rows are not label errors, since either label is defensible, but a reviewer may want to
    settle them, write a labelling guideline for the pair, or mark them ambiguous. Score: one minus
    the runner-up's probability relative to the top class's, so 0 is a dead heat.
    """

    name: ClassVar[str] = "ambiguous"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "label_evidence"})
    description: ClassVar[str] = "two classes are about equally plausible"

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag the rows whose given label is one of two about equally plausible classes.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset`` and ``label_evidence``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): 1 minus the runner-up's probability over the top class's.
            Details of a flagged row name the two competing classes with their probabilities;
            notes give the rule and the number of flags per class pair. Rows are never flagged
            between classes too small to learn.
        """
        dataset: Dataset = context.need("dataset")
        evidence: LabelEvidence = context.need("label_evidence")
        probs, codes, classes = evidence.probs, dataset.label_codes, dataset.classes
        top_two = evidence.top_two
        # A class too small to learn was never learned out of fold: no claim about its rows, nor with
        # it as one of the two competing classes (see the label check).
        reliable = (evidence.strength.reliable_class if evidence.strength is not None
                    else np.bincount(codes, minlength=len(classes)) >= 2)
        flagged = evidence.ambiguous & reliable[top_two].all(axis=1)
        rows = np.arange(len(codes))
        first, second = probs[rows, top_two[:, 0]], probs[rows, top_two[:, 1]]
        scores = 1.0 - np.divide(second, first, out=np.zeros(len(rows)), where=first > 0)
        details: list[dict[str, Any]] = [
            {"competing": [[classes[top_two[i, 0]], round(float(first[i]), 4)],
                           [classes[top_two[i, 1]], round(float(second[i]), 4)]]} if flagged[i] else {}
            for i in rows
        ]
        pairs: dict[str, int] = {}
        for i in np.flatnonzero(flagged):
            pair = " / ".join(sorted((classes[top_two[i, 0]], classes[top_two[i, 1]])))
            pairs[pair] = pairs.get(pair, 0) + 1
        notes = {"rule": (f"the runner-up class is at least {evidence.ambiguity_ratio} as probable as the top "
                          f"class, the two hold at least {evidence.ambiguity_mass} of the probability, and the "
                          "given label is one of them"),
                 "pairs": dict(sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])))}
        return self._result(scores, flagged, details=details, notes=notes)
