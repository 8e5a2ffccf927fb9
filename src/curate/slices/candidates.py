"""Which groups of rows are slices: the levels of metadata columns, or clusters of the features.

A slice is a named set of rows the user can act on ("source = forum", "length: top quarter",
"cluster 3"). Columns with a handful of distinct values give one slice per value; numeric columns
with many values give their quartiles. With no such column, clusters of the run's features stand in
(k-means, so that a region of the input space where the labels are worse can still be named).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from curate.core.arrays import bounded_rows

__all__ = ["MAX_LEVELS", "MIN_SLICE_ROWS", "Grouping", "cluster_grouping", "column_groupings", "factorize_groups"]

# A column with more distinct values than this is an identifier or free text, not a grouping.
MAX_LEVELS = 50
# A numeric column with more distinct values than this is a range, cut into quartiles.
NUMERIC_LEVELS = 10
# A slice smaller than this cannot show a significant difference at the rates that matter.
MIN_SLICE_ROWS = 20
_CLUSTER_FIT_ROWS = 100_000  # k-means learns its centres from at most this many rows (seeded sample)


@dataclass(frozen=True)
class Grouping:
    """One way to cut the rows into slices.

    Attributes
    ----------
    name : str
        The column's name, or ``"cluster"`` for clusters of the features.
    codes : numpy.ndarray
        Shape (n_rows,), int: each row's slice, -1 for a row in none (a missing value).
    levels : list of str
        The slices' names, by code.
    kind : str
        ``"column"`` (levels of a column), ``"quartiles"`` (a numeric column cut into quarters) or
        ``"clusters"``.
    """

    name: str
    codes: np.ndarray
    levels: list[str]
    kind: str


def _natural(level: object) -> tuple[int, float, str]:
    """Sort key of a group's value: numbers (also written as text) by value, then text."""
    try:
        return (0, float(str(level)), "")
    except ValueError:
        return (1, 0.0, str(level))


