"""Conflicting labels: copies of the same input (exact or near) that carry different labels."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.exact_duplicates import listed_copies
from curate.detectors.near_duplicates import NEAR_COPY_SIMILARITY, near_duplicate_pairs
from curate.detectors.registry import register
from curate.neighbors import NeighborGraph

__all__ = ["ConflictingLabelDetector"]


@register
class ConflictingLabelDetector(Detector):
    """Flags every row of a copy group (exact or near duplicates) whose labels disagree.

    Score: the share of the group that agrees with the row's label. The suggestion is the group's
    majority label when there is a strict majority.

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

    name: ClassVar[str] = "conflicting_labels"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "neighbors", "duplicate_groups", "input_similarity"})
    description: ClassVar[str] = "copies of this input carry different labels"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {
        "similarity": (0.0, 1.0), "relative_distance": (0.0, None), "k": (1, None)}

    def __init__(self, similarity: float = NEAR_COPY_SIMILARITY, relative_distance: float = 0.05, k: int = 10) -> None:
        self.similarity = similarity
        self.relative_distance = relative_distance
        self.k = k

    def find(self, context: NeedProvider) -> DetectorResult:
        """Group exact and near copies, and flag every row of a group whose labels disagree.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset``, ``neighbors``, ``duplicate_groups`` and
            ``input_similarity`` (near copies confirmed on the texts, for surface features).

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): the share of the row's copy group that carries its label
            (1 for rows outside a conflicting group); details give the group's ``size``, its
            ``copies`` (all on its first row, the first few on the others, as
            :func:`curate.detectors.exact_duplicates.listed_copies`) and count their labels.
        """
        dataset: Dataset = context.need("dataset")
        graph: NeighborGraph = context.need("neighbors").first(self.k)
        groups: np.ndarray = context.need("duplicate_groups")
        n = dataset.n_rows
        _, near, _ = near_duplicate_pairs(graph, groups, self.similarity, self.relative_distance,
                                          context.need("input_similarity"))
        src, col = np.nonzero(near)
        dst = graph.indices[src, col]
        # Exact groups join through a chain of edges; near pairs add their own edges.
        grouped = np.flatnonzero(groups >= 0)
        order = grouped[np.argsort(groups[grouped], kind="stable")]
        same = groups[order][1:] == groups[order][:-1]
        chain_src, chain_dst = order[:-1][same], order[1:][same]
        rows = np.r_[src, chain_src]
        cols = np.r_[dst, chain_dst]
        adjacency = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        _, component = connected_components(adjacency, directed=False)
        scores = np.ones(n)
        flagged = np.zeros(n, dtype=bool)
        suggested: list[str | None] = [None] * n
        details: list[dict] = [{} for _ in range(n)]
        by_component: dict[int, list[int]] = {}
        for i in np.unique(np.r_[rows, cols]).astype(int):
            by_component.setdefault(int(component[i]), []).append(i)
        for members in by_component.values():
            labels = Counter(dataset.labels[m] for m in members)
            if len(members) < 2 or len(labels) < 2:
                continue
            (top, top_count), (_, second_count) = labels.most_common(2)
            majority = top if top_count > second_count else None
            ids = [str(dataset.row_ids[m]) for m in members]
            for m in members:
                flagged[m] = True
                scores[m] = labels[dataset.labels[m]] / len(members)
                suggested[m] = majority if majority != dataset.labels[m] else None
                details[m] = {"copies": listed_copies(ids, m == members[0]), "size": len(ids), "labels": dict(labels)}
        return self._result(scores, flagged, suggested_labels=suggested, details=details)
