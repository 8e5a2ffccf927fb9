"""Label errors: rows whose given label is more likely wrong than right, given the evidence and the label noise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.core.verified import VerifiedLabels
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.evidence.label_evidence import LabelEvidence
from curate.evidence.noise_model import NoiseModel, fit_noise_model
from curate.evidence.verified import (
    calibration_features,
    fit_verified_calibration,
    sample_looks_random,
)

__all__ = ["CONSENSUS_SUPPORT", "ERROR_SCORE_TIEBREAK", "MIN_ERROR_PROBABILITY", "NOISE_MIN_CLASS_ROWS",
           "LabelIssueDetector", "wrong_label_probability"]

# A row is flagged when its given label is more likely wrong than right under the noise model
# (:mod:`curate.evidence.noise_model`): the Bayes decision, not a value tuned on a benchmark.
MIN_ERROR_PROBABILITY = 0.5
# A row is also flagged when every view of the evidence (classifier, neighbour vote, extra views), each
# out of fold on its own, names the same other class and the mixed evidence gives that class at least
# this probability. The noise model misses noise the evidence half-learned (a systematic mistake
# repeated across similar rows, NoisyAG-News's confusions): there the confident joint counts too
# little noise and the posterior stays low, while independent views agreeing is evidence of its own.
# On saved evidence (bench/evidence_lab.py) it raised MNIST's recall from 0.81 to 0.91 at precision
# 0.996, changed nothing on NSMC or CIFAR-10N worst_label, and kept IMDB at 2.9 % of rows flagged.
CONSENSUS_SUPPORT = 0.8
# Below this many rows in a class, the noise estimate is shaky: out of fold the classifier learns
# each class from a few dozen rows, and its own confusions fill the confident joint. On the first 300
# CIFAR-10 test pictures (clean labels, 23-33 per class, evidence accuracy 0.55) the joint put the
# noise at 36 % and 63 correct labels were flagged (3 of them on the views' consensus). Withholding
# such flags would also withhold clear errors in small hand-made sets, which the same statistics do not
# tell apart, so the run says so instead (the ``few_rows_noise`` warning) and counts them in the notes.
# (The same 50 rows per class decide whether the evidence is refitted without suspects.)
NOISE_MIN_CLASS_ROWS = 50
# The score is the posterior probability that the label is right; where the noise model is certain
# (many rows at exactly 0 or 1) the evidence's own probability of the label orders them, at this weight.
ERROR_SCORE_TIEBREAK = 1e-3
TOP_CLASSES_SHOWN = 9


def wrong_label_probability(probs: np.ndarray, codes: np.ndarray, views: Sequence[np.ndarray],
                            consensus_support: float = CONSENSUS_SUPPORT) -> tuple[np.ndarray, np.ndarray, NoiseModel]:
    """Each row's chance that its given label is wrong: the noise posterior, or the views' consensus.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the calibrated label evidence.
    codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.
    views : sequence of numpy.ndarray
        The evidence's views (classifier, neighbour vote, extra views), each (n_rows, n_classes).
    consensus_support : float, default 0.8
        Where every view names the same other class and ``probs`` gives it at least this, the
        row's chance is the larger of the posterior and that probability.

    Returns
    -------
    error : numpy.ndarray
        Shape (n_rows,), in [0, 1].
    consensus : numpy.ndarray
        Shape (n_rows,), bool: rows where the views agree on another class at ``consensus_support``.
    noise : NoiseModel
        The fitted noise model (:func:`curate.evidence.noise_model.fit_noise_model`).
    """
    rows = np.arange(len(codes))
    best = probs.argmax(axis=1)
    noise = fit_noise_model(probs, codes)
    agree = np.all([view.argmax(axis=1) == best for view in views], axis=0) if views else np.ones(len(rows), bool)
    consensus = agree & (probs[rows, best] >= consensus_support) & (best != codes)
    return np.where(consensus, np.maximum(noise.error, probs[rows, best]), noise.error), consensus, noise


@register
class LabelIssueDetector(Detector):
    """Flags rows whose given label is more likely wrong than right under the estimated label noise.

    The evidence (classifier, neighbour vote and any extra views, calibrated on the given labels)
    says how rows like this one are labelled; the noise model (:mod:`curate.evidence.noise_model`)
    says how much of that is label noise rather than the model's own uncertainty, from the
    confident joint of confident learning (Northcutt, Jiang & Chuang 2021 [1]_). A row is flagged when
    another class is the most probable, its posterior probability of a wrong label exceeds
    ``min_error_probability`` or every view independently names that class with the evidence at
    least ``consensus_support`` sure of it, it is not ambiguous (two classes about equally plausible: the
    'ambiguous' check reports those) and both classes can be learned. The suggested label is the
    most probable class.

    The posterior probability (for a consensus flag, the larger of it and the evidence's probability of
    the suggested class) is each flag's estimated chance of being right; their mean over the
    flags is the run's estimated precision, and their sum the expected number of real errors among
    the flags. Rows of classes too small to learn (:mod:`curate.evidence.trust`) are never flagged,
    and such classes are never suggested; rows whose input could not be read
    (``LabelEvidence.unread``, from :meth:`curate.modalities.Modality.unread_rows`) are never flagged.

    Parameters
    ----------
    min_error_probability : float, default 0.5
        Flag a row when the posterior probability that its given label is wrong is above this.
    consensus_support : float, default 0.8
        ... or when every view names the same other class and the evidence gives it at least this
        probability (see ``CONSENSUS_SUPPORT``); above 1 turns this off.
    noise_min_class_rows : int, default 50
        Flags of rows whose given or suggested class has fewer rows than this are counted in the notes,
        those resting on the noise estimate (``noise_flags_in_small_classes``) apart from those resting
        on the views' consensus (``consensus_flags_in_small_classes``), for the run's ``few_rows_noise``
        warning (see ``NOISE_MIN_CLASS_ROWS``).

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning: Estimating Uncertainty
       in Dataset Labels", Journal of Artificial Intelligence Research 70, 2021.
    """

    name: ClassVar[str] = "label"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "label_evidence", "verified_labels"})
    description: ClassVar[str] = "the given label is probably wrong"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {
        "min_error_probability": (0.0, 1.0), "consensus_support": (0.0, None), "noise_min_class_rows": (1, None)}

    def __init__(self, min_error_probability: float = MIN_ERROR_PROBABILITY,
                 consensus_support: float = CONSENSUS_SUPPORT,
                 noise_min_class_rows: int = NOISE_MIN_CLASS_ROWS) -> None:
        self.min_error_probability = min_error_probability
        self.consensus_support = consensus_support
        self.noise_min_class_rows = noise_min_class_rows

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag the rows whose given label is more likely wrong than right.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset`` and ``label_evidence``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): the posterior probability that the given label is right,
            blended 999:1 with the evidence's probability of the given label (which orders rows the
            noise model is equally sure of); suggested labels (the most probable class) for flagged
            rows; details with the error probability, the given, suggested, classifier and neighbour
            probabilities (and each extra view's, as ``NAME_prob``) and the top classes (a flag resting
            only on the views' consensus adds ``consensus_only`` True and ``noise_error_prob``, the
            noise model's own probability of a wrong label; a row a person checked adds
            ``verified_label``); notes with
            the rule, the estimated noise rate overall and per class, the confident joint, flag
            counts, ``estimated_precision`` (None without flags) and ``expected_true_errors``.
        """
        dataset: Dataset = context.need("dataset")
        evidence: LabelEvidence = context.need("label_evidence")
        probs, codes, classes = evidence.probs, dataset.label_codes, dataset.classes
        rows = np.arange(len(codes))
        given = probs[rows, codes]
        best = probs.argmax(axis=1)
        views = [evidence.classifier, *([] if evidence.neighbours is None else [evidence.neighbours]),
                 *evidence.extra.values()]
        error, consensus, noise = wrong_label_probability(probs, codes, views, self.consensus_support)
        posterior = noise.error
        # The rule on the evidence alone, before any checked label: what the checked rows test
        # directly (a rule fitted on them would be judged on its own training rows).
        unchecked_rule = (best != codes) & (error > self.min_error_probability) & ~evidence.ambiguous
        verified: VerifiedLabels | None = context.need("verified_labels")
        calibrated, verified_notes, verified_wrong, features = None, None, None, None
        if verified is not None:
            features = calibration_features(probs, codes, posterior, views)
            verified_wrong = verified.wrong(codes)
            calibrated = fit_verified_calibration(features[verified.positions], verified_wrong)
            if calibrated is not None:
                # The verified rows' own chances are the plain fact: their labels were checked.
                error = calibrated.chance(features)
                consensus = np.zeros(len(codes), dtype=bool)  # the calibration weighs the views itself
        counts = np.bincount(codes, minlength=len(classes))
        small = (counts[codes] < self.noise_min_class_rows) | (counts[best] < self.noise_min_class_rows)
        # A picture nobody could read reached the classifier as zeros: no verdict on its label.
        unread = evidence.unread if evidence.unread is not None else np.zeros(len(codes), dtype=bool)
        # A class too small to learn (a single row a reviewer left behind, 300 classes of 2 rows) was
        # never learned out of fold: the evidence says nothing about its rows' labels, nor for it.
        reliable = (evidence.strength.reliable_class if evidence.strength is not None
                    else np.bincount(codes, minlength=len(classes)) >= 2)
        lonely = ~reliable[codes] | ~reliable[best]
        candidates = (best != codes) & (error > self.min_error_probability) & ~lonely & ~unread
        flagged = candidates & ~evidence.ambiguous
        suggestion = best.copy()
        if verified is not None and verified_wrong is not None:
            eligible = ~lonely & ~unread
            rule = unchecked_rule & eligible
            verified_notes = self._verified_notes(verified, verified_wrong, rule[verified.positions],
                                                  calibrated is not None, rule)
            # A checked label is no longer a matter of evidence: wrong ones are flagged with the checked
            # class suggested, right ones never.
            flagged[verified.positions] = verified_wrong
            candidates[verified.positions] = verified_wrong
            error[verified.positions] = verified_wrong.astype(float)
            suggestion[verified.positions] = verified.codes
        left_as_ambiguous = candidates & evidence.ambiguous & ~flagged
        chance = error[flagged]
        suggested: list[str | None] = [classes[b] if f else None for b, f in zip(suggestion, flagged, strict=True)]
        top = np.argsort(-probs, axis=1, kind="stable")[:, :TOP_CLASSES_SHOWN]
        # A flag the noise model alone would not make rests on the views' consensus: a less certain
        # kind (on NoisyAG-News 65 % right against 92 % for the others), which the review says.
        consensus_only = flagged & consensus & ~(posterior > self.min_error_probability)
        details: list[dict[str, Any]] = [
            {"error_prob": round(float(error[i]), 4),
             **({"consensus_only": True, "noise_error_prob": round(float(posterior[i]), 4)}
                if consensus_only[i] else {}),
             "given_prob": round(float(given[i]), 4), "suggested_prob": round(float(probs[i, best[i]]), 4),
             "classifier_prob": round(float(evidence.classifier[i, codes[i]]), 4),
             **({} if evidence.neighbours is None
                else {"neighbour_prob": round(float(evidence.neighbours[i, codes[i]]), 4)}),
             **{f"{name}_prob": round(float(view[i, codes[i]]), 4) for name, view in evidence.extra.items()},
             "top_classes": [[classes[c], round(float(probs[i, c]), 4)] for c in top[i]]}
            if not unread[i] else
            # A picture nobody could read: no probabilities to show, nor classes to suggest from them.
            {"unread": True}
            for i in rows
        ]
        if verified is not None:
            for position, code in zip(verified.positions.tolist(), verified.codes.tolist(), strict=True):
                details[position]["verified_label"] = classes[code]  # a person checked this row
                if flagged[position]:  # the suggestion is the checked class: its probability, not the top one's
                    details[position]["suggested_prob"] = round(float(probs[position, code]), 4)
        per_class = np.bincount(codes[flagged], minlength=len(classes))
        notes = {
            "rule": (f"another class is the most probable and the given label is wrong with probability above "
                     f"{self.min_error_probability} under the label noise estimated from the confident joint, or "
                     f"every view names that class and the evidence gives it at least {self.consensus_support}; "
                     "ambiguous rows are left to the 'ambiguous' check"),
            "consensus_flags": int(consensus_only.sum()),
            "noise_flags_in_small_classes": int((flagged & small & (posterior > self.min_error_probability)
                                                 & ~consensus).sum()),
            # Every view agreeing is no firmer than the views: each learned these classes from a few
            # dozen rows (on a 60-row table, the rows whose one number was infinite).
            "consensus_flags_in_small_classes": int((consensus_only & small).sum()),
            "noise_min_class_rows": self.noise_min_class_rows,
            "unread_rows_not_judged": int(unread.sum()),
            "estimated_noise_rate": round(noise.noise_rate, 4),
            "class_noise_rates": {c: round(float(r), 4) for c, r in zip(classes, noise.class_noise, strict=True)},
            "confident_joint": [[round(float(v), 1) for v in row] for row in noise.joint],
            "flagged_per_class": {c: int(n) for c, n in zip(classes, per_class, strict=True)},
            "estimated_precision": round(float(chance.mean()), 3) if chance.size else None,
            "expected_true_errors": round(float(chance.sum()), 1),
            "min_error_probability": self.min_error_probability,
            "left_as_ambiguous": int(left_as_ambiguous.sum()),
            "vote_neighbours": evidence.vote_neighbours,
            "refit_without_suspects": evidence.pruned_rows,
        }
        if verified_notes is not None:
            verified_notes["estimated_precision_interval"] = None  # none without judged (unchecked) flags
            if calibrated is not None and verified is not None and features is not None:
                judged = flagged & ~np.isin(rows, verified.positions)
                interval = calibrated.precision_interval(features[judged])
                if interval is not None:
                    # the checked flags are right for certain; the interval is the judged ones'
                    certain, n_flags = int((flagged & ~judged).sum()), int(flagged.sum())
                    verified_notes["estimated_precision_interval"] = [
                        round((certain + bound * int(judged.sum())) / n_flags, 3) for bound in interval]
                notes["rule"] = (f"another class is the most probable and the given label is wrong with probability "
                                 f"above {self.min_error_probability}, as learned from {calibrated.verified} verified "
                                 "rows; verified rows are flagged when their checked label differs")
            notes["verified"] = verified_notes
        if lonely.any():
            notes["unflagged_small_classes"] = int((~reliable).sum())
        # The user's own probabilities are accepted with rows summing to 1 within 1e-3, so a given
        # label's probability may exceed 1 by that much; the score is a probability, so cap it.
        score = (1.0 - ERROR_SCORE_TIEBREAK) * (1.0 - error) + ERROR_SCORE_TIEBREAK * np.minimum(given, 1.0)
        return self._result(score, flagged, suggested_labels=suggested, details=details, notes=notes)

    @staticmethod
    def _verified_notes(verified: VerifiedLabels, wrong: np.ndarray, rule_flags: np.ndarray,
                        calibrated: bool, flagged: np.ndarray) -> dict[str, Any]:
        """What the verified rows say: how many, how many wrong, whether the rule's flags among them were
        right, and whether they look like a random sample of the data."""
        looks_random, p_value = sample_looks_random(int(rule_flags.sum()), len(wrong), float(flagged.mean()))
        return {
            "source": verified.source,
            "rows": len(wrong),
            "wrong": int(wrong.sum()),
            "calibrated": calibrated,
            # The rule judged on evidence alone, checked against the verified labels: a direct,
            # if small, measure of its precision and of what it misses.
            "rule_flags": int(rule_flags.sum()),
            "rule_flags_right": int((rule_flags & wrong).sum()),
            "wrong_not_flagged_by_rule": int((wrong & ~rule_flags).sum()),
            "looks_random": bool(looks_random),
            "random_sample_p_value": round(p_value, 6),
            "expected_rule_flags_if_random": round(float(flagged.mean()) * len(wrong), 1),
        }