def factorize_groups(values: pd.Series, missing: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Each row's group code and the groups' names, numbers in numeric order (2 before 10).

    Parameters
    ----------
    values : pandas.Series
        One value per row.
    missing : str, optional
        The name of a group for missing values; without it they belong to none (code -1).

    Returns
    -------
    codes : numpy.ndarray
        Shape (n_rows,), int64.
    levels : list of str
        Group names by code.
    """
    codes, found = pd.factorize(values, sort=False)
    # A whole number read as a float (a column of ratings with a gap) is named as written: 3, not 3.0.
    names = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in found]
    order = sorted(range(len(names)), key=lambda i: _natural(names[i]))
    remap = np.empty(len(names) + 1, dtype=np.int64)
    remap[-1] = -1  # pandas codes a missing value -1
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
    out = remap[codes]
    levels = [names[i] for i in order]
    if missing is not None and (out < 0).any():
        out = np.where(out < 0, len(levels), out)
        levels.append(missing)
    return out.astype(np.int64), levels


def _quartiles(numbers: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """Each finite value's quarter (-1 for the others) and the quarters' names; None if fewer than 2.

    The cut points are values of the data (no interpolation), so numbers near the float limits
    cannot overflow; equal cut points merge.
    """
    finite = np.isfinite(numbers)
    if finite.sum() < 2:
        return None
    cuts = np.unique(np.quantile(numbers[finite], [0.25, 0.5, 0.75], method="inverted_cdf"))
    cuts = cuts[cuts < numbers[finite].max()]  # the top quarter must hold something
    if cuts.size == 0:
        return None
    codes = np.where(finite, np.searchsorted(cuts, np.where(finite, numbers, 0.0), side="left"), -1)
    names = [f"≤ {cuts[0]:.4g}", *(f"({a:.4g}, {b:.4g}]" for a, b in pairwise(cuts)),
             f"> {cuts[-1]:.4g}"]
    return codes.astype(np.int64), names


def column_groupings(frame: pd.DataFrame, skip: set[str], no_quartiles: frozenset[str] | set[str] = frozenset(),
                     ) -> list[Grouping]:
    """The groupings the columns of ``frame`` give, except those in ``skip`` (label, id, text, ...).

    A column with 2 to :data:`MAX_LEVELS` distinct values (:data:`NUMERIC_LEVELS` for numbers), at
    least five rows per value on average, gives one slice per value; a numeric column with more
    gives its quartiles (``"≤ 0.12"``, ``"(0.12, 3.4]"``, ...) unless it is in ``no_quartiles``; other columns (free
    text, identifiers, lists) give none. Missing values belong to no slice.

    Parameters
    ----------
    frame : pandas.DataFrame
        The dataset's columns, one row per audited row.
    skip : set of str
        Column names that are not groupings.
    no_quartiles : set of str, default empty
        Numeric columns not cut into quartiles: a model's own inputs, whose ranges near a class
        boundary are harder for any model and gather flags without worse labels.

    Returns
    -------
    list of Grouping
        In column order.
    """
    out = []
    for column in frame.columns:
        if str(column) in skip:
            continue
        values = frame[column]
        if values.dtype == object and values.map(lambda v: isinstance(v, list | dict | np.ndarray)).any():
            continue
        distinct = values.nunique(dropna=True)
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        # Groups of a few rows each are identifiers or free text; many distinct numbers are a range.
        grouped = 2 <= distinct <= min(MAX_LEVELS if not numeric else NUMERIC_LEVELS, len(values) // 5)
        if grouped:
            codes, levels = factorize_groups(values)
            out.append(Grouping(str(column), codes, levels, "column"))
        elif numeric and distinct > NUMERIC_LEVELS and str(column) not in no_quartiles:
            quartiles = _quartiles(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
            if quartiles is not None:
                out.append(Grouping(str(column), *quartiles, "quartiles"))
    return out


def cluster_grouping(features: np.ndarray, labels: np.ndarray, classes: list[str], seed: int = 0) -> Grouping | None:
    """Clusters of the features as slices, named by their most common class.

    k-means (scikit-learn's ``MiniBatchKMeans``) with ``k = clip(n_rows / 200, 2, 12)`` centres,
    fitted on at most 100,000 rows (a seeded sample) and assigned to every row.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, dim).
    labels : numpy.ndarray
        Shape (n_rows,), int: class codes, to name the clusters.
    classes : list of str
        Class names by code.
    seed : int, default 0
        The sample's and k-means's seed.

    Returns
    -------
    Grouping or None
        None for fewer than 2 x :data:`MIN_SLICE_ROWS` rows.
    """
    from sklearn.cluster import MiniBatchKMeans

    n = len(features)
    if n < 2 * MIN_SLICE_ROWS:
        return None
    k = int(np.clip(n // 200, 2, 12))
    rows = np.asarray(features)
    rng = np.random.default_rng(seed)
    fit_rows = np.arange(n) if n <= _CLUSTER_FIT_ROWS else np.sort(rng.choice(n, _CLUSTER_FIT_ROWS, replace=False))
    sample, scale = bounded_rows(rows[fit_rows])
    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096).fit(sample)
    # Assigned block by block, so that no float64 copy of every row is made (2 GiB at 1M x 256).
    codes = np.concatenate([model.predict(bounded_rows(rows[start:start + _CLUSTER_FIT_ROWS], scale)[0])
                            for start in range(0, n, _CLUSTER_FIT_ROWS)]).astype(np.int64)
    levels = []
    for c in range(k):
        members = labels[codes == c]
        if not members.size:
            levels.append(f"cluster {c + 1} (empty)")
            continue
        top = int(np.bincount(members, minlength=len(classes)).argmax())
        levels.append(f"cluster {c + 1} ({100 * float(np.mean(members == top)):.0f} % {classes[top]})")
    return Grouping("cluster", codes, levels, "clusters")
