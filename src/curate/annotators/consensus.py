"""Consensus labels and annotator quality from several annotators and, optionally, a model: CROWDLAB.

CROWDLAB (Goh, Tkachenko and Mueller 2022, "CROWDLAB: Supervised learning to infer consensus
labels and quality scores for data with multiple annotators", arXiv:2210.06812) estimates each
item's class distribution as a weighted average of the model's out-of-fold probabilities and one
"vote" distribution per annotator who labelled it. Written here from the paper:

0. (Ours, not the paper's.) The model's probabilities are temperature-scaled to the annotators'
   strict majorities first (Guo et al. 2017): the weights below count the model's accuracy, not its
   confidence, and an overconfident model (0.93 sure where it is right 85 % of the time, simulated)
   otherwise outvotes two agreeing annotators (consensus accuracy 0.87 against the majority vote's
   0.93; 0.90 after scaling).
1. Majority vote per item; a tie goes to the class the model gives the most probability (without a
   model: to the class whose voters have the larger summed log-odds of being right, by their
   leave-one-out accuracy of step 6). A tie that survives is reported (``tied``, a weak consensus),
   never settled by column order.
2. ``P``: the share of labels on items with two or more labels that agree with that item's majority
   vote. An annotator's label ``k`` becomes the vote distribution ``P`` on ``k`` and
   ``(1 - P) / (K - 1)`` on every other class.
3. Weights, both measured against a baseline that always says the most frequent majority-vote class
   (accuracy ``B``): annotator ``j`` gets ``1 - (1 - a_j) / (1 - B)``, where ``a_j`` is how often
   ``j`` agrees with the other annotators of the items they share (``P`` when ``j`` shares none); the
   model gets ``(1 - e / (1 - B)) * sqrt(mean labels per item)``, where ``e`` is its error against the
   majority vote on the items with two or more labels. A weight is never below ``1e-4``.
4. The item's distribution is the weighted average of the model's probabilities and its annotators'
   votes. The consensus label is its most probable class, and that class's share is CROWDLAB's
   consensus quality score (``score``); each annotator's label gets the share of the class they
   gave (its label quality). An item with one label is treated the same way, so the model can
   overrule a lone annotator when it is sure and the annotator's weight is low.
5. Annotator quality mixes the mean quality of the annotator's labels with their agreement with
   the consensus on items with two or more labels, the first weighted by the model's share of the
   total weight of a typical item (so with no model it is their agreement with the consensus).
6. (Ours, not the paper's.) The weighted average ranks items well but is no probability: on
   simulated annotators, consensus labels it scored below 0.5 were right 8 times in 10. So
   ``quality``, the probability that the consensus is right, is the posterior of the consensus class
   when the labels are taken as independent given the class (the one-coin model of Dawid and Skene
   1979, "Maximum likelihood estimation of observer error-rates using the EM algorithm"): the
   model's probabilities (without a model, the class shares of all labels) times, per label, the
   annotator's accuracy on the class given and the rest spread evenly. The accuracy is estimated
   leave-one-out: each label against the posterior of its item from the OTHER labels alone, corrected
   for those labels' own noise, then shrunk by a Beta prior of two pseudo-labels at chance and one
   that disagrees, and capped at 0.95 (labels are not independent given the class), so that an
   annotator who made the consensus cannot certify it and a 3-2 split is never near certain.
7. (Ours.) With a model, where that posterior gives the weighted average's choice less than
   ``weak_below`` and another class more than 0.5, the consensus is that class: a label its own
   quality calls more likely wrong is no consensus (with steps 0 and 7, the simulation above reaches
   0.94).

Without model probabilities the same steps run with no model term (``method="weighted_vote"``): a
vote weighted by each annotator's agreement with the others, linear as CROWDLAB's weights are (not
the log-odds weights of Dawid and Skene); the quality's posterior then starts from the class shares.

Weak consensus: an item is flagged when its ``quality`` is below 0.5, i.e. when the estimate says
its consensus label is more likely wrong than right. The flags are claims: the
expected share of flagged consensus labels that are wrong is the mean of ``1 - quality`` over them
(``expected_wrong_share``), which the benchmarks check against ground truth. The estimate is as
good as the model's calibration: on simulated annotators with a calibrated model about 80 % of the
flagged consensus labels were wrong (estimated about 80 %); with a model softer than calibrated,
38 to 47 % (estimated about 70 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.errors import InputError

__all__ = ["WEAK_CONSENSUS_BELOW", "ConsensusResult", "consensus", "majority_vote"]

# A consensus whose estimated probability is below this is more likely wrong than right.
WEAK_CONSENSUS_BELOW = 0.5
_MIN_WEIGHT = 1e-4
_PSEUDO_LABELS = 2.0
_LOO_ROUNDS = 3
# No annotator counts as more accurate than this: hard items fool several annotators at once, so labels are
# not independent given the class, and a long perfect record must not make one label decide an item alone.
_MAX_ACCURACY = 0.95
# Temperature scaling of the model needs this many items with a strict majority to fit on, and stays in
# these bounds (a model that says nothing is not made to shout, nor a sure one silenced).
_MIN_CALIBRATION_ITEMS = 20
_TEMPERATURE_BOUNDS = (0.05, 20.0)


@dataclass(frozen=True)
class ConsensusResult:
    """Consensus labels, their quality, and the quality of every annotator and label.

    ``n`` items, ``m`` annotators, ``K`` classes. Items nobody labelled have label -1 and NaN
    scores; their positions are in ``unlabelled``.

    Attributes
    ----------
    method : str
        ``crowdlab`` (annotators and a model) or ``weighted_vote`` (annotators only).
    label : numpy.ndarray
        Shape (n,), int64: the consensus class code per item, -1 where nobody labelled.
    quality : numpy.ndarray
        Shape (n,), float64 in [0, 1]: the estimated probability that the consensus is right (step 6).
    score : numpy.ndarray
        Shape (n,), float64 in [0, 1]: CROWDLAB's consensus quality score, the consensus class's share
        of the weighted average. It ranks items well but is no probability (too low: see the module).
    agreement : numpy.ndarray
        Shape (n,), float64 in [0, 1]: the share of the item's labels equal to the consensus.
    annotations : numpy.ndarray
        Shape (n,), int64: labels per item.
    majority : numpy.ndarray
        Shape (n,), int64: the majority vote (ties broken by the model), -1 where nobody labelled.
    probabilities : numpy.ndarray
        Shape (n, K), float64: CROWDLAB's class distribution per item (rows of NaN where nobody labelled).
    posterior : numpy.ndarray
        Shape (n, K), float64: the class probabilities of step 6 (rows of NaN where nobody labelled);
        ``quality`` is its column of the consensus label.
    label_quality : numpy.ndarray
        Shape (n, m), float64: per label given, the estimated probability that it is right; NaN where
        the annotator gave no label.
    annotator_quality : numpy.ndarray
        Shape (m,), float64 in [0, 1]: per annotator, how correct their labels are estimated to be;
        NaN for an annotator with no label.
    annotator_agreement : numpy.ndarray
        Shape (m,), float64: per annotator, the share of their labels on items with two or more labels
        that equal the consensus; NaN when they have none there.
    annotator_labels : numpy.ndarray
        Shape (m,), int64: labels per annotator.
    annotator_weights : numpy.ndarray
        Shape (m,), float64: each annotator's weight in the estimate.
    model_weight : float
        The model's weight (0.0 without a model).
    vote_accuracy : float
        ``P``, the probability an annotator's vote puts on the class they gave.
    weak : numpy.ndarray
        Shape (n,), bool: labelled items whose quality is below ``weak_below``, and every tie.
    tied : numpy.ndarray
        Shape (n,), bool: items whose majority vote is a tie that neither the model nor the
        annotators' estimated accuracy breaks (``majority`` is then the lowest tied code).
    weak_below : float
        The threshold of ``weak``.
    model_temperature : float
        The temperature the model's probabilities were scaled by before use (step 0; 1.0 without a
        model or with too few items to fit it).
    """

    method: str
    label: np.ndarray
    quality: np.ndarray
    score: np.ndarray
    agreement: np.ndarray
    annotations: np.ndarray
    majority: np.ndarray
    probabilities: np.ndarray
    posterior: np.ndarray
    label_quality: np.ndarray
    annotator_quality: np.ndarray
    annotator_agreement: np.ndarray
    annotator_labels: np.ndarray
    annotator_weights: np.ndarray
    model_weight: float
    vote_accuracy: float
    weak: np.ndarray
    tied: np.ndarray
    weak_below: float = WEAK_CONSENSUS_BELOW
    model_temperature: float = 1.0

    @property
    def unlabelled(self) -> np.ndarray:
        """Positions of the items nobody labelled.

        Returns
        -------
        numpy.ndarray
            Shape (n_unlabelled,), int64.
        """
        return np.flatnonzero(self.annotations == 0)

    @property
    def expected_wrong_share(self) -> float:
        """The share of weak-consensus items whose consensus label the estimate expects to be wrong.

        Returns
        -------
        float
            Mean of ``1 - quality`` over the flagged items; NaN when none is flagged.
        """
        flagged = self.quality[self.weak]
        return float(np.mean(1.0 - flagged)) if flagged.size else float("nan")

    def summary(self) -> dict[str, Any]:
        """The run's figures, JSON-ready.

        Returns
        -------
        dict
            ``method``, ``items``, ``labelled_items``, ``unlabelled_items``, ``labels``,
            ``model_weight``, ``model_temperature``, ``vote_accuracy``, ``changed_from_majority`` (ties not counted),
            ``majority_ties``, ``weak_items``,
            ``weak_below``, ``weak_expected_wrong``, ``mean_quality``.
        """
        labelled = self.annotations > 0
        return {"method": self.method, "items": len(self.label), "labelled_items": int(labelled.sum()),
                "unlabelled_items": int((~labelled).sum()), "labels": int(self.annotations.sum()),
                "model_weight": _r(self.model_weight), "model_temperature": _r(self.model_temperature),
                "vote_accuracy": _r(self.vote_accuracy),
                "changed_from_majority": int((self.label != self.majority)[labelled & ~self.tied].sum()),
                "majority_ties": int(self.tied.sum()),
                "weak_items": int(self.weak.sum()), "weak_below": self.weak_below,
                "weak_expected_wrong": _r(self.expected_wrong_share),
                "mean_quality": _r(float(np.mean(self.quality[labelled])) if labelled.any() else float("nan"))}


def _r(value: float) -> float | None:
    """``value`` to 4 decimals for JSON, None for NaN."""
    return None if value != value else round(float(value), 4)


def _checked(labels: np.ndarray, pred_probs: np.ndarray | None, n_classes: int | None) -> tuple[np.ndarray, int]:
    """The labels as int64 (n, m) and the number of classes, or an InputError."""
    codes = np.asarray(labels)
    if codes.ndim != 2:
        raise InputError(f"labels must be a table of items by annotators (2-D); got shape {codes.shape}")
    if codes.size and not np.issubdtype(codes.dtype, np.integer):
        raise InputError(f"labels must be integer class codes (-1 for missing); got dtype {codes.dtype}")
    codes = codes.astype(np.int64)
    if (codes < -1).any():
        raise InputError("labels: class codes are 0..K-1 and -1 marks a missing label; found a value below -1")
    k = int(codes.max()) + 1 if codes.size else 0
    if pred_probs is not None:
        if pred_probs.ndim != 2 or pred_probs.shape[0] != codes.shape[0]:
            raise InputError(f"pred_probs must have shape (n_items, n_classes) = ({codes.shape[0]}, K); "
                             f"got {pred_probs.shape}")
        if pred_probs.shape[1] < k:
            raise InputError(f"pred_probs has {pred_probs.shape[1]} classes but the labels use code {k - 1}")
        k = pred_probs.shape[1]
    if n_classes is not None:
        if n_classes < k:
            raise InputError(f"n_classes={n_classes} but the labels or pred_probs need {k}")
        if pred_probs is not None and n_classes != pred_probs.shape[1]:
            raise InputError(f"n_classes={n_classes} but pred_probs has {pred_probs.shape[1]} columns")
        k = n_classes
    return codes, max(k, 1)


def _votes(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Labels per item and class: shape (n, K), int64."""
    items, annotators = np.nonzero(codes >= 0)
    counts = np.zeros((codes.shape[0], n_classes), dtype=np.int64)
    np.add.at(counts, (items, codes[items, annotators]), 1)
    return counts


