"""Contract checks for detectors and text embedders, for curate's own tests and for plugin authors.

Like scikit-learn's ``check_estimator``: one call runs every check of the contract and raises a
:class:`ContractError` (an AssertionError) naming the detector or embedder and the check it failed.
curate's test suite runs them over the whole registry, so a plugin that passes them behaves like a
built-in.

>>> from curate.testing import check_detector, check_embedder
>>> check_detector(MyDetector)  # doctest: +SKIP
>>> check_embedder(MyEmbedder())  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from curate.audit.needs import AuditNeeds
from curate.audit.plan import graph_neighbours
from curate.core.dataset import Dataset
from curate.core.registry import NAME_PATTERN
from curate.detectors.base import NEED_NAMES, Detector, DetectorResult
from curate.features.base import TextEmbedder
from curate.features.text import HashedTextEmbedder
from curate.ingest.building import build_dataset

__all__ = [
    "DETECTOR_CHECKS",
    "EMBEDDER_CHECKS",
    "TOPICS",
    "ContractError",
    "blobs",
    "check_detector",
    "check_embedder",
    "contract_datasets",
    "topic_texts",
]

# Every check check_detector runs, in order; a ContractError's ``check`` is one of these.
DETECTOR_CHECKS = ("class_attributes", "known_needs", "constructor_stores_parameters", "declared_needs", "find_runs",
                   "result_type", "issue_name", "scores", "flagged", "suggested_labels", "details", "notes",
                   "deterministic")
# Every check check_embedder runs, in order.
EMBEDDER_CHECKS = ("protocol", "model_id", "output", "normalised", "same_text_same_vector", "batch_independent",
                   "empty_input", "progress")

# Parameter defaults are recorded with a run, so they must be plain values.
_PLAIN = (type(None), bool, int, float, str)
# Non-empty texts in three scripts, one repeated: what check_embedder embeds.
_SAMPLE_TEXTS = ("the striker scored a late goal", "bake the bread dough with flour and yeast",
                 "Der schnelle braune Fuchs springt", "고양이가 소파에서 잔다", "a", "the striker scored a late goal")
# float32 vectors of unit length: their norm is 1 to about 1e-6; batches may differ in the last bits.
_NORM_TOLERANCE = 1e-4
_VECTOR_TOLERANCE = 1e-5

# Raises a ContractError for (check, problem); each check function is handed one.
_Fail = Callable[[str, str], NoReturn]


class ContractError(AssertionError):
    """A detector or embedder breaks the contract: which one, which check, and what was wrong.

    Parameters
    ----------
    subject : str
        The detector or embedder, e.g. ``detector ShoutingDetector ('shouting')``.
    check : str
        The failed check, one of :data:`DETECTOR_CHECKS` or :data:`EMBEDDER_CHECKS`.
    problem : str
        What was wrong, and what to do.
    """

    def __init__(self, subject: str, check: str, problem: str) -> None:
        super().__init__(f"{subject} fails the check {check!r}: {problem}")
        self.subject = subject
        self.check = check
        self.problem = problem


TOPICS = {
    "sport": ["the striker scored a late goal in the football match",
              "the tennis champion won the final set easily",
              "the basketball team lost the playoff game at home",
              "our marathon runner broke the national record today",
              "the coach praised the defence after the cup win",
              "the cyclist climbed the mountain stage in record time"],
    "food": ["bake the bread dough with flour butter and yeast",
             "this spicy noodle soup needs garlic and chili",
             "roast the vegetables with olive oil and salt",
             "the chocolate cake recipe uses sugar and cream",
             "grill the salmon fillet with lemon and herbs",
             "simmer the tomato sauce with basil for an hour"],
    "tech": ["the new laptop ships with a faster processor",
             "install the software update to fix the security bug",
             "the smartphone camera sensor improves low light photos",
             "cloud servers process the database queries quickly",
             "the graphics card renders games at high frame rates",
             "open source developers released the compiler patch"],
}


def topic_texts() -> tuple[list[str], list[str]]:
    """36 distinct texts, 12 per topic of :data:`TOPICS`: each joins two different sentences of its topic.

    Offsets 1 and 2 never pair (i, j) with (j, i), so no two texts share all their words.

    Returns
    -------
    tuple[list[str], list[str]]
        The texts and their labels.
    """
    texts, labels = [], []
    for offset in (1, 2):
        for topic, sentences in TOPICS.items():
            for i, s in enumerate(sentences):
                texts.append(f"{s} while {sentences[(i + offset) % len(sentences)]}")
                labels.append(topic)
    return texts, labels


def blobs(n_per_class: int = 80, n_classes: int = 3, dim: int = 5, seed: int = 0) -> pd.DataFrame:
    """Well-separated Gaussian clusters, one per class, with an id column ``r0``, ``r1``, ...

    Parameters
    ----------
    n_per_class : int
        Rows per class.
    n_classes : int
        Classes, labelled ``c0``, ``c1``, ...
    dim : int
        Numeric columns ``x0``, ``x1``, ...
    seed : int
        Seed of the random centres and points.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``x0`` .. ``x{dim-1}`` and ``label``.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, size=(n_classes, dim))
    points = np.vstack([rng.normal(c, 1.0, size=(n_per_class, dim)) for c in centres])
    frame = pd.DataFrame(points, columns=[f"x{i}" for i in range(dim)])
    frame["label"] = np.repeat([f"c{k}" for k in range(n_classes)], n_per_class)
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    return frame


