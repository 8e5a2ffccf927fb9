"""How much annotators agree: raw agreement, Fleiss' kappa, Krippendorff's alpha, Cohen's kappa per pair.

Fleiss' kappa (Fleiss 1971, "Measuring nominal scale agreement among many raters", Psychological
Bulletin 76(5)) in its form for a varying number of ratings per item: each item's agreement is the
share of agreeing ordered pairs among its own ratings. Krippendorff's alpha for nominal data
(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability") comes from the maintained
``krippendorff`` package. Cohen's kappa (Cohen 1960) per pair of annotators from scikit-learn, on
the items both labelled. Confidence intervals are percentile bootstrap intervals over items.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Agreement", "agreement", "category_counts", "fleiss_kappa"]

BOOTSTRAP_ROUNDS = 200
# Why a figure can be undefined (NaN in Python, null in JSON).
UNDEFINED = "undefined (every label agrees / one category, or no item with two labels)"


def category_counts(labels: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per item, how many annotators gave each category.

    Parameters
    ----------
    labels : pandas.DataFrame
        One row per item, one column per annotator (or annotator slot); a missing label is None/NaN.

    Returns
    -------
    counts : numpy.ndarray
        Shape (n_items, n_categories), int64.
    categories : list of str
        The categories, sorted.
    """
    cells = labels.to_numpy(dtype=object)
    present = pd.notna(cells)
    items, _ = np.nonzero(present)
    given = [str(v) for v in cells[present]]
    categories = sorted(set(given))
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros((len(labels), len(categories)), dtype=np.int64)
    np.add.at(counts, (items, np.array([index[v] for v in given], dtype=np.int64)), 1)
    return counts, categories


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa from per-item category counts; items with fewer than two ratings are left out.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (n_items, n_categories): ratings of each item in each category.

    Returns
    -------
    float
        In [-1, 1]; NaN when no item has two ratings or every rating is one category.

    Examples
    --------
    >>> round(fleiss_kappa(np.array([[2, 0], [0, 2], [1, 1]])), 3)
    0.333
    """
    counts = np.asarray(counts, dtype=np.float64)
    raters = counts.sum(axis=1)
    counts, raters = counts[raters >= 2], raters[raters >= 2]
    if not len(counts):
        return float("nan")
    observed = float(np.mean(((counts**2).sum(axis=1) - raters) / (raters * (raters - 1))))
    shares = counts.sum(axis=0) / raters.sum()
    expected = float((shares**2).sum())
    return float("nan") if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def _alpha(counts: np.ndarray) -> float:
    import krippendorff

    if counts.shape[1] < 2:
        return float("nan")
    # One category among the paired labels leaves alpha 0/0: the library warns and returns NaN (undefined).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def _raw(counts: np.ndarray) -> float:
    """The share of agreeing pairs of ratings on the same item (items with two or more)."""
    counts = np.asarray(counts, dtype=np.float64)
    raters = counts.sum(axis=1)
    pairs = raters * (raters - 1)
    if not pairs[raters >= 2].sum():
        return float("nan")
    return float(((counts**2).sum(axis=1) - raters)[raters >= 2].sum() / pairs[raters >= 2].sum())


def _r(value: float) -> float | None:
    """``value`` to 4 decimals for JSON, None for NaN (an undefined figure)."""
    return None if value != value else round(float(value), 4)


@dataclass(frozen=True)
class Agreement:
    """The agreement of one set of annotations.

    Attributes
    ----------
    items, annotators, ratings : int
        Items, annotator columns and labels given.
    raw_agreement, fleiss_kappa, krippendorff_alpha : float
        Over every item with two or more labels.
    intervals : dict of str to (float, float)
        95 % bootstrap intervals of the three.
    per_class : dict of str to float
        Per category, the chance that a second label of an item agrees with a first label of that category.
    pairs : list of dict
        Per annotator pair: ``first``, ``second``, ``items`` (both labelled), ``agreement``, ``cohen_kappa``;
        every pair, those sharing fewer than two items with ``cohen_kappa`` NaN (undefined).
    confusion : dict of str to dict of str to int
        Over every ordered pair of labels on one item, how often category A met category B.
    """

    items: int
    annotators: int
    ratings: int
    raw_agreement: float
    fleiss_kappa: float
    krippendorff_alpha: float
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    per_class: dict[str, float] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data, rounded to 4 decimals.

        Returns
        -------
        dict
            Every attribute, intervals as lists; an undefined figure is None, and then ``notes`` says why.
        """
        undefined = [name for name in ("raw_agreement", "fleiss_kappa", "krippendorff_alpha")
                     if getattr(self, name) != getattr(self, name)]
        notes = {name: UNDEFINED for name in undefined}
        return {"items": self.items, "annotators": self.annotators, "ratings": self.ratings,
                "raw_agreement": _r(self.raw_agreement), "fleiss_kappa": _r(self.fleiss_kappa),
                "krippendorff_alpha": _r(self.krippendorff_alpha),
                "intervals": {k: [_r(lo), _r(hi)] for k, (lo, hi) in self.intervals.items()},
                "per_class": {k: _r(v) for k, v in self.per_class.items()},
                "pairs": [{**p, "agreement": _r(p["agreement"]), "cohen_kappa": _r(p["cohen_kappa"])}
                          for p in self.pairs],
                "confusion": self.confusion, **({"notes": notes} if notes else {})}