def majority_vote(labels: np.ndarray, pred_probs: np.ndarray | None = None, n_classes: int | None = None) -> np.ndarray:
    """The most frequent label per item; ties go to the model's most probable tied class.

    Parameters
    ----------
    labels : numpy.ndarray
        Shape (n_items, n_annotators), int: class codes 0..K-1, -1 for a missing label.
    pred_probs : numpy.ndarray, optional
        Shape (n_items, K): out-of-fold model probabilities that break ties. Without them a tie goes
        to the class given most often over the whole table, then to the lowest code.
    n_classes : int, optional
        K, when classes beyond the highest code given exist.

    Returns
    -------
    numpy.ndarray
        Shape (n_items,), int64; -1 for an item nobody labelled.

    Raises
    ------
    InputError
        For labels that are not a 2-D table of integer codes, or probabilities of the wrong shape.

    Examples
    --------
    >>> majority_vote(np.array([[0, 1], [1, 1], [-1, -1]]), np.array([[.2, .8], [.5, .5], [.5, .5]])).tolist()
    [1, 1, -1]
    """
    probs = None if pred_probs is None else np.asarray(pred_probs, dtype=np.float64)
    codes, k = _checked(labels, probs, n_classes)
    counts = _votes(codes, k)
    return _majority(counts, probs)