def contract_datasets() -> dict[str, Dataset]:
    """The small datasets :func:`check_detector` runs a detector on by default.

    Returns
    -------
    dict[str, Dataset]
        ``text``: the 36 :func:`topic_texts`, row 3 a copy of row 4; ``tabular``: 90 rows of
        :func:`blobs`, every fifth row in a ``test`` split.
    """
    texts, labels = topic_texts()
    texts[3] = texts[4]
    frame = blobs(30)
    split = np.where(np.arange(len(frame)) % 5 == 0, "test", "train")
    return {
        "text": build_dataset(pd.DataFrame({"text": texts, "label": labels}), label="label", text=["text"]),
        "tabular": build_dataset(frame.assign(split=split), label="label", id="id", split="split"),
    }


class _RecordedNeeds:
    """The audit's needs as one detector sees them, remembering any need it did not declare."""

    def __init__(self, needs: AuditNeeds, declared: frozenset[str]) -> None:
        self.needs = needs
        self.declared = declared
        self.undeclared: list[str] = []

    def need(self, name: str) -> Any:
        """The need's value; an undeclared one is recorded, then refused (see NeedProvider.need)."""
        if name not in self.declared:
            self.undeclared.append(name)
            raise RuntimeError(f"asked for {name!r} without declaring it in needs")
        return self.needs.need(name)


def _subject(detector_cls: type) -> str:
    return f"detector {getattr(detector_cls, '__name__', detector_cls)} ({getattr(detector_cls, 'name', None)!r})"


def _json(value: object) -> str | None:
    """``value`` as strict JSON (no NaN), or None when it is not JSON-serialisable."""
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _check_class(cls: type, fail: _Fail) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        fail("class_attributes", "it is not a subclass of curate.detectors.Detector")
    name, needs = getattr(cls, "name", None), getattr(cls, "needs", None)
    description = getattr(cls, "description", None)
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        fail("class_attributes", f"'name' is {name!r}; set a str of lower-case letters, digits, '_' and '-'")
    if not isinstance(needs, frozenset) or not all(isinstance(n, str) for n in needs):
        fail("class_attributes", f"'needs' is {needs!r}; set a frozenset of need names")
    if not isinstance(description, str) or not description.strip() or "\n" in description \
            or description.rstrip().endswith("."):
        fail("class_attributes", f"'description' is {description!r}; set one line saying what a flag means, "
                                 "without a final full stop")
    if not isinstance(cls.judged_by_reviewers, bool):
        fail("class_attributes", f"'judged_by_reviewers' is {cls.judged_by_reviewers!r}; set True or False")
    unknown = sorted(set(needs) - NEED_NAMES)
    if unknown:
        fail("known_needs", f"it needs {unknown}, which the audit cannot provide; known needs: {sorted(NEED_NAMES)}")


