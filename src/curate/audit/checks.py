"""Input checks: what about the data makes some findings meaningless, said before any model runs.

Each check returns :class:`~curate.core.warnings.AuditWarning` objects naming the issues whose flags
the audit withholds (the audit unflags them after the detectors ran; their scores stay):

- ``leaked_label_column``: an input column predicts the label almost perfectly on its own;
- ``image_column``: a column holds image bytes or image paths that the dataset's modality does not read;
- ``continuous_label``: the label holds measurements, not classes (regression is not supported);
- ``pred_probs_column_order``: the user's probabilities fit the labels far better with the columns
  in another order.

:func:`check_inputs` runs them all; it refuses (a ``ColumnError``) an audit whose inputs leave the
model nothing to read, rather than report every row as a near duplicate of every other.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.model_selection import KFold

from curate.core.dataset import Dataset, label_text
from curate.core.predictions import PredProbs
from curate.core.warnings import AuditWarning
from curate.detectors import Detector
from curate.errors import ColumnError
from curate.ingest.columns import continuous_label_facts
from curate.modalities import get_modality
from curate.modalities.image_decode import image_kind as _image_kind

__all__ = ["check_inputs", "continuous_label", "image_columns", "leaked_label_column", "pred_probs_column_order",
           "unread_inputs"]

# An input column leaks the label when, on its own and out of fold, it is right this often and its
# errors are at most this share of the majority-class guess's errors.
LEAK_ACCURACY = 0.98
LEAK_ERROR_SHARE = 0.2
LEAK_MIN_ROWS = 20
_DIGITS = re.compile(r"\d+")
_MISSING = "\0missing"
# The labels are the top class of few rows in the given column order, and of many in another.
ORDER_MIN_ROWS = 20
ORDER_MIN_FIT = 0.5
ORDER_MIN_GAIN = 0.3
# Issues that read the label as a class.
_CLASS_ISSUES = ("label", "ambiguous", "conflicting_labels", "class_imbalance")
_LABEL_ISSUES = ("label", "ambiguous")


def check_inputs(dataset: Dataset, detectors: Sequence[Detector], pred_probs: PredProbs | None, *,
                 folds: int = 5, seed: int = 0, own_features: bool = False) -> list[AuditWarning]:
    """Every input check of an audit, in order: images, unread inputs, leaked columns, the label, pred_probs.

    Parameters
    ----------
    dataset : Dataset
        The rows to audit.
    detectors : sequence of Detector
        The detectors the run will use; those that compare inputs are the ones an image column
        withholds.
    pred_probs : PredProbs or None
        The user's own probabilities, when given.
    folds : int, default 5
        Folds of the out-of-fold leak check.
    seed : int, default 0
        Seed of the folds.
    own_features : bool, default False
        Whether the user gave their own features: they read the inputs, so image and unreadable
        columns raise nothing.

    Returns
    -------
    list of AuditWarning
        The warnings, empty when the inputs raise no doubt.

    Raises
    ------
    ColumnError
        When no input column is left for the model to read (images, identifiers, constant
        columns) and some detector reads the inputs, unless ``pred_probs`` was given
        (see :func:`unread_inputs`).
    """
    own_probs = pred_probs is not None
    input_issues = () if own_features else _input_issues(detectors, own_probs)
    warnings = [] if own_features else image_columns(dataset, input_issues, own_probs)
    warnings += unread_inputs(dataset, input_issues, own_probs)
    warnings += leaked_label_column(dataset, folds=folds, seed=seed)
    warnings += continuous_label(dataset)
    if pred_probs is not None:
        warnings += pred_probs_column_order(dataset, pred_probs)
    return warnings


def _input_issues(detectors: Sequence[Detector], own_probs: bool) -> tuple[str, ...]:
    """The detectors whose flags rest on curate reading the inputs (features, neighbours, its model)."""
    reads = {"features", "neighbors"} | (set() if own_probs else {"label_evidence", "pred_probs"})
    return tuple(d.name for d in detectors if d.needs & reads)


def _read_columns(dataset: Dataset) -> list[str]:
    """The input columns the model reads, as the dataset's modality says."""
    return get_modality(dataset.modality).read_columns(dataset)


