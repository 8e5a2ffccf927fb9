"""Slices where the labels are worse than overall: a one-sided Fisher exact test per slice and
measure, Holm's correction over every test made, and a floor on the size of the difference.

Two measures per slice: the share of its rows flagged as label errors, and its out-of-fold error
rate (the share of rows whose most probable class under the label evidence is not the given one).
A slice is reported only when its rate is significantly above the rest's after Holm's step-down
correction for all the slices and measures tested, at a family-wise error rate of 1 % (Holm 1979,
"A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6), and at least 1.5
times the rest's and 2 points above it: a difference too small to act on is not a finding, however many rows make it
significant. Intervals are Wilson score intervals (Wilson 1927, JASA 22).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.stats import binomtest, fisher_exact

from curate.slices.candidates import MIN_SLICE_ROWS, Grouping

__all__ = ["MEASURES", "SliceFinding", "SliceReport", "find_slices"]

MEASURES = {"label_error_rate": "rows flagged as label errors", "oof_error_rate": "out-of-fold error rate"}
# The family-wise error rate over every test of one run: a slice is a claim, so 1 %, not the usual 5 %.
ALPHA = 0.01
MIN_RATIO = 1.5
MIN_DIFFERENCE = 0.02


@dataclass(frozen=True)
class SliceFinding:
    """One slice's rate on one measure, against the rest of the rows.

    Attributes
    ----------
    column : str
        The grouping (a column's name, or ``"cluster"``).
    value : str
        The slice within it.
    measure : str
        A key of :data:`MEASURES`.
    rows : int
        Rows in the slice.
    count : int
        Of them, rows counted by the measure (flagged, or misclassified).
    rate, rest_rate : float
        The measure in the slice and in every other row (of the rows with a value in this grouping).
    interval : tuple of float
        The 95 % Wilson interval of ``rate``.
    p_value, p_adjusted : float
        One-sided Fisher exact p-value (slice rate above the rest's) and its Holm-adjusted value.
    significant : bool
        Whether the slice is reported: adjusted p below 0.01 and the rate at least 1.5 times and
        2 points above the rest's.
    """

    column: str
    value: str
    measure: str
    rows: int
    count: int
    rate: float
    rest_rate: float
    interval: tuple[float, float]
    p_value: float
    p_adjusted: float = 1.0
    significant: bool = False

    @property
    def difference(self) -> float:
        """The slice's rate minus the rest's.

        Returns
        -------
        float
            In [-1, 1].
        """
        return self.rate - self.rest_rate

    @property
    def ratio(self) -> float:
        """The slice's rate over the rest's (inf when the rest's is 0 and the slice's is not).

        Returns
        -------
        float
            At least 0.
        """
        if self.rest_rate == 0:
            return float("inf") if self.rate > 0 else 1.0
        return self.rate / self.rest_rate


@dataclass(frozen=True)
class SliceReport:
    """Every slice tested, and those reported.

    Attributes
    ----------
    findings : list of SliceFinding
        Every (slice, measure) tested, worst adjusted p-value last.
    groupings : list of str
        The groupings tested (column names, or ``"cluster"``).
    tests : int
        How many tests Holm's correction covered.
    overall : dict of str to float
        Each measure over all rows.
    skipped : dict of str to int
        Slices left out for having fewer than :data:`~curate.slices.candidates.MIN_SLICE_ROWS` rows, per grouping.
    """

    findings: list[SliceFinding]
    groupings: list[str]
    tests: int
    overall: dict[str, float]
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def reported(self) -> list[SliceFinding]:
        """The significant slices, largest difference first.

        Returns
        -------
        list of SliceFinding
            Those with ``significant`` True.
        """
        return sorted((f for f in self.findings if f.significant), key=lambda f: (-f.difference, f.column, f.value))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (for the run's metrics).

        Returns
        -------
        dict
            ``groupings``, ``tests``, ``overall``, ``skipped``, ``reported`` (their count) and
            ``slices`` (each finding's fields, ``difference`` and ``ratio``, rounded).
        """
        slices = []
        for f in self.findings:
            record = asdict(f)
            record.update({"rate": round(f.rate, 4), "rest_rate": round(f.rest_rate, 4),
                           "interval": [round(f.interval[0], 4), round(f.interval[1], 4)],
                           "p_value": float(f"{f.p_value:.3g}"), "p_adjusted": float(f"{f.p_adjusted:.3g}"),
                           "difference": round(f.difference, 4),
                           "ratio": None if not np.isfinite(f.ratio) else round(f.ratio, 3)})
            slices.append(record)
        return {"groupings": self.groupings, "tests": self.tests, "overall": self.overall, "skipped": self.skipped,
                "reported": len(self.reported), "slices": slices}


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``count / n``.

    Parameters
    ----------
    count, n : int
        Successes and trials (``n`` 0 gives (0, 1)).
    confidence : float, default 0.95
        The interval's coverage.

    Returns
    -------
    tuple of float
        (low, high) in [0, 1].
    """
    if n == 0:
        return (0.0, 1.0)
    interval = binomtest(count, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(interval.low), float(interval.high))


def _holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the input's order."""
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p_values[i])))
        adjusted[i] = running
    return adjusted


