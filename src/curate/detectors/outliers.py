"""Outliers: rows far from every other row in feature space."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.neighbors import NeighborGraph

__all__ = ["OutlierDetector"]


@register
class OutlierDetector(Detector):
    """Flags rows whose mean distance to their k nearest neighbours is extreme (Tukey's far-out fence).

    Score: the share of rows at least as isolated as this one, so the most isolated row scores
    about 1/n. The fence, Q3 + 3 IQR, is taken on log distances: distances are positive and
    right-skewed, and on the raw scale the ordinary tail of a cluster crosses the fence. It adapts
    to how spread the data is instead of flagging a fixed percentage. The quartiles are taken over
    distinct inputs (one row per exact-duplicate group): a placeholder text repeated thousands of
    times has no distance to its own copies, and counted once per copy it would pull the fence
    down until every genuine row lay beyond it.

    Parameters
    ----------
    fence : float, default 3.0
        The fence's multiple of the interquartile range: 3 is Tukey's "far out" fence [1]_,
        1.5 his inner fence.
    k : int, default 10
        How many nearest neighbours the mean distance is taken over.

    References
    ----------
    .. [1] J. W. Tukey, Exploratory Data Analysis, Addison-Wesley, 1977.
    """

    name: ClassVar[str] = "outlier"
    needs: ClassVar[frozenset[str]] = frozenset({"neighbors", "duplicate_groups"})
    description: ClassVar[str] = "the input is unlike the rest of the data"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {"fence": (0.0, None), "k": (1, None)}

    def __init__(self, fence: float = 3.0, k: int = 10) -> None:
        self.fence = fence
        self.k = k

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag the rows whose mean distance to their k nearest neighbours is beyond the fence.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``neighbors`` and ``duplicate_groups``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): the share of rows at least as isolated; details give each
            row's mean neighbour distance; notes give the distance limit.
        """
        graph: NeighborGraph = context.need("neighbors").first(self.k)
        isolation = graph.distances.mean(axis=1)
        n = len(isolation)
        # share of rows with isolation >= mine: rank from the top, ties counted generously
        order = np.sort(isolation)
        at_least = n - np.searchsorted(order, isolation, side="left")
        scores = at_least / n
        groups: np.ndarray = context.need("duplicate_groups")
        group_ids, first_rows = np.unique(groups, return_index=True)
        distinct = np.union1d(np.flatnonzero(groups < 0), first_rows[group_ids >= 0])
        log_isolation = np.log(isolation[distinct] + 1e-12)
        q1, q3 = np.percentile(log_isolation, [25, 75])
        limit = float(np.exp(q3 + self.fence * (q3 - q1)))
        flagged = isolation > limit
        details = [{"knn_distance": round(float(d), 4)} for d in isolation]
        return self._result(scores, flagged, details=details, notes={"distance_limit": round(float(limit), 4)})
