"""Whether the label evidence is strong enough to make claims: skill over guessing, and enough rows per class.

A flag says "this label is wrong". When the evidence cannot explain the labels (features the model
does not read, a task it cannot learn), every row it disagrees with looks like an error and the flags
are noise. Two checks decide before any flag is shown:

- **Skill.** The evidence's accuracy on the given labels is compared with always guessing the most
  common class: a one-sided exact binomial test, and the skill score
  ``(accuracy - majority_rate) / (1 - majority_rate)``, the share of the majority guess's mistakes the
  evidence gets right. Significance alone is not enough (on 3,000 rows an accuracy of 0.36 is
  "significantly" above a majority rate of 0.33 and still useless), so both must pass.
- **Estimated precision.** Each label flag's suggested class has a calibrated probability; their
  mean is the flags' estimated precision. Flags that are, on the evidence's own reckoning, more often
  wrong than right (below ``min_precision``) are withheld as a whole.
- **Rows per class.** A class with fewer than ``min_class_rows`` rows cannot be learned out of
  fold. Its rows are never flagged and it is never suggested; when such classes hold most rows,
  no label flag is made at all.
- **Still learning.** On small data the classifier is cross-validated a second time with half of
  each training fold. When that costs it accuracy, it is still learning: part of the disagreement
  the noise model counts as label noise is the model's inexperience, and the run says so (the
  flags stand: a few clear errors in a small set are still worth reading).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binomtest

from curate.core.config import EvidenceConfig
from curate.core.warnings import AuditWarning

__all__ = ["EVIDENCE_WARNING_CODES", "LEARNING_CURVE_MAX_ROWS", "EvidenceStrength", "evidence_strength",
           "evidence_warnings", "few_rows_noise_warning", "precision_warning", "still_learning_warning",
           "verified_warning"]

WITHHELD = ("label", "ambiguous")
# The codes of the warnings this module raises: judgements of the evidence about the labels, moot
# when an input check (a leaked column, a continuous label, misordered probabilities) already set
# the label flags aside for a cause of its own.
EVIDENCE_WARNING_CODES = frozenset({"model_near_chance", "thin_classes", "low_estimated_precision", "few_rows_noise",
                                    "model_still_learning"})
# An estimated noise rate from this up, on classes under 50 rows, is more likely the model's confusion.
FEW_ROWS_NOISE_RATE = 0.1
# Up to this many rows, the classifier is cross-validated a second time on half of each training
# fold (a learning curve's last step: seconds on such data). Above it the step is skipped: with
# thousands of rows per fold, halving them moved accuracy by under a point on every benchmark
# (NoisyAG-News: 0.859 to 0.863, bench/noisyag_learnability.py).
LEARNING_CURVE_MAX_ROWS = 5_000
# Accuracy gained from half to all of the training rows at which the model counts as still learning.
# NSMC reviews with character n-grams gained about 5 points at 200 rows (the noise estimate then put
# a third of the labels wrong where about 4 % are) and under 1 point at 10,000.
STILL_LEARNING_GAIN = 0.03
# A model still learning that misses at least this many times the rows the noise estimate puts wrong
# makes most disagreements itself, whatever that estimate: on 1,500 20 Newsgroups posts (accuracy 0.60,
# 0.53 with half the rows, 6.7 % noise estimated) 72 flags were stated 0.92 precise and most of the
# surest were the model's mistakes. The 75x10 control with 5 % of its labels flipped (accuracy 0.95,
# 5 % estimated, every flag right) stays under it.
MODEL_ERROR_TO_NOISE = 2.0
# ... once the estimate puts this share wrong: below it the flags are few and rest on evidence far beyond
# the model's usual doubt (one planted error in 60 rows, estimated 1.7 %, is flagged alone and right).
OUTNUMBERED_MIN_NOISE = 0.05
THIN_SHARE_WITHHOLDS_ALL = 0.5  # thin classes holding this share of the rows or more: no label flags at all


@dataclass(frozen=True)
class EvidenceStrength:
    """How much the label evidence knows about this dataset's labels.

    Attributes
    ----------
    accuracy : float
        Share of rows whose most probable class is the given label.
    majority_rate : float
        Share of the most common class: the accuracy of always guessing it.
    chance_rate : float
        Expected accuracy of guessing each class at its frequency (sum of squared class shares).
    p_value : float
        One-sided exact binomial test of ``accuracy`` against ``majority_rate`` (1.0 without rows).
    skill : float
        ``(accuracy - majority_rate) / (1 - majority_rate)``; 0 when every row has one class.
    class_rows : numpy.ndarray
        Shape (n_classes,), int: rows per class.
    reliable_class : numpy.ndarray
        Shape (n_classes,), bool: classes with at least ``min_class_rows`` rows.
    distinct_inputs : int or None, default None
        When exact copies were counted once (``weights``), how many distinct inputs the figures
        above are over; None when every row counted.
    """

    accuracy: float
    majority_rate: float
    chance_rate: float
    p_value: float
    skill: float
    class_rows: np.ndarray
    reliable_class: np.ndarray
    distinct_inputs: int | None = None

    @property
    def thin_rows(self) -> int:
        """Rows whose given class is too small to learn.

        Returns
        -------
        int
        """
        return int(self.class_rows[~self.reliable_class].sum())


def evidence_strength(probs: np.ndarray, label_codes: np.ndarray, min_class_rows: int = 5,
                      weights: np.ndarray | None = None) -> EvidenceStrength:
    """Measure the evidence's skill over guessing and which classes have enough rows.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the label evidence.
    label_codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.
    min_class_rows : int, default 5
        Classes with fewer rows are not reliable.
    weights : numpy.ndarray, optional
        Shape (n_rows,): each row's weight in the accuracy, the majority rate and the test (their
        sum the test's number of trials, rounded); every row 1 when None. One over the size of
        its group of exact copies counts each distinct input once, so that a placeholder text
        repeated 4,000 times with random labels does not hide how well 500 real rows are explained.

    Returns
    -------
    EvidenceStrength
        Accuracy, the two baselines, the binomial test's p-value, the skill score and the class
        sizes (``class_rows`` always counts rows, unweighted).
    """
    n_rows, n_classes = probs.shape
    class_rows = np.bincount(label_codes, minlength=n_classes)
    reliable = class_rows >= min_class_rows
    if n_rows == 0:
        return EvidenceStrength(0.0, 0.0, 0.0, 1.0, 0.0, class_rows, reliable)
    weight = np.ones(n_rows) if weights is None else np.asarray(weights, dtype=float)
    total = float(weight.sum())
    right = float(weight[probs.argmax(axis=1) == label_codes].sum())
    shares = np.bincount(label_codes, weights=weight, minlength=n_classes) / total
    majority = float(shares.max())
    accuracy = right / total
    trials = max(1, round(total))
    hits = min(trials, round(accuracy * trials))
    p_value = float(binomtest(hits, trials, majority, alternative="greater").pvalue) if majority < 1 else 1.0
    skill = (accuracy - majority) / (1.0 - majority) if majority < 1 else 0.0
    distinct = round(total) if weights is not None and round(total) < n_rows else None
    return EvidenceStrength(accuracy, majority, float(np.sum(shares ** 2)), p_value, float(skill), class_rows,
                            reliable, distinct)


def evidence_warnings(strength: EvidenceStrength, config: EvidenceConfig | None = None) -> list[AuditWarning]:
    """The warnings the evidence's strength calls for, each naming the flags it withholds.

    Parameters
    ----------
    strength : EvidenceStrength
        From :func:`evidence_strength`.
    config : EvidenceConfig, optional
        ``min_skill``, ``max_p_value`` and ``min_class_rows`` (defaults when None).

    Returns
    -------
    list of AuditWarning
        ``model_near_chance`` (label and ambiguity flags withheld) when the evidence does not beat
        the majority guess clearly; ``thin_classes`` when some class has too few rows (all label and
        ambiguity flags withheld when such classes hold half of the rows or more; otherwise only
        their rows go unflagged).
    """
    config = config or EvidenceConfig()
    warnings = []
    if strength.skill < config.min_skill or strength.p_value > config.max_p_value:
        # Far below the majority guess is a signal of its own: rows with (nearly) the same inputs carry
        # different labels by design, such as one premise with each of three NLI labels.
        below = strength.accuracy < strength.chance_rate - 0.1
        warnings.append(AuditWarning(
            "model_near_chance",
            f"the evidence cannot explain the labels: the label evidence's accuracy is {strength.accuracy:.3f} "
            f"against {strength.majority_rate:.3f} for always guessing the most common class"
            # the summary's accuracy counts rows: say why these figures differ from it
            + (f", over the {strength.distinct_inputs} distinct inputs (exact copies counted once)"
               if strength.distinct_inputs is not None else "") + " (skill "
            f"{strength.skill:.2f}, need {config.min_skill}; binomial p = {strength.p_value:.2g}); label and "
            "ambiguity flags are withheld",
            ("accuracy far below chance means rows that look alike carry different labels on purpose (e.g. one "
             "premise with each label): include the column that tells them apart, or audit such groups apart"
             if below else
             "try features that read this data (--embedder), more rows per class, or your own model's "
             "out-of-fold probabilities (--pred-probs)"),
            WITHHELD,
            {"accuracy": round(strength.accuracy, 4), "majority_rate": round(strength.majority_rate, 4),
             "chance_rate": round(strength.chance_rate, 4), "skill": round(strength.skill, 4),
             "p_value": float(f"{strength.p_value:.3g}")}))
    thin = ~strength.reliable_class & (strength.class_rows > 0)
    if thin.any():
        total = int(strength.class_rows.sum())
        withhold_all = strength.thin_rows >= THIN_SHARE_WITHHOLDS_ALL * total
        consequence = ("no label or ambiguity flag is made" if withhold_all
                       else "their rows are not flagged and they are never suggested")
        warnings.append(AuditWarning(
            "thin_classes",
            f"{int(thin.sum())} of {int((strength.class_rows > 0).sum())} classes have fewer than "
            f"{config.min_class_rows} rows ({strength.thin_rows} of {total} rows): too few to learn a class "
            f"from; {consequence}",
            "label more rows of the small classes, or merge them",
            WITHHELD if withhold_all else (),
            {"thin_classes": int(thin.sum()), "thin_rows": strength.thin_rows,
             "min_class_rows": config.min_class_rows}))
    return warnings


def precision_warning(issue: str, estimated_precision: float | None, flags: int,
                      config: EvidenceConfig | None = None) -> AuditWarning | None:
    """A warning that withholds an issue's flags when their estimated precision is too low.

    Parameters
    ----------
    issue : str
        The detector whose flags are judged (e.g. ``label``).
    estimated_precision : float or None
        The mean probability that a flag is right; None without flags.
    flags : int
        How many rows the detector flagged.
    config : EvidenceConfig, optional
        ``min_precision`` (default 0.5).

    Returns
    -------
    AuditWarning or None
        ``low_estimated_precision``, withholding ``issue``, or None when the flags stand.
    """
    config = config or EvidenceConfig()
    if estimated_precision is None or flags == 0 or estimated_precision >= config.min_precision:
        return None
    return AuditWarning(
        "low_estimated_precision",
        f"the {flags} {issue} flags have an estimated precision of {estimated_precision:.2f}: more often wrong "
        f"than right (need {config.min_precision}); they are withheld",
        "the ranking is kept in the scores; try features that read this data or more rows per class",
        (issue,),
        {"estimated_precision": round(estimated_precision, 4), "flags": flags,
         "min_precision": config.min_precision})


def few_rows_noise_warning(notes: dict[str, Any]) -> AuditWarning | None:
    """A warning (flags stand) when label flags rest on evidence learned from classes of a few dozen rows.

    A few planted errors among small classes give a low noise estimate and clear flags; a model that
    confuses classes it saw a few dozen rows of gives a high one (36 % on 300 clean CIFAR-10
    pictures), and then the flags are mostly its confusions. Flags resting only on the views'
    consensus count, whatever the noise estimate, when they are most of the flags: each view learned
    those classes from the same few rows (on a 60-row table, two rows whose one number was infinite
    were flagged that way, the noise estimate at 0).

    Parameters
    ----------
    notes : dict
        The label check's notes: ``noise_flags_in_small_classes``, ``consensus_flags_in_small_classes``,
        ``flagged_per_class``, ``noise_min_class_rows`` and ``estimated_noise_rate``.

    Returns
    -------
    AuditWarning or None
        ``few_rows_noise``, withholding nothing, with ``flags`` (both kinds) and ``consensus_flags``
        in its details; None when no such flag stands (a noise-estimate flag counts only at an
        estimated noise rate of ``FEW_ROWS_NOISE_RATE`` or more).
    """
    if (notes.get("verified") or {}).get("calibrated"):
        return None  # the chances were learned from checked labels, not from the noise estimate
    if notes.get("withheld"):
        return None
    noisy = float(notes.get("estimated_noise_rate", 0.0)) >= FEW_ROWS_NOISE_RATE
    noise_flags = int(notes.get("noise_flags_in_small_classes", 0) or 0) if noisy else 0
    consensus_flags = int(notes.get("consensus_flags_in_small_classes", 0) or 0)
    total = sum(int(n) for n in (notes.get("flagged_per_class") or {}).values())
    if 2 * consensus_flags <= total:
        # Most flags stand on a noise estimate that found the noise too (the 75x10 control with 5 %
        # flipped: 35 of 36, every one right): a consensus flag beside them is no weaker than they are.
        consensus_flags = 0
    flags = noise_flags + consensus_flags
    if flags == 0:
        return None
    rows = notes.get("noise_min_class_rows", 50)
    estimate = (f"a label-noise estimate from classes of fewer than {rows} rows, where the model's own confusions "
                "look like label noise (on 300 clean CIFAR-10 pictures such flags were all wrong)")
    consensus = (f"a model that learned their classes from fewer than {rows} rows each (every view agreeing is no "
                 "firmer than the views)")
    basis = (estimate if not consensus_flags else consensus if not noise_flags else
             f"evidence from classes of fewer than {rows} rows: {noise_flags} on {estimate}, {consensus_flags} on "
             "every view naming the same other class")
    return AuditWarning(
        "few_rows_noise",
        f"{flags} label flag(s) rest on {basis}",
        "read them as a ranked list to check, not as verdicts; more rows per class make the evidence firmer",
        (),
        {"flags": flags, "consensus_flags": consensus_flags, "noise_min_class_rows": rows})


def still_learning_warning(notes: dict[str, Any], half_accuracy: float | None,
                           full_accuracy: float | None, view: str | None = None,
                           weight: float | None = None) -> AuditWarning | None:
    """A warning (flags stand) when label flags rest on a model still learning whose mistakes rival the noise.

    Parameters
    ----------
    notes : dict
        The label check's notes: ``estimated_noise_rate``, ``estimated_precision``,
        ``flagged_per_class``, and ``withheld`` or ``verified`` when set.
    half_accuracy : float or None
        The classifier's out-of-fold accuracy with half of each training fold (None when not
        measured: more than ``LEARNING_CURVE_MAX_ROWS`` rows, or the user's own probabilities).
    full_accuracy : float or None
        Its out-of-fold accuracy with all of them.
    view : str, optional
        The label evidence's view these accuracies are of, when not the classifier: the view that
        carries most of the evidence (``network`` on pictures read as pixels).
    weight : float, optional
        That view's share of the evidence, in [0, 1], named in the message.

    Returns
    -------
    AuditWarning or None
        ``model_still_learning``, withholding nothing, when the accuracy gained is at least
        ``STILL_LEARNING_GAIN``, the estimated noise rate is at least ``FEW_ROWS_NOISE_RATE`` (or at
        least ``OUTNUMBERED_MIN_NOISE`` while the model misses at least ``MODEL_ERROR_TO_NOISE`` times
        as many rows as it puts wrong), and label flags stand; else None.
    """
    if half_accuracy is None or full_accuracy is None or full_accuracy - half_accuracy < STILL_LEARNING_GAIN:
        return None
    if notes.get("withheld") or (notes.get("verified") or {}).get("calibrated"):
        return None  # no flags stand, or their chances were learned from checked labels
    flags = sum(int(n) for n in (notes.get("flagged_per_class") or {}).values())
    noise = float(notes.get("estimated_noise_rate", 0.0) or 0.0)
    misses = 1.0 - full_accuracy
    outnumbered = misses >= MODEL_ERROR_TO_NOISE * noise and noise >= OUTNUMBERED_MIN_NOISE
    if flags == 0 or (noise < FEW_ROWS_NOISE_RATE and not outnumbered):
        return None
    stated = notes.get("estimated_precision")
    rose = (f"{_learner(view, weight)} is still learning: its out-of-fold accuracy rose from {half_accuracy:.3f} "
            f"with half of each training fold to {full_accuracy:.3f} with all of it")
    why = (f"so part of the {noise:.1%} label noise the label check estimates is the model's own inexperience"
           if noise >= FEW_ROWS_NOISE_RATE else
           f"and it misses {misses:.0%} of the rows, far more than the {noise:.1%} label noise the label check "
           "estimates, so its own confusions are the likelier cause of a disagreement")
    return AuditWarning(
        "model_still_learning",
        f"{rose}, {why}, and the {flags} label flag(s)"
        + (f" stated {float(stated):.2f} precise" if stated is not None else "")
        + " are likely right less often than that",
        "read them as a ranked list to check; more labelled rows or stronger features (--embedder) firm up the "
        "estimate, and "
        # checked rows were given but too few wrong (or right) ones to learn from: more of them, not a first sample
        + ("more checked rows (a larger verify-sample --size, same --seed) measure it" if notes.get("verified")
           else "a checked random sample (curate verify-sample, then --verified) measures it"),
        (),
        {"half_train_accuracy": round(half_accuracy, 4), "oof_accuracy": round(full_accuracy, 4), "flags": flags})


def _learner(view: str | None, weight: float | None) -> str:
    """Who is still learning, for the message: the classifier, or the evidence's heaviest view."""
    if view is None:
        return "the classifier"
    share = f", which carries {weight:.0%} of the label evidence," if weight is not None else ""
    return f"the label evidence's {view} view{share}"


