"""Label errors: rows whose evidence (classifier and neighbours) clearly prefers another class."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.evidence.label_evidence import LabelEvidence

__all__ = ["MIN_SUPPORT", "RELATIVE_CONFIDENCE", "LabelIssueDetector", "class_confidence", "label_error_flags"]

# A row is an error candidate when its given label is less than this share as probable as is usual
# for rows given that label. Chosen on NoisyAG-News as the most cautious value within 0.01 F1 of the
# best (0.5, 0.6, 0.7 and 1.0 gave F1 0.512, 0.536, 0.541, 0.541); CIFAR-10N was not used to choose it.
RELATIVE_CONFIDENCE = 0.6
# A flag also needs real support for the class it suggests: at least this probability under the
# calibrated evidence. Without it, on 75 classes of 10 rows (5 % of labels flipped) 49 rows were
# flagged at precision 0.76; with it, 42 at 0.88, and NoisyAG-News F1 went from 0.522 to 0.515
# (0.5 would cost it 0.03). The same probability is each flag's estimated precision.
MIN_SUPPORT = 0.4
TOP_CLASSES_SHOWN = 9


def class_confidence(given_probs: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Each class's typical confidence: the mean probability of the given label over rows given it.

    A class the evidence finds hard has a low typical confidence, so "unusually unlikely" is judged
    against each class's own level instead of one cut for all.

    Parameters
    ----------
    given_probs : numpy.ndarray
        Shape (n_rows,): each row's probability of its given label.
    codes : numpy.ndarray
        Shape (n_rows,), int: the given labels' class codes.
    n_classes : int
        Number of classes.

    Returns
    -------
    numpy.ndarray
        Shape (n_classes,); 1 for a class without rows.
    """
    sums = np.bincount(codes, weights=given_probs, minlength=n_classes)
    counts = np.bincount(codes, minlength=n_classes)
    return np.divide(sums, counts, out=np.ones(n_classes), where=counts > 0)