def agreement(labels: pd.DataFrame, *, seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS) -> Agreement:
    """Agreement figures of a table of annotations.

    Parameters
    ----------
    labels : pandas.DataFrame
        One row per item, one column per annotator or annotator slot; missing labels None/NaN.
    seed : int, default 0
        The bootstrap's seed.
    rounds : int, default 200
        Bootstrap resamples of the items for the intervals (0: none).

    Returns
    -------
    Agreement
        Raw agreement, Fleiss' kappa, Krippendorff's alpha (nominal) with 95 % intervals,
        per-class agreement, Cohen's kappa per annotator pair and the category confusion.
    """
    from sklearn.metrics import cohen_kappa_score

    counts, categories = category_counts(labels)
    figures = {"raw_agreement": _raw, "fleiss_kappa": fleiss_kappa, "krippendorff_alpha": _alpha}
    intervals: dict[str, tuple[float, float]] = {}
    if rounds:
        # Resample the items that carry the figures (two labels or more): an item labelled once adds
        # nothing to any of them, yet drawn in a resample it would take a paired item's place and
        # widen the interval (a user saw an unpaired item move raw agreement's from 0.286-0.728 to
        # 0.323-0.760 with the figure itself unchanged).
        rng = np.random.default_rng(seed)
        paired = np.flatnonzero(counts.sum(axis=1) >= 2)
        draws = [paired[rng.integers(0, len(paired), len(paired))] for _ in range(rounds)] if len(paired) else []
        for name, measure in figures.items():
            values = np.array([measure(counts[d]) for d in draws])
            defined = values[~np.isnan(values)]
            intervals[name] = ((float(np.percentile(defined, 2.5)), float(np.percentile(defined, 97.5)))
                               if defined.size else (float("nan"), float("nan")))
    pair_counts = counts.T @ counts - np.diag(counts.sum(axis=0))  # ordered pairs of labels on one item
    per_class = {c: float(pair_counts[i, i] / pair_counts[i].sum()) if pair_counts[i].sum() else float("nan")
                 for i, c in enumerate(categories)}
    pairs = []
    for a, b in combinations(labels.columns, 2):
        both = labels[a].notna() & labels[b].notna()
        x, y = labels.loc[both, a].astype(str), labels.loc[both, b].astype(str)
        # Kappa needs two shared items and two categories; with fewer it is undefined (NaN), never left out.
        kappa = float(cohen_kappa_score(x, y)) if both.sum() >= 2 and len(set(x) | set(y)) > 1 else float("nan")
        pairs.append({"first": str(a), "second": str(b), "items": int(both.sum()),
                      "agreement": float((x == y).mean()) if both.any() else float("nan"), "cohen_kappa": kappa})
    return Agreement(len(labels), labels.shape[1], int(counts.sum()), _raw(counts), fleiss_kappa(counts),
                     _alpha(counts), intervals, per_class, pairs,
                     {a: {b: int(pair_counts[i, j]) for j, b in enumerate(categories)}
                      for i, a in enumerate(categories)})
