"""Acquisition scores for active learning: how much labelling (or relabelling) an item would teach the model.

Uncertainty sampling (Lewis & Gale 1994) with the margin and entropy measures, and vote entropy over
the labels annotators already gave (query by committee), follow B. Settles, "Active Learning
Literature Survey", Computer Sciences Technical Report 1648, University of Wisconsin-Madison, 2009
(sections 3.1 and 3.2). Diversity is the greedy k-center selection of O. Sener and S. Savarese,
"Active Learning for Convolutional Neural Networks: A Core-Set Approach", ICLR 2018: each pick is
the item farthest from everything labelled or picked so far, so a batch never holds two near copies.
Every score is in [0, 1] or a distance, and higher means "label this sooner".
"""

from __future__ import annotations

import numpy as np

__all__ = ["entropy_uncertainty", "k_center_greedy", "margin_uncertainty", "nearest_distances", "vote_entropy"]

_BLOCK = 4096  # rows of the feature table compared at a time (bounds the distance matrix)


def _check_probs(probs: np.ndarray) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(f"probabilities must have shape (n_items, n_classes) with n_classes >= 2, not {probs.shape}")
    return probs


def margin_uncertainty(probs: np.ndarray) -> np.ndarray:
    """One minus the margin between each item's two most probable classes (Settles 2009, eq. 3.2).

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_items, n_classes), rows summing to 1.

    Returns
    -------
    numpy.ndarray
        Shape (n_items,), in [0, 1]: 1 when the top two classes tie, 0 when one class has it all.

    Raises
    ------
    ValueError
        When ``probs`` is not 2-d with at least two columns.

    Examples
    --------
    >>> margin_uncertainty(np.array([[0.5, 0.5], [0.9, 0.1]])).round(2).tolist()
    [1.0, 0.2]
    """
    probs = _check_probs(probs)
    top2 = -np.partition(-probs, 1, axis=1)[:, :2]
    return np.clip(1.0 - (top2[:, 0] - top2[:, 1]), 0.0, 1.0)


def entropy_uncertainty(probs: np.ndarray) -> np.ndarray:
    """The entropy of each item's predicted classes over its largest value, ``log(n_classes)`` (Settles 2009, eq. 3.3).

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_items, n_classes), rows summing to 1.

    Returns
    -------
    numpy.ndarray
        Shape (n_items,), in [0, 1]: 1 for the uniform distribution, 0 for a certain one.

    Raises
    ------
    ValueError
        When ``probs`` is not 2-d with at least two columns.

    Examples
    --------
    >>> entropy_uncertainty(np.array([[0.5, 0.5], [1.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    probs = _check_probs(probs)
    safe = np.where(probs > 0, probs, 1.0)
    entropy = np.sum(probs * np.log(1.0 / safe), axis=1)
    return np.clip(entropy / np.log(probs.shape[1]), 0.0, 1.0)


def vote_entropy(counts: np.ndarray) -> np.ndarray:
    """How much the labels already given to each item disagree: vote entropy (Settles 2009, eq. 3.4).

    The entropy of the share of votes each class got, over ``log(n_classes)``. An item with fewer
    than two labels has nothing to disagree about and scores 0.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (n_items, n_classes): how many annotators gave each class to each item (see
        :func:`curate.annotators.category_counts`).

    Returns
    -------
    numpy.ndarray
        Shape (n_items,), in [0, 1]: 0 when every annotator agrees, 1 for an even split over every class.

    Raises
    ------
    ValueError
        When ``counts`` is not 2-d or holds a negative count.

    Examples
    --------
    >>> vote_entropy(np.array([[3, 0], [1, 1], [1, 0]])).tolist()
    [0.0, 1.0, 0.0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or (counts < 0).any():
        raise ValueError(f"vote counts must be a 2-d table of non-negative counts, not shape {counts.shape}")
    out = np.zeros(len(counts))
    if counts.shape[1] < 2:
        return out
    totals = counts.sum(axis=1)
    several = totals >= 2
    shares = counts[several] / totals[several, None]
    safe = np.where(shares > 0, shares, 1.0)
    out[several] = np.sum(shares * np.log(1.0 / safe), axis=1) / np.log(counts.shape[1])
    return np.clip(out, 0.0, 1.0)


def nearest_distances(features: np.ndarray, rows: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """The Euclidean distance from each of ``rows`` to its nearest item among ``centers``.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_items, dim).
    rows : numpy.ndarray
        Shape (n_rows,), int positions to measure from.
    centers : numpy.ndarray
        Shape (n_centers,), int positions to measure to.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows,), float64; ``inf`` everywhere when ``centers`` is empty.
    """
    out = np.full(len(rows), np.inf)
    if len(centers) == 0 or len(rows) == 0:
        return out
    for start in range(0, len(centers), _BLOCK):
        block = np.asarray(features[centers[start:start + _BLOCK]], dtype=np.float64)
        block_sq = np.einsum("ij,ij->i", block, block)
        for at in range(0, len(rows), _BLOCK):
            chunk = np.asarray(features[rows[at:at + _BLOCK]], dtype=np.float64)
            squared = np.einsum("ij,ij->i", chunk, chunk)[:, None] - 2.0 * chunk @ block.T + block_sq[None, :]
            nearest = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
            out[at:at + _BLOCK] = np.minimum(out[at:at + _BLOCK], nearest)
    return out


def k_center_greedy(features: np.ndarray, candidates: np.ndarray, centers: np.ndarray,
                    n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``n`` of ``candidates``, each the farthest from every center and earlier pick (Sener & Savarese 2018).

    With no centers the first pick is the candidate nearest the candidates' mean (the most typical
    one), so the result needs no random draw. Ties go to the earlier candidate.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_items, dim).
    candidates : numpy.ndarray
        Shape (n_candidates,), int positions that may be picked.
    centers : numpy.ndarray
        Shape (n_centers,), int positions already covered (the labelled items).
    n : int
        How many to pick (fewer when there are fewer candidates).

    Returns
    -------
    picked : numpy.ndarray
        Shape (min(n, n_candidates),), int positions in pick order.
    distances : numpy.ndarray
        Same shape, float64: each pick's distance to the nearest center or earlier pick when it was
        picked (``inf`` for a first pick with no centers).

    Examples
    --------
    >>> X = np.array([[0.0], [0.1], [5.0], [10.0]])
    >>> k_center_greedy(X, np.array([1, 2, 3]), np.array([0]), 2)[0].tolist()
    [3, 2]
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    n = min(n, len(candidates))
    picked = np.empty(n, dtype=np.int64)
    distances = np.empty(n)
    if n == 0:
        return picked, distances
    nearest = nearest_distances(features, candidates, np.asarray(centers, dtype=np.int64))
    rows = np.asarray(features[candidates], dtype=np.float64)
    for i in range(n):
        if np.isinf(nearest).all():
            middle = rows.mean(axis=0)
            at = int(np.argmin(np.einsum("ij,ij->i", rows - middle, rows - middle)))
        else:
            at = int(np.argmax(nearest))
        picked[i], distances[i] = candidates[at], nearest[at]
        step = np.sqrt(np.maximum(np.einsum("ij,ij->i", rows - rows[at], rows - rows[at]), 0.0))
        nearest = np.minimum(nearest, step)
        nearest[at] = -1.0  # never again
    return picked, distances