def label_error_flags(probs: np.ndarray, codes: np.ndarray, ambiguous: np.ndarray,
                      relative_confidence: float = RELATIVE_CONFIDENCE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows are label errors, which are ambiguous instead, and each class's flag threshold.

    A row is an error when another class is more probable than its given label, its given label's
    probability is below ``relative_confidence`` times its class's typical confidence, and it is not
    ambiguous (its given label one of two about equally plausible classes).

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the label evidence.
    codes : numpy.ndarray
        Shape (n_rows,), int: given labels.
    ambiguous : numpy.ndarray
        Shape (n_rows,), bool: rows the evidence finds ambiguous (:attr:`LabelEvidence.ambiguous`).
    relative_confidence : float, default 0.6
        The flag bar, as a share of the class's typical confidence.

    Returns
    -------
    errors : numpy.ndarray
        Shape (n_rows,), bool.
    left_as_ambiguous : numpy.ndarray
        Shape (n_rows,), bool: candidates not flagged because they are ambiguous.
    thresholds : numpy.ndarray
        Shape (n_classes,): each class's bar on the given label's probability.
    """
    rows = np.arange(len(codes))
    given = probs[rows, codes]
    thresholds = relative_confidence * class_confidence(given, codes, probs.shape[1])
    candidates = (probs.argmax(axis=1) != codes) & (given < thresholds[codes])
    return candidates & ~ambiguous, candidates & ambiguous, thresholds


@register
class LabelIssueDetector(Detector):
    """Flags rows whose given label the evidence finds unusually unlikely for its class.

    Score: the probability of the given label under the combined evidence (lower is worse). The flag
    threshold is per class (see :func:`label_error_flags`), so it follows each class's own level of
    certainty instead of a fixed cut. The suggested label is the most probable class.

    The per-class threshold is confident learning's: a class's typical confidence is the mean
    probability of the class over the rows given it (Northcutt, Jiang & Chuang 2021 [1]_), here scaled
    by ``relative_confidence`` and computed on the combined classifier and neighbour evidence.

    The evidence is calibrated on the given labels (:mod:`curate.evidence.calibration`), so the
    suggested class's probability is an estimate of the chance the flag is right; their mean over
    the flags is the run's estimated precision, and their sum the expected number of real errors
    among the flags. Rows of classes too small to learn (:mod:`curate.evidence.trust`) are never
    flagged, and such classes are never suggested.

    Parameters
    ----------
    relative_confidence : float, default 0.6
        A row is a candidate when its given label's probability is below this share of its
        class's typical confidence (chosen on NoisyAG-News, see ``RELATIVE_CONFIDENCE``).
    min_support : float, default 0.4
        ... and the suggested class has at least this probability (see ``MIN_SUPPORT``).


    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning: Estimating Uncertainty
       in Dataset Labels", Journal of Artificial Intelligence Research 70, 2021.
    """

    name: ClassVar[str] = "label"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "label_evidence"})
    description: ClassVar[str] = "the given label is probably wrong"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {"relative_confidence": (0.0, 1.0),
                                                                                 "min_support": (0.0, 1.0)}

    def __init__(self, relative_confidence: float = RELATIVE_CONFIDENCE, min_support: float = MIN_SUPPORT) -> None:
        self.relative_confidence = relative_confidence
        self.min_support = min_support

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag the rows whose given label the evidence finds unusually unlikely.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset`` and ``label_evidence``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): the given label's probability under the evidence;
            suggested labels (the most probable class) for flagged rows; details with the
            given, suggested, classifier and neighbour probabilities (and each extra view's, as
            ``NAME_prob``) and the top classes;
            notes with the rule, per-class thresholds, flag counts, ``estimated_precision`` (None
            without flags) and ``expected_true_errors``. Rows of classes too small to learn are
            never flagged.
        """
        dataset: Dataset = context.need("dataset")
        evidence: LabelEvidence = context.need("label_evidence")
        probs, codes, classes = evidence.probs, dataset.label_codes, dataset.classes
        rows = np.arange(len(codes))
        given = probs[rows, codes]
        flagged, left_as_ambiguous, thresholds = label_error_flags(probs, codes, evidence.ambiguous,
                                                                   self.relative_confidence)
        best = probs.argmax(axis=1)
        flagged &= probs[rows, best] >= self.min_support
        # A class too small to learn (a single row a reviewer left behind, 300 classes of 2 rows) was
        # never learned out of fold: the evidence says nothing about its rows' labels, nor for it.
        reliable = (evidence.strength.reliable_class if evidence.strength is not None
                    else np.bincount(codes, minlength=len(classes)) >= 2)
        lonely = ~reliable[codes] | ~reliable[best]
        flagged &= ~lonely
        support = probs[rows, best][flagged]
        suggested: list[str | None] = [classes[b] if f else None for b, f in zip(best, flagged, strict=True)]
        top = np.argsort(-probs, axis=1, kind="stable")[:, :TOP_CLASSES_SHOWN]
        details: list[dict[str, Any]] = [
            {"given_prob": round(float(given[i]), 4), "suggested_prob": round(float(probs[i, best[i]]), 4),
             "classifier_prob": round(float(evidence.classifier[i, codes[i]]), 4),
             **({} if evidence.neighbours is None
                else {"neighbour_prob": round(float(evidence.neighbours[i, codes[i]]), 4)}),
             **{f"{name}_prob": round(float(view[i, codes[i]]), 4) for name, view in evidence.extra.items()},
             "top_classes": [[classes[c], round(float(probs[i, c]), 4)] for c in top[i]]}
            for i in rows
        ]
        per_class = np.bincount(codes[flagged], minlength=len(classes))
        notes = {
            "rule": (f"another class is more probable, with probability at least {self.min_support}, and the "
                     f"given label's probability is below {self.relative_confidence} x its class's typical "
                     "confidence; ambiguous rows are left to the 'ambiguous' check"),
            "thresholds": {c: round(float(t), 4) for c, t in zip(classes, thresholds, strict=True)},
            "flagged_per_class": {c: int(n) for c, n in zip(classes, per_class, strict=True)},
            "estimated_noise_rate": round(float(flagged.mean()), 4) if len(codes) else 0.0,
            "estimated_precision": round(float(support.mean()), 3) if support.size else None,
            "expected_true_errors": round(float(support.sum()), 1),
            "min_support": self.min_support,
            "left_as_ambiguous": int(left_as_ambiguous.sum()),
            "vote_neighbours": evidence.vote_neighbours,
            "refit_without_suspects": evidence.pruned_rows,
        }
        if lonely.any():
            notes["unflagged_small_classes"] = int((~reliable).sum())
        # The user's own probabilities are accepted with rows summing to 1 within 1e-3, so a given
        # label's probability may exceed 1 by that much; the score is a probability, so cap it.
        return self._result(np.minimum(given, 1.0), flagged, suggested_labels=suggested, details=details,
                            notes=notes)
