"""The user's own features (embeddings): an array, or a DataFrame column of vectors, checked once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from curate.errors import InputError

__all__ = ["check_features", "vectors_column"]


def check_features(values: object, n_rows: int, what: str = "features=") -> np.ndarray:
    """The user's features as a finite float array of shape (n_rows, dim), or one clear error.

    Parameters
    ----------
    values : object
        An array-like of shape (n_rows, dim): a numpy array, a DataFrame of numbers, a list or a
        Series of equal-length vectors (taken by position).
    n_rows : int
        The rows of the data the features describe.
    what : str, default "features="
        How to name them in messages.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, dim), float32 (float64 when float32 cannot hold the values).

    Raises
    ------
    InputError
        When the values are not numbers, not two-dimensional, have another number of rows, no
        columns, or a value that is NaN or infinite (the message names the first such row).

    Examples
    --------
    >>> check_features([[0.0, 1.0], [1.0, 0.0]], 2).shape
    (2, 2)
    """
    expected = f"shape ({n_rows}, dim): one vector per row"
    if isinstance(values, str | bytes | dict) or values is None:
        raise InputError(f"{what} takes an array of {expected}; got {type(values).__name__}")
    try:
        if isinstance(values, pd.Series):  # a column of vectors, e.g. df["embedding"]
            values = [np.asarray(v, dtype=np.float64) for v in values]
        array = np.asarray(values.to_numpy() if isinstance(values, pd.DataFrame) else values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(
            f"{what} must hold numbers in {expected}; got {type(values).__name__} that numpy cannot read "
            f"as numbers ({str(error).splitlines()[0][:80]})"
        ) from None
    if array.ndim != 2 or array.shape[0] != n_rows or array.shape[1] == 0:
        raise InputError(f"{what} has shape {array.shape}; expected {expected}")
    bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if bad.size:
        raise InputError(
            f"{what} row {bad[0]} holds a NaN or infinite value ({bad.size} such row(s)); every value must be finite"
        )
    small = array.astype(np.float32)
    return small if np.isfinite(small).all() else array


def vectors_column(frame: pd.DataFrame, column: str, source: str) -> np.ndarray:
    """The vectors in ``column`` of ``frame`` (one list or array per cell) as one array.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    column : str
        The column of vectors.
    source : str
        How to name the table in messages.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, dim), as :func:`check_features` gives it.

    Raises
    ------
    ColumnError
        When the column does not exist.
    InputError
        When a cell is not a vector of numbers, or the vectors differ in length (the message names
        the first such row).
    """
    from curate.errors import ColumnError

    if column not in frame.columns:
        raise ColumnError(
            f"{source} has no features column {column!r}; its columns are: {', '.join(map(str, frame.columns))}"
        )
    cells: Sequence[object] = list(frame[column])
    lengths = [len(c) if isinstance(c, list | tuple | np.ndarray) else -1 for c in cells]
    first = lengths[0] if lengths else 0
    for row, length in enumerate(lengths):
        if length < 0 or length != first:
            what = f"a {type(cells[row]).__name__}" if length < 0 else f"a vector of {length} values, not {first}"
            raise InputError(
                f"features column {column!r} of {source}: row {row} holds {what}; every cell must be a vector "
                "(a list or array) of the same length"
            )
    return check_features(np.array([np.asarray(c) for c in cells]), len(cells), f"features column {column!r}")
