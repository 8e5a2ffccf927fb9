"""Lazily computed audit inputs: each need is computed once, on first request, and timed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.core.dataset import Dataset
from curate.core.keys import duplicate_groups
from curate.core.predictions import PredProbs
from curate.core.progress import ProgressReporter, SilentProgress
from curate.errors import InputError
from curate.evidence.label_evidence import LabelEvidence, label_evidence
from curate.evidence.predictions import cross_val_pred_probs, default_classifier
from curate.features import FeatureCache, TextEmbedder, embed_with_cache, encode_table
from curate.neighbors import build_neighbor_graph

__all__ = ["AuditNeeds", "ScopedNeeds"]


@dataclass
class AuditNeeds:
    """Computes what detectors ask for, each at most once per audit."""

    dataset: Dataset
    embedder: TextEmbedder | None
    cache: FeatureCache | None = None
    pred_probs: PredProbs | None = None
    folds: int = 5
    neighbors_k: int = 10
    seed: int = 0
    progress: ProgressReporter = field(default_factory=SilentProgress)
    timings: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    _values: dict[str, Any] = field(default_factory=dict)
    _nested: list[float] = field(default_factory=list)

    def need(self, name: str) -> Any:
        if name not in self._values:
            compute = getattr(self, f"_compute_{name}", None)
            if compute is None:
                raise InputError(f"no audit input named {name!r}")
            # Timings are exclusive: a need computed inside another is not counted twice.
            self._nested.append(0.0)
            started = time.perf_counter()
            self._values[name] = compute()
            elapsed = time.perf_counter() - started
            inner = self._nested.pop()
            if self._nested:
                self._nested[-1] += elapsed
            self.timings[name] = round(elapsed - inner, 3)
        return self._values[name]

    def computed(self, name: str) -> Any:
        """A need's value if some detector asked for it, else None (never computes)."""
        return self._values.get(name)

    def _compute_dataset(self) -> Dataset:
        return self.dataset

    def _compute_duplicate_groups(self) -> np.ndarray:
        return duplicate_groups(self.dataset)

    def _compute_features(self) -> np.ndarray:
        if self.dataset.modality == "tabular":
            return encode_table(self.dataset.frame[list(self.dataset.input_columns)])
        assert self.embedder is not None
        texts = self.dataset.texts()
        with self.progress.task("embedding", len(texts)) as advance:
            vectors, fresh = embed_with_cache(texts, self.embedder, self.cache, advance)
        self.metrics["embedder"] = self.embedder.model_id
        self.metrics["embedded_rows"] = fresh
        self.metrics["cached_rows"] = len(texts) - fresh
        return vectors

    def _compute_pred_probs(self) -> PredProbs:
        if self.pred_probs is not None:
            return self.pred_probs
        features = self.need("features")
        classifier = self._classifier()
        with self.progress.task("cross-validation", self.folds) as advance:
            result = cross_val_pred_probs(features, self.dataset.label_codes, len(self.dataset.classes),
                                          classifier=classifier, folds=self.folds, seed=self.seed,
                                          progress=advance)
        self.metrics["oof_accuracy"] = round(float(result.accuracy or 0.0), 4)
        self.metrics["folds"] = result.folds
        self.metrics["classifier"] = type(classifier).__name__
        return result

    def _classifier(self) -> Any:
        counts = np.bincount(self.dataset.label_codes)
        smallest = int(counts[counts > 0].min()) if counts.size else 0
        return default_classifier(self.dataset.modality, self.seed, smallest_class=smallest)

    def _compute_label_evidence(self) -> LabelEvidence:
        first_pass: PredProbs = self.need("pred_probs")
        if self.pred_probs is not None:  # the user's probabilities, used as given: no features needed
            return label_evidence(None, self.dataset.label_codes, len(self.dataset.classes), first_pass,
                                  classifier=None)
        features = self.need("features")
        with self.progress.task("label evidence", self.folds) as advance:
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                advance(n)

            evidence = label_evidence(features, self.dataset.label_codes, len(self.dataset.classes), first_pass,
                                      classifier=self._classifier(), folds=self.folds, seed=self.seed,
                                      progress=step)
            advance(max(0, self.folds - done[0]))  # the refit is skipped on small classes: finish the bar
        self.metrics["label_evidence_accuracy"] = round(evidence.accuracy, 4)
        self.metrics["vote_neighbours"] = evidence.vote_neighbours
        self.metrics["refit_without_suspects"] = evidence.pruned_rows
        return evidence

    def _compute_neighbors(self) -> Any:
        features = self.need("features")
        with self.progress.task("neighbour search", len(features)) as advance:
            return build_neighbor_graph(features, k=self.neighbors_k, progress=advance)


class ScopedNeeds:
    """What one detector sees: only the needs it declared, so an undeclared dependency fails loudly."""

    def __init__(self, needs: AuditNeeds, allowed: frozenset[str], detector: str) -> None:
        self._needs = needs
        self._allowed = allowed
        self._detector = detector

    def need(self, name: str) -> Any:
        if name not in self._allowed:
            raise RuntimeError(f"detector {self._detector!r} asked for {name!r} without declaring it in needs")
        return self._needs.need(name)
