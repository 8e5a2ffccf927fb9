"""Tabular features: scaled numbers with missing-value indicators and one-hot categories."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["encode_table", "unused_columns", "usable_columns"]

# Categories rarer than this share fall into one "other" bucket, so a free-text column with
# thousands of distinct values cannot blow up the width of the matrix.
_MIN_CATEGORY_SHARE = 0.01
_MAX_CATEGORIES = 50
# Scaled numbers beyond this many spreads from the median are clipped: float32 must hold them.
MAX_SCALED = 1e4
# A column named like an identifier: "id", "ID", "user_id", "Order Id", "customerId", "uuid".
_ID_NAME = re.compile(r"(?i:(?:^|[\W_])(?:id|uuid)$)|[a-z0-9](?:Id|ID)$")
# Identifiers are only recognised in tables of more rows than this (a few unique values prove nothing).
_ID_MIN_ROWS = 20
# A counter that increases down the table is an identifier while its range stays under this many
# times the row count (rows removed from a numbered table leave gaps; prices and areas jump further).
_COUNTER_GAPS = 4


def unused_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Columns not worth feeding a model, each with the reason: constant, or an identifier.

    Only what really looks like an identifier is left out: a column of unique text codes, or a
    counter, i.e. unique whole numbers that are consecutive (row numbers, with any offset and in any
    order) or that increase down the table with small gaps (a counter after rows were removed), or
    unique whole numbers in a column named like an id (``id``, ``user_id``, ``orderId``, ``uuid``).
    Unique whole numbers that are measurements (prices, areas, numbers too large to count rows)
    are kept. Tables of 20 rows or fewer keep every column that is not constant.

    Parameters
    ----------
    frame : pandas.DataFrame
        The input columns; cells must be hashable (see :func:`curate.ingest.building.build_dataset`).

    Returns
    -------
    dict of str to str
        Column name to the reason, in the frame's order: ``constant``, or ``looks like an id:``
        followed by ``consecutive integers``, ``increasing integers``, ``unique integers in a
        column named like one`` or ``a unique text code per row``.

    Examples
    --------
    >>> unused_columns(pd.DataFrame({"n": range(30), "price": [1000 + 37 * i * i for i in range(30)],
    ...                              "src": "cam1"}))
    {'n': 'looks like an id: consecutive integers', 'src': 'constant'}
    """
    unused: dict[str, str] = {}
    for column in frame.columns:
        series = frame[column]
        present = series.dropna()
        distinct = present.nunique()
        if distinct <= 1:
            unused[str(column)] = "constant"
        elif len(frame) > _ID_MIN_ROWS and len(present) == len(frame) and distinct == len(frame):
            reason = _id_reason(series, str(column))
            if reason is not None:
                unused[str(column)] = f"looks like an id: {reason}"
    return unused


def _id_reason(series: pd.Series, name: str) -> str | None:
    """Why a column of unique values, none missing, is an identifier; None when it may be a measurement."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series) \
            or pd.api.types.is_timedelta64_dtype(series):
        return None
    if _days(series) is not None:  # dates held as text are read as days (encode_table), not codes
        return None
    if not pd.api.types.is_numeric_dtype(series):
        return "a unique text code per row"
    values = series.to_numpy(dtype=np.float64)
    # Past 2**53 every float is whole and neighbours are far apart: such numbers count nothing.
    if not (np.isfinite(values).all() and np.all(np.abs(values) < 2**53) and np.all(values == np.round(values))):
        return None
    low, high = float(values.min()), float(values.max())
    if high - low == len(values) - 1:
        return "consecutive integers"
    if _ID_NAME.search(name):
        return "unique integers in a column named like one"
    if np.all(np.diff(values) > 0) and high - low < _COUNTER_GAPS * len(values):
        return "increasing integers"
    return None


def usable_columns(frame: pd.DataFrame) -> list[str]:
    """Columns worth feeding a model: not constant, and not an identifier (see :func:`unused_columns`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The input columns.

    Returns
    -------
    list of str
        The usable column names, in the frame's order.
    """
    unused = unused_columns(frame)
    return [column for column in frame.columns if str(column) not in unused]


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


# A text cell read as a date: ISO 8601 (2023-02-05, optionally with a time). Other layouts (05/02/2023)
# are ambiguous between countries and stay text.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
# ... when this share of a column's present cells are such dates.
_DATE_SHARE = 0.95


def _days(series: pd.Series) -> np.ndarray | None:
    """A column of dates as days since 1970 (NaN where missing or unreadable), or None when it holds none.

    Dates held as text were categories, and with hundreds of distinct days every one fell into the
    rare "other" bucket: two customers who signed up two years apart looked alike (a user trial).
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series, errors="coerce", utc=True)
    elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        cells = series.dropna()
        if cells.empty or not all(isinstance(v, str) for v in cells):  # bytes (pictures), lists: no dates
            return None
        if cells.str.strip().str.match(_ISO_DATE).mean() < _DATE_SHARE:
            return None
        stamps = pd.to_datetime(series.astype(object), errors="coerce", utc=True, format="ISO8601")
    else:
        return None
    days = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(days=1)
    return days.to_numpy(dtype=np.float64, na_value=np.nan)


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
        dates = _days(series)
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or dates is not None:
            values = dates if dates is not None else series.to_numpy(dtype=float)
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
