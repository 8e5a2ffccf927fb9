"""Retraining on the labels given so far: a cheap model's probabilities for every item, and how good it is.

Logistic regression on the feature vectors fits in seconds on tens of thousands of items, so a web
server can retrain it in a background thread every few labels. This module starts no thread: the
caller owns them.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from curate.evidence.predictions import cross_val_pred_probs, named_classifier

__all__ = ["Retrained", "TrainingRecord", "retrain"]


@dataclass(frozen=True)
class TrainingRecord:
    """What one retraining learnt from, and how well it does.

    Attributes
    ----------
    n_labels : int
        Labelled items the model learnt from.
    oof_accuracy : float or None
        Accuracy of out-of-fold predictions on those items; None when it could not be measured
        (fewer than two classes with two labels each) or was not asked for.
    fitted_at : str
        When, as ISO 8601 in UTC to the second.
    """

    n_labels: int
    oof_accuracy: float | None
    fitted_at: str


@dataclass(frozen=True)
class Retrained:
    """A retrained model's class probabilities for every item, and its record.

    Attributes
    ----------
    probs : numpy.ndarray
        Shape (n_items, n_classes); a class with no label gets probability 0, and every row is
        uniform when fewer than two classes have labels.
    record : TrainingRecord
        What it learnt from and its out-of-fold accuracy.
    """

    probs: np.ndarray
    record: TrainingRecord


def retrain(features: np.ndarray, labels: np.ndarray, n_classes: int, *, folds: int = 5,
            seed: int = 0) -> Retrained:
    """Fit logistic regression on the labelled items and predict every item.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_items, dim).
    labels : numpy.ndarray
        Shape (n_items,), int class codes in ``range(n_classes)``, -1 for unlabelled.
    n_classes : int
        Number of classes (columns of the probabilities).
    folds : int, default 5
        Folds of the cross-validation that measures the out-of-fold accuracy; 0 skips it (one fit
        instead of ``folds + 1``).
    seed : int, default 0
        Seed of the folds' shuffle.

    Returns
    -------
    Retrained
        Probabilities of shape (n_items, n_classes) and the training record.

    Raises
    ------
    ValueError
        When the shapes disagree or a code is outside ``range(-1, n_classes)``.

    Examples
    --------
    >>> X = np.array([[0.0], [0.1], [1.0], [1.1], [0.5]])
    >>> found = retrain(X, np.array([0, 0, 1, 1, -1]), 2, folds=0)
    >>> found.probs.shape, found.record.n_labels
    ((5, 2), 4)
    """
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must have shape ({len(features)},) like the features, not {labels.shape}")
    if labels.size and (labels.min() < -1 or labels.max() >= n_classes):
        raise ValueError(f"label codes must be -1 (unlabelled) or in range({n_classes})")
    labelled = np.flatnonzero(labels >= 0)
    fitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    probs = np.full((len(labels), n_classes), 1.0 / n_classes)
    if len(np.unique(labels[labelled])) < 2:
        return Retrained(probs, TrainingRecord(len(labelled), None, fitted_at))
    classifier = named_classifier("logistic_regression")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
        model = clone(classifier).fit(features[labelled], labels[labelled])
        probs = np.zeros((len(labels), n_classes))
        probs[:, model.classes_.astype(int)] = model.predict_proba(features)
    accuracy = None
    if folds:
        try:
            accuracy = cross_val_pred_probs(features[labelled], labels[labelled], n_classes, classifier=classifier,
                                            folds=folds, seed=seed).accuracy
        except ValueError:  # too few labels per class to hold any out
            accuracy = None
    return Retrained(probs, TrainingRecord(len(labelled), accuracy, fitted_at))
