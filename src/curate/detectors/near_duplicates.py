"""Near duplicates: rows whose features are almost the same but whose inputs are not identical."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.neighbors import NeighborGraph

__all__ = ["NEAR_COPY_SIMILARITY", "NearDuplicateDetector", "PairSimilarity", "near_duplicate_pairs",
           "typical_distance"]

# (rows, cols) -> the similarity of the inputs of each pair, in [0, 1]
PairSimilarity = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Cosine similarity from which two texts count as near copies. Measured on banking77 with
# all-MiniLM-L6-v2: at 0.95, 31 % of test queries had a "near copy" in train, mostly paraphrases
# ("When will I get my card?" / "I still haven't received my card"); at 0.98, 10 %, mostly one-word
# edits ("How do I link a new card?" / "How do I link my new card?").
NEAR_COPY_SIMILARITY = 0.98


def typical_distance(graph: NeighborGraph) -> float:
    """The median distance of a row to its nearest neighbour: the yardstick of "near" for a table's features.

    Parameters
    ----------
    graph : NeighborGraph
        The neighbour graph.

    Returns
    -------
    float
        Positive (1 when every row has an exact copy at distance 0).
    """
    return float(np.median(graph.distances[:, 0])) or 1.0


def near_duplicate_pairs(graph: NeighborGraph, groups: np.ndarray, similarity: float,
                         relative_distance: float, input_similarity: PairSimilarity | None = None,
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Each row's closeness score in [0, 1] and a boolean matrix of which neighbours are near copies.

    For normalised features a neighbour is a near copy when its cosine similarity reaches
    ``similarity``; for tabular features, when its distance is below ``relative_distance`` times the
    median nearest-neighbour distance. Exact duplicates (same group) are left to their own detector.
    Surface features (n-grams hashed or reduced by SVD) lose what tells texts apart (a rare
    syllable, one changed word in a short text) and weigh punctuation like letters, so with
    ``input_similarity`` the features only propose each row's nearest neighbours, and the inputs'
    own similarity decides: it must reach ``similarity``.

    Parameters
    ----------
    graph : NeighborGraph
        Each row's nearest neighbours, shape (n_rows, k).
    groups : numpy.ndarray
        Shape (n_rows,), int: exact-duplicate group per row, -1 for none.
    similarity : float
        Cosine similarity from which a neighbour is a near copy (normalised features).
    relative_distance : float
        Share of the median nearest-neighbour distance below which a neighbour is a near copy
        (features that are not normalised).
    input_similarity : callable, optional
        ``(rows, cols) -> similarities`` of the inputs of row pairs; when given, it decides.

    Returns
    -------
    closeness : numpy.ndarray
        Shape (n_rows,), in [0, 1]: how close the nearest neighbour is; 0.5 at the near-copy
        threshold, lower is closer.
    near : numpy.ndarray
        Shape (n_rows, k), bool: ``near[i, j]`` when neighbour ``graph.indices[i, j]`` is a near
        copy of row ``i`` and not in its exact-duplicate group.
    similarities : numpy.ndarray or None
        Shape (n_rows, k): the similarities that decided (the inputs', else the features'
        cosine); None for features that are not normalised.
    """
    sims: np.ndarray | None = None
    if input_similarity is not None:
        n, k = graph.indices.shape
        sims = np.asarray(input_similarity(np.repeat(np.arange(n), k), graph.indices.ravel()),
                          dtype=np.float64).reshape(n, k)
    elif graph.normalized:
        sims = graph.similarities()
    same_group = (groups[graph.indices] == groups[:, None]) & (groups[:, None] >= 0)
    if sims is not None:
        near = sims >= similarity
        # The features' nearest neighbour is the closest by cosine; by the inputs it may be another.
        best = sims.max(axis=1) if input_similarity is not None else sims[:, 0]
        closeness = np.clip((1.0 - best) / (1.0 - similarity) * 0.5, 0.0, 1.0)
    else:
        typical = typical_distance(graph)
        near = graph.distances <= relative_distance * typical
        closeness = np.clip(graph.distances[:, 0] / typical * 0.5 / relative_distance, 0.0, 1.0)
    return closeness, near & ~same_group, sims


@register
class NearDuplicateDetector(Detector):
    """Flags rows with a neighbour that is a near copy (default cosine similarity >= 0.98).

    With surface features (character n-grams, hashed n-grams) the features only propose each row's
    nearest neighbours and the texts decide: their character n-gram similarity (after case,
    punctuation and spacing are set aside) must reach the same threshold.

    Score: lower means closer to the nearest neighbour; below 0.5 is the near-copy range.

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

    name: ClassVar[str] = "near_duplicate"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "neighbors", "duplicate_groups", "input_similarity"})
    description: ClassVar[str] = "an almost identical input exists"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {
        "similarity": (0.0, 1.0), "relative_distance": (0.0, None), "k": (1, None)}

    def __init__(self, similarity: float = NEAR_COPY_SIMILARITY, relative_distance: float = 0.05, k: int = 10) -> None:
        self.similarity = similarity
        self.relative_distance = relative_distance
        self.k = k

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag rows with a neighbour that is a near copy but not an exact duplicate.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset``, ``neighbors``, ``duplicate_groups`` and
            ``input_similarity``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,) (below 0.5 exactly for flagged rows); details name the
            matching ids and, for normalised features, their similarities (the texts' own for
            surface features), for a table's features their ``relative_distance`` (the distance
            over the median nearest-neighbour distance); notes give the threshold and what it was
            measured on.
        """
        dataset: Dataset = context.need("dataset")
        graph: NeighborGraph = context.need("neighbors").first(self.k)
        groups: np.ndarray = context.need("duplicate_groups")
        on_texts = context.need("input_similarity")
        closeness, near, sims = near_duplicate_pairs(graph, groups, self.similarity, self.relative_distance, on_texts)
        typical = typical_distance(graph)
        flagged: np.ndarray = np.asarray(near.any(axis=1), dtype=bool)
        details: list[dict] = []
        for i in range(len(flagged)):
            if not flagged[i]:
                details.append({})
                continue
            cols = np.flatnonzero(near[i])
            matches = [str(dataset.row_ids[graph.indices[i, c]]) for c in cols]
            if sims is not None:
                details.append({"matches": matches, "similarity": [round(float(sims[i, c]), 4) for c in cols]})
            else:  # a table's features have no cosine: say how close, against the typical nearest neighbour
                details.append({"matches": matches,
                                "relative_distance": [round(float(graph.distances[i, c] / typical), 4)
                                                      for c in cols]})
        scores = np.where(flagged, np.minimum(closeness, 0.49), np.maximum(closeness, 0.5))
        notes: dict[str, object] = ({"similarity_threshold": self.similarity,
                                     "similarity_of": "features" if on_texts is None else "inputs"}
                                    if sims is not None else
                                    {"relative_distance_threshold": self.relative_distance,
                                     "relative_distance_of": "each row's distance to a neighbour over the median "
                                                             "distance of a row to its nearest neighbour"})
        return self._result(scores, flagged, details=details, notes=notes)
