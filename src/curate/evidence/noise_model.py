"""How noisy the given labels are, and how likely each row's given label is wrong.

The label evidence is calibrated on the given labels, noise included: it estimates how a row would be
labelled, P(given = j | x), not what it is. Where the evidence is unsure, that uncertainty can come from
the labels (an annotator's slip) or from the model (a review it cannot read, a picture it cannot
tell apart); the evidence alone cannot say which. Read at face value, every disagreement of a weak
model becomes a flag: on 5,000 IMDB reviews, whose labels are nearly clean, 9 % of rows were
flagged and about one flag in thirteen was a real error.

This module separates the two under class-conditional noise (the given label depends on the true
class only, as in confident learning [1]_): it estimates the noise from the confident joint (the
counts of rows given class i that the evidence confidently places in class j), turns it into a
transition matrix T[i, j] = P(given = i | true = j), removes the noise from the evidence
(P(true | x) solves T P(true | x) = P(given | x)) and gives, per row, Bayes' posterior probability
that its given label is wrong. Where the noise is rare, only evidence far beyond the model's usual
uncertainty makes a label more likely wrong than right; where it is common, less is needed.

Measured on saved evidence of every label benchmark (``bench/evidence_lab.py``): flagging rows whose
posterior exceeds 0.5 raised the F1 of the flags on NSMC with 10 % and 20 % of labels flipped (0.548
to 0.568, 0.618 to 0.630) and on CIFAR-10N (0.395 to 0.484, 0.559 to 0.759), and cut the IMDB flags
from 9.2 % to 1.5 % of rows; on NoisyAG-News, whose noise depends on the text (annotators confused
ambiguous articles, so the evidence half-learns it), the confident joint sees a quarter of the noise
and the flags fell from 1,067 at precision 0.735 to 227 at precision 0.925 (the label check adds the
rows every view gives to one other class: :mod:`curate.detectors.label_issues`).

References
----------
.. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning: Estimating Uncertainty in
   Dataset Labels", Journal of Artificial Intelligence Research 70, 2021.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NoiseModel", "confident_joint", "fit_noise_model"]

# Above this condition number the transition matrix is too close to singular to invert (two classes
# the evidence cannot tell apart); the evidence is then used as it is.
MAX_CONDITION = 1e6


@dataclass(frozen=True)
class NoiseModel:
    """The estimated label noise of one dataset and each row's chance of a wrong label.

    Attributes
    ----------
    joint : numpy.ndarray
        Shape (n_classes, n_classes): the calibrated confident joint, estimated counts of rows
        given class i (row) whose true class is j (column); row i sums to the rows given i.
    transition : numpy.ndarray
        Shape (n_classes, n_classes): P(given = i | true = j); columns sum to 1.
    clean : numpy.ndarray
        Shape (n_rows, n_classes): P(true = j | x), the evidence with the noise removed.
    error : numpy.ndarray
        Shape (n_rows,): the posterior probability that each row's given label is wrong.
    """

    joint: np.ndarray
    transition: np.ndarray
    clean: np.ndarray
    error: np.ndarray

    @property
    def noise_rate(self) -> float:
        """The estimated share of rows whose given label is wrong (0 without rows).

        Returns
        -------
        float
            In [0, 1].
        """
        total = float(self.joint.sum())
        return 0.0 if total == 0 else float((total - np.trace(self.joint)) / total)

    @property
    def class_noise(self) -> np.ndarray:
        """Per given class, the estimated share of its rows whose label is wrong.

        Returns
        -------
        numpy.ndarray
            Shape (n_classes,); 0 for a class without rows.
        """
        sums = self.joint.sum(axis=1)
        return np.divide(sums - np.diag(self.joint), sums, out=np.zeros(len(sums)), where=sums > 0)


def confident_joint(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The calibrated confident joint of confident learning (Northcutt et al. 2021, section 3.1).

    Each class's threshold is its typical confidence, the mean probability of the class over the
    rows given it. A row counts towards (given class, j) where j is its most probable class among
    those whose probability reaches their threshold; rows reaching none are not counted. Each
    row of counts is then scaled to the number of rows given that class.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): out-of-fold class probabilities.
    codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.

    Returns
    -------
    numpy.ndarray
        Shape (n_classes, n_classes), float: estimated counts of (given, true) pairs.
    """
    n_classes = probs.shape[1]
    counts = np.bincount(codes, minlength=n_classes)
    sums = np.bincount(codes, weights=probs[np.arange(len(codes)), codes], minlength=n_classes)
    # A class nobody was given has no typical confidence; it cannot be confidently anyone's class.
    thresholds = np.divide(sums, counts, out=np.full(n_classes, np.inf), where=counts > 0)
    above = probs >= thresholds[None, :] - 1e-12
    placed = np.where(above, probs, -1.0).argmax(axis=1)
    counted = above.any(axis=1)
    joint = np.zeros((n_classes, n_classes))
    np.add.at(joint, (codes[counted], placed[counted]), 1.0)
    row_sums = joint.sum(axis=1, keepdims=True)
    return np.divide(joint, row_sums, out=np.zeros_like(joint), where=row_sums > 0) * counts[:, None]


def fit_noise_model(probs: np.ndarray, codes: np.ndarray) -> NoiseModel:
    """Estimate the label noise and each row's posterior probability of a wrong given label.

    With T the transition matrix from :func:`confident_joint` (columns normalised; an empty column
    is taken as noise-free), the clean evidence solves ``T @ clean[r] = probs[r]`` (negative parts
    clipped, rows renormalised) and a row given class g has the wrong label with probability
    ``1 - T[g, g] * clean[r, g] / (T @ clean[r])[g]``. When T is too close to singular to invert
    (condition number above 1e6), the evidence is used as the clean evidence.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the calibrated label evidence, rows summing to 1.
    codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.

    Returns
    -------
    NoiseModel
        The joint, transition matrix, clean evidence and per-row error probabilities.
    """
    n_rows, n_classes = probs.shape
    joint = confident_joint(probs, codes)
    columns = joint.sum(axis=0, keepdims=True)
    transition = np.divide(joint, columns, out=np.eye(n_classes), where=columns > 0)
    clean = probs.astype(float, copy=True)
    if n_rows and np.linalg.cond(transition) < MAX_CONDITION:
        solved = np.clip(np.linalg.solve(transition, probs.T).T, 0.0, None)
        totals = solved.sum(axis=1, keepdims=True)
        usable = totals[:, 0] > 0
        clean[usable] = solved[usable] / totals[usable]
    rows = np.arange(n_rows)
    implied = (clean @ transition.T)[rows, codes]  # P(given = g | x) under the noise model
    right = transition[codes, codes] * clean[rows, codes]
    # implied is 0 only when right is: no true class could have been given this label; call it wrong
    error = 1.0 - np.divide(right, implied, out=np.zeros(n_rows), where=implied > 0)
    return NoiseModel(joint, transition, clean, np.clip(error, 0.0, 1.0))
