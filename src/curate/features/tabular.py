"""Tabular features: scaled numbers with missing-value indicators and one-hot categories."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["encode_table", "usable_columns"]

# Categories rarer than this share fall into one "other" bucket, so a free-text column with
# thousands of distinct values cannot blow up the width of the matrix.
_MIN_CATEGORY_SHARE = 0.01
_MAX_CATEGORIES = 50
# Scaled numbers beyond this many spreads from the median are clipped: float32 must hold them.
MAX_SCALED = 1e4


def usable_columns(frame: pd.DataFrame) -> list[str]:
    """Columns worth feeding a model: not constant, and not an id (unique text or integer counter).

    Parameters
    ----------
    frame : pandas.DataFrame
        The input columns.

    Returns
    -------
    list of str
        The usable column names, in the frame's order.
    """
    keep = []
    for column in frame.columns:
        series = frame[column]
        present = series.dropna()
        if present.nunique() <= 1:
            continue
        if len(present) == len(frame) and present.nunique() == len(frame) and len(frame) > 20:
            if series.dtype == object:
                continue
            values = present.to_numpy(dtype=float)
            if np.all(values == np.round(values)):
                continue
        keep.append(column)
    return keep


def _robust_scaled(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Centre on the median, divide by the IQR (else the mean absolute deviation), clip to +-MAX_SCALED.

    No step squares the values, and overflow is clipped rather than raised: a column holding
    1e308 next to -1e308 must still encode (its extreme rows are the outlier check's business).
    """
    finite = values[~missing]
    if not finite.size:
        return np.zeros(len(values))
    with np.errstate(over="ignore", invalid="ignore"):
        centre = float(np.median(finite))
        q1, q3 = np.percentile(finite, [25, 75])
        spread = float(q3 - q1)
        if not (np.isfinite(spread) and spread > 0):
            spread = float(np.mean(np.abs(finite - centre)))
        if not (np.isfinite(spread) and spread > 0):
            # halved first so that 1e308 - (-1e308) stays finite
            spread = float(np.max(np.abs(finite / 2 - centre / 2)))
        if not (np.isfinite(spread) and spread > 0):
            spread = 1.0
        scaled = (np.where(missing, centre, values) - centre) / spread
    return np.nan_to_num(np.clip(scaled, -MAX_SCALED, MAX_SCALED), nan=0.0)


def encode_table(frame: pd.DataFrame) -> np.ndarray:
    """Encode ``frame`` as a dense float32 matrix: numbers robust-scaled, NaN imputed with an indicator.

    Numbers are centred on the median and divided by the interquartile range (cut at a million
    of those from the median; infinite values count as missing); categories shared by
    at least 1 % of rows (at most 50 per column) become one-hot columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The input columns.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_features), float32; one all-zero column when no column is usable.

    Examples
    --------
    >>> encode_table(pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", "y", "x"]})).shape
    (3, 4)
    """
    blocks: list[np.ndarray] = []
    for column in usable_columns(frame):
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=float)
            missing = ~np.isfinite(values)
            blocks.append(_robust_scaled(values, missing)[:, None])
            if missing.any():
                blocks.append(missing.astype(float)[:, None])
        else:
            text = series.astype(object).where(series.notna(), "<missing>").astype(str)
            shares = text.value_counts(normalize=True)
            kept = shares[shares >= _MIN_CATEGORY_SHARE].index[:_MAX_CATEGORIES]
            for category in kept:
                blocks.append((text == category).to_numpy(dtype=float)[:, None])
    if not blocks:
        return np.zeros((len(frame), 1), dtype=np.float32)
    return np.hstack(blocks).astype(np.float32)
