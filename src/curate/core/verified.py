"""Rows whose true labels a person checked: what ``--verified`` gives the label check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VerifiedLabels"]


@dataclass(frozen=True)
class VerifiedLabels:
    """Rows whose true labels a person checked, by position in the audited dataset.

    Attributes
    ----------
    positions : numpy.ndarray
        Shape (n_verified,), int: distinct row positions.
    codes : numpy.ndarray
        Shape (n_verified,), int: each row's verified class, as a code of ``Dataset.classes``.
    source : str
        Where they came from (a file name), for messages.
    """

    positions: np.ndarray
    codes: np.ndarray
    source: str = "verified labels"

    def wrong(self, label_codes: np.ndarray) -> np.ndarray:
        """Which checked rows' given labels are wrong.

        Parameters
        ----------
        label_codes : numpy.ndarray
            Shape (n_rows,), int: the audited dataset's given labels, as class codes.

        Returns
        -------
        numpy.ndarray
            Shape (n_verified,), bool, in the order of ``positions``.
        """
        return self.codes != label_codes[self.positions]