def _check_constructor(cls: type[Detector], fail: _Fail) -> None:
    check = "constructor_stores_parameters"
    params = list(inspect.signature(cls).parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        fail(check, "the constructor takes *args or **kwargs; name every parameter")
    for p in params:
        if p.default is p.empty:
            fail(check, f"parameter {p.name!r} has no default; the audit constructs detectors without arguments")
        if not isinstance(p.default, _PLAIN):
            fail(check, f"parameter {p.name!r} defaults to a {type(p.default).__name__}; use None, bool, int, "
                        "float or str (data goes into find, not the constructor)")
    # Once with the defaults, once with objects no code could compute with: a constructor that only
    # stores its parameters keeps each as given, under its own name, and sets nothing else.
    for label, values in (("the defaults", {p.name: p.default for p in params}),
                          ("placeholder values", {p.name: object() for p in params})):
        try:
            detector = cls(**values)
        except Exception as exc:
            fail(check, f"constructing it with {label} raised {type(exc).__name__}: {exc}; store parameters as "
                        "given and validate them in find")
        stored = vars(detector)
        extra = sorted(set(stored) - set(values))
        if extra:
            fail(check, f"the constructor sets {extra}, which are not parameters; constructors only store "
                        "parameters, so compute such values in find")
        for name, value in values.items():
            if name not in stored or stored[name] is not value:
                fail(check, f"parameter {name!r} is not stored unchanged as attribute {name!r} (constructed with "
                            f"{label}); write self.{name} = {name}")


def _run(cls: type[Detector], needs: AuditNeeds, where: str, fail: _Fail) -> DetectorResult:
    context = _RecordedNeeds(needs, cls.needs)
    error: Exception | None = None
    try:
        result = cls().find(context)
    except Exception as exc:
        error = exc
    if context.undeclared:
        fail("declared_needs", f"find asked for {context.undeclared[0]!r} {where} without declaring it in needs "
                               f"{sorted(cls.needs)}; add it to needs")
    if error is not None:
        fail("find_runs", f"find raised {type(error).__name__} {where}: {error}")
    return result


def _check_result(result: object, cls: type[Detector], dataset: Dataset, where: str, fail: _Fail) -> None:
    n = dataset.n_rows
    if not isinstance(result, DetectorResult):
        fail("result_type", f"find returned {type(result).__name__} {where}, not a DetectorResult; use self._result")
    if result.issue != cls.name:
        fail("issue_name", f"the result's issue is {result.issue!r} {where}, not the detector's name {cls.name!r}")
    scores = result.scores
    if not isinstance(scores, np.ndarray) or scores.shape != (n,) or not np.issubdtype(scores.dtype, np.floating):
        fail("scores", f"scores must be a float array of shape ({n},) {where}, one per row; got "
                       f"{type(scores).__name__} {getattr(scores, 'dtype', '')} {getattr(scores, 'shape', '')}")
    bad = np.flatnonzero(~((scores >= 0.0) & (scores <= 1.0)))  # NaN fails both comparisons
    if bad.size:
        nan = int(np.isnan(scores).sum())
        fail("scores", f"{bad.size} score(s) {where} are outside [0, 1] or NaN ({nan} NaN); row "
                       f"{dataset.row_ids[bad[0]]!s} scored {scores[bad[0]]}; scores are in [0, 1], lower is worse")
    flagged = result.flagged
    if not isinstance(flagged, np.ndarray) or flagged.shape != (n,) or flagged.dtype != bool:
        fail("flagged", f"flagged must be a bool array of shape ({n},) {where}; got {type(flagged).__name__} "
                        f"{getattr(flagged, 'dtype', '')} {getattr(flagged, 'shape', '')}")
    suggested = result.suggested_labels
    if suggested is not None:
        if len(suggested) != n:
            fail("suggested_labels", f"{len(suggested)} suggested labels {where} for {n} rows; give one per row "
                                     "(None where there is none)")
        odd = sorted({str(s) for s in suggested if s is not None and s not in dataset.classes})
        if odd:
            fail("suggested_labels", f"suggested labels {odd[:5]} {where} are not classes of the dataset "
                                     f"{list(dataset.classes)}")
    if result.details is not None:
        if len(result.details) != n or not all(isinstance(d, dict) for d in result.details):
            fail("details", f"details must be a list of {n} dicts {where}, one per row; got "
                            f"{len(result.details)} item(s)")
        if _json(result.details) is None:
            fail("details", f"details {where} are not strict JSON (only str, int, float, bool, None, lists, "
                            "dicts; no NaN): they are stored with the run")
    if not isinstance(result.notes, dict) or _json(result.notes) is None:
        fail("notes", f"notes {where} must be a dict of strict JSON values (no NaN, no arrays); they are stored "
                      "with the run")


def _same(a: DetectorResult, b: DetectorResult) -> bool:
    return (np.array_equal(a.scores, b.scores) and np.array_equal(a.flagged, b.flagged)
            and a.suggested_labels == b.suggested_labels and _json(a.details) == _json(b.details)
            and _json(a.notes) == _json(b.notes))


def check_detector(detector_cls: type[Detector], dataset: Dataset | None = None) -> None:
    """Run a detector class through every check of the detector contract (:data:`DETECTOR_CHECKS`).

    The class attributes, the constructor (it only stores parameters: every argument has a plain
    default and is kept unchanged as the attribute of the same name, nothing else is set), and
    ``find`` on each dataset: it asks only for declared needs, runs, and returns a DetectorResult
    named after the detector, with one float score in [0, 1] (no NaN) and one bool flag per row,
    suggested labels and details of one per row when given, strict-JSON details and notes, and
    the same result when run twice. Text datasets are embedded with the hashed embedder.

    Parameters
    ----------
    detector_cls : type[Detector]
        The detector class (it need not be registered).
    dataset : Dataset or None
        Where to run ``find``; by default each of :func:`contract_datasets` (text and tabular).

    Raises
    ------
    ContractError
        At the first failed check, naming the detector and the check.

    Examples
    --------
    >>> from curate.detectors import get_detector
    >>> check_detector(get_detector("class_imbalance"))
    """
    subject = _subject(detector_cls)

    def fail(check: str, problem: str) -> NoReturn:
        """Raise the ContractError of ``check``."""
        raise ContractError(subject, check, problem)

    _check_class(detector_cls, fail)
    _check_constructor(detector_cls, fail)
    datasets = {"given": dataset} if dataset is not None else contract_datasets()
    for kind, data in datasets.items():
        where = f"on the {kind} dataset"
        # The hashed embedder keeps the checks fast and offline; modalities that need no embedder ignore it.
        needs = AuditNeeds(data, embedder=HashedTextEmbedder())
        needs.neighbors_k = graph_neighbours([detector_cls()], needs.vote_neighbours())
        first = _run(detector_cls, needs, where, fail)
        _check_result(first, detector_cls, data, where, fail)
        # Same needs again: catches randomness inside find, and a find that changed its inputs.
        if not _same(first, _run(detector_cls, needs, where, fail)):
            fail("deterministic", f"a second run {where} gave a different result; seed any randomness")


def _embed(embedder: TextEmbedder, texts: Sequence[str], fail: _Fail, check: str = "output") -> np.ndarray:
    counted: list[int] = []
    try:
        vectors = embedder.embed(list(texts), counted.append)
    except Exception as exc:
        fail(check, f"embed raised {type(exc).__name__} on {len(texts)} text(s): {exc}")
    if not isinstance(vectors, np.ndarray) or vectors.dtype != np.float32 or vectors.ndim != 2 \
            or vectors.shape[0] != len(texts):
        fail(check, f"embed returned {type(vectors).__name__} {getattr(vectors, 'dtype', '')} "
                    f"{getattr(vectors, 'shape', '')} for {len(texts)} text(s); return a float32 array of shape "
                    f"({len(texts)}, dim)")
    if sum(counted) != len(texts):
        fail("progress", f"embed reported progress {sum(counted)} for {len(texts)} text(s); call progress(n) "
                         "after each batch of n texts")
    return vectors


def check_embedder(embedder: TextEmbedder) -> None:
    """Run a text embedder through every check of the embedder contract (:data:`EMBEDDER_CHECKS`).

    ``model_id`` is a non-empty str; ``embed`` returns a float32 array of shape (n, dim) with dim
    of at least 1 and finite, L2-normalised rows (a row of zeros is allowed for a text the embedder
    finds nothing in, as the hashed embedder may for a one-letter text, but not for every text;
    what an empty string gives is not checked); the same text gives the same vector, within a
    batch, across calls and embedded alone (the cache stores vectors per text); an empty list
    gives shape (0, dim); and the counts passed to ``progress`` add up to the number of texts.
    An embedder whose ``fits_corpus`` attribute is True (fitted on the texts it embeds, never
    cached) is exempt from the batch checks: its vectors, and their length, depend on the corpus.
    The checks embed six short texts, in English, German and Korean.

    Parameters
    ----------
    embedder : TextEmbedder
        The embedder to check (a model-backed one is loaded by the first call).

    Raises
    ------
    ContractError
        At the first failed check, naming the embedder and the check.

    Examples
    --------
    >>> from curate.features import get_embedder
    >>> check_embedder(get_embedder("hashed", dim=32))
    """
    subject = f"embedder {type(embedder).__name__} ({getattr(embedder, 'model_id', None)!r})"

    def fail(check: str, problem: str) -> NoReturn:
        """Raise the ContractError of ``check``."""
        raise ContractError(subject, check, problem)

    if not isinstance(embedder, TextEmbedder):
        fail("protocol", "it needs a 'model_id' attribute and an 'embed(texts, progress=None)' method")
    if not isinstance(embedder.model_id, str) or not embedder.model_id:
        fail("model_id", f"model_id is {embedder.model_id!r}; name the model and its settings in a non-empty str")
    vectors = _embed(embedder, _SAMPLE_TEXTS, fail)
    dim = vectors.shape[1]
    if dim < 1 or not np.isfinite(vectors).all():
        fail("output", f"vectors must have at least one dimension and finite values; got dim {dim}")
    norms = np.linalg.norm(vectors, axis=1)
    unit = np.abs(norms - 1.0) <= _NORM_TOLERANCE
    # All zeros is how an embedder says it found nothing in a text (the neighbour graph allows it).
    bad = ~(unit | (norms == 0.0)) if unit.any() else ~unit
    if bad.any():
        first = int(np.argmax(bad))
        fail("normalised", f"the vector of {_SAMPLE_TEXTS[first]!r} has L2 norm {norms[first]:.6f}; divide each "
                           "row by its norm (all zeros only for a text with nothing to embed)")
    again = _embed(embedder, _SAMPLE_TEXTS, fail, "same_text_same_vector")
    if not np.allclose(vectors[0], vectors[-1], rtol=0.0, atol=_VECTOR_TOLERANCE) \
            or not np.allclose(vectors, again, rtol=0.0, atol=_VECTOR_TOLERANCE):
        fail("same_text_same_vector", "the same text gave different vectors (within a batch or across calls); "
                                      "the cache keys vectors by text and model_id alone")
    # An embedder fitted on the corpus it embeds (fits_corpus) is never cached: its vectors, and
    # their length, depend on the other texts by design.
    fits_corpus = bool(getattr(embedder, "fits_corpus", False))
    for i, text in enumerate(() if fits_corpus else _SAMPLE_TEXTS):
        alone = _embed(embedder, [text], fail, "batch_independent")
        if alone.shape[1] != dim or not np.allclose(alone[0], vectors[i], rtol=0.0, atol=_VECTOR_TOLERANCE):
            fail("batch_independent", f"{text!r} embedded alone differs from its vector in a batch; a text's vector "
                                      "must not depend on the other texts")
    empty = _embed(embedder, [], fail, "empty_input")
    if empty.shape != (0, dim) and not (fits_corpus and empty.shape[0] == 0 and empty.ndim == 2):
        fail("empty_input", f"embed([]) returned shape {empty.shape}; return an empty float32 array of shape "
                            f"(0, {dim})")
