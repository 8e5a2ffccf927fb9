"""Active learning while annotators label: a model retrained in the background, its learning curve, the ranking.

:class:`Trainer` owns one background thread at a time. At start it computes the items' text
features once (:func:`curate.annotators.text_vectors`, cached), then rebuilds the learning curve by
replaying the ledger's labels in order and retraining at every ``every`` labels (every multiple of
it that keeps the replay to :data:`MAX_REPLAY` fits on a long ledger), so a restart keeps the
curve. After that, :meth:`Trainer.notify` (called after each label) starts a retrain once
``every`` new labels have come in, unless one is running; the running one catches up before it
stops. A retrain fits :func:`curate.annotators.retrain` on each item's majority label (ties left
out) and ranks the items with :func:`curate.annotators.next_items`: disputed items that still need
labels first, then the items the model is least sure of. Requests read the latest finished model
under a lock and never wait for a fit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

from curate.annotators.active import next_items
from curate.annotators.learning import TrainingRecord, retrain
from curate.annotators.queueing import text_vectors
from curate.annotators.tasks import AnnotationView
from curate.features import FeatureCache
from curate.store.annotations import ANNOTATE

# A restart replays at most this many retrainings: every ``every`` labels, or a multiple of it on a long ledger
# (15,000 labels at every 20 would be 750 fits, each seconds long on 3,000 items).
MAX_REPLAY = 50

__all__ = ["MAX_REPLAY", "CurvePoint", "LiveModel", "Trainer", "fit_and_rank", "item_texts", "majority_labels",
           "replay"]


@dataclass(frozen=True)
class CurvePoint:
    """One retraining on the learning curve.

    Attributes
    ----------
    labels : int
        Labels given so far (the ledger's ``annotate`` entries) when it was trained.
    labelled_items : int
        Items with a majority label, which the model learnt from.
    oof_accuracy : float or None
        Out-of-fold accuracy on those items; None when it could not be measured.
    at : str
        When the last of those labels was given (ISO 8601, UTC).
    fitted_at : str
        When the model was fitted.
    """

    labels: int
    labelled_items: int
    oof_accuracy: float | None
    at: str
    fitted_at: str


@dataclass(frozen=True)
class LiveModel:
    """The latest finished model: what it learnt from and the items it ranks first.

    Attributes
    ----------
    record : TrainingRecord
        The fit's record.
    labels : int
        Labels given when it was trained.
    ranking : list of int
        Positions to serve first, in order; empty during a cold start.
    reasons : dict of int to str
        Each ranked position's reason: ``disagreement`` or ``uncertainty``.
    cold_start : bool
        True when the model cannot rank yet (a class without a label, too few labels).
    note : str
        How the ranking was chosen.
    """

    record: TrainingRecord
    labels: int
    ranking: list[int]
    reasons: dict[int, str]
    cold_start: bool
    note: str


def item_texts(view: AnnotationView) -> list[str]:
    """Each item's text for the features: its fields' values joined by new lines, in position order.

    Parameters
    ----------
    view : AnnotationView
        The dataset.

    Returns
    -------
    list of str
        One text per item.
    """
    return ["\n".join(str(v) for v in json.loads(f).values()) for f in view.items["fields"]]


def _votes(latest: dict[tuple[int, str], int], n_items: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    votes = np.zeros((n_items, n_classes), dtype=np.int64)
    for (position, _), code in latest.items():
        votes[position, code] += 1
    top = votes.max(axis=1)
    codes = votes.argmax(axis=1).astype(np.int64)
    codes[(top == 0) | ((votes == top[:, None]).sum(axis=1) > 1)] = -1
    return codes, votes


def replay(view: AnnotationView, every: int) -> Iterator[tuple[int, str, np.ndarray, np.ndarray]]:
    """The labels as they stood after every ``every``-th label of the ledger, and at the end.

    Parameters
    ----------
    view : AnnotationView
        The dataset.
    every : int
        Yield after this many labels, and its multiples; 0 yields the end only.

    Yields
    ------
    labels : int
        Labels given so far.
    at : str
        When the last of them was given.
    codes : numpy.ndarray
        Shape (n_items,): each item's majority class code, -1 for none or a tie.
    votes : numpy.ndarray
        Shape (n_items, n_classes): each item's labels per class.
    """
    position = dict(zip(view.items["row_id"], view.items["position"], strict=True))
    code = {c: i for i, c in enumerate(view.settings.classes)}
    n_items, n_classes = len(view.items), len(view.settings.classes)
    latest: dict[tuple[int, str], int] = {}
    given, at = 0, ""
    for e in view.entries:
        p = position.get(e.row_id)
        if e.action != ANNOTATE or p is None or e.new_value not in code:
            continue
        latest[(int(p), e.reviewer)] = code[str(e.new_value)]
        given, at = given + 1, e.created_at
        if every and given % every == 0:
            yield (given, at, *_votes(latest, n_items, n_classes))
    if not every or given % every:
        yield (given, at, *_votes(latest, n_items, n_classes))


def majority_labels(view: AnnotationView) -> tuple[int, np.ndarray, np.ndarray]:
    """The labels given so far, each item's majority class code (ties left out) and its votes.

    Parameters
    ----------
    view : AnnotationView
        The dataset.

    Returns
    -------
    labels : int
        Labels given.
    codes : numpy.ndarray
        Shape (n_items,): class codes into ``view.settings.classes``; -1 for none or a tie.
    votes : numpy.ndarray
        Shape (n_items, n_classes): labels per class.
    """
    given, _, codes, votes = next(replay(view, 0))
    return given, codes, votes


def fit_and_rank(features: np.ndarray, codes: np.ndarray, votes: np.ndarray, n_classes: int, per_item: int,
                 labels: int, *, batch: int = 50) -> LiveModel:
    """Retrain on the majority labels and rank the items to label next.

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_items, dim).
    codes : numpy.ndarray
        Shape (n_items,): majority class codes, -1 for none.
    votes : numpy.ndarray
        Shape (n_items, n_classes): labels per class.
    n_classes : int
        Number of classes.
    per_item : int
        Annotators per item (K): disputed items that have them all are not ranked.
    labels : int
        Labels given so far.
    batch : int, default 50
        Items ranked by uncertainty, and at most as many disputed ones.

    Returns
    -------
    LiveModel
        The record and the ranking.
    """
    fitted = retrain(features, codes, n_classes)
    open_votes = np.where((votes.sum(axis=1) < per_item)[:, None], votes, 0)
    disputed = next_items(features, codes, strategy="disagreement", vote_counts=open_votes, batch=batch)
    unskilled = _no_better_than_chance(fitted.record, codes)
    if unskilled:
        # A model that does not beat the commonest class ranks noise; the annotators' disagreement needs no model.
        disputed_only = {item.position: item.reason for item in disputed.items}
        return LiveModel(fitted.record, labels, list(disputed_only), disputed_only, True, unskilled)
    queue = next_items(features, codes, probs=fitted.probs, n_classes=n_classes, batch=batch)
    if queue.cold_start:
        return LiveModel(fitted.record, labels, [], {}, True, queue.note)
    reasons: dict[int, str] = {}
    for item in [*disputed.items, *queue.items]:
        reasons.setdefault(item.position, item.reason)
    return LiveModel(fitted.record, labels, list(reasons), reasons, False, queue.note)


# From this many labelled items on, a fit must beat the commonest class significantly to rank; below it the
# cold-start rules and "better than the commonest class" suffice, since early fits are rough but beat file order.
SIGNIFICANT_FROM = 50
MAX_P_VALUE = 0.05


def _no_better_than_chance(record: TrainingRecord, codes: np.ndarray) -> str:
    """Why the fit cannot rank (its out-of-fold accuracy does not beat the commonest class), or "" when it can.

    A one-sided exact binomial test of the out-of-fold hits against the commonest class's share of
    the labelled items, from :data:`SIGNIFICANT_FROM` labelled items on; fewer need only a higher accuracy.
    """
    from scipy.stats import binomtest

    labelled = codes[codes >= 0]
    if record.oof_accuracy is None or not len(labelled):
        return ""  # not measured (too few labels): the cold-start rules of next_items decide
    chance = float(np.bincount(labelled).max() / len(labelled))
    hits = round(record.oof_accuracy * len(labelled))
    p_value = float(binomtest(hits, len(labelled), chance, alternative="greater").pvalue) if chance < 1 else 1.0
    if record.oof_accuracy > chance and (len(labelled) < SIGNIFICANT_FROM or p_value < MAX_P_VALUE):
        return ""
    return (f"the model does not explain the labels yet (out-of-fold accuracy {record.oof_accuracy:.3f} against "
            f"{chance:.3f} for the commonest class, binomial p = {p_value:.2g}): disputed items first, then the "
            "plain order")


class Trainer:
    """The background retraining of one annotation dataset.

    Parameters
    ----------
    read_view : callable
        Returns the dataset as it stands now (the app's cached read).
    every : int, default 20
        Retrain after this many new labels.
    cache : FeatureCache, optional
        Where the text features are cached.
    before_fit : callable, optional
        Called in the worker before each fit (tests block it with an event).
    """

    def __init__(self, read_view: Callable[[], AnnotationView], *, every: int = 20,
                 cache: FeatureCache | None = None, before_fit: Callable[[], None] | None = None) -> None:
        if every < 1:
            raise ValueError(f"retrain every must be at least 1 label, not {every}")
        self.every = every
        self._read_view = read_view
        self._cache = cache
        self._before_fit = before_fit
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._features: np.ndarray | None = None
        self._feature_line = ""
        self._model: LiveModel | None = None
        self._curve: list[CurvePoint] = []
        self._state = "starting"
        self._error: str | None = None
        self._trained = 0  # labels the latest fit (or replay) saw
        self._given = 0  # labels given, as last counted or notified

    # ------------------------------------------------------------------ reading
    @property
    def model(self) -> LiveModel | None:
        """The latest finished model, or None before the first.

        Returns
        -------
        LiveModel or None
            The model.
        """
        with self._lock:
            return self._model

    def curve(self) -> list[CurvePoint]:
        """The learning curve so far, oldest first.

        Returns
        -------
        list of CurvePoint
            One point per retraining.
        """
        with self._lock:
            return list(self._curve)

    def status(self) -> dict[str, object]:
        """The model's state for the admin.

        Returns
        -------
        dict
            ``state`` (``features``, ``training``, ``ready``, ``cold start`` or ``failed``),
            ``every``, ``features`` (the feature choice), ``last_fit`` (the record or None),
            ``labels`` (labels of the last fit), ``note`` and ``error``.
        """
        with self._lock:
            m = self._model
            busy = self._worker is not None and self._worker.is_alive()
            state = self._state
            if state not in ("features", "failed"):
                state = "training" if busy else ("ready" if m is not None and not m.cold_start else "cold start")
            return {"state": state, "every": self.every, "features": self._feature_line,
                    "last_fit": None if m is None else asdict(m.record), "labels": None if m is None else m.labels,
                    "note": "" if m is None else m.note, "error": self._error}

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        """Compute the features and replay the ledger's curve in the background; returns at once."""
        with self._lock:
            self._state = "features"
            self._launch(self._boot)

    def notify(self, labels: int = 1) -> None:
        """Count new labels; start a retrain once ``every`` have come in since the last, unless one runs.

        Parameters
        ----------
        labels : int, default 1
            How many labels were just given.
        """
        with self._lock:
            self._given += labels
            if self._features is not None and self._given >= self._trained + self.every:
                self._launch(self._catch_up)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running worker, if any.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most.

        Returns
        -------
        bool
            True when no worker is running any more.
        """
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return True

    def _launch(self, target: Callable[[], None]) -> None:
        if self._worker is not None and self._worker.is_alive():
            return  # the running worker catches up before it stops
        self._worker = threading.Thread(target=self._guarded, args=(target,), name="curate-retrain", daemon=True)
        self._worker.start()

    def _guarded(self, target: Callable[[], None]) -> None:
        try:
            target()
        except Exception as exc:
            with self._lock:
                self._state, self._error = "failed", f"{type(exc).__name__}: {exc}"
                if self._worker is threading.current_thread():
                    self._worker = None

    def _fit(self, view: AnnotationView, labels: int, at: str, codes: np.ndarray, votes: np.ndarray) -> None:
        assert self._features is not None
        if self._before_fit is not None:
            self._before_fit()
        model = fit_and_rank(self._features, codes, votes, len(view.settings.classes), view.settings.per_item,
                             labels)
        point = CurvePoint(labels, int((codes >= 0).sum()), model.record.oof_accuracy, at, model.record.fitted_at)
        with self._lock:
            self._model, self._trained = model, labels
            self._curve.append(point)
            if self._state == "failed":  # a later fit worked: the error stays shown, the state does not
                self._state = "ready"

    def _boot(self) -> None:
        view = self._read_view()
        features, line = text_vectors(item_texts(view), cache=self._cache)
        with self._lock:
            self._features, self._feature_line, self._state = features, line, "training"
        given = majority_labels(view)[0]
        step = self.every * max(1, -(-given // (self.every * MAX_REPLAY)))
        for labels, at, codes, votes in replay(view, step):
            # Every step of the curve, and the labels as they stand now: a restart with 28 labels at
            # every 20 would otherwise rank by a model of the first 20 until 12 more came in.
            if labels:
                self._fit(view, labels, at, codes, votes)
            with self._lock:
                self._given = max(self._given, labels)
        with self._lock:
            self._state = "ready"
        self._catch_up()

    def _catch_up(self) -> None:
        while True:
            view = self._read_view()
            labels, codes, votes = majority_labels(view)
            with self._lock:
                self._given = max(self._given, labels)
                if labels < self._trained + self.every:
                    if self._worker is threading.current_thread():
                        self._worker = None  # from here on a new label may start a new worker
                    return
            at = max((e.created_at for e in view.entries if e.action == ANNOTATE), default="")
            self._fit(view, labels, at, codes, votes)
