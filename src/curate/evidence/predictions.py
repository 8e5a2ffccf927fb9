"""Out-of-fold predicted class probabilities by K-fold cross-validation.

Every row's probabilities come from a model that never saw that row: that is what lets a
confident disagreement between model and label point at a label error.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_info, threadpool_limits

from curate.core.predictions import PredProbs
from curate.core.progress import ProgressCallback
from curate.core.threads import threads_for
from curate.engines import Engine, current_engine
from curate.errors import ConfigError

__all__ = ["MAX_TRAIN_ROWS", "NAMED_CLASSIFIERS", "cross_val_pred_probs", "named_classifier"]

# Each fold's model learns from at most this many rows (a stratified, seeded sample of the fold's
# training rows); every row is still predicted. Past it the models curate fits have saturated (the
# learning curves of bench/scale.py), while fit time keeps growing with the rows: a million-row
# table would spend most of an hour in the folds.
MAX_TRAIN_ROWS = 100_000


# Classifiers a run configuration can name instead of its modality's default ("auto").
NAMED_CLASSIFIERS = ("logistic_regression", "hist_gradient_boosting")


def named_classifier(name: str, seed: int = 0) -> ClassifierMixin:
    """A classifier by the name a run configuration gives it.

    Parameters
    ----------
    name : str
        ``logistic_regression`` (C=1, up to 2,000 iterations) or ``hist_gradient_boosting``
        (150 rounds, no early stopping).
    seed : int, default 0
        Random state of the boosted trees.

    Returns
    -------
    sklearn.base.ClassifierMixin
        Unfitted.

    Raises
    ------
    ConfigError
        For any other name; the message lists the known ones.
    """
    if name == "logistic_regression":
        return LogisticRegression(C=1.0, max_iter=2000)
    if name == "hist_gradient_boosting":
        return HistGradientBoostingClassifier(max_iter=150, random_state=seed)
    raise ConfigError(f"classifier {name!r} is unknown; use auto or one of {', '.join(NAMED_CLASSIFIERS)}")


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
    max_train_rows: int | None = MAX_TRAIN_ROWS,
    engine: Engine | None = None,
) -> PredProbs:
    """Out-of-fold probabilities from ``folds``-fold stratified cross-validation of ``classifier``.

    ``folds`` is lowered to the size of the smallest class (at least 2) so every fold sees every class.
    With ``train_mask``, each fold's model learns only from the training rows it marks (every row is
    still predicted); a class the mask would leave with fewer than 2 rows in a fold keeps all of them.
    A class with a single row (reviewers can leave one behind) cannot be cross-validated: its row
    is predicted by the mean of the fold models, none of which saw it or its class, so callers must
    not read its probabilities as evidence about its label. The fits run with BLAS and OpenMP
    threads sized to ``features`` (one thread for small tables: :func:`curate.core.threads.sized_threads`).
    A fold with more than ``max_train_rows`` training rows learns from a stratified sample of that
    many (seeded; every class keeps at least two rows), so the fits stay bounded on large data.
    Each fold's fit and predictions are one task of ``engine``; the splits are drawn here and the
    folds' predictions combined in fold order, so every engine gives the same probabilities.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, dim).
    label_codes : numpy.ndarray
        Shape (n_rows,), int class codes in ``range(n_classes)``.
    n_classes : int
        Number of classes (columns of the result).
    classifier : sklearn.base.ClassifierMixin
        Cloned and fitted once per fold; needs ``predict_proba``.
    folds : int, default 5
        Folds of the stratified split.
    seed : int, default 0
        Seed of the split's shuffle.
    train_mask : numpy.ndarray, optional
        Shape (n_rows,), bool: rows each fold may learn from.
    progress : callable, optional
        Called with 1 after each fold.
    max_train_rows : int or None, default MAX_TRAIN_ROWS (100,000)
        Training rows per fold at most; None for all.
    engine : Engine, optional
        Runs the folds; default :func:`curate.engines.current_engine` (the run's engine, else a
        plain loop in this process).

    Returns
    -------
    PredProbs
        ``probs`` of shape (n_rows, n_classes), with the folds used and the accuracy.

    Raises
    ------
    ValueError
        When fewer than two classes have at least two rows.

    Examples
    --------
    >>> X = np.r_[np.zeros((4, 2)), np.ones((4, 2))]; y = np.r_[[0] * 4, [1] * 4]
    >>> cross_val_pred_probs(X, y, 2, classifier=LogisticRegression(), folds=2).probs.shape
    (8, 2)
    """
    counts = np.bincount(label_codes, minlength=n_classes)
    splittable = np.flatnonzero(counts[label_codes] >= 2)
    lonely = np.flatnonzero(counts[label_codes] == 1)
    if np.count_nonzero(counts >= 2) < 2:
        raise ValueError("cross-validation needs at least two classes with two or more rows each")
    smallest = int(counts[counts >= 2].min())
    k = max(2, min(folds, smallest))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    folds_rows = []
    for train_at, held_at in splitter.split(features[splittable], label_codes[splittable]):
        train, held_out = splittable[train_at], splittable[held_at]
        if train_mask is not None:
            train = _masked_training_rows(train, label_codes, train_mask)
        if max_train_rows is not None and len(train) > max_train_rows:
            train = _stratified_sample(train, label_codes, max_train_rows, seed)
        folds_rows.append((train, held_out))
    # BLAS/OpenMP threads sized to the fit (see curate.core.threads): small tables run on one. A
    # large one gets this process's count, named, since a Ray worker defaults to one thread and a
    # different thread count can round the fit differently.
    threads = threads_for(features.shape[0], int(np.prod(features.shape[1:])))
    if threads is None:
        threads = max([int(pool["num_threads"]) for pool in threadpool_info()] or [1])
    engine = engine or current_engine()
    fitted = engine.map(_fit_fold, folds_rows,
                        shared={"features": features, "label_codes": label_codes, "classifier": classifier,
                                "lonely": lonely, "threads": threads},
                        on_done=(lambda _: progress(1)) if progress is not None else None)
    out = np.zeros((len(label_codes), n_classes), dtype=np.float64)
    # Combined in fold order whatever order the tasks finished in: the lonely rows' sums are then
    # the same to the last bit on every engine.
    for (_, held_out), (columns, held_probs, lonely_probs) in zip(folds_rows, fitted, strict=True):
        out[np.ix_(held_out, columns)] = held_probs
        if lonely.size:
            out[np.ix_(lonely, columns)] += lonely_probs / k
    accuracy = float(np.mean(out.argmax(axis=1) == label_codes))
    return PredProbs(out, source="cross-validation", folds=k, accuracy=accuracy)


def _fit_fold(rows: tuple[np.ndarray, np.ndarray], *, features: np.ndarray, label_codes: np.ndarray,
              classifier: ClassifierMixin, lonely: np.ndarray,
              threads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One fold's task: fit on its training rows; the model's classes and its probabilities of the
    held-out rows and of the lonely rows (top level, so that a distributed engine can send it)."""
    train, held_out = rows
    with threadpool_limits(limits=threads), warnings.catch_warnings():
        # Many small classes make scikit-learn guess "regression"; curate judges class sizes
        # itself (curate.evidence.trust) and says so in the run's warnings.
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
        model = clone(classifier)
        if isinstance(model, SGDClassifier) and model.n_jobs is None and threads > 1:
            # SGD fits one binary problem per class, one after another on one core unless told
            # otherwise; each class has its own seed, so spreading them gives the same model.
            model.set_params(n_jobs=threads)
        model.fit(features[train], label_codes[train])
        columns = model.classes_.astype(int)
        held_probs = model.predict_proba(features[held_out])
        lonely_probs = model.predict_proba(features[lonely]) if lonely.size else np.zeros((0, len(columns)))
    return columns, held_probs, lonely_probs


def _stratified_sample(train: np.ndarray, label_codes: np.ndarray, size: int, seed: int) -> np.ndarray:
    """About ``size`` of the rows ``train``, each class in its share and with at least 2 rows, seeded."""
    rng = np.random.default_rng([seed, len(train), size])
    codes = label_codes[train]
    chosen = []
    for code in np.unique(codes):
        members = train[codes == code]
        want = min(len(members), max(2, round(size * len(members) / len(train))))
        chosen.append(rng.choice(members, size=want, replace=False))
    return np.sort(np.concatenate(chosen))


def _masked_training_rows(train: np.ndarray, label_codes: np.ndarray, train_mask: np.ndarray) -> np.ndarray:
    """The fold's training rows the mask keeps, plus every row of a class it would leave nearly empty."""
    keep = train_mask[train].copy()
    codes = label_codes[train]
    kept_per_class = np.bincount(codes[keep], minlength=int(codes.max()) + 1)
    starved = kept_per_class[codes] < 2
    return train[keep | starved]
