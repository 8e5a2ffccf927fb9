"""Predicted class probabilities and where they came from: the currency between evidence and detectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PredProbs"]


@dataclass(frozen=True)
class PredProbs:
    """Predicted probabilities (rows x classes) and where they came from."""

    probs: np.ndarray
    source: str
    folds: int | None = None
    accuracy: float | None = None
