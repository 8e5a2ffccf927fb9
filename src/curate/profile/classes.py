"""Classes and their balance: how many rows each label has, overall and per split."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from curate.core.dataset import Dataset
from curate.profile.stats import rounded

__all__ = ["ClassBalance", "class_balance"]


@dataclass(frozen=True)
class ClassBalance:
    """How the rows divide among the classes.

    Attributes
    ----------
    counts : dict of str to int
        Rows per class, in the dataset's class order.
    shares : dict of str to float
        Share of the rows per class (4 decimals), same order.
    imbalance_ratio : float
        Rows of the largest class over rows of the smallest (1.0: balanced).
    majority, minority : str
        The largest and the smallest class (the first in class order on a tie).
    by_split : dict of str to dict of str to int, or None
        Rows per class within each split, when the dataset has splits.
    """

    counts: dict[str, int]
    shares: dict[str, float]
    imbalance_ratio: float
    majority: str
    minority: str
    by_split: dict[str, dict[str, int]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The balance as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name.
        """
        return {"counts": dict(self.counts), "shares": dict(self.shares), "imbalance_ratio": self.imbalance_ratio,
                "majority": self.majority, "minority": self.minority, "by_split": self.by_split}


def class_balance(dataset: Dataset) -> ClassBalance:
    """Count the rows of each class, overall and per split.

    Parameters
    ----------
    dataset : Dataset
        A validated dataset (every row has a label; at least two classes).

    Returns
    -------
    ClassBalance
        Counts, shares and the imbalance ratio.
    """
    counted = Counter(str(label) for label in dataset.labels)
    counts = {c: counted.get(c, 0) for c in dataset.classes}
    total = sum(counts.values())
    majority = max(counts, key=lambda c: counts[c])
    minority = min(counts, key=lambda c: counts[c])
    by_split = None
    if dataset.splits is not None:
        by_split = {}
        for split in sorted({str(s) for s in dataset.splits}):
            within = Counter(str(label) for label, s in zip(dataset.labels, dataset.splits, strict=True)
                             if str(s) == split)
            by_split[split] = {c: within.get(c, 0) for c in dataset.classes}
    return ClassBalance(counts, {c: rounded(n / total) for c, n in counts.items()},
                        rounded(counts[majority] / max(1, counts[minority])), majority, minority, by_split)
