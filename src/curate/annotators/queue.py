"""Which item an annotator sees next: the one seam that active learning will replace.

:func:`annotation_order` is the only place that orders an annotator's queue. For now it serves the
items with the fewest labels first, then by position, so that every item reaches its K labels
before any gets extra attention. ``curate.annotators.active.next_items`` (uncertainty,
disagreement, diversity) is meant to take its place: keep the signature, swap the body.
"""

from __future__ import annotations

import numpy as np

__all__ = ["annotation_order", "open_items"]


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


def annotation_order(positions: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """Order an annotator's open items: fewest labels first, then by position.

    Parameters
    ----------
    positions : numpy.ndarray
        Shape (n_open,): the open items' positions (from :func:`open_items`).
    label_counts : numpy.ndarray
        Shape (n_items,): labels so far per item, indexed by position.

    Returns
    -------
    numpy.ndarray
        ``positions`` reordered; the first is served next.

    Examples
    --------
    >>> annotation_order(np.array([0, 1, 2]), np.array([2, 0, 1])).tolist()
    [1, 2, 0]
    """
    positions = np.asarray(positions, dtype=np.int64)
    return positions[np.lexsort((positions, np.asarray(label_counts)[positions]))]
