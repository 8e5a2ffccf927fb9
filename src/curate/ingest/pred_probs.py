"""Read and check the user's own out-of-fold predicted probabilities (a ``.npy`` file or an array)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curate.core.predictions import PredProbs
from curate.errors import PredProbsError

__all__ = ["load_pred_probs", "validate_pred_probs"]


def validate_pred_probs(probs: np.ndarray, n_rows: int, classes: tuple[str, ...], source: str) -> np.ndarray:
    """Check user probabilities: shape (rows, classes), finite, non-negative, rows summing to 1.

    Parameters
    ----------
    probs : numpy.ndarray
        The probabilities, shape (n_rows, n_classes), columns in the order of ``classes``.
    n_rows : int
        The number of data rows.
    classes : tuple of str
        The dataset's classes, sorted as :attr:`Dataset.classes`.
    source : str
        How to name the probabilities in error messages.

    Returns
    -------
    numpy.ndarray
        ``probs`` as float64, shape (n_rows, n_classes).

    Raises
    ------
    PredProbsError
        When the shape is wrong, the values are not numbers, a value is not finite, a value is
        negative, or a row does not sum to 1 (within 1e-3).
    """
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape != (n_rows, len(classes)):
        raise PredProbsError(
            f"{source} has shape {probs.shape}, expected ({n_rows}, {len(classes)}): one row per data "
            f"row and one column per class in the order {list(classes)[:10]}"
        )
    if not np.issubdtype(probs.dtype, np.number):
        raise PredProbsError(f"{source} holds {probs.dtype} values, expected numbers")
    bad = np.argwhere(~np.isfinite(probs))
    if bad.size:
        row, col = bad[0]
        raise PredProbsError(
            f"{source} holds {probs[row, col]} at row {row}, column {col} ({len(bad)} non-finite "
            "value(s)); probabilities must be finite numbers"
        )
    if (probs < 0).any():
        row = int(np.argwhere(probs < 0)[0][0])
        raise PredProbsError(f"{source} has negative values (first at row {row}); pass probabilities, not logits")
    sums = probs.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > 1e-3)
    if off.size:
        raise PredProbsError(
            f"{source}: row {off[0]} sums to {sums[off[0]]:.4f}, not 1 ({off.size} such row(s)); "
            "apply a softmax to logits first"
        )
    return probs.astype(np.float64)


def load_pred_probs(path: Path, n_rows: int, classes: tuple[str, ...]) -> PredProbs:
    """Load and validate a ``.npy`` file of predicted probabilities.

    Parameters
    ----------
    path : pathlib.Path
        A NumPy ``.npy`` file (pickled objects are refused).
    n_rows : int
        The number of data rows.
    classes : tuple of str
        The dataset's classes, sorted as :attr:`Dataset.classes`.

    Returns
    -------
    PredProbs
        The checked probabilities, shape (n_rows, n_classes), with ``path`` as their source.

    Raises
    ------
    PredProbsError
        When the file is missing, is not an ``.npy`` array, or fails :func:`validate_pred_probs`.
    """
    try:
        probs = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise PredProbsError(f"{path} does not exist") from None
    except (ValueError, OSError) as exc:
        raise PredProbsError(f"{path} is not a NumPy .npy array ({exc})") from None
    return PredProbs(validate_pred_probs(probs, n_rows, classes, str(path)), source=str(path))
