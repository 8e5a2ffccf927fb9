"""Train/test leakage: the same (or a near-identical) input in more than one split."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.exact_duplicates import group_members
from curate.detectors.near_duplicates import NEAR_COPY_SIMILARITY, near_duplicate_pairs
from curate.detectors.registry import register
from curate.neighbors import NeighborGraph

__all__ = ["LeakageDetector"]


@register
class LeakageDetector(Detector):
    """Flags rows that have an exact or near copy in another split; details name the copies.

    Score: 0 for an exact copy across splits, below 0.5 for a near copy, 1 otherwise. Without a
    split column or a test file there is nothing to leak and every row scores 1.

    Parameters
    ----------
    similarity : float, default 0.98
        Cosine similarity from which a neighbour counts as a near copy (normalised features,
        e.g. text embeddings); see ``NEAR_COPY_SIMILARITY``.
    relative_distance : float, default 0.05
        For features that are not normalised (tables): a neighbour is a near copy when its
        distance is below this share of the median nearest-neighbour distance.
    k : int, default 10
        How many of each row's nearest neighbours to look at.
    """

    name: ClassVar[str] = "leakage"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "neighbors", "duplicate_groups", "input_similarity"})
    description: ClassVar[str] = "the input also appears in another split"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {
        "similarity": (0.0, 1.0), "relative_distance": (0.0, None), "k": (1, None)}

    def __init__(self, similarity: float = NEAR_COPY_SIMILARITY, relative_distance: float = 0.05, k: int = 10) -> None:
        self.similarity = similarity
        self.relative_distance = relative_distance
        self.k = k

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag rows with an exact or near copy in another split.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset``, and ``duplicate_groups``, ``neighbors`` and
            ``input_similarity`` (near copies decided on the texts, for surface features) when the
            dataset has at least two splits.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): 0 for an exact copy across splits, below 0.5 for a near
            copy, else 1; details give the kind of copy, the row's split and the matching ids;
            notes count the flags per split and by kind.
        """
        dataset: Dataset = context.need("dataset")
        n = dataset.n_rows
        scores = np.ones(n)
        flagged = np.zeros(n, dtype=bool)
        details: list[dict] = [{} for _ in range(n)]
        if dataset.splits is None or len(set(dataset.splits)) < 2:
            return self._result(scores, flagged, details=details, notes={"splits": None})
        splits = dataset.splits
        groups: np.ndarray = context.need("duplicate_groups")
        for members in group_members(groups).values():
            for m in members:
                others = [int(o) for o in members if splits[o] != splits[m]]
                if others:
                    flagged[m] = True
                    scores[m] = 0.0
                    details[m] = {"kind": "exact", "split": str(splits[m]),
                                  "matches": [str(dataset.row_ids[o]) for o in others]}
        graph: NeighborGraph = context.need("neighbors").first(self.k)
        closeness, near, _ = near_duplicate_pairs(graph, groups, self.similarity, self.relative_distance,
                                                  context.need("input_similarity"))
        cross = near & (splits[graph.indices] != splits[:, None])
        for i in np.flatnonzero(cross.any(axis=1) & ~flagged):
            cols = np.flatnonzero(cross[i])
            flagged[i] = True
            scores[i] = min(float(closeness[i]), 0.49)
            details[i] = {"kind": "near", "split": str(splits[i]),
                          "matches": [str(dataset.row_ids[graph.indices[i, c]]) for c in cols]}
        by_split = {str(s): int(np.count_nonzero(flagged & (splits == s))) for s in sorted(set(splits))}
        exact = sum(1 for d in details if d.get("kind") == "exact")
        return self._result(scores, flagged, details=details,
                            notes={"flagged_by_split": by_split, "exact": exact,
                                   "near": int(flagged.sum()) - exact})