def image_columns(dataset: Dataset, input_issues: Sequence[str], own_probs: bool = False) -> list[AuditWarning]:
    """An ``image_column`` warning per column of image bytes or image paths that the modality does not read.

    The model does not see the pictures, so the flags that rest on reading the inputs
    (``input_issues``) are withheld; exact duplicates and class counts stand.

    Parameters
    ----------
    dataset : Dataset
        The rows.
    input_issues : sequence of str
        The run's issues whose flags rest on curate reading the inputs.
    own_probs : bool, default False
        Whether the user gave their own probabilities (then the labels are judged by them).

    Returns
    -------
    list of AuditWarning
        One per image column, facts ``column``, ``content`` and ``read_as``.
    """
    read = _read_columns(dataset)
    warnings = []
    for column, kind in _image_kinds(dataset).items():
        read_as = "read as text" if column in dataset.text_columns else (
            "read as categories" if column in read else "ignored")
        warnings.append(AuditWarning(
            "image_column",
            f"column {column!r} holds {kind}, which curate does not read as images unless named with --image "
            f"({read_as})",
            "flags that compare the inputs are withheld: curate does not see the pictures"
            + ("" if own_probs else "; give your image model's out-of-fold probabilities (--pred-probs) to audit "
               "the labels"),
            tuple(input_issues), {"column": column, "content": kind, "read_as": read_as}))
    return warnings


def _image_kinds(dataset: Dataset) -> dict[str, str]:
    """Input column to what images it holds, for the columns that hold images the model does not read."""
    modality = get_modality(dataset.modality)
    read = set(modality.read_columns(dataset)) if modality.reads_images else set()
    inputs = [c for c in (*dataset.text_columns, *dataset.input_columns) if c not in read]
    return {c: kind for c in inputs if (kind := _image_kind(dataset.frame[c])) is not None}


def unread_inputs(dataset: Dataset, input_issues: Sequence[str], own_probs: bool) -> list[AuditWarning]:
    """Refuse an audit whose model would read nothing; with the user's probabilities, withhold instead.

    Image columns, identifiers (a unique value per row) and constant columns give the model
    nothing to read: every row would look like every other. Without the user's probabilities
    the audit is refused; with them the labels can still be judged, and a ``no_readable_input``
    warning withholds the flags that compare inputs (when no ``image_column`` warning does).

    Parameters
    ----------
    dataset : Dataset
        The rows.
    input_issues : sequence of str
        The run's issues whose flags rest on curate reading the inputs.
    own_probs : bool
        Whether the user gave their own probabilities.

    Returns
    -------
    list of AuditWarning
        Empty, or one ``no_readable_input`` warning (facts ``columns``: column to why it is not read).

    Raises
    ------
    ColumnError
        When no input column is left to read, ``input_issues`` is not empty and ``own_probs`` is False.
    """
    kinds = _image_kinds(dataset)
    if not input_issues or [c for c in _read_columns(dataset) if c not in kinds]:
        return []
    why = {c: kinds.get(c) or _why_unread(dataset.frame[c]) for c in [*dataset.text_columns, *dataset.input_columns]}
    listed = ", ".join(f"{c!r} ({reason})" for c, reason in why.items())
    if not own_probs:
        raise ColumnError(
            f"no input column is left for the model to read: {listed}"
            + ("; curate does not read images unless their column is named with --image" if kinds else "")
            + ". Give your own model's out-of-fold probabilities (--pred-probs) to audit the labels, or add "
            "columns that describe each row")
    if kinds:
        return []  # the image_column warnings withhold the same flags
    return [AuditWarning(
        "no_readable_input", f"no input column is left for the model to read: {listed}",
        "the labels are judged by the given probabilities alone; flags that compare the inputs are withheld",
        tuple(input_issues), {"columns": why})]


def _why_unread(series: pd.Series) -> str:
    if series.dropna().nunique() <= 1:
        return "constant"
    return "an identifier: a unique value per row"


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell_key(value: Any) -> str:
    """A cell as a hashable text key: missing cells share one key, labels compare as label text."""
    return _MISSING if _missing(value) else label_text(value)


def _out_of_fold_accuracy(keys: np.ndarray, y: np.ndarray, n_classes: int, folds: int, seed: int) -> float:
    """Accuracy of each key's majority label learned on the other folds (unseen keys: the majority class)."""
    ids = pd.factorize(keys)[0]
    correct = 0
    for train, test in KFold(min(folds, len(y)), shuffle=True, random_state=seed).split(ids):
        pairs, counts = np.unique(ids[train] * n_classes + y[train], return_counts=True)
        key, label = np.divmod(pairs, n_classes)
        order = np.lexsort((label, -counts, key))  # per key: most rows first, then the first class
        key, label = key[order], label[order]
        first = np.r_[True, key[1:] != key[:-1]]
        guess = np.full(ids.max() + 1, np.bincount(y[train], minlength=n_classes).argmax())
        guess[key[first]] = label[first]
        correct += int((guess[ids[test]] == y[test]).sum())
    return correct / len(y)


