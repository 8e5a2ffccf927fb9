"""How often a label flag is right, learned from a random sample of rows whose labels a person checked.

The noise model (:mod:`curate.evidence.noise_model`) splits the evidence's doubt about a label into
label noise and the model's own confusion by an assumption the data cannot check: that the noise
depends on the class only. Where it does not, the split is wrong and so is every stated chance. On
NSMC's own labels a blind reader found about 1 flag in 5 of the 448 to be a real error where 0.90 was
stated, and on CIFAR-10N (aggregate labels) 44 % where 87 % was stated: the model's confusions on hard
reviews and pictures are read as noise. No statistic of the unverified data can tell the two apart.

A few hundred rows drawn at random and labelled by a person can. Their verified labels say which
given labels are wrong, so the chance of a wrong label is learned from them directly: a logistic
regression of "the verified label differs from the given one" on four numbers the evidence gives
every row (the noise posterior, the evidence's probability of the given and of its most probable
class, each as a log-odds, and the share of the views that name that class). Applied to every row,
it is the label check's chance of a wrong label and flags those above one half; its mean over the
flags is the run's estimated precision, with a 90 % interval that adds the spread of refits on
bootstrap resamples of the verified rows to the chance variation of which flags turn out right. The
idea, a few trusted labels settling what noisy labels alone cannot, is that of Hendrycks et al. [1]_
(their gold loss correction trains the model with them; here they calibrate the flag decision).

Measured on saved evidence (``bench/verified_calibration.py``, 300 random rows verified against the
true labels, ten draws): NoisyAG-News 1,014 flags at precision 0.77 (0.79 stated), F1 0.52 (0.30
without verification); CIFAR-10N aggregate labels precision 0.71 (0.72 stated; 0.44 against 0.87
without); MNIST with 5 % flipped F1 0.96 (0.94 without).

The sample must be random: rows chosen because they were flagged make every flag look right. The
run compares how often the sample and the whole data set would be flagged and says so when they
differ more than chance allows.

References
----------
.. [1] D. Hendrycks, M. Mazeika, D. Wilson and K. Gimpel, "Using Trusted Data to Train Deep Networks
   on Labels Corrupted by Severe Noise", NeurIPS 2018.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest, norm

__all__ = ["BOOTSTRAP_DRAWS", "MIN_VERIFIED_EACH", "VerifiedCalibration", "calibration_features",
           "fit_verified_calibration", "sample_looks_random"]

# Fewer verified rows than this on either side (wrong labels, right labels) cannot fit four weights
# and an intercept: the run keeps the noise model's chances and says why.
MIN_VERIFIED_EACH = 10
# Bootstrap refits behind the estimated precision's interval.
BOOTSTRAP_DRAWS = 200
INTERVAL = 0.90
# Log-odds are taken of probabilities kept this far from 0 and 1.
_EDGE = 1e-4


@dataclass(frozen=True)
class VerifiedCalibration:
    """A wrong-label chance learned from verified rows.

    Attributes
    ----------
    coefficients : numpy.ndarray
        Shape (n_features + 1,): the logistic regression's intercept, then its weights.
    draws : numpy.ndarray
        Shape (n_draws, n_features + 1): the same fitted on bootstrap resamples of the verified rows.
    verified : int
        Verified rows it was fitted on.
    wrong : int
        Of them, rows whose verified label differs from the given one.
    """

    coefficients: np.ndarray
    draws: np.ndarray
    verified: int
    wrong: int

    def chance(self, features: np.ndarray) -> np.ndarray:
        """The probability that each row's given label is wrong.

        Parameters
        ----------
        features : numpy.ndarray
            Shape (n_rows, n_features), from :func:`calibration_features`.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,), in (0, 1).
        """
        return _sigmoid(self.coefficients[0] + features @ self.coefficients[1:])

    def precision_interval(self, features: np.ndarray) -> tuple[float, float] | None:
        """A 90 % interval for the share of these flags that are right.

        Two uncertainties add up: the chances' own (the spread of their mean over the bootstrap
        refits) and that of which flags turn out right even where the chances are exact (a sum of
        independent Bernoulli trials, variance ``sum(p * (1 - p)) / n**2``); the interval is the
        normal one with their summed variance, clipped to [0, 1].

        Parameters
        ----------
        features : numpy.ndarray
            Shape (n_flags, n_features): the flagged rows' features.

        Returns
        -------
        tuple of float or None
            (low, high), or None without rows or refits.
        """
        if not len(features) or not len(self.draws):
            return None
        chances = self.chance(features)
        means = _sigmoid(self.draws[:, :1] + self.draws[:, 1:] @ features.T).mean(axis=1)
        variance = float(means.var()) + float((chances * (1 - chances)).sum()) / len(chances) ** 2
        half = float(norm.ppf(0.5 + INTERVAL / 2)) * variance ** 0.5
        centre = float(chances.mean())
        return max(0.0, centre - half), min(1.0, centre + half)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EDGE, 1.0 - _EDGE)
    return np.log(p / (1.0 - p))


def calibration_features(probs: np.ndarray, codes: np.ndarray, posterior: np.ndarray,
                         views: Sequence[np.ndarray]) -> np.ndarray:
    """The four numbers per row that the verified calibration reads.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the calibrated label evidence.
    codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.
    posterior : numpy.ndarray
        Shape (n_rows,): the noise model's probability of a wrong label.
    views : sequence of numpy.ndarray
        The evidence's views, each (n_rows, n_classes); none counts as all agreeing.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, 4): log-odds of the posterior, of the given label's probability and of the
        most probable class's, and the share of views whose top class is that class.
    """
    rows = np.arange(len(codes))
    best = probs.argmax(axis=1)
    agree = (np.mean([view.argmax(axis=1) == best for view in views], axis=0) if views
             else np.ones(len(codes)))
    return np.column_stack([_log_odds(posterior), _log_odds(probs[rows, codes]), _log_odds(probs[rows, best]),
                            agree])


def _fit(features: np.ndarray, wrong: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=1000).fit(features, wrong)
    return np.concatenate([model.intercept_, model.coef_[0]])


def fit_verified_calibration(features: np.ndarray, wrong: np.ndarray, seed: int = 0,
                             draws: int = BOOTSTRAP_DRAWS) -> VerifiedCalibration | None:
    """Learn the chance of a wrong label from verified rows.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_verified, n_features): :func:`calibration_features` of the verified rows.
    wrong : numpy.ndarray
        Shape (n_verified,), bool: the verified label differs from the given one.
    seed : int, default 0
        Seeds the bootstrap resamples.
    draws : int, default 200
        Bootstrap refits for the interval (resamples with only one kind of row are skipped).

    Returns
    -------
    VerifiedCalibration or None
        None when fewer than ``MIN_VERIFIED_EACH`` verified rows are wrong, or are right.
    """
    wrong = np.asarray(wrong, dtype=bool)
    n_wrong = int(wrong.sum())
    if n_wrong < MIN_VERIFIED_EACH or len(wrong) - n_wrong < MIN_VERIFIED_EACH:
        return None
    coefficients = _fit(features, wrong)
    rng = np.random.default_rng(seed)
    refits = []
    for _ in range(draws):
        pick = rng.integers(0, len(wrong), len(wrong))
        if 0 < wrong[pick].sum() < len(pick):
            refits.append(_fit(features[pick], wrong[pick]))
    return VerifiedCalibration(coefficients, np.array(refits).reshape(-1, len(coefficients)), len(wrong), n_wrong)


def sample_looks_random(flagged_in_sample: int, sample_size: int, flagged_share: float,
                        alpha: float = 1e-3) -> tuple[bool, float]:
    """Whether the verified rows are flagged about as often as all rows, as a random sample would be.

    Parameters
    ----------
    flagged_in_sample : int
        Verified rows the rule flags (judged on the evidence, not on their verified labels).
    sample_size : int
        Verified rows.
    flagged_share : float
        Share of all rows the rule flags, in [0, 1].
    alpha : float, default 0.001
        A two-sided exact binomial test below this says the sample is not random.

    Returns
    -------
    looks_random : bool
    p_value : float
    """
    if sample_size == 0:
        return True, 1.0
    p = float(binomtest(flagged_in_sample, sample_size, min(max(flagged_share, 0.0), 1.0)).pvalue)
    return p >= alpha, p
