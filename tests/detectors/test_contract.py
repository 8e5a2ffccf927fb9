"""One contract for every registered detector, so a new detector gets these checks for free."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curate.audit import audit_dataset
from curate.detectors import NEED_NAMES, Detector, available_detectors, register
from curate.detectors.base import DetectorResult, NeedProvider
from curate.detectors.registry import unregister
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset

from .helpers import blobs, text_dataset, topic_texts

DETECTORS = sorted(available_detectors())


def _datasets() -> dict[str, object]:
    texts, labels = topic_texts()
    texts[3] = texts[4]  # a duplicate
    frame = blobs(30)
    split = np.where(np.arange(len(frame)) % 5 == 0, "test", "train")
    return {
        "text": text_dataset(texts, labels),
        "tabular": build_dataset(frame.assign(split=split), label="label", id="id", split="split"),
    }


DATASETS = _datasets()


@pytest.mark.parametrize("kind", sorted(DATASETS))
@pytest.mark.parametrize("name", DETECTORS)
def test_detector_contract(name: str, kind: str) -> None:
    dataset = DATASETS[kind]
    cls = available_detectors()[name]
    assert cls.name == name
    assert cls.needs <= NEED_NAMES
    assert cls.description and not cls.description.endswith(".")
    assert isinstance(cls.judged_by_reviewers, bool)  # whether reviewer feedback re-estimates its flags
    # constructors only store parameters: plain values, no data
    assert all(isinstance(v, int | float | str | bool | type(None)) for v in vars(cls()).values())
    embedder = HashedTextEmbedder() if kind == "text" else None
    results, _ = audit_dataset(dataset, detectors=[name], embedder=embedder)  # type: ignore[arg-type]
    again, _ = audit_dataset(dataset, detectors=[name], embedder=embedder)  # type: ignore[arg-type]
    result = results[0]
    n = dataset.n_rows  # type: ignore[attr-defined]
    assert isinstance(result, DetectorResult)
    assert result.issue == name
    assert result.scores.shape == (n,) and result.flagged.shape == (n,)
    assert result.flagged.dtype == bool
    assert np.isfinite(result.scores).all()
    assert ((result.scores >= 0) & (result.scores <= 1)).all()
    if result.suggested_labels is not None:
        assert len(result.suggested_labels) == n
        assert set(result.suggested_labels) - {None} <= set(dataset.classes)  # type: ignore[attr-defined]
    if result.details is not None:
        assert len(result.details) == n
        json.dumps(result.details)
    json.dumps(result.notes)
    # deterministic
    np.testing.assert_array_equal(result.scores, again[0].scores)
    np.testing.assert_array_equal(result.flagged, again[0].flagged)


def test_undeclared_need_fails_loudly() -> None:
    class Sneaky(Detector):
        name = "sneaky_test_only"
        needs = frozenset({"dataset"})
        description = "asks for what it did not declare"

        def find(self, context: NeedProvider) -> DetectorResult:
            context.need("features")
            raise AssertionError("unreachable")

    register(Sneaky)
    try:
        with pytest.raises(RuntimeError, match="without declaring"):
            audit_dataset(DATASETS["tabular"], detectors=["sneaky_test_only"])  # type: ignore[arg-type]
    finally:
        unregister("sneaky_test_only")


def test_registry_refuses_a_duplicate_name() -> None:
    class Impostor(Detector):
        name = "label"
        needs = frozenset({"dataset"})
        description = "a second detector called label"

        def find(self, context: NeedProvider) -> DetectorResult:
            raise NotImplementedError

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


def test_each_need_is_computed_once() -> None:
    frame = blobs(20)
    dataset = build_dataset(frame, label="label", id="id")
    results, needs = audit_dataset(dataset)
    assert [r.issue for r in results] == list(available_detectors())
    # features feed both predictions and neighbours but are computed once; timings has one entry each
    assert {"features", "pred_probs", "neighbors", "duplicate_groups"} <= set(needs.timings)


def test_detectors_run_without_features_when_not_needed() -> None:
    frame = pd.DataFrame({"text": ["a b c", "d e f", "g h i", "j k l"], "label": ["x", "y", "x", "y"]})
    dataset = build_dataset(frame, label="label", text=["text"])
    _, needs = audit_dataset(dataset, detectors=["class_imbalance", "input_quality"],
                             embedder=HashedTextEmbedder())
    assert "features" not in needs.timings