def _majority(counts: np.ndarray, probs: np.ndarray | None) -> np.ndarray:
    if probs is None:
        totals = counts.sum(axis=0).astype(np.float64)
        breaker = np.broadcast_to(totals / max(totals.max(), 1.0), counts.shape)
    else:
        breaker = np.nan_to_num(probs, nan=0.0)
    # Counts are whole numbers and the breaker is in [0, 1]: half of it only decides between equal counts.
    chosen = np.argmax(counts + 0.5 * np.clip(breaker, 0.0, 1.0), axis=1).astype(np.int64)
    chosen[counts.sum(axis=1) == 0] = -1
    return chosen


def consensus(labels: np.ndarray, pred_probs: np.ndarray | None = None, *, n_classes: int | None = None,
              weak_below: float = WEAK_CONSENSUS_BELOW) -> ConsensusResult:
    """Consensus labels, consensus quality and annotator quality by CROWDLAB (arXiv:2210.06812).

    See the module's docstring for the estimate, step by step.

    Parameters
    ----------
    labels : numpy.ndarray
        Shape (n_items, n_annotators), int: class codes 0..K-1, -1 where an annotator gave no label.
    pred_probs : numpy.ndarray, optional
        Shape (n_items, K): out-of-fold class probabilities of a model trained on the majority-vote
        labels (rows summing to 1). Without them the consensus is an annotator-weighted vote.
    n_classes : int, optional
        K when no model gives it and classes beyond the highest code given exist.
    weak_below : float, default 0.5
        Items whose consensus quality is below this are flagged weak.

    Returns
    -------
    ConsensusResult
        Per item, per annotator and per label; shapes in its docstring.

    Raises
    ------
    InputError
        For labels that are not a 2-D table of integer codes (-1 missing), probabilities of the wrong
        shape or not finite, or a table with no label at all.

    Examples
    --------
    >>> labels = np.array([[0, 0, 1], [1, 1, 1], [0, 1, -1], [1, 0, 0]])
    >>> found = consensus(labels)
    >>> found.label.tolist(), found.method
    ([0, 1, 1, 0], 'weighted_vote')
    """
    probs = None if pred_probs is None else np.asarray(pred_probs, dtype=np.float64)
    codes, k = _checked(labels, probs, n_classes)
    if probs is not None and not np.isfinite(probs).all():
        raise InputError("pred_probs holds NaN or infinite values; give finite probabilities")
    counts = _votes(codes, k)
    given = codes >= 0
    per_item = given.sum(axis=1)
    if not per_item.any():
        raise InputError("no labels at all: every cell of the annotation table is missing")
    labelled, multi = per_item > 0, per_item >= 2
    temperature = 1.0
    if probs is not None:
        probs, temperature = _calibrated_to_votes(probs, counts, multi if multi.any() else labelled)
    prior = probs if probs is not None else np.broadcast_to(
        (counts.sum(axis=0) + 1.0) / (counts.sum() + k), (len(per_item), k))
    accuracy = _leave_one_out_accuracy(codes, counts, prior)
    majority, tied = _majority_by_quality(codes, counts, probs, accuracy)

    vote_accuracy = _vote_accuracy(counts, majority, multi)
    baseline = float(np.bincount(majority[labelled], minlength=k).max() / labelled.sum())
    room = max(1.0 - baseline, 1e-12)
    weights = np.maximum(1.0 - (1.0 - _peer_agreement(codes, counts, multi, vote_accuracy)) / room, _MIN_WEIGHT)
    model_weight = 0.0
    if probs is not None:
        scored = multi if multi.any() else labelled
        error = float(np.mean(np.argmax(probs[scored], axis=1) != majority[scored]))
        model_weight = max(1.0 - error / room, _MIN_WEIGHT) * float(np.sqrt(per_item[labelled].mean()))

    # Each label's vote: vote_accuracy on the class given, the rest spread evenly on the others.
    off = (1.0 - vote_accuracy) / max(k - 1, 1)
    weighted_counts = np.zeros((codes.shape[0], k))
    items, annotators = np.nonzero(given)
    np.add.at(weighted_counts, (items, codes[items, annotators]), weights[annotators])
    annotator_mass = (given * weights).sum(axis=1)
    mass = off * annotator_mass[:, None] + (vote_accuracy - off) * weighted_counts
    total = annotator_mass.copy()
    if probs is not None:
        mass += model_weight * probs
        total += model_weight
    with np.errstate(invalid="ignore", divide="ignore"):
        distribution = mass / total[:, None]
    distribution[~labelled] = np.nan

    label = np.where(labelled, np.argmax(np.nan_to_num(distribution, nan=-1.0), axis=1), -1).astype(np.int64)
    rows = np.arange(len(label))
    posterior = _independent_posterior(codes, accuracy, prior)
    # Step 7: a weighted average lets a sure model outvote two agreeing annotators; where the posterior
    # calls that choice more likely wrong than right and holds another class more likely right, the
    # consensus is that class (a label its own quality calls wrong is no consensus).
    if probs is not None:
        overruled = labelled & (posterior[rows, np.maximum(label, 0)] < weak_below) & (posterior.max(axis=1) > 0.5)
        label = np.where(overruled, posterior.argmax(axis=1), label).astype(np.int64)
    score = np.where(labelled, distribution[rows, np.maximum(label, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(labelled, counts[rows, np.maximum(label, 0)] / per_item, np.nan)
    label_quality = np.full(codes.shape, np.nan)
    label_quality[items, annotators] = distribution[items, codes[items, annotators]]

    annotator_labels = given.sum(axis=0).astype(np.int64)
    agrees = given & (codes == label[:, None]) & multi[:, None]
    shared = (given & multi[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        annotator_agreement = np.where(shared > 0, agrees.sum(axis=0) / shared, np.nan)
        mean_label_quality = np.where(annotator_labels > 0, np.nansum(label_quality, axis=0) / annotator_labels,
                                      np.nan)
    model_share = model_weight / (model_weight + float(annotator_mass[labelled].mean()))
    fallback = np.where(np.isnan(annotator_agreement), mean_label_quality, annotator_agreement)
    annotator_quality = model_share * mean_label_quality + (1.0 - model_share) * fallback

    quality = np.where(labelled, posterior[rows, np.maximum(label, 0)], np.nan)
    weak = labelled & ((quality < weak_below) | tied)
    return ConsensusResult(
        method="weighted_vote" if probs is None else "crowdlab", label=label, quality=quality, score=score,
        agreement=agreement, annotations=per_item.astype(np.int64), majority=majority,
        probabilities=distribution, posterior=np.where(labelled[:, None], posterior, np.nan),
        label_quality=label_quality, annotator_quality=annotator_quality,
        annotator_agreement=annotator_agreement, annotator_labels=annotator_labels, annotator_weights=weights,
        model_weight=float(model_weight), vote_accuracy=vote_accuracy, weak=weak, tied=tied, weak_below=weak_below,
        model_temperature=temperature)


def _calibrated_to_votes(probs: np.ndarray, counts: np.ndarray, scored: np.ndarray) -> tuple[np.ndarray, float]:
    """The model's probabilities temperature-scaled to the annotators' strict majorities (Guo et al. 2017).

    CROWDLAB weighs the model by its accuracy alone, so an overconfident model (0.93 sure where it is
    right 85 % of the time) outvotes annotators it should not. One temperature ``T``, fitted by the
    log-loss of the strict-majority labels of the ``scored`` items, rescales the log-probabilities
    (``p ** (1 / T)``, renormalised); fewer than ``_MIN_CALIBRATION_ITEMS`` such items leave the
    probabilities as they are. C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of
    Modern Neural Networks", ICML 2017.

    Returns
    -------
    probs : numpy.ndarray
        Shape (n, K), rows summing to 1.
    temperature : float
        ``T`` (1.0 when not fitted); above 1 softens, below 1 sharpens.
    """
    from scipy.optimize import minimize_scalar

    top = counts.max(axis=1)
    strict = scored & (top > 0) & ((counts == top[:, None]).sum(axis=1) == 1)
    if strict.sum() < _MIN_CALIBRATION_ITEMS:
        return probs, 1.0
    logs = np.log(np.clip(probs, 1e-12, 1.0))
    target = counts[strict].argmax(axis=1)

    def tempered(temperature: float, rows: np.ndarray | slice) -> np.ndarray:
        """Probabilities of ``rows`` at ``temperature``, each row summing to 1."""
        z = logs[rows] / temperature
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def loss(temperature: float) -> float:
        """Mean log-loss of the strict majorities at ``temperature``."""
        chosen = tempered(temperature, strict)[np.arange(len(target)), target]
        return float(-np.mean(np.log(np.clip(chosen, 1e-12, 1.0))))

    fitted = float(minimize_scalar(loss, bounds=_TEMPERATURE_BOUNDS, method="bounded").x)
    return tempered(fitted, slice(None)), fitted


def _majority_by_quality(codes: np.ndarray, counts: np.ndarray, probs: np.ndarray | None,
                         accuracy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The majority vote, ties broken by the model or else by the tied voters' accuracy; and what stays tied.

    Without a model each tied class scores the sum of its voters' log-odds of being right,
    ``log(a (K - 1) / (1 - a))`` (their leave-one-out accuracy ``a``); a tie that survives is no
    decision (never the column order): it is returned in ``tied``, with the lowest tied code.

    Returns
    -------
    majority : numpy.ndarray
        Shape (n,), int64; -1 where nobody labelled.
    tied : numpy.ndarray
        Shape (n,), bool.
    """
    n, k = counts.shape
    top = counts.max(axis=1)
    candidates = (counts == top[:, None]) & (top > 0)[:, None]
    if probs is not None:
        breaker = np.nan_to_num(probs, nan=0.0)
    else:
        right = np.clip(accuracy, 1.0 / max(k, 2) + 1e-6, 1.0 - 1e-6)
        log_odds = np.log(right * max(k - 1, 1) / (1.0 - right))
        breaker = np.zeros((n, k))
        items, annotators = np.nonzero(codes >= 0)
        np.add.at(breaker, (items, codes[items, annotators]), log_odds[annotators])
    scored = np.where(candidates, breaker, -np.inf)
    best = scored.max(axis=1, keepdims=True)
    winners = candidates & np.isclose(scored, best, rtol=0.0, atol=1e-9)
    majority = np.argmax(winners, axis=1).astype(np.int64)
    majority[top == 0] = -1
    return majority, winners.sum(axis=1) > 1


def _vote_accuracy(counts: np.ndarray, majority: np.ndarray, multi: np.ndarray) -> float:
    """``P``: the share of labels on multiply labelled items that equal the majority vote."""
    if not multi.any():  # nothing to measure it on: halfway between chance and certainty
        return 0.5 + 0.5 / counts.shape[1]
    rows = np.flatnonzero(multi)
    share = float(counts[rows, majority[rows]].sum() / counts[rows].sum())
    # Never certain and never below chance: a vote must still say something and never everything.
    return min(max(share, 1.0 / counts.shape[1] + 1e-6), 1.0 - 1e-6)


def _leave_one_out_accuracy(codes: np.ndarray, counts: np.ndarray, prior: np.ndarray,
                            rounds: int = _LOO_ROUNDS) -> np.ndarray:
    """Per annotator, the estimated accuracy against the consensus of the OTHER labels: shape (m,).

    Each label given on an item with other labels is compared with ``q``, a class distribution from
    the other labels only: first their vote shares among the most frequent (``1 / t`` each of ``t``
    tied classes), in later rounds the one-coin posterior (Dawid and Skene 1979) from ``prior`` and
    the other labels, with the accuracies of the round before. The annotator's own label never props
    up their record. Under the one-coin model their mean agreement ``c = mean q[own]`` is
    ``a s + (1 - a)(1 - s) / (K - 1)`` with ``s = mean sum(q ** 2)`` the others' expected mass on
    the true class, which gives the accuracy ``a`` without the others' noise pulling it down. ``a``
    is then the mean of a Beta posterior with a prior of ``_PSEUDO_LABELS`` pseudo-labels at chance
    ``1 / K`` plus one that disagrees: every estimate stays below 1 and short records are pulled
    towards chance, and no estimate exceeds ``_MAX_ACCURACY``. Items with a single label give no evidence.
    """
    n, k = counts.shape
    m = codes.shape[1]
    items, annotators = np.nonzero(codes >= 0)
    own = codes[items, annotators]
    at = np.arange(len(items))
    others = counts[items].astype(np.float64)
    others[at, own] -= 1.0
    compared = (others.sum(axis=1) > 0).astype(np.float64)
    seen = np.bincount(annotators, weights=compared, minlength=m)
    q = (others == others.max(axis=1, keepdims=True)).astype(np.float64)
    q /= q.sum(axis=1, keepdims=True)
    accuracy = np.full(m, 1.0 / max(k, 1))
    for step in range(rounds + 1):
        with np.errstate(invalid="ignore", divide="ignore"):
            agree = np.bincount(annotators, weights=q[at, own] * compared, minlength=m) / seen
            sure = np.bincount(annotators, weights=(q ** 2).sum(axis=1) * compared, minlength=m) / seen
            chance = (1.0 - sure) / max(k - 1, 1)
            solved = np.clip((agree - chance) / np.maximum(sure - chance, 1e-9), 1.0 / max(k, 1), 1.0)
        solved = np.where(seen > 0, solved, 1.0 / max(k, 1))
        accuracy = np.minimum((solved * seen + _PSEUDO_LABELS / max(k, 1)) / (seen + _PSEUDO_LABELS + 1.0),
                              _MAX_ACCURACY)
        if step == rounds or k < 2:
            break
        right = np.clip(accuracy, 1.0 / k + 1e-6, 1.0 - 1e-6)
        wrong = np.log((1.0 - right) / (k - 1))
        log_mass = np.log(np.clip(prior, 1e-12, 1.0))
        log_mass = log_mass + np.bincount(items, weights=wrong[annotators], minlength=n)[:, None]
        np.add.at(log_mass, (items, own), np.log(right[annotators]) - wrong[annotators])
        # Take each label's own term back out: the posterior of its item from the other labels alone.
        without = log_mass[items] - wrong[annotators][:, None]
        without[at, own] -= np.log(right[annotators]) - wrong[annotators]
        without = np.exp(without - without.max(axis=1, keepdims=True))
        q = without / without.sum(axis=1, keepdims=True)
    return accuracy


def _peer_agreement(codes: np.ndarray, counts: np.ndarray, multi: np.ndarray, default: float) -> np.ndarray:
    """Per annotator, how often they agree with the other annotators of the items they share: shape (m,)."""
    given = (codes >= 0) & multi[:, None]
    items, annotators = np.nonzero(given)
    others_agreeing = counts[items, codes[items, annotators]] - 1
    others = given.sum(axis=1)[items] - 1
    agreed = np.bincount(annotators, weights=others_agreeing, minlength=codes.shape[1])
    compared = np.bincount(annotators, weights=others, minlength=codes.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(compared > 0, agreed / compared, default)


def _independent_posterior(codes: np.ndarray, accuracy: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Class probabilities per item if the labels were independent given the class: shape (n, K).

    ``prior`` (n, K) times, per label given, ``accuracy[j]`` on its class and ``(1 - accuracy[j]) / (K - 1)``
    on the others (the one-coin model of Dawid and Skene 1979).
    """
    n, k = prior.shape
    right = np.clip(accuracy, 1.0 / k + 1e-6, 1.0 - 1e-6) if k > 1 else np.ones_like(accuracy)
    wrong = np.log((1.0 - right) / max(k - 1, 1)) if k > 1 else np.zeros_like(accuracy)
    log_mass = np.log(np.clip(prior, 1e-12, 1.0))
    items, annotators = np.nonzero(codes >= 0)
    log_mass += np.bincount(items, weights=wrong[annotators], minlength=n)[:, None]
    np.add.at(log_mass, (items, codes[items, annotators]), np.log(right[annotators]) - wrong[annotators])
    mass = np.exp(log_mass - log_mass.max(axis=1, keepdims=True))
    return mass / mass.sum(axis=1, keepdims=True)
