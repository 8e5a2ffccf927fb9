"""Lazily computed audit inputs: each need is computed once, on first request, and timed."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from curate.audit.resume import Checkpoints
from curate.core.config import AuditConfig
from curate.core.dataset import Dataset
from curate.core.keys import distinct_input_weights, duplicate_groups, keys_with_vectors
from curate.core.predictions import PredProbs
from curate.core.progress import ProgressReporter, SilentProgress
from curate.core.verified import VerifiedLabels
from curate.core.warnings import AuditWarning
from curate.engines import Engine, LocalEngine, using_engine
from curate.errors import InputError
from curate.evidence.label_evidence import LabelEvidence, label_evidence, vote_neighbours
from curate.evidence.predictions import cross_val_pred_probs, named_classifier
from curate.evidence.trust import LEARNING_CURVE_MAX_ROWS, evidence_strength, evidence_warnings
from curate.features import FeatureCache, TextEmbedder
from curate.modalities import Modality, get_modality
from curate.modalities.base import ExtraView, FeatureSet
from curate.neighbors import NeighborGraph, build_neighbor_graph

__all__ = ["RESUMABLE_NEEDS", "AuditNeeds", "ScopedNeeds"]

# The needs that take minutes on large data, kept for a resumed run (the features have their own cache).
RESUMABLE_NEEDS = ("pred_probs", "neighbors", "label_evidence")


@dataclass
class AuditNeeds:
    """Computes what detectors ask for, each at most once per audit.

    Attributes
    ----------
    dataset : Dataset
        The rows being audited.
    config : AuditConfig
        The run's settings.
    embedder : TextEmbedder or None
        The text embedder to use (None: the modality's default).
    cache : FeatureCache or None
        The feature cache.
    pred_probs : PredProbs or None
        The user's own out-of-fold probabilities, used as given.
    features : numpy.ndarray or None
        The user's own features, shape (n_rows, dim), used instead of the modality's (never cached).
    classifier : sklearn classifier or None
        The user's own classifier for the out-of-fold probabilities, cloned for every fit; wins
        over ``config.classifier``.
    engine : Engine
        Where the cross-validation folds and the embedding run (started by the caller); a plain
        loop in this process by default.
    neighbors_k : int
        Neighbours per row of the run's one graph: the most any consumer reads.
    checks_neighbors_k : int or None
        The most the checks read; once the label vote has read its (more) neighbours the graph
        keeps only these. None keeps the whole graph.
    progress : ProgressReporter
        Where progress goes.
    timings, metrics : dict
        Filled in as needs are computed (seconds, exclusive of nested needs; facts for the run).
    warnings : list of AuditWarning
        Run-level warnings raised while computing needs (weak evidence, unreadable languages, ...).
    resolved_config : dict
        The run's configuration with every default filled in (set by the audit).
    checkpoints : Checkpoints or None
        Where the finished stages of :data:`RESUMABLE_NEEDS` are kept and taken up again when the
        same audit was interrupted before (see :mod:`curate.audit.resume`); None keeps nothing.
    verified : VerifiedLabels or None
        Rows whose true labels a person checked (the label check learns its chances from them).
    """

    dataset: Dataset
    config: AuditConfig = field(default_factory=AuditConfig)
    embedder: TextEmbedder | None = None
    cache: FeatureCache | None = None
    pred_probs: PredProbs | None = None
    features: np.ndarray | None = None
    classifier: Any = None
    neighbors_k: int = 10
    checks_neighbors_k: int | None = None
    engine: Engine = field(default_factory=LocalEngine)
    progress: ProgressReporter = field(default_factory=SilentProgress)
    timings: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    warnings: list[AuditWarning] = field(default_factory=list)
    resolved_config: dict[str, Any] = field(default_factory=dict)
    checkpoints: Checkpoints | None = None
    verified: VerifiedLabels | None = None
    _values: dict[str, Any] = field(default_factory=dict)
    _nested: list[float] = field(default_factory=list)
    _surface_features: bool = False
    _feature_set: FeatureSet | None = None

    @property
    def modality(self) -> Modality:
        """The dataset's modality.

        Returns
        -------
        Modality
            The registered modality named by ``dataset.modality``.
        """
        return get_modality(self.dataset.modality)

    @property
    def embedder_used(self) -> object:
        """The embedder that made the features, or None (not computed, or the user's own vectors).

        Returns
        -------
        object
            The modality's embedder object (a text embedder, or the pixels for ``hashed`` on pictures).
        """
        return None if self._feature_set is None else self._feature_set.embedder

    def need(self, name: str) -> Any:
        """The value of need ``name``, computed on first request.

        Parameters
        ----------
        name : str
            One of :data:`curate.detectors.NEED_NAMES`.

        Returns
        -------
        object
            The need's value (a Dataset, an array, a NeighborGraph, ...).

        Raises
        ------
        InputError
            For a name that is not a need.
        """
        if name not in self._values:
            compute = getattr(self, f"_compute_{name}", None)
            if compute is None:
                raise InputError(f"no audit input named {name!r}")
            # Timings are exclusive: a need computed inside another is not counted twice.
            self._nested.append(0.0)
            started = time.perf_counter()
            self._values[name] = self._resumed_or_computed(name, compute)
            elapsed = time.perf_counter() - started
            inner = self._nested.pop()
            if self._nested:
                self._nested[-1] += elapsed
            self.timings[name] = round(elapsed - inner, 3)
        return self._values[name]

    def _resumed_or_computed(self, name: str, compute: Callable[[], Any]) -> Any:
        """A need's value from an interrupted run's checkpoint, else computed (and kept if resumable)."""
        resumable = self.checkpoints is not None and name in RESUMABLE_NEEDS and not (
            name == "pred_probs" and self.pred_probs is not None)
        if resumable:
            assert self.checkpoints is not None
            kept = self.checkpoints.load(name)
            if kept is not None:
                value, metrics, warnings = kept
                self.metrics.update(metrics)
                self.add_warnings(warnings)
                return value
            metrics_before, warnings_before = dict(self.metrics), len(self.warnings)
        with using_engine(self.engine):  # the folds and the embedding ask for it there
            value = compute()
        if resumable:
            assert self.checkpoints is not None
            added = {k: v for k, v in self.metrics.items() if k not in metrics_before or metrics_before[k] != v}
            self.checkpoints.save(name, (value, added, self.warnings[warnings_before:]))
        return value

    def add_warnings(self, warnings: Sequence[AuditWarning]) -> None:
        """Add run-level warnings, leaving out any already raised (a resumed stage repeats its own).

        Parameters
        ----------
        warnings : sequence of AuditWarning
            The warnings to add, in order.
        """
        for warning in warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)

    def computed(self, name: str) -> Any:
        """A need's value if some detector asked for it, else None (never computes).

        Parameters
        ----------
        name : str
            A need name.

        Returns
        -------
        object or None
            The value :meth:`need` computed, or None when no detector asked for ``name``.
        """
        return self._values.get(name)

    def vote_neighbours(self) -> int:
        """How many neighbours the label vote reads (the graph must hold at least this many).

        Returns
        -------
        int
            The vote's neighbour count for this dataset's class sizes and ``config.evidence``
            (see :func:`curate.evidence.label_evidence.vote_neighbours`).
        """
        return vote_neighbours(self.dataset.label_codes, self.config.evidence)

    def _compute_dataset(self) -> Dataset:
        return self.dataset

    def _compute_verified_labels(self) -> VerifiedLabels | None:
        return self.verified

    def _compute_duplicate_groups(self) -> np.ndarray:
        keys = self.modality.exact_keys(self.dataset)
        if self.features is not None:  # the user's vectors are part of each row's input
            keys = keys_with_vectors(keys, self.features)
        return duplicate_groups(keys)

    def _compute_features(self) -> np.ndarray:
        if self.features is not None:
            self.metrics.update({"embedder": "user features", "feature_dim": int(self.features.shape[1])})
            return self.features
        made = self.modality.features(self.dataset, embedder=self.embedder, cache=self.cache, progress=self.progress)
        self.metrics.update(made.metrics)
        self.add_warnings(made.warnings)
        self._surface_features = made.surface
        self._feature_set = made
        return made.vectors

    def _compute_input_similarity(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
        # Only surface features need near copies decided on the inputs (see FeatureSet.surface).
        self.need("features")
        if not self._surface_features:
            return None
        modality, dataset = self.modality, self.dataset
        empty = np.zeros(0, dtype=np.int64)
        if modality.input_similarity(dataset, empty, empty) is None:  # the modality measures nothing
            return None

        last: dict[bytes, np.ndarray] = {}

        def similarity(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
            # The copy detectors ask about the same graph pairs: measure them once.
            key = np.asarray(rows).tobytes() + b"|" + np.asarray(cols).tobytes()
            if key not in last:
                last.clear()
                last[key] = np.asarray(modality.input_similarity(dataset, rows, cols))
            return last[key]

        return similarity

    def _compute_pred_probs(self) -> PredProbs:
        if self.pred_probs is not None:
            return self.pred_probs
        features = self.need("features")
        classifier = self._classifier()
        with self.progress.task("cross-validation", self.config.folds) as advance:
            result = cross_val_pred_probs(features, self.dataset.label_codes, len(self.dataset.classes),
                                          classifier=classifier, folds=self.config.folds, seed=self.config.seed,
                                          progress=advance)
        self.metrics["oof_accuracy"] = round(float(result.accuracy or 0.0), 4)
        self.metrics["folds"] = result.folds
        self.metrics["classifier"] = type(classifier).__name__
        n_rows = len(self.dataset.label_codes)
        if n_rows <= LEARNING_CURVE_MAX_ROWS and result.folds:
            # The learning curve's last step: is the model still learning? (see curate.evidence.trust)
            half = max(n_rows * (result.folds - 1) // result.folds // 2, 2 * len(self.dataset.classes))
            halved = cross_val_pred_probs(features, self.dataset.label_codes, len(self.dataset.classes),
                                          classifier=classifier, folds=self.config.folds, seed=self.config.seed,
                                          max_train_rows=half)
            self.metrics["half_train_accuracy"] = round(float(halved.accuracy or 0.0), 4)
        return result

    def _classifier(self) -> Any:
        if self.classifier is not None:
            from sklearn.base import clone

            return clone(self.classifier)
        if self.config.classifier != "auto":
            return named_classifier(self.config.classifier, self.config.seed)
        counts = np.bincount(self.dataset.label_codes)
        smallest = int(counts[counts > 0].min()) if counts.size else 0
        return self.modality.default_classifier(self.config.seed, smallest)

    def _compute_label_evidence(self) -> LabelEvidence:
        first_pass: PredProbs = self.need("pred_probs")
        codes, n_classes = self.dataset.label_codes, len(self.dataset.classes)
        if self.pred_probs is not None:  # the user's probabilities, used as given: no features needed
            given = label_evidence(None, codes, n_classes, first_pass, classifier=None, config=self.config.evidence)
            return self._judged(given)
        features = self.need("features")
        graph: NeighborGraph = self.need("neighbors")
        folds = self.config.folds
        extra = self._extra_views()
        with self.progress.task("label evidence", folds * (1 + len(extra))) as advance:
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                advance(n)

            evidence = label_evidence(features, codes, n_classes, first_pass, classifier=self._classifier(),
                                      graph=graph, config=self.config.evidence, folds=folds,
                                      seed=self.config.seed, progress=step, extra=extra)
            advance(max(0, folds * (1 + len(extra)) - done[0]))  # the refit is skipped on small classes: finish the bar
        kept = self.checks_neighbors_k
        if kept is not None and graph.k > kept:
            # The vote read the far neighbours; the checks read only the nearest few, so the graph
            # keeps those alone (at a million rows the 40 others are 640 MB held to the run's end).
            self._values["neighbors"] = NeighborGraph(np.ascontiguousarray(graph.indices[:, :kept]),
                                                      np.ascontiguousarray(graph.distances[:, :kept]),
                                                      graph.normalized, graph.scale, graph.method)
        self.metrics["label_evidence_accuracy"] = round(evidence.accuracy, 4)
        self.metrics["vote_neighbours"] = evidence.vote_neighbours
        self.metrics["refit_without_suspects"] = evidence.pruned_rows
        if evidence.mix is not None:
            mix = evidence.mix
            self.metrics["classifier_weight"] = round(mix.classifier_weight, 2)
            self.metrics["evidence_temperature"] = round(mix.temperature, 3)
            self.metrics["view_weights"] = {"classifier": round(mix.classifier_weight, 2),
                                            "neighbours": round(mix.neighbour_weight, 2),
                                            **{name: round(w, 2)
                                               for name, w in zip(evidence.extra, mix.extra_weights, strict=True)}}
        described = {view.name: view.description for view in extra}
        for name, probs in evidence.extra.items():
            self.metrics[f"{name}_view"] = described[name]
            self.metrics[f"{name}_oof_accuracy"] = round(float(np.mean(probs.argmax(axis=1) == codes)), 4)
        self._heaviest_view_learning_curve(evidence, extra)
        return self._judged(evidence)

    def _heaviest_view_learning_curve(self, evidence: LabelEvidence, extra: Sequence[ExtraView]) -> None:
        """Cross-validate the evidence's heaviest further view again on half of each training fold.

        The classifier's learning curve (``half_train_accuracy``) says nothing when the mix gives it
        no weight: on 800 clean CIFAR-10 pictures read as pixels (``--no-embed``) the classifier
        gained a point from half its training rows to all of them, while the small network that
        carried 0.9 of the evidence had seen too few pictures, and its confusions read as 48 % label
        noise. Recorded as ``learning_curve`` (view, weight, both accuracies) for the still-learning
        check; only up to ``LEARNING_CURVE_MAX_ROWS`` rows, as for the classifier.
        """
        mix, codes = evidence.mix, self.dataset.label_codes
        n_rows, folds = len(codes), self.config.folds
        if mix is None or not extra or n_rows > LEARNING_CURVE_MAX_ROWS or not folds:
            return
        weight, heaviest = max(zip(mix.extra_weights, extra, strict=True), key=lambda pair: pair[0])
        if weight <= max(mix.classifier_weight, mix.neighbour_weight):
            return  # the classifier's own curve (or the neighbour vote) speaks for the evidence
        n_classes = len(self.dataset.classes)
        half = max(n_rows * (folds - 1) // folds // 2, 2 * n_classes)
        with self.progress.task(f"learning curve of the {heaviest.name} view", folds) as advance, \
                warnings.catch_warnings():
            # A kernel view's landmarks are sized for the full training folds; on half of them
            # scikit-learn takes every row as a landmark and says so. That is the half-data model.
            warnings.filterwarnings("ignore", message="n_components > n_samples", category=UserWarning)
            halved = cross_val_pred_probs(heaviest.features, codes, n_classes, classifier=heaviest.classifier,
                                          folds=folds, seed=self.config.seed, max_train_rows=half,
                                          progress=advance)
        full = float(np.mean(evidence.extra[heaviest.name].argmax(axis=1) == codes))
        self.metrics["learning_curve"] = {"view": heaviest.name, "weight": round(weight, 2),
                                          "half_train_accuracy": round(float(halved.accuracy or 0.0), 4),
                                          "oof_accuracy": round(full, 4)}

    def _extra_views(self) -> list[ExtraView]:
        """The modality's further readings of the rows, unless the user brought their own features or model."""
        if self.features is not None or self.classifier is not None or self.config.classifier != "auto":
            return []
        self.need("features")
        made = self._feature_set
        if made is None:
            return []
        extra = self.modality.extra_views(self.dataset, features=made, seed=self.config.seed)
        for view in extra:
            self.progress.message(f"label evidence also reads: {view.description}")
        return extra

    def _judged(self, evidence: LabelEvidence) -> LabelEvidence:
        """Record the evidence's skill over guessing, and warn (withholding flags) where it is too weak.

        Rows whose input could not be read (a picture nobody could decode reached the classifier as
        zeros) are marked on the evidence and taken out of the ambiguous rows: no label claim on them.
        """
        unread = self.modality.unread_rows(self.dataset)
        if unread.any():
            evidence = replace(evidence, unread=unread, ambiguous=evidence.ambiguous & ~unread)
        strength = evidence.strength
        if strength is not None:
            # Judged on distinct inputs: each group of exact copies counts once (see evidence_strength).
            weights = distinct_input_weights(self.need("duplicate_groups"))
            if weights is not None:
                strength = evidence_strength(evidence.probs, self.dataset.label_codes,
                                             self.config.evidence.min_class_rows, weights)
                evidence = replace(evidence, strength=strength)
            self.metrics["majority_rate"] = round(strength.majority_rate, 4)
            self.metrics["evidence_skill"] = round(strength.skill, 4)
            self.add_warnings(evidence_warnings(strength, self.config.evidence))
        return evidence

    def _compute_neighbors(self) -> NeighborGraph:
        features = self.need("features")
        with self.progress.task("neighbour search", len(features)) as advance:
            graph = build_neighbor_graph(features, k=self.neighbors_k, progress=advance)
        self.metrics["neighbours_per_row"] = graph.k
        return graph


class ScopedNeeds:
    """What one detector sees: only the needs it declared, so an undeclared dependency fails loudly.

    Parameters
    ----------
    needs : AuditNeeds
        The audit's needs.
    allowed : frozenset of str
        The needs the detector declared.
    detector : str
        The detector's name, for the error message.
    """

    def __init__(self, needs: AuditNeeds, allowed: frozenset[str], detector: str) -> None:
        self._needs = needs
        self._allowed = allowed
        self._detector = detector

    def need(self, name: str) -> Any:
        """The value of a declared need.

        Parameters
        ----------
        name : str
            A need the detector declared.

        Returns
        -------
        object
            The need's value, computed on first request and shared with every other detector.

        Raises
        ------
        RuntimeError
            When the detector did not declare ``name``.
        """
        if name not in self._allowed:
            raise RuntimeError(f"detector {self._detector!r} asked for {name!r} without declaring it in needs")
        return self._needs.need(name)
