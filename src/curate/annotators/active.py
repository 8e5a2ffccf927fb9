"""Active learning: which items to label next, in order, and why each one.

The default strategy, ``combined``, is diverse mini-batch active learning (F. Zhdanov, "Diverse
mini-batch Active Learning", arXiv:1901.05954, 2019): the ``PREFILTER`` x batch most uncertain
unlabelled items by margin (Settles 2009), grouped by k-means weighted by that uncertainty into one
group per slot of the batch, and the most uncertain item of each group, so that a batch does not
spend several labels on near copies of one confusing text. Until the model can be trusted to be
uncertain about the right things (fewer labelled items than classes, or a class with no label yet)
the queue is a cold start: diverse items by greedy k-center (Sener & Savarese 2018), and it says so.
The scores themselves live in :mod:`curate.annotators.acquisition`.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from curate.annotators.acquisition import (
    entropy_uncertainty,
    k_center_greedy,
    margin_uncertainty,
    nearest_distances,
    vote_entropy,
)

__all__ = ["PREFILTER", "STRATEGIES", "Queue", "QueueItem", "next_items"]

# Strategies by name: the default first.
STRATEGIES = ("combined", "margin", "entropy", "diversity", "disagreement", "random")
# The combined strategy groups this many times the batch of the most uncertain items (Zhdanov 2019 uses 10).
PREFILTER = 10


@dataclass(frozen=True)
class QueueItem:
    """One item to label next and why.

    Attributes
    ----------
    position : int
        The item's 0-based position in the table.
    reason : str
        Why it is in the queue: ``uncertainty``, ``diversity``, ``disagreement`` or ``random``.
    uncertainty : float or None
        The model's uncertainty about it in [0, 1] (margin, or entropy for that strategy); None without a model.
    disagreement : float or None
        Vote entropy of the labels it already has, in [0, 1]; None when no annotations were given.
    diversity : float or None
        Euclidean distance in feature space to the nearest labelled item or earlier item of this
        batch (0 for a copy); None when neither exists.
    predicted : int or None
        The model's most probable class code; None without a model.
    """

    position: int
    reason: str
    uncertainty: float | None = None
    disagreement: float | None = None
    diversity: float | None = None
    predicted: int | None = None


@dataclass(frozen=True)
class Queue:
    """The next batch to label, in order.

    Attributes
    ----------
    items : list of QueueItem
        First to label first.
    strategy : str
        The strategy asked for.
    cold_start : bool
        True when the batch was chosen for diversity alone because the model cannot be trusted yet.
    note : str
        One plain sentence on how the batch was chosen (says why when it is a cold start).
    """

    items: list[QueueItem] = field(default_factory=list)
    strategy: str = "combined"
    cold_start: bool = False
    note: str = ""

    @property
    def positions(self) -> list[int]:
        """The items' positions, in order.

        Returns
        -------
        list of int
            0-based positions.
        """
        return [item.position for item in self.items]

    def to_dict(self) -> dict[str, Any]:
        """The queue as JSON-ready data with stable keys.

        Returns
        -------
        dict
            ``strategy``, ``cold_start``, ``note`` and ``items`` (each item's fields as in :class:`QueueItem`).
        """
        return {"strategy": self.strategy, "cold_start": self.cold_start, "note": self.note,
                "items": [asdict(item) for item in self.items]}


def _cold_start_reason(labels: np.ndarray, n_classes: int) -> str | None:
    labelled = labels[labels >= 0]
    if len(labelled) < n_classes:
        return f"only {len(labelled)} labelled items for {n_classes} classes"
    missing = np.flatnonzero(np.bincount(labelled, minlength=n_classes) == 0)
    if len(missing):
        codes = ", ".join(str(int(c)) for c in missing[:5]) + (" ..." if len(missing) > 5 else "")
        return f"{len(missing)} of {n_classes} classes have no label yet (codes {codes})"
    return None


def _batch_distances(features: np.ndarray, order: np.ndarray, labelled: np.ndarray) -> np.ndarray:
    """Each item's distance to the nearest labelled item or earlier item of ``order``."""
    out = nearest_distances(features, order, labelled)
    for i in range(1, len(order)):
        out[i] = min(out[i], float(nearest_distances(features, order[i:i + 1], order[:i])[0]))
    return out


def _optional(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 6)


def _diverse(features: np.ndarray, labels: np.ndarray, batch: int) -> list[QueueItem]:
    unlabelled = np.flatnonzero(labels < 0)
    picked, distances = k_center_greedy(features, unlabelled, np.flatnonzero(labels >= 0), batch)
    return [QueueItem(int(p), "diversity", diversity=_optional(d)) for p, d in zip(picked, distances, strict=True)]


def _combined(features: np.ndarray, labels: np.ndarray, uncertainty: np.ndarray, batch: int,
              seed: int) -> np.ndarray:
    unlabelled = np.flatnonzero(labels < 0)
    # Most uncertain first; ties to the earlier position, so the order needs no random draw.
    ranked = unlabelled[np.lexsort((unlabelled, -uncertainty[unlabelled]))]
    candidates = ranked[:PREFILTER * batch]
    if len(candidates) <= batch:
        return candidates
    with warnings.catch_warnings():
        # Copies among the candidates can leave fewer distinct points than groups: handled below.
        warnings.simplefilter("ignore", ConvergenceWarning)
        groups = KMeans(n_clusters=batch, n_init=1, random_state=seed).fit_predict(
            np.asarray(features[candidates], dtype=np.float64), sample_weight=uncertainty[candidates] + 1e-6)
    # ``candidates`` is in uncertainty order, so each group's first member is its most uncertain one.
    _, first = np.unique(groups, return_index=True)
    chosen = candidates[np.sort(first)]
    if len(chosen) < batch:  # k-means left a group empty: top up with the most uncertain of the rest
        rest = candidates[~np.isin(candidates, chosen)]
        chosen = np.concatenate([chosen, rest[:batch - len(chosen)]])
    return chosen[np.lexsort((chosen, -uncertainty[chosen]))]


def next_items(features: np.ndarray, labels: np.ndarray, *, probs: np.ndarray | None = None,
               n_classes: int | None = None, batch: int = 20, strategy: str = "combined", seed: int = 0,
               vote_counts: np.ndarray | None = None) -> Queue:
    """The next ``batch`` items to label, in order, each with its reason.

    ``combined`` (the default, see the module docstring), ``margin`` and ``entropy`` rank the
    unlabelled items by the model's uncertainty; ``diversity`` picks them by greedy k-center;
    ``random`` draws them with ``seed``; ``disagreement`` ranks the items that already have labels
    by the vote entropy of those labels (items worth relabelling). The model strategies fall back
    to diversity while it is a cold start: fewer labelled items than classes, a class without a
    label, or no ``probs``. The same inputs and ``seed`` give the same queue.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_items, dim): the items' feature vectors.
    labels : numpy.ndarray
        Shape (n_items,), int class codes of the labels given so far, -1 for unlabelled.
    probs : numpy.ndarray, optional
        Shape (n_items, n_classes): a model's class probabilities for every item (see
        :func:`curate.annotators.retrain`).
    n_classes : int, optional
        How many classes there are; default ``probs.shape[1]``, else one more than the largest code.
    batch : int, default 20
        How many items to return (fewer when fewer qualify).
    strategy : str, default "combined"
        One of :data:`STRATEGIES`.
    seed : int, default 0
        Seed of the random draws (``random``, and the grouping of ``combined``).
    vote_counts : numpy.ndarray, optional
        Shape (n_items, n_classes): labels each item got from several annotators, for
        ``disagreement`` (see :func:`curate.annotators.category_counts`).

    Returns
    -------
    Queue
        The items, first to label first, and a note on how they were chosen.

    Raises
    ------
    ValueError
        For an unknown strategy, a batch below 1, shapes that do not match, or ``disagreement``
        without ``vote_counts``.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.5, 0.5], [0.1, 0.9]])
    >>> next_items(X, np.array([0, -1, -1, 1]), probs=probs, batch=2, strategy="margin").positions
    [2, 1]
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r} is unknown; use one of {', '.join(STRATEGIES)}")
    if batch < 1:
        raise ValueError(f"the batch must hold at least 1 item, not {batch}")
    labels = np.asarray(labels, dtype=np.int64)
    if labels.ndim != 1 or len(labels) != len(features):
        raise ValueError(f"labels must have shape ({len(features)},) like the features, not {labels.shape}")
    if probs is not None and np.shape(probs)[0] != len(labels):
        raise ValueError(f"probabilities must have {len(labels)} rows like the labels, not {np.shape(probs)[0]}")
    if n_classes is None:
        n_classes = int(np.shape(probs)[1]) if probs is not None else int(labels.max(initial=-1)) + 1
    labelled = np.flatnonzero(labels >= 0)
    if strategy == "disagreement":
        return _by_disagreement(labels, vote_counts, batch)
    if not (labels < 0).any():
        return Queue([], strategy, False, "every item is labelled")
    if strategy == "random":
        unlabelled = np.flatnonzero(labels < 0)
        drawn = np.random.default_rng(seed).permutation(unlabelled)[:batch]
        distances = _batch_distances(features, drawn, labelled)
        items = [QueueItem(int(p), "random", diversity=_optional(d)) for p, d in zip(drawn, distances, strict=True)]
        return Queue(items, strategy, False, f"{len(drawn)} unlabelled items in a random order (seed {seed})")
    cold = _cold_start_reason(labels, n_classes) if strategy != "diversity" else None
    if probs is None and strategy != "diversity":
        cold = "no model has been trained yet"
    if strategy == "diversity" or cold is not None:
        items = _diverse(features, labels, batch)
        note = (f"cold start: {cold}, so the queue cannot use the model's uncertainty; these items are "
                "diverse (each the farthest from everything labelled and chosen before it)" if cold else
                f"{len(items)} diverse items, each the farthest from everything labelled and chosen before it")
        return Queue(items, strategy, cold is not None, note)
    assert probs is not None
    scores = entropy_uncertainty(probs) if strategy == "entropy" else margin_uncertainty(probs)
    if strategy == "combined":
        chosen = _combined(features, labels, scores, batch, seed)
        note = (f"the most uncertain of {min(PREFILTER * batch, int((labels < 0).sum()))} uncertain items, "
                "one per group of similar items, most uncertain first")
    else:
        unlabelled = np.flatnonzero(labels < 0)
        chosen = unlabelled[np.lexsort((unlabelled, -scores[unlabelled]))][:batch]
        note = f"the {len(chosen)} items the model is least sure of ({strategy}), most uncertain first"
    distances = _batch_distances(features, chosen, labelled)
    predicted = np.asarray(probs).argmax(axis=1)
    items = [QueueItem(int(p), "uncertainty", uncertainty=round(float(scores[p]), 6), diversity=_optional(d),
                       predicted=int(predicted[p])) for p, d in zip(chosen, distances, strict=True)]
    return Queue(items, strategy, False, note)


def _by_disagreement(labels: np.ndarray, vote_counts: np.ndarray | None, batch: int) -> Queue:
    if vote_counts is None:
        raise ValueError("the disagreement strategy needs the annotators' labels (vote_counts)")
    counts = np.asarray(vote_counts)
    if counts.ndim != 2 or len(counts) != len(labels):
        raise ValueError(f"vote counts must have shape ({len(labels)}, n_classes), not {counts.shape}")
    scores = vote_entropy(counts)
    disputed = np.flatnonzero(scores > 0)
    order = disputed[np.lexsort((disputed, -scores[disputed]))][:batch]
    items = [QueueItem(int(p), "disagreement", disagreement=round(float(scores[p]), 6)) for p in order]
    note = (f"{len(items)} of {len(disputed)} items whose annotators disagree, most disputed first"
            if len(disputed) else "no item has annotators who disagree")
    return Queue(items, "disagreement", False, note)
