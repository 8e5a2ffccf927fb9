"""The summary of a distribution of numbers a profile shows: range, quartiles, mean, and a rounding rule."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Distribution", "distribution", "rounded"]

# Decimals kept of a float in a profile: counts stay exact, measurements do not pretend to be.
DECIMALS = 4


def rounded(value: float) -> float:
    """``value`` rounded to the profile's 4 decimals, as a plain float.

    Parameters
    ----------
    value : float
        A measurement.

    Returns
    -------
    float
        The value rounded to :data:`DECIMALS` decimals.

    Examples
    --------
    >>> rounded(2 / 3)
    0.6667
    """
    return round(float(value), DECIMALS)


@dataclass(frozen=True)
class Distribution:
    """Minimum, quartiles, 95th percentile, maximum and mean of some finite numbers.

    Attributes
    ----------
    count : int
        How many numbers were summarised.
    min, q25, median, q75, p95, max, mean : float
        The minimum, the 25th, 50th, 75th and 95th percentiles (linear interpolation), the maximum
        and the mean, rounded to 4 decimals.
    """

    count: int
    min: float
    q25: float
    median: float
    q75: float
    p95: float
    max: float
    mean: float

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name.
        """
        return asdict(self)


def distribution(values: Any) -> Distribution | None:
    """Summarise the finite numbers among ``values``; None when there are none.

    Parameters
    ----------
    values : array-like of float
        Shape (n,); NaN and infinite values are left out (a profile counts them on their own).

    Returns
    -------
    Distribution or None
        The summary, or None when no value is finite.

    Examples
    --------
    >>> distribution([1, 2, 3, float("inf")]).max
    3.0
    """
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None
    q25, median, q75, p95 = np.percentile(finite, [25, 50, 75, 95])
    return Distribution(int(finite.size), rounded(finite.min()), rounded(q25), rounded(median), rounded(q75),
                        rounded(p95), rounded(finite.max()), rounded(finite.mean()))
