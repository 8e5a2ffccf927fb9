"""One contract for every registered detector (curate.testing.check_detector), and proof that it bites."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from curate import testing
from curate.audit import audit_dataset
from curate.core.dataset import Dataset
from curate.core.predictions import PredProbs
from curate.detectors import Detector, DetectorResult, NeedProvider, available_detectors, register, unregister
from curate.detectors.builtin import BUILTIN_MODULES
from curate.errors import InputError, PluginError
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset
from curate.testing import DETECTOR_CHECKS, ContractError, blobs, check_detector, contract_datasets

from .helpers import text_dataset

DETECTORS = available_detectors()


@pytest.mark.parametrize("name", list(DETECTORS))
def test_every_registered_detector_keeps_the_contract(name: str) -> None:
    check_detector(DETECTORS[name])


def test_builtins_come_first_in_the_order_of_builtin_modules() -> None:
    modules = [cls.__module__ for cls in DETECTORS.values()]
    assert modules[:len(BUILTIN_MODULES)] == [f"curate.detectors.{m}" for m in BUILTIN_MODULES]
    assert list(DETECTORS)[:len(BUILTIN_MODULES)] == [
        "label", "ambiguous", "exact_duplicate", "near_duplicate", "conflicting_labels", "leakage", "outlier",
        "class_imbalance", "input_quality"]


# A detector that keeps the contract, and one subclass per way of breaking it.
class Fine(Detector):
    name: ClassVar[str] = "fine"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "a test detector that flags nothing"

    def __init__(self, ratio: float = 0.5) -> None:
        self.ratio = ratio

    def scores(self, dataset: Dataset) -> np.ndarray:
        return np.full(dataset.n_rows, self.ratio)

    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return self._result(self.scores(dataset), np.zeros(dataset.n_rows, dtype=bool),
                            details=[{} for _ in range(dataset.n_rows)], notes={"ratio": self.ratio})


class ScoreAboveOne(Fine):
    def scores(self, dataset: Dataset) -> np.ndarray:
        return np.r_[np.ones(dataset.n_rows - 1), 1.5]


class ScoreNaN(Fine):
    def scores(self, dataset: Dataset) -> np.ndarray:
        return np.r_[np.nan, np.ones(dataset.n_rows - 1)]


class ScoresTooShort(Fine):
    def scores(self, dataset: Dataset) -> np.ndarray:
        return np.ones(dataset.n_rows - 1)


class FlagsTooShort(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return self._result(np.ones(dataset.n_rows), np.zeros(dataset.n_rows - 2, dtype=bool))


class FlagsAsNumbers(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return DetectorResult(self.name, np.ones(dataset.n_rows), np.zeros(dataset.n_rows, dtype=np.int64))


class DetailsTooShort(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return self._result(np.ones(dataset.n_rows), np.zeros(dataset.n_rows, dtype=bool), details=[{}])


class SuggestsAnUnknownClass(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return self._result(np.ones(dataset.n_rows), np.zeros(dataset.n_rows, dtype=bool),
                            suggested_labels=["weather"] * dataset.n_rows)


class NotesWithAnArray(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return self._result(np.ones(dataset.n_rows), np.zeros(dataset.n_rows, dtype=bool),
                            notes={"counts": np.arange(3)})


class ReturnsADict(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        return {"scores": []}  # type: ignore[return-value]


class WrongIssue(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        dataset: Dataset = context.need("dataset")
        return DetectorResult("something_else", np.ones(dataset.n_rows), np.zeros(dataset.n_rows, dtype=bool))


class UndeclaredNeed(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        context.need("features")
        return super().find(context)


class SwallowsTheRefusal(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        with contextlib.suppress(RuntimeError):  # swallowing the refusal does not hide the undeclared need
            context.need("features")
        return super().find(context)


class Unseeded(Fine):
    def scores(self, dataset: Dataset) -> np.ndarray:
        return np.random.default_rng().uniform(size=dataset.n_rows)


class Crashes(Fine):
    def find(self, context: NeedProvider) -> DetectorResult:
        raise KeyError("label_column")


class ConstructorComputes(Fine):
    def __init__(self, ratio: float = 0.5) -> None:
        self.ratio = ratio
        self.threshold_ = ratio / 2


class ConstructorConverts(Fine):
    def __init__(self, ratio: float = 0.5) -> None:
        self.ratio = float(ratio)


class ConstructorRenames(Fine):
    def __init__(self, ratio: float = 0.5) -> None:
        self.share = ratio


class ConstructorNeedsData(Fine):
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


class ConstructorTakesKwargs(Fine):
    def __init__(self, **params: Any) -> None:
        self.params = params


class UnknownNeed(Fine):
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "embeddings"})


class BadName(Fine):
    name: ClassVar[str] = "Fine Detector"


class SentenceDescription(Fine):
    description: ClassVar[str] = "Flags nothing."


TEXT = "on the text dataset"
BROKEN = [
    (ScoreAboveOne, "scores", f"1 score(s) {TEXT} are outside [0, 1] or NaN (0 NaN); row 35 scored 1.5; scores "
                              "are in [0, 1], lower is worse"),
    (ScoreNaN, "scores", f"1 score(s) {TEXT} are outside [0, 1] or NaN (1 NaN); row 0 scored nan; scores are in "
                         "[0, 1], lower is worse"),
    (ScoresTooShort, "scores", f"scores must be a float array of shape (36,) {TEXT}, one per row; got ndarray "
                               "float64 (35,)"),
    (FlagsTooShort, "flagged", f"flagged must be a bool array of shape (36,) {TEXT}; got ndarray bool (34,)"),
    (FlagsAsNumbers, "flagged", f"flagged must be a bool array of shape (36,) {TEXT}; got ndarray int64 (36,)"),
    (DetailsTooShort, "details", f"details must be a list of 36 dicts {TEXT}, one per row; got 1 item(s)"),
    (SuggestsAnUnknownClass, "suggested_labels", f"suggested labels ['weather'] {TEXT} are not classes of the "
                                                 "dataset ['food', 'sport', 'tech']"),
    (NotesWithAnArray, "notes", f"notes {TEXT} must be a dict of strict JSON values (no NaN, no arrays); they are "
                                "stored with the run"),
    (ReturnsADict, "result_type", f"find returned dict {TEXT}, not a DetectorResult; use self._result"),
    (WrongIssue, "issue_name", f"the result's issue is 'something_else' {TEXT}, not the detector's name 'fine'"),
    (UndeclaredNeed, "declared_needs", f"find asked for 'features' {TEXT} without declaring it in needs "
                                       "['dataset']; add it to needs"),
    (SwallowsTheRefusal, "declared_needs", f"find asked for 'features' {TEXT} without declaring it in needs "
                                           "['dataset']; add it to needs"),
    (Unseeded, "deterministic", f"a second run {TEXT} gave a different result; seed any randomness"),
    (Crashes, "find_runs", f"find raised KeyError {TEXT}: 'label_column'"),
    (ConstructorComputes, "constructor_stores_parameters", "the constructor sets ['threshold_'], which are not "
                                                           "parameters; constructors only store parameters, so "
                                                           "compute such values in find"),
    (ConstructorConverts, "constructor_stores_parameters", "constructing it with placeholder values raised "
                                                           "TypeError: float() argument must be a string or a real "
                                                           "number, not 'object'; store parameters as given and "
                                                           "validate them in find"),
    (ConstructorRenames, "constructor_stores_parameters", "the constructor sets ['share'], which are not "
                                                          "parameters; constructors only store parameters, so "
                                                          "compute such values in find"),
    (ConstructorNeedsData, "constructor_stores_parameters", "parameter 'frame' has no default; the audit "
                                                            "constructs detectors without arguments"),
    (ConstructorTakesKwargs, "constructor_stores_parameters", "the constructor takes *args or **kwargs; name "
                                                              "every parameter"),
    (UnknownNeed, "known_needs", "it needs ['embeddings'], which the audit cannot provide; known needs: "
                                 "['dataset', 'duplicate_groups', 'features', 'input_similarity', 'label_evidence', "
                                 "'neighbors', 'pred_probs', 'verified_labels']"),
    (BadName, "class_attributes", "'name' is 'Fine Detector'; set a str of lower-case letters, digits, '_' and "
                                  "'-'"),
    (SentenceDescription, "class_attributes", "'description' is 'Flags nothing.'; set one line saying what a flag "
                                              "means, without a final full stop"),
]


def test_the_fine_detector_passes() -> None:
    check_detector(Fine)


@pytest.mark.parametrize(("broken", "check", "problem"), BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_a_broken_detector_fails_the_check_it_breaks(broken: type[Detector], check: str, problem: str) -> None:
    with pytest.raises(ContractError) as caught:
        check_detector(broken)
    error = caught.value
    assert isinstance(error, AssertionError)
    assert (error.check, error.problem) == (check, problem)
    name = broken.name
    assert str(error) == f"detector {broken.__name__} ({name!r}) fails the check {check!r}: {problem}"


def test_every_check_is_exercised_by_a_broken_detector() -> None:
    assert {check for _, check, _ in BROKEN} == set(DETECTOR_CHECKS)


def test_a_given_dataset_replaces_the_contract_datasets() -> None:
    frame = blobs(10, n_classes=2)
    dataset = build_dataset(frame, label="label", id="id")
    with pytest.raises(ContractError) as caught:
        check_detector(ScoreAboveOne, dataset)
    assert caught.value.problem == ("1 score(s) on the given dataset are outside [0, 1] or NaN (0 NaN); row r19 "
                                    "scored 1.5; scores are in [0, 1], lower is worse")
    assert sorted(contract_datasets()) == ["tabular", "text"]


def test_undeclared_need_fails_loudly_in_an_audit() -> None:
    register(UndeclaredNeed)
    try:
        with pytest.raises(RuntimeError, match="detector 'fine' asked for 'features' without declaring it"):
            audit_dataset(contract_datasets()["tabular"], detectors=["fine"])
    finally:
        unregister("fine")
    assert "fine" not in available_detectors()


def test_registry_refuses_a_duplicate_name() -> None:
    class Impostor(Fine):
        name: ClassVar[str] = "label"

    with pytest.raises(PluginError) as caught:
        register(Impostor)
    assert str(caught.value) == (
        "the detector name 'label' is already registered, by curate.detectors.label_issues.LabelIssueDetector; "
        "give tests.detectors.test_contract.test_registry_refuses_a_duplicate_name.<locals>.Impostor another name")
    assert isinstance(caught.value, ValueError)  # what register raised before PluginError existed
    assert available_detectors()["label"].__name__ == "LabelIssueDetector"


def test_registry_refuses_what_is_not_a_detector() -> None:
    with pytest.raises(PluginError, match=r"^<class 'str'> is not a subclass of curate.detectors.Detector$"):
        register(str)  # type: ignore[arg-type]
    with pytest.raises(PluginError, match=r"^UnknownNeed needs unknown input\(s\) \['embeddings'\]"):
        register(UnknownNeed)
    with pytest.raises(PluginError, match=r"has the detector name 'Fine Detector': use lower-case letters"):
        register(BadName)


def test_an_unknown_detector_lists_the_available_ones() -> None:
    with pytest.raises(InputError) as caught:
        audit_dataset(contract_datasets()["tabular"], detectors=["typo"])
    assert str(caught.value) == f"no detector named 'typo'; available: {', '.join(available_detectors())}"


def test_builtins_that_relied_on_the_clip_cap_their_own_scores() -> None:
    # Rows summing to 1.0008 pass validation (tolerance 1e-3); the given label's probability is 1.0008.
    frame = blobs(10, n_classes=2)
    dataset = build_dataset(frame, label="label", id="id")
    probs = np.tile([1.0008, 0.0], (20, 1))
    probs[10:] = [0.0, 1.0008]
    results, _ = audit_dataset(dataset, detectors=["label", "class_imbalance"],
                               pred_probs=PredProbs(probs, source="test"))
    label, imbalance = results
    assert label.scores.max() == 1.0 and not label.flagged.any()
    assert label.details is not None and label.details[0]["given_prob"] == 1.0008
    # two classes of 10 rows: each holds exactly its even share, score 1 (was 1.0 before the cap too)
    np.testing.assert_array_equal(imbalance.scores, np.ones(20))
    lopsided = build_dataset(blobs(10, n_classes=2).iloc[:14], label="label", id="id")
    results, _ = audit_dataset(lopsided, detectors=["class_imbalance"])
    # c0 holds 10 of 14 rows, 10 / 7 of an even share: capped at 1; c1 holds 4, 4 / 7
    np.testing.assert_allclose(results[0].scores, [1.0] * 10 + [4 / 7] * 4)


def test_each_need_is_computed_once() -> None:
    frame = blobs(20)
    dataset = build_dataset(frame, label="label", id="id")
    results, needs = audit_dataset(dataset)
    # the example plugin's 'shouting' checks text only: a table's run leaves it out
    assert [r.issue for r in results] == [name for name in available_detectors() if name != "shouting"]
    # features feed both predictions and neighbours but are computed once; timings has one entry each
    assert {"features", "pred_probs", "neighbors", "duplicate_groups"} <= set(needs.timings)


def test_detectors_run_without_features_when_not_needed() -> None:
    dataset = text_dataset(["a b c", "d e f", "g h i", "j k l"], ["x", "y", "x", "y"])
    _, needs = audit_dataset(dataset, detectors=["class_imbalance", "input_quality"],
                             embedder=HashedTextEmbedder())
    assert "features" not in needs.timings


def test_curate_testing_exports_what_it_defines() -> None:
    assert all(hasattr(testing, name) for name in testing.__all__)
    defined = {name for name, value in vars(testing).items()
               if not name.startswith("_") and getattr(value, "__module__", None) == "curate.testing"}
    assert defined == {"ContractError", "blobs", "check_detector", "check_embedder", "contract_datasets",
                       "topic_texts"}
    assert defined < set(testing.__all__)