def find_slices(groupings: list[Grouping], measures: dict[str, np.ndarray], *, alpha: float = ALPHA,
                min_rows: int = MIN_SLICE_ROWS) -> SliceReport:
    """Test every slice of every grouping on every measure against the rest of the rows.

    Parameters
    ----------
    groupings : list of Grouping
        The ways to cut the rows (see :mod:`curate.slices.candidates`).
    measures : dict of str to numpy.ndarray
        Measure name to shape (n_rows,) bool: the rows it counts (flagged, misclassified).
    alpha : float, default 0.01
        The family-wise error rate Holm's correction holds over all tests.
    min_rows : int, default 20
        Slices with fewer rows are not tested (counted in ``skipped``).

    Returns
    -------
    SliceReport
        Every test and the slices reported.

    Raises
    ------
    ValueError
        When a measure or a grouping's codes do not have one value per row.
    """
    n = len(next(iter(measures.values()))) if measures else 0
    for name, values in measures.items():
        if len(values) != n:
            raise ValueError(f"measure {name!r} has {len(values)} values for {n} rows")
    raw: list[SliceFinding] = []
    skipped: dict[str, int] = {}
    for grouping in groupings:
        if len(grouping.codes) != n:
            raise ValueError(f"grouping {grouping.name!r} has {len(grouping.codes)} codes for {n} rows")
        member = grouping.codes >= 0
        sizes = np.bincount(grouping.codes[member], minlength=len(grouping.levels))
        for measure, hit in measures.items():
            hit = np.asarray(hit, dtype=bool)
            counts = np.bincount(grouping.codes[member & hit], minlength=len(grouping.levels))
            total_rows, total_hits = int(member.sum()), int((member & hit).sum())
            for code, level in enumerate(grouping.levels):
                rows, count = int(sizes[code]), int(counts[code])
                if rows < min_rows or rows == total_rows:
                    if measure == next(iter(measures)):
                        skipped[grouping.name] = skipped.get(grouping.name, 0) + 1
                    continue
                rest_rows, rest_count = total_rows - rows, total_hits - count
                table = [[count, rows - count], [rest_count, rest_rows - rest_count]]
                _, p = fisher_exact(table, alternative="greater")
                raw.append(SliceFinding(grouping.name, level, measure, rows, count, count / rows,
                                        rest_count / rest_rows, wilson_interval(count, rows), float(p)))
    adjusted = _holm(np.array([f.p_value for f in raw])) if raw else np.zeros(0)
    findings = []
    for f, p_adj in zip(raw, adjusted, strict=True):
        material = f.rate >= MIN_RATIO * f.rest_rate and f.rate - f.rest_rate >= MIN_DIFFERENCE
        findings.append(SliceFinding(f.column, f.value, f.measure, f.rows, f.count, f.rate, f.rest_rate, f.interval,
                                     f.p_value, float(p_adj), bool(p_adj < alpha and material)))
    findings.sort(key=lambda f: (f.p_adjusted, f.column, f.value, f.measure))
    overall = {m: round(float(np.mean(v)), 4) if n else 0.0 for m, v in measures.items()}
    return SliceReport(findings, [g.name for g in groupings], len(raw), overall, {k: v for k, v in skipped.items()})
