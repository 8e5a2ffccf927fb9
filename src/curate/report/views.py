"""What the report's views show, computed from a run's record: no HTML here, only numbers and words.

The noise matrix is the label check's calibrated confident joint (Northcutt, Jiang & Chuang 2021,
"Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 70): estimated counts of rows
given class i (row) whose true class is j (column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.report.readable import readable_details

__all__ = ["ClassQuality", "NoiseMatrix", "class_quality", "describe_details", "noise_matrix", "score_series"]

# The matrix is drawn whole up to this many classes; above it, the classes with the most estimated noise.
MAX_MATRIX_CLASSES = 20


@dataclass(frozen=True)
class NoiseMatrix:
    """The estimated noise matrix of one run.

    Attributes
    ----------
    classes : list of str
        Row and column labels (all classes, or the :data:`MAX_MATRIX_CLASSES` with most noise).
    counts : numpy.ndarray
        Shape (len(classes), len(classes)), float: estimated rows given the row's class whose
        true class is the column's.
    flagged : numpy.ndarray
        Shape as ``counts``, int: label flags given the row's class with the column's class suggested.
    top_pairs : list of (str, str, float)
        The largest off-diagonal cells, largest first: (given, likely true, estimated rows).
    total_classes : int
        Classes in the run (more than ``len(classes)`` when the matrix was cut).
    """

    classes: list[str]
    counts: np.ndarray
    flagged: np.ndarray
    top_pairs: list[tuple[str, str, float]]
    total_classes: int

    @property
    def highlighted(self) -> list[tuple[int, int]]:
        """The (row, column) cells of the three largest off-diagonal counts.

        Returns
        -------
        list of (int, int)
            Positions in ``counts``, largest first.
        """
        index = {c: i for i, c in enumerate(self.classes)}
        return [(index[g], index[t]) for g, t, _ in self.top_pairs[:3] if g in index and t in index]


def noise_matrix(notes: dict[str, Any], scores: pd.DataFrame, top: int = 10) -> NoiseMatrix | None:
    """The run's estimated noise matrix, from the label check's notes, with its flags per cell.

    Parameters
    ----------
    notes : dict
        The label check's notes (``confident_joint`` and ``flagged_per_class``, whose key order is
        the class order).
    scores : pandas.DataFrame
        The run's findings (``issue``, ``flagged``, ``current_label``, ``suggested_label``).
    top : int, default 10
        How many of the largest off-diagonal cells to list.

    Returns
    -------
    NoiseMatrix or None
        None when the run has no label check or its evidence was withheld before the joint was made.
    """
    joint = notes.get("confident_joint") if isinstance(notes, dict) else None
    order = notes.get("flagged_per_class") if isinstance(notes, dict) else None
    if not joint or not isinstance(order, dict):
        return None
    classes = [str(c) for c in order]
    counts = np.asarray(joint, dtype=float)
    if counts.shape != (len(classes), len(classes)):
        return None
    off = counts.copy()
    np.fill_diagonal(off, 0.0)
    order_cells = np.argsort(-off, axis=None, kind="stable")[:top]
    pairs = [(classes[i], classes[j], float(off[i, j])) for i, j in zip(*np.unravel_index(order_cells, off.shape),
                                                                          strict=True) if off[i, j] > 0]
    flags = np.zeros(counts.shape, dtype=np.int64)
    label = scores[(scores["issue"] == "label") & scores["flagged"].astype(bool)]
    index = {c: i for i, c in enumerate(classes)}
    for given, suggested in zip(label["current_label"].astype(str), label["suggested_label"], strict=True):
        if given in index and isinstance(suggested, str) and suggested in index:
            flags[index[given], index[suggested]] += 1
    keep = np.arange(len(classes))
    if len(classes) > MAX_MATRIX_CLASSES:
        # The classes most involved in the estimated noise, given or true, in their own order.
        involvement = off.sum(axis=0) + off.sum(axis=1)
        keep = np.sort(np.argsort(-involvement, kind="stable")[:MAX_MATRIX_CLASSES])
    return NoiseMatrix([classes[i] for i in keep], counts[np.ix_(keep, keep)], flags[np.ix_(keep, keep)], pairs,
                       len(classes))


@dataclass(frozen=True)
class ClassQuality:
    """Label quality of one class.

    Attributes
    ----------
    label : str
        The class.
    rows : int
        Rows given it (as the run judged them).
    flagged : int
        Its rows flagged as label errors.
    noise_rate : float or None
        The estimated share of its rows whose label is wrong (the noise matrix's row), when known.
    mean_score : float or None
        The mean label score of its rows (1 clean, 0 surely wrong), when the label check ran.
    """

    label: str
    rows: int
    flagged: int
    noise_rate: float | None
    mean_score: float | None


def class_quality(labels: pd.Series, scores: pd.DataFrame, notes: dict[str, Any]) -> list[ClassQuality]:
    """Per class: rows, label flags, estimated noise rate and mean label score, worst first.

    Parameters
    ----------
    labels : pandas.Series
        The label of every audited row.
    scores : pandas.DataFrame
        The run's findings.
    notes : dict
        The label check's notes (``class_noise_rates``), or empty.

    Returns
    -------
    list of ClassQuality
        Sorted by estimated noise rate (then flag share), highest first.
    """
    label_rows = scores[scores["issue"] == "label"]
    mean = label_rows.groupby(label_rows["current_label"].astype(str))["score"].mean()
    flags = label_rows[label_rows["flagged"].astype(bool)].groupby(
        label_rows["current_label"].astype(str)).size()
    rates = notes.get("class_noise_rates", {}) if isinstance(notes, dict) else {}
    out = []
    means = {str(k): float(v) for k, v in mean.items()}
    for name, rows in labels.astype(str).value_counts().items():
        label = str(name)
        rate = rates.get(label)
        out.append(ClassQuality(label, int(rows), int(flags.get(label, 0)), None if rate is None else float(rate),
                                means.get(label)))
    return sorted(out, key=lambda c: (-(c.noise_rate or 0.0), -c.flagged / max(c.rows, 1), c.label))


def score_series(scores: pd.DataFrame, issues: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each issue's scores and flags over every row it scored, for the histograms.

    Parameters
    ----------
    scores : pandas.DataFrame
        The run's findings (``issue``, ``score``, ``flagged``).
    issues : list of str
        The issues in the order to show them.

    Returns
    -------
    dict of str to (numpy.ndarray, numpy.ndarray)
        Issue to (scores shape (n,), flagged shape (n,) bool), in the order of ``issues``; an issue
        that flagged no row is left out (its histogram would show nothing to act on).
    """
    parts = dict(iter(scores.groupby("issue", sort=False)))
    out = {}
    for issue in issues:
        part = parts.get(issue)
        if part is not None and part["flagged"].astype(bool).any():
            out[issue] = (part["score"].to_numpy(dtype=float), part["flagged"].to_numpy(dtype=bool))
    return out


def describe_details(details: Any, limit: int = 400) -> str:
    """A row's details as one short line for people (:func:`curate.report.readable.readable_details`, joined).

    Parameters
    ----------
    details : dict, str or None
        The check's details of one row (a dict, or JSON text).
    limit : int, default 400
        At most this many characters (cut with an ellipsis).

    Returns
    -------
    str
        Key phrases separated by `` · ``; empty when there are no details.
    """
    if isinstance(details, str):
        import json

        try:
            details = json.loads(details)
        except ValueError:
            return details[:limit]
    if not isinstance(details, dict):
        return ""
    text = " · ".join(f"{name} {value}" for name, value in readable_details(
        {k: v for k, v in details.items() if v is not None and v != [] and v != {}}))
    return text if len(text) <= limit else text[:limit - 1] + "…"
