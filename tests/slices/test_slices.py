"""Slices: a planted bad group is named with its disparity; equal corruption gives no slice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import curate
from curate.errors import ColumnError
from curate.slices import Grouping, column_groupings, find_slices, wilson_interval
from curate.slices.finder import ALPHA


def _grouped(n_per: int, rates: list[float], seed: int = 0) -> tuple[Grouping, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(rates)), n_per)
    hits = rng.random(len(codes)) < np.asarray(rates)[codes]
    return Grouping("g", codes, [f"g{i}" for i in range(len(rates))], "column"), hits


def test_the_worse_slice_is_reported_with_holm_adjusted_p_values() -> None:
    grouping, hits = _grouped(200, [0.03, 0.03, 0.25, 0.03])
    report = find_slices([grouping], {"label_error_rate": hits})
    assert [(f.column, f.value) for f in report.reported] == [("g", "g2")]
    worst = report.reported[0]
    assert worst.rows == 200 and worst.count == int(hits[grouping.codes == 2].sum())
    assert worst.rest_rate == pytest.approx(hits[grouping.codes != 2].mean())
    # Holm: the smallest p-value times the number of tests (4)
    assert report.tests == 4 and worst.p_adjusted == pytest.approx(min(1.0, 4 * worst.p_value))


def test_holm_adjustment_is_monotone_in_the_sorted_p_values() -> None:
    grouping, hits = _grouped(100, [0.02, 0.10, 0.14, 0.30, 0.05], seed=3)
    findings = find_slices([grouping], {"m": hits}, min_rows=1).findings
    ordered = sorted(findings, key=lambda f: f.p_value)
    m = len(ordered)
    expected, running = [], 0.0
    for rank, f in enumerate(ordered):
        running = max(running, min(1.0, (m - rank) * f.p_value))
        expected.append(running)
    assert [f.p_adjusted for f in ordered] == pytest.approx(expected)


def test_small_slices_and_immaterial_differences_are_not_reported() -> None:
    codes = np.array([0] * 10 + [1] * 5000 + [2] * 5000)
    hits = np.zeros(len(codes), dtype=bool)
    hits[:10] = True  # a 10-row slice, every row bad: too small to test
    rng = np.random.default_rng(1)
    hits[10:5010] = rng.random(5000) < 0.110  # significant on 5,000 rows, but not 1.5 times the rest's
    hits[5010:] = rng.random(5000) < 0.085
    report = find_slices([Grouping("g", codes, ["tiny", "a", "b"], "column")], {"m": hits})
    assert report.skipped == {"g": 1} and report.reported == []
    a = next(f for f in report.findings if f.value == "a")
    assert a.p_adjusted < ALPHA and a.ratio < 1.5  # significant, yet not a finding


def test_wilson_interval_matches_its_formula() -> None:
    count, n, z = 5, 20, 1.959963984540054
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(count, n) == pytest.approx((centre - half, centre + half), abs=1e-9)


def test_groupings_from_columns() -> None:
    frame = pd.DataFrame({"source": ["a", "b", None, "a"] * 10, "age": np.arange(40.0), "id": range(40),
                          "note": [f"text {i}" for i in range(40)], "x": np.linspace(0, 1, 40)})
    found = {g.name: g for g in column_groupings(frame, {"id"}, {"x"})}
    assert set(found) == {"source", "age"}  # free text: none; x: a model input, not cut
    assert found["source"].levels == ["a", "b"] and (found["source"].codes == -1).sum() == 10
    assert found["age"].kind == "quartiles" and len(found["age"].levels) == 4


def _table(seed: int, bad: float, base: float = 0.03, n: int = 1200) -> pd.DataFrame:
    """Three classes from a rule of six numbers, a 4-group column, labels flipped at ``bad`` in group 'east'."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    y = (x[:, 0] + 0.7 * x[:, 1] > 0).astype(int) + (x[:, 2] > 0.8)
    group = rng.choice(["north", "south", "east", "west"], size=n)
    flip = rng.random(n) < np.where(group == "east", bad, base)
    y = np.where(flip, (y + rng.integers(1, 3, n)) % 3, y)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(6)])
    frame["group"] = group
    frame["label"] = np.array(["a", "b", "c"])[y]
    return frame


@pytest.mark.slow
def test_a_planted_bad_group_is_named_with_its_disparity_and_equal_corruption_gives_at_most_one() -> None:
    result = curate.audit(_table(0, bad=0.30), label="label", progress=False, sensitive="group")
    slices = result.metrics["slices"]
    reported = [s for s in slices["slices"] if s["significant"]]
    assert {(s["column"], s["value"]) for s in reported} == {("group", "east")}
    label = next(s for s in reported if s["measure"] == "label_error_rate")
    assert label["rate"] > 0.2 and label["rest_rate"] < 0.06 and label["difference"] > 0.15
    disparity = result.metrics["disparities"][0]
    assert disparity["column"] == "group" and {g["group"] for g in disparity["groups"]} == {"north", "south",
                                                                                            "east", "west"}
    assert disparity["disparities"]["label_error_rate"]["highest"] == "east"
    assert disparity["disparities"]["accuracy"]["lowest"] == "east"

    controls = [curate.audit(_table(seed, bad=0.03), label="label", progress=False) for seed in range(1, 21)]
    with_a_slice = [seed for seed, r in enumerate(controls, start=1)
                    if any(s["significant"] for s in r.metrics["slices"]["slices"])]
    assert len(with_a_slice) <= 1, with_a_slice


def test_text_without_metadata_is_sliced_by_clusters() -> None:
    rng = np.random.default_rng(0)
    words = {"sport": "match goal team player score", "food": "soup bread cook taste dinner"}
    rows = [{"text": " ".join(rng.choice(words[label].split(), 6)) + f" {i}", "label": label}
            for i, label in enumerate(rng.choice(list(words), 400))]
    result = curate.audit(pd.DataFrame(rows), label="label", text="text", progress=False, embedder="hashed")
    slices = result.metrics["slices"]
    assert slices["groupings"] == ["cluster"] and slices["tests"] >= 2


def test_a_sensitive_attribute_must_be_a_column_of_groups() -> None:
    frame = _table(0, bad=0.03, n=200)
    with pytest.raises(ColumnError, match=r"--sensitive: no column 'gender' \(columns: x0, x1"):
        curate.audit(frame, label="label", progress=False, sensitive="gender")
    with pytest.raises(ColumnError, match="--sensitive: column 'x0' has 200 distinct values; a sensitive attribute "
                                          "needs 2 to 50 groups"):
        curate.audit(frame, label="label", progress=False, sensitive=["x0"])
    with pytest.raises(ColumnError, match="--sensitive: 'label' is the label column"):
        curate.audit(frame, label="label", progress=False, sensitive="label")


def test_sensitive_groups_count_every_row_and_sort_numbers_by_value() -> None:
    frame = _table(0, bad=0.03, n=400)
    frame["rating"] = np.array(["1", "2", "10", "9"] * 100, dtype=object)
    frame.loc[:4, "rating"] = None  # five rows without a rating are a group too
    frame = frame.drop(columns=["group"])
    result = curate.audit(frame, label="label", progress=False, sensitive="rating")
    groups = result.metrics["disparities"][0]["groups"]
    assert [g["group"] for g in groups] == ["1", "2", "9", "10", "(missing)"]
    assert sum(g["rows"] for g in groups) == 400 and groups[-1]["rows"] == 5
