"""Which table columns the features leave out: constants and real identifiers only, each named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.features.tabular import unused_columns, usable_columns

from ..conftest import run_cli

N = 60
_RNG = np.random.default_rng(3)


def _houses(n_per_class: int = 40) -> pd.DataFrame:
    """Prices (unique whole numbers) in three separate ranges and a room count that says little."""
    rng = np.random.default_rng(0)
    steps = 1_000 * np.arange(n_per_class) + rng.integers(0, 300, n_per_class)  # unique, never close
    prices = np.concatenate([lo + rng.permutation(steps) for lo in (100_000, 300_000, 900_000)])
    return pd.DataFrame(
        {
            "price": prices,
            "rooms": rng.integers(1, 4, 3 * n_per_class),
            "y": np.repeat(["cheap", "mid", "lux"], n_per_class),
        }
    )


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (np.arange(N), "looks like an id: consecutive integers"),
        (_RNG.permutation(np.arange(1_000, 1_000 + N)), "looks like an id: consecutive integers"),
        (np.arange(N, dtype=np.float64) + 1.0, "looks like an id: consecutive integers"),
        (np.sort(_RNG.choice(np.arange(3 * N), N, replace=False)), "looks like an id: increasing integers"),
        ([f"user-{i:05d}" for i in _RNG.permutation(N)], "looks like an id: a unique text code per row"),
        (["same"] * N, "constant"),
    ],
    ids=["row-positions", "shuffled-counter", "float-counter", "counter-with-gaps", "text-codes", "constant"],
)
def test_constants_and_identifiers_are_left_out_with_the_reason(values: object, reason: str) -> None:
    frame = pd.DataFrame({"column": values, "x": _RNG.normal(size=N)})
    assert unused_columns(frame) == {"column": reason}
    assert usable_columns(frame) == ["x"]


@pytest.mark.parametrize(
    "values",
    [
        _RNG.choice(np.arange(100_000, 1_000_000), N, replace=False),  # prices: unique whole numbers
        np.sort(_RNG.choice(np.arange(100_000, 1_000_000), N, replace=False)),  # sorted, but far apart
        np.linspace(1e16, 2e16, N),  # all whole numbers, as every float past 2**53 is
        _RNG.uniform(1, 2, N) * 1e20,
        np.arange(N) + 0.5,  # consecutive, but not whole
        pd.date_range("2024-01-01", periods=N),  # timestamps are measurements
    ],
    ids=["prices", "sorted-prices", "near-1e16", "near-1e20", "halves", "dates"],
)
def test_unique_measurements_are_kept(values: object) -> None:
    frame = pd.DataFrame({"column": values})
    assert unused_columns(frame) == {} and usable_columns(frame) == ["column"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("id", "looks like an id: unique integers in a column named like one"),
        ("user_id", "looks like an id: unique integers in a column named like one"),
        ("Order Id", "looks like an id: unique integers in a column named like one"),
        ("customerID", "looks like an id: unique integers in a column named like one"),
        ("paid", None),
        ("valid", None),
    ],
)
def test_unique_integers_named_like_an_id_are_left_out(name: str, reason: str | None) -> None:
    frame = pd.DataFrame({name: _RNG.choice(np.arange(10**6, 10**7), N, replace=False)})
    assert unused_columns(frame) == ({} if reason is None else {name: reason})


def test_a_small_table_keeps_a_counter() -> None:
    assert usable_columns(pd.DataFrame({"n": np.arange(20)})) == ["n"]


def test_unique_whole_prices_separate_the_classes() -> None:
    """The trial's houses: the unique prices were dropped as an id (accuracy 0.375, every row a near copy)."""
    result = curate.audit(_houses(), label="y", progress=False)
    assert result.metrics["oof_accuracy"] == 1.0
    flagged = result.summary.set_index("issue")["flagged"].to_dict()
    assert (flagged["near_duplicate"], flagged["conflicting_labels"]) == (0, 0)
    assert not any(note.startswith("not used as input") for note in result.dataset.notes)


def test_columns_left_out_are_named_in_the_notes(tmp_path: Path) -> None:
    frame = _houses().assign(row_no=np.arange(1, 121), src="cam1", code=[f"h{i:04d}" for i in range(120)])
    note = (
        "not used as input: 'row_no' (looks like an id: consecutive integers), 'src' (constant), "
        "'code' (looks like an id: a unique text code per row)"
    )
    assert curate.audit(frame, label="y", detectors=["label"], progress=False).dataset.notes[-1] == note
    path = tmp_path / "houses.csv"
    frame.to_csv(path, index=False)
    result = run_cli(["audit", path, "--label", "y", "--workspace", tmp_path / "ws", "--detector", "label"])
    assert result.exit_code == 0, result.output
    assert note in result.output.splitlines()