def leaked_label_column(dataset: Dataset, *, folds: int = 5, seed: int = 0) -> list[AuditWarning]:
    """A ``leaked_label_column`` warning when input columns predict the label almost perfectly on their own.

    Each candidate column is judged out of fold: the majority label of each of its values, learned
    on the other folds, predicts the held-out rows (a value never seen predicts the majority class,
    so an identifier with a unique value per row predicts nothing). Text columns are candidates
    when there are several, as are discrete tabular columns (text, or at most
    ``max(20, 2 x classes)`` distinct numbers); values with digits are also judged with their
    digits masked, which catches ids such as ``pos_0012``. Columns whose values are class names
    are also judged together, by their majority vote. A leak makes curate's model agree with
    every given label, so the label flags are withheld when the model reads a leaking column.

    Parameters
    ----------
    dataset : Dataset
        The rows.
    folds : int, default 5
        Folds of the out-of-fold judgement.
    seed : int, default 0
        Seed of the folds.

    Returns
    -------
    list of AuditWarning
        None or one warning, facts ``columns`` (column to out-of-fold accuracy and how it was
        read: ``values``, ``masked digits`` or ``vote``) and ``majority_rate``.
    """
    y, n = dataset.label_codes, dataset.n_rows
    k = len(dataset.classes)
    if n < LEAK_MIN_ROWS:
        return []
    majority = float(np.bincount(y).max() / n)
    bar = max(LEAK_ACCURACY, 1.0 - LEAK_ERROR_SHARE * (1.0 - majority))
    candidates = list(dataset.input_columns) + (list(dataset.text_columns) if len(dataset.text_columns) > 1 else [])
    found: dict[str, dict[str, Any]] = {}
    label_valued = []
    for column in candidates:
        series = dataset.frame[column]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if (numeric and series.nunique() > max(20, 2 * k)) or _image_kind(series) is not None:
            continue  # a measurement that separates the classes is a feature, not a copy of the label
        keys = series.map(_cell_key).to_numpy(dtype=object)
        views = {"values": keys}
        if not numeric:
            masked = np.array([_DIGITS.sub("#", v) for v in keys], dtype=object)
            if not np.array_equal(masked, keys):
                views["masked digits"] = masked
        for view, values in views.items():
            accuracy = _out_of_fold_accuracy(values, y, k, folds, seed)
            if accuracy >= bar:
                found[column] = {"accuracy": round(accuracy, 4), "read_as": view}
                break
        present = keys[keys != _MISSING]
        if present.size and np.isin(present, dataset.classes).mean() >= 0.9:
            label_valued.append(column)
    together = [c for c in label_valued if c not in found]
    if len(together) >= 2:
        votes = _majority_vote(dataset.frame[together], dataset.classes)
        accuracy = float((votes == y).mean())
        if accuracy >= bar:
            found.update({c: {"accuracy": round(accuracy, 4), "read_as": "vote"} for c in together})
    if not found:
        return []
    read = [c for c in found if c in _read_columns(dataset)]
    one = len(found) == 1
    named = ", ".join(f"{c!r} ({f['accuracy']:.3f}{', by vote with the others' if f['read_as'] == 'vote' else ''})"
                      for c, f in found.items())
    if read:
        stand = (f"curate's model reads {', '.join(map(repr, read))} and so agrees with every given label: label "
                 "flags are withheld")
    else:
        which = "it (an identifier)" if one else "them (identifiers)"
        stand = (f"curate's model does not read {which}, so label flags stand, but a model trained on the table "
                 f"would learn the label from {'it' if one else 'them'}")
    return [AuditWarning(
        "leaked_label_column",
        f"input column{'' if one else 's'} {named} predict{'s' if one else ''} the label almost perfectly on "
        f"{'its' if one else 'their'} own (out-of-fold accuracy; the majority class alone: {majority:.3f}): {stand}",
        _leak_advice(dataset, list(found)),
        _LABEL_ISSUES if read else (), {"columns": found, "majority_rate": round(majority, 4)})]


def _leak_advice(dataset: Dataset, columns: list[str]) -> str:
    """How to audit without the leaking columns: name the other text columns with ``--text``, or
    leave the columns out with ``--ignore``."""
    named = ", ".join(map(repr, columns))
    kept = [c for c in dataset.text_columns if c not in columns]
    if kept and all(c in dataset.text_columns for c in columns):
        return f"audit again reading only {' '.join(f'--text {shlex.quote(c)}' for c in kept)} (leaving out {named})"
    return f"audit again with {' '.join(f'--ignore {shlex.quote(c)}' for c in columns)}"


