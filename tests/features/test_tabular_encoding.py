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
