"""Feature matrices made safe for arithmetic that squares them (PCA, k-means)."""

from __future__ import annotations

import numpy as np

__all__ = ["bounded_rows"]

# Values past this are rescaled: their squares and sums would overflow float32 and lose float64 precision.
_LARGEST = 1e6


def bounded_rows(features: np.ndarray, scale: float | None = None) -> tuple[np.ndarray, float]:
    """``features`` as float64 rows with NaN and inf read as 0, scaled down as a whole when values are huge.

    One factor for every value, so distances keep their proportions: a map or a clustering of the
    rows is the same, only its units change. Pass the factor a sample gave to treat more rows of
    the same data alike (values beyond the sample's range are then clipped to 1e6).

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, ...): any real values; trailing dimensions are flattened.
    scale : float, optional
        The factor to use; by default the one that brings the largest magnitude to 1e6 (1 when
        every value is already within 1e6).

    Returns
    -------
    values : numpy.ndarray
        Shape (n_rows, dim), float64, every value finite and at most 1e6 in magnitude.
    scale : float
        The factor applied.

    Examples
    --------
    >>> bounded_rows(np.array([[1e300, np.inf], [2.0, np.nan]]))[0].max()
    1000000.0
    """
    values = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
    values = np.where(np.isfinite(values), values, 0.0)
    if scale is None:
        largest = float(np.abs(values).max()) if values.size else 0.0
        scale = _LARGEST / largest if largest > _LARGEST else 1.0
    if scale != 1.0:
        values *= scale
    return np.clip(values, -_LARGEST, _LARGEST, out=values), scale
