"""Per-group figures for a sensitive attribute the user names, and the gaps between the groups.

Unlike the slice finder, which reports only slices significantly worse than the rest, this shows
every group of the named column: its share of each class, its label-error rate and its out-of-fold
accuracy, with Wilson intervals, and for each figure the largest gap between two groups and the
ratio of the lowest to the highest (the "four-fifths" comparison of disparate impact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.slices.candidates import Grouping
from curate.slices.finder import wilson_interval

__all__ = ["GroupFigures", "group_disparities"]


@dataclass(frozen=True)
class GroupFigures:
    """One group's figures.

    Attributes
    ----------
    group : str
        The group's value.
    rows : int
        Its rows.
    class_shares : dict of str to float
        Share of its rows given each class.
    label_error_rate : float
        Share of its rows flagged as label errors.
    label_error_interval : tuple of float
        95 % Wilson interval of it.
    accuracy : float
        Out-of-fold accuracy on its rows.
    accuracy_interval : tuple of float
        95 % Wilson interval of it.
    """

    group: str
    rows: int
    class_shares: dict[str, float]
    label_error_rate: float
    label_error_interval: tuple[float, float]
    accuracy: float
    accuracy_interval: tuple[float, float]


def group_disparities(grouping: Grouping, label_codes: np.ndarray, classes: list[str], flagged: np.ndarray,
                      correct: np.ndarray) -> dict[str, Any]:
    """Every group's figures and the disparities between groups.

    Parameters
    ----------
    grouping : Grouping
        The sensitive attribute's groups (:func:`curate.slices.candidates.column_groupings`).
    label_codes : numpy.ndarray
        Shape (n_rows,), int: given classes.
    classes : list of str
        Class names by code.
    flagged : numpy.ndarray
        Shape (n_rows,), bool: rows flagged as label errors.
    correct : numpy.ndarray
        Shape (n_rows,), bool: rows whose out-of-fold prediction is the given label.

    Returns
    -------
    dict
        ``column``, ``groups`` (a list of :class:`GroupFigures` as dicts) and ``disparities``:
        for ``label_error_rate`` and ``accuracy``, ``gap`` (highest minus lowest group), ``ratio``
        (lowest over highest) and the groups at each end; for class shares, the largest gap of any class.
    """
    groups = []
    for code, level in enumerate(grouping.levels):
        mine = grouping.codes == code
        rows = int(mine.sum())
        if rows == 0:
            continue
        shares = np.bincount(label_codes[mine], minlength=len(classes)) / rows
        errors, right = int(flagged[mine].sum()), int(correct[mine].sum())
        groups.append(GroupFigures(level, rows, {c: round(float(s), 4) for c, s in zip(classes, shares, strict=True)},
                                   errors / rows, wilson_interval(errors, rows), right / rows,
                                   wilson_interval(right, rows)))
    disparities: dict[str, Any] = {}
    for name in ("label_error_rate", "accuracy"):
        values = {g.group: getattr(g, name) for g in groups}
        if len(values) >= 2:
            low, high = min(values, key=values.__getitem__), max(values, key=values.__getitem__)
            disparities[name] = {"gap": round(values[high] - values[low], 4), "highest": high, "lowest": low,
                                 "ratio": round(values[low] / values[high], 4) if values[high] > 0 else None}
    if len(groups) >= 2:
        gaps = {c: max(g.class_shares[c] for g in groups) - min(g.class_shares[c] for g in groups) for c in classes}
        widest = max(gaps, key=gaps.__getitem__)
        disparities["class_shares"] = {"class": widest, "gap": round(gaps[widest], 4)}
    return {"column": grouping.name,
            "groups": [{**g.__dict__, "label_error_rate": round(g.label_error_rate, 4),
                        "accuracy": round(g.accuracy, 4),
                        "label_error_interval": [round(v, 4) for v in g.label_error_interval],
                        "accuracy_interval": [round(v, 4) for v in g.accuracy_interval]} for g in groups],
            "disparities": disparities}