def _majority_vote(frame: pd.DataFrame, classes: tuple[str, ...]) -> np.ndarray:
    """Each row's most frequent class name among ``frame``'s cells (ties: the first class; none: -1)."""
    index = {c: i for i, c in enumerate(classes)}
    counts = np.zeros((len(frame), len(classes)), dtype=np.int64)
    for column in frame.columns:
        codes = frame[column].map(lambda v: index.get(_cell_key(v), -1)).to_numpy(dtype=np.int64)
        rows = np.flatnonzero(codes >= 0)
        counts[rows, codes[rows]] += 1
    return np.where(counts.max(axis=1) > 0, counts.argmax(axis=1), -1)


def continuous_label(dataset: Dataset) -> list[AuditWarning]:
    """A ``continuous_label`` warning when the label holds measurements rather than classes.

    See :func:`curate.ingest.columns.continuous_label_facts` for the rule. Every issue that reads
    the label as a class (label, ambiguous, conflicting labels, class imbalance) is withheld.

    Parameters
    ----------
    dataset : Dataset
        The rows.

    Returns
    -------
    list of AuditWarning
        None or one warning, facts as ``continuous_label_facts`` gives them.
    """
    facts = continuous_label_facts(list(dataset.labels))
    if facts is None:
        return []
    return [AuditWarning(
        "continuous_label",
        f"the label {dataset.label_column!r} looks continuous ({facts['distinct']} distinct numbers from "
        f"{facts['min']:g} to {facts['max']:g} in {facts['rows']} rows): curate audits class labels and does "
        "not support regression yet",
        "bin the label into classes (e.g. pandas.cut) and audit that; the flags that treat each number as a "
        "class are withheld",
        _CLASS_ISSUES, dict(facts))]


def pred_probs_column_order(dataset: Dataset, pred_probs: PredProbs) -> list[AuditWarning]:
    """A ``pred_probs_column_order`` warning when another column order fits the labels far better.

    The labels are compared with each row's top class (rows whose top is a tie are left out). The
    order that fits best is found with :func:`scipy.optimize.linear_sum_assignment` on the
    label-by-top-class counts. It is reported when, on the rows of the classes it moves (at least
    20), the given order makes the label the top class at most ``1 - 0.3`` as often as it, it
    makes the label the top class of at least half of them, and every moved class fits better.

    Parameters
    ----------
    dataset : Dataset
        The rows; ``classes`` is the order the columns should follow.
    pred_probs : PredProbs
        The user's probabilities, shape (n_rows, n_classes).

    Returns
    -------
    list of AuditWarning
        None or one warning withholding the label and ambiguous flags; facts ``fitting_order``,
        ``given_accuracy`` and ``fitting_accuracy`` (over all rows with a clear top class).
    """
    probs, y, k = pred_probs.probs, dataset.label_codes, len(dataset.classes)
    ordered = np.sort(probs, axis=1)
    clear = ordered[:, -1] > ordered[:, -2] if k > 1 else np.ones(len(y), dtype=bool)
    top = probs.argmax(axis=1)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (y[clear], top[clear]), 1)
    _, column_of = linear_sum_assignment(counts, maximize=True)  # class i fits column column_of[i]
    moved = np.flatnonzero(column_of != np.arange(k))
    rows = counts[moved].sum()
    if moved.size == 0 or rows < ORDER_MIN_ROWS:
        return []
    given = counts[moved, moved].sum() / rows
    fitting = counts[moved, column_of[moved]].sum() / rows
    every_class_fits_better = bool(np.all(counts[moved, column_of[moved]] > counts[moved, moved]))
    if fitting < ORDER_MIN_FIT or fitting - given < ORDER_MIN_GAIN or not every_class_fits_better:
        return []
    order = [""] * k
    for cls, column in enumerate(column_of):
        order[column] = dataset.classes[cls]
    total = max(1, int(clear.sum()))
    given_all = float(np.trace(counts) / total)
    fitting_all = float(counts[np.arange(k), column_of].sum() / total)
    shown = ", ".join(order)
    as_text = " (classes sorted as text; curate sorts numbers numerically)" if order == sorted(order) else ""
    return [AuditWarning(
        "pred_probs_column_order",
        f"the pred_probs columns look like [{shown}]{as_text}, not the sorted class order "
        f"[{', '.join(dataset.classes)}]: "
        f"the given label is the top class of {given_all:.0%} of rows as given, of {fitting_all:.0%} with the "
        f"columns read as [{shown}]",
        "write the probability columns in sorted class order and audit again; label and ambiguous flags are "
        "withheld",
        _LABEL_ISSUES, {"fitting_order": order, "given_accuracy": round(given_all, 4),
                        "fitting_accuracy": round(fitting_all, 4)})]