def verified_warning(notes: dict[str, Any]) -> AuditWarning | None:
    """A warning (flags stand) when verified labels could not calibrate the label check, or look chosen.

    Parameters
    ----------
    notes : dict
        The label check's notes; their ``verified`` entry (see
        :class:`curate.detectors.label_issues.LabelIssueDetector`).

    Returns
    -------
    AuditWarning or None
        ``verified_too_few`` when fewer than 10 of the checked labels were wrong or right (the
        noise model's chances stand), ``verified_not_random`` when the rule flags the checked rows
        far more or less often than all rows (an exact binomial test, p below 0.001: the sample was
        probably chosen, e.g. among flags, and the learned chances are biased); None otherwise.
    """
    from curate.evidence.verified import MIN_VERIFIED_EACH

    verified = notes.get("verified")
    if not verified:
        return None
    rows, wrong = int(verified["rows"]), int(verified["wrong"])
    if not verified.get("calibrated"):
        return AuditWarning(
            "verified_too_few",
            f"of the {rows} verified labels {wrong} were wrong and {rows - wrong} right; at least {MIN_VERIFIED_EACH} "
            "of each are needed to learn how often the flags are right, so the stated precision is the noise model's "
            "(the checked rows themselves are flagged or cleared)",
            "check more rows drawn at random (curate verify-sample --size 300)",
            (),
            {"rows": rows, "wrong": wrong, "min_each": MIN_VERIFIED_EACH})
    if verified.get("looks_random", True):
        return None
    return AuditWarning(
        "verified_not_random",
        f"the label check would flag {verified['rule_flags']} of the {rows} verified rows where a random sample "
        f"would give about {verified['expected_rule_flags_if_random']} (p = {verified['random_sample_p_value']:.2g}): "
        "they look chosen, not drawn at random, and the precision learned from them is biased",
        "verify rows drawn at random (curate verify-sample), not ones picked from the flags",
        (),
        {"rule_flags": verified["rule_flags"], "rows": rows,
         "expected": verified["expected_rule_flags_if_random"], "p_value": verified["random_sample_p_value"]})

