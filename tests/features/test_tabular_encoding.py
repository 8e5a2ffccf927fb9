"""Tabular encoding of extreme numbers: finite float32 features, no overflow warning (the fuzz found it)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from curate.features.tabular import MAX_SCALED, encode_table


def test_values_near_the_float_limit_encode_to_finite_features() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 1.37e154, np.nan, 1e308, -1e308, np.inf, 5.0, 6.0, 7.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning is a failure here
        encoded = encode_table(pd.DataFrame({"x": values, "y": [1.0, 2.0] * 6}))
    assert encoded.dtype == np.float32
    assert np.isfinite(encoded).all()
    x = encoded[:, 0]
    assert x[4] == MAX_SCALED and x[6] == MAX_SCALED and x[7] == -MAX_SCALED
    # missing and infinite cells take the median (0) and get the indicator column
    assert x[5] == 0.0 and x[8] == 0.0
    assert encoded[:, 1].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]


def test_a_column_of_only_huge_opposite_values_still_scales() -> None:
    encoded = encode_table(pd.DataFrame({"x": [1e308, -1e308, 1e308, -1e308]}))
    assert np.isfinite(encoded).all()
    assert encoded[:, 0].tolist() == [2.0, -2.0, 2.0, -2.0]  # divided by the half range


def test_iso_dates_held_as_text_are_read_as_days() -> None:
    frame = pd.DataFrame({"signup": ["2023-02-05", "2024-03-31", None, "2022-06-08T10:00:00"],
                          "stamp": pd.to_datetime(["2020-01-01", "2021-01-01", "2020-06-01", None]),
                          "code": ["2023-02-05", "n/a", "x", "y"]})  # one date among codes: stays a category
    encoded = encode_table(frame)
    # signup: scaled days and a missing indicator; stamp likewise; code: its categories
    assert encoded.shape == (4, 2 + 2 + 4)
    assert encoded[3, 0] < encoded[0, 0] < encoded[1, 0]  # 2022 < 2023 < 2024, in days
    assert encoded[:, 1].tolist() == [0, 0, 1, 0] and encoded[:, 3].tolist() == [0, 0, 0, 1]  # missing cells
    assert encoded[0, 2] < encoded[2, 2] < encoded[1, 2]


def test_rows_a_date_tells_apart_are_no_near_duplicates() -> None:
    # A user trial: customers who signed up two years apart were near duplicates and a train/test leak,
    # every date a rare category in one "other" bucket; with two other columns, nearly every row was.
    import curate

    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"age": rng.integers(18, 80, n), "plan": rng.choice(["a", "b", "c"], n),
                          "signup_date": [str(pd.Timestamp("2021-01-01") + pd.Timedelta(days=int(d)))[:10]
                                          for d in rng.integers(0, 1200, n)],
                          "label": rng.choice(["x", "y"], n)})
    frame.loc[1, ["age", "plan"]] = frame.loc[0, ["age", "plan"]].to_numpy()
    frame.loc[0, "signup_date"], frame.loc[1, "signup_date"] = "2021-02-01", "2024-03-31"
    frame.loc[2] = frame.loc[3]  # a real copy, date and all
    result = curate.audit(frame, label="label", detectors=["near_duplicate", "exact_duplicate"], progress=False)
    flagged = result.findings[result.findings["flagged"]]
    assert sorted(zip(flagged["row_id"].astype(str), flagged["issue"], strict=True)) == [
        ("2", "exact_duplicate"), ("3", "exact_duplicate")]


def test_a_column_of_unique_dates_is_read_not_left_out_as_an_id() -> None:
    from curate.features.tabular import unused_columns

    days = [str(pd.Timestamp("2020-01-01") + pd.Timedelta(days=3 * i))[:10] for i in range(100)]
    frame = pd.DataFrame({"signup": days, "code": [f"c{i:03d}" for i in range(100)]})
    assert unused_columns(frame) == {"code": "looks like an id: a unique text code per row"}
    assert encode_table(frame).shape == (100, 1)  # the dates, as days
