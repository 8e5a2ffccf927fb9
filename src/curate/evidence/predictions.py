"""Out-of-fold predicted class probabilities by K-fold cross-validation.

Every row's probabilities come from a model that never saw that row: that is what lets a
confident disagreement between model and label point at a label error.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from curate.core.predictions import PredProbs
from curate.core.progress import ProgressCallback

__all__ = ["cross_val_pred_probs", "default_classifier"]


EARLY_STOPPING_MIN_CLASS = 50


def default_classifier(modality: str, seed: int = 0, smallest_class: int | None = None) -> ClassifierMixin:
    """The classifier cross-validated by default: linear on embeddings, boosted trees on tables.

    The trees stop early on a held-back tenth of their training rows when every class has enough
    rows to spare one (``smallest_class`` >= 50): on the CIFAR-10N benchmark features that was 2-3x
    faster than 150 fixed rounds for 0.018 lower out-of-fold accuracy (0.478 against 0.496).
    """
    if modality == "tabular":
        early = smallest_class is not None and smallest_class >= EARLY_STOPPING_MIN_CLASS
        return HistGradientBoostingClassifier(max_iter=100 if early else 150, early_stopping=early,
                                              random_state=seed)
    return LogisticRegression(C=1.0, max_iter=2000)


def cross_val_pred_probs(
    features: np.ndarray,
    label_codes: np.ndarray,
    n_classes: int,
    *,
    classifier: ClassifierMixin,
    folds: int = 5,
    seed: int = 0,
    train_mask: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
) -> PredProbs:
    """Out-of-fold probabilities from ``folds``-fold stratified cross-validation of ``classifier``.

    ``folds`` is lowered to the size of the smallest class (at least 2) so every fold sees every class.
    With ``train_mask``, each fold's model learns only from the training rows it marks (every row is
    still predicted); a class the mask would leave with fewer than 2 rows in a fold keeps all of them.

    Example
    -------
    >>> X = np.r_[np.zeros((4, 2)), np.ones((4, 2))]; y = np.r_[[0] * 4, [1] * 4]
    >>> cross_val_pred_probs(X, y, 2, classifier=LogisticRegression(), folds=2).probs.shape
    (8, 2)
    """
    smallest = int(np.bincount(label_codes, minlength=n_classes)[np.bincount(label_codes) > 0].min())
    k = max(2, min(folds, smallest))
    out = np.zeros((len(label_codes), n_classes), dtype=np.float64)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train, held_out in splitter.split(features, label_codes):
        if train_mask is not None:
            train = _masked_training_rows(train, label_codes, train_mask)
        model = clone(classifier).fit(features[train], label_codes[train])
        probs = model.predict_proba(features[held_out])
        out[np.ix_(held_out, model.classes_.astype(int))] = probs
        if progress is not None:
            progress(1)
    accuracy = float(np.mean(out.argmax(axis=1) == label_codes))
    return PredProbs(out, source="cross-validation", folds=k, accuracy=accuracy)


def _masked_training_rows(train: np.ndarray, label_codes: np.ndarray, train_mask: np.ndarray) -> np.ndarray:
    """The fold's training rows the mask keeps, plus every row of a class it would leave nearly empty."""
    keep = train_mask[train].copy()
    codes = label_codes[train]
    kept_per_class = np.bincount(codes[keep], minlength=int(codes.max()) + 1)
    starved = kept_per_class[codes] < 2
    return train[keep | starved]
