"""Which item an annotator sees next: the one seam that orders an annotator's queue.

:func:`annotation_order` is the only place that orders it. Once a model is ready, the items that
:func:`curate.annotators.active.next_items` ranks (disputed items worth another label, then the
items the model is least sure of, one per group of similar ones) come first; the others, and
every item during a cold start, follow with the fewest labels first, then by position, so that
every item reaches its K labels before any gets extra attention. Who may label what
(:func:`open_items`) does not depend on the order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["REASONS", "annotation_order", "open_items"]

# Why an item is next, as an annotator is told; none of it names a label.
REASONS = {
    "disagreement": "annotators disagree on this item, so it needs another label",
    # what an annotator is told instead: whether others agreed is not theirs to know before labelling
    "more_labels": "this item needs more labels before it is settled",
    "uncertainty": "the model is least sure about this item",
    "order": "items with the fewest labels come first",
}


def open_items(label_counts: np.ndarray, done_by_me: np.ndarray, per_item: int) -> np.ndarray:
    """The positions one annotator may still label: fewer than ``per_item`` labels, and not theirs.

    Parameters
    ----------
    label_counts : numpy.ndarray
        Shape (n_items,): how many annotators labelled each item.
    done_by_me : numpy.ndarray
        Shape (n_items,), bool: items this annotator labelled or skipped.
    per_item : int
        Annotators per item (K).

    Returns
    -------
    numpy.ndarray
        The open positions, ascending, int64.
    """
    return np.flatnonzero((label_counts < per_item) & ~done_by_me).astype(np.int64)


def annotation_order(positions: np.ndarray, label_counts: np.ndarray, ranking: Sequence[int] = ()) -> np.ndarray:
    """Order an annotator's open items: the model's ranking first, then fewest labels, then position.

    Parameters
    ----------
    positions : numpy.ndarray
        Shape (n_open,): the open items' positions (from :func:`open_items`).
    label_counts : numpy.ndarray
        Shape (n_items,): labels so far per item, indexed by position.
    ranking : sequence of int, default ()
        Positions in the order active learning wants them labelled
        (:func:`curate.annotators.active.next_items`); empty while no model is ready (a cold
        start), which leaves fewest labels first.

    Returns
    -------
    numpy.ndarray
        ``positions`` reordered; the first is served next. Ranked open items come first in
        ranking order; ranked items that are not open are left out of it.

    Examples
    --------
    >>> annotation_order(np.array([0, 1, 2]), np.array([2, 0, 1])).tolist()
    [1, 2, 0]
    >>> annotation_order(np.array([0, 1, 2]), np.array([2, 0, 1]), ranking=[0, 5]).tolist()
    [0, 1, 2]
    """
    positions = np.asarray(positions, dtype=np.int64)
    rest = positions[np.lexsort((positions, np.asarray(label_counts)[positions]))]
    if not len(ranking):
        return rest
    ranked = np.asarray(ranking, dtype=np.int64)
    ranked = ranked[np.isin(ranked, positions)]
    _, first = np.unique(ranked, return_index=True)  # a position ranked twice counts once, at its first place
    ranked = ranked[np.sort(first)]
    return np.concatenate([ranked, rest[~np.isin(rest, ranked)]])
