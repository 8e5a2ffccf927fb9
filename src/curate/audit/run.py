"""The audit: from a dataset to findings of every detector, optionally recorded in a workspace."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from curate.audit.checks import check_inputs
from curate.audit.importing import version_rows
from curate.audit.needs import AuditNeeds, ScopedNeeds
from curate.audit.plan import (
    MIN_GRAPH_NEIGHBOURS,
    check_components,
    graph_neighbours,
    make_detectors,
    resolve_embedder,
    resolved_config,
)
from curate.audit.resume import Checkpoints, run_key
from curate.audit.scores import DetailsText, decode_details, scores_table
from curate.audit.slicing import check_sensitive, run_slices
from curate.compare.verified import verified_left_out
from curate.core.config import AuditConfig
from curate.core.dataset import Dataset
from curate.core.predictions import PredProbs
from curate.core.progress import ProgressReporter, SilentProgress, choose_progress
from curate.core.verified import VerifiedLabels
from curate.core.warnings import AuditWarning
from curate.detectors import Detector, DetectorResult, available_detectors
from curate.engines import make_engine
from curate.errors import ConfigError, InputError, NotFoundError
from curate.features import FeatureCache, TextEmbedder, default_cache_path
from curate.ingest.frames import frame_input
from curate.ingest.loading import input_hashes, load_data
from curate.ingest.pred_probs import load_pred_probs, validate_pred_probs
from curate.ingest.user_features import check_features
from curate.ingest.verified import read_verified
from curate.profile.data_map import map_rows
from curate.store import Workspace
from curate.store.decisions import DecisionRecord, read_decisions

__all__ = ["AuditResult", "audit", "audit_dataset", "findings_frame"]

def _code_version() -> str:
    from curate import __version__

    return __version__


def findings_frame(dataset: Dataset, results: Sequence[DetectorResult]) -> pd.DataFrame:
    """:func:`curate.audit.scores.scores_table` with a dict of details per row instead of JSON text.

    Parameters
    ----------
    dataset : Dataset
        The audited rows.
    results : sequence of DetectorResult
        One result per detector, arrays of shape (n_rows,) aligned with ``dataset``.

    Returns
    -------
    pandas.DataFrame
        ``len(results) * n_rows`` rows, one per (row, issue), worst first within an issue, with
        the columns of ``FINDING_COLUMNS`` (see ``scores_table``); ``details`` a dict per row.
    """
    return decode_details(scores_table(dataset, results))


@dataclass
class AuditResult:
    """The outcome of an audit.

    ``findings`` holds the flagged rows (one row per row and issue), ``scores`` every scored row;
    ``summary`` counts flags per issue. ``run_id`` is set when the audit was recorded in a workspace.

    Attributes
    ----------
    dataset : Dataset
        The audited rows: the current version, with reviewers' ledger decisions applied.
    table : pandas.DataFrame
        One row per (row, issue) with the columns of :func:`findings_frame`, ``details`` as JSON
        text (:func:`curate.audit.scores.scores_table`): what :attr:`scores` reads its dicts
        from, compact enough for millions of rows. ``position`` names the row in the stored data
        version, ``given_label`` is its label in the source file and ``current_label`` the label
        the run judged (reviewers' relabels applied).
    notes : dict of str to dict
        Per issue, the detector's notes (thresholds, withheld flags and why, reviewer feedback).
    metrics : dict of str to object
        Facts about the run: rows, classes, flag counts, out-of-fold accuracy, ...
    timings : dict of str to float
        Seconds spent per stage and per detector, and ``total``.
    params : dict of str to object
        What the run was asked to do: source, options, detectors, modality, resolved config.
    run_id : int, optional
        The run's id in ``workspace``; None when the audit was not recorded.
    workspace : Workspace, optional
        The workspace the run was recorded in.
    descriptions : dict of str to str, optional
        A one-line description per issue, shown in the summary and the report.
    warnings : list of AuditWarning, optional
        What the run says about itself: evidence too weak to flag, classes too small, a column
        that leaks the label, ... Each names the issues whose flags it withheld. Also stored in
        ``metrics["warnings"]`` (as dicts).
    data_map : pandas.DataFrame, optional
        The report's 2-D map of the rows: ``position`` (in the stored version), ``x``, ``y`` (the
        first two principal components of the run's features; a sample of 20,000 rows and every
        label flag); None when the run made no features.
    """

    dataset: Dataset
    table: pd.DataFrame
    notes: dict[str, dict[str, Any]]
    metrics: dict[str, Any]
    timings: dict[str, float]
    params: dict[str, Any]
    run_id: int | None = None
    workspace: Workspace | None = None
    descriptions: dict[str, str] = field(default_factory=dict)
    warnings: list[AuditWarning] = field(default_factory=list)
    data_map: pd.DataFrame | None = None

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Every (row, issue) score: :attr:`table` with a dict of details per row.

        Made on first use (a million rows and ten detectors make ten million dicts).

        Returns
        -------
        pandas.DataFrame
            One row per (row, issue) with the columns of :func:`findings_frame`.
        """
        return decode_details(self.table)

    @property
    def findings(self) -> pd.DataFrame:
        """The flagged rows of ``scores``, in the same order, with a fresh 0-based index.

        Returns
        -------
        pandas.DataFrame
            The rows of ``scores`` whose ``flagged`` is True.
        """
        return decode_details(self.table[self.table["flagged"]].reset_index(drop=True))

    @property
    def summary(self) -> pd.DataFrame:
        """One row per issue: how many rows it flagged and their share of the dataset.

        Returns
        -------
        pandas.DataFrame
            Columns ``issue``, ``flagged`` (count), ``share`` (of ``dataset.n_rows``, rounded to 4
            decimals) and ``description``, one row per detector that ran, in run order.
        """
        n = self.dataset.n_rows
        counts = self.table.groupby("issue", sort=False)["flagged"].sum()
        rows = [{"issue": issue, "flagged": int(counts.get(issue, 0)),
                 "share": round(float(counts.get(issue, 0)) / n, 4),
                 "description": self.descriptions.get(issue, "")} for issue in self.notes]
        return pd.DataFrame(rows, columns=["issue", "flagged", "share", "description"])

    def to_frame(self, *, flagged_only: bool = True, with_text: bool = False) -> pd.DataFrame:
        """The findings (or every score) as a DataFrame, optionally with each row's input text.

        Parameters
        ----------
        flagged_only : bool, default True
            Only the flagged rows (as :attr:`findings`); False for every row and issue (as
            :attr:`scores`).
        with_text : bool, default False
            Add a ``text`` column after ``row_id``: the row's text (text columns joined), or for
            tabular inputs its first eight fields as ``name=value``.

        Returns
        -------
        pandas.DataFrame
            The columns of :attr:`scores` (``text`` added when asked), with a fresh 0-based index.
        """
        from curate.audit.display import with_text as add_text

        frame = self.findings if flagged_only else self.scores.reset_index(drop=True)
        return add_text(self, frame) if with_text else frame

    def __repr__(self) -> str:
        """A short summary: the dataset, its rows and classes, flags per issue, the warnings' codes.

        Returns
        -------
        str
            At most three lines.
        """
        from curate.audit.display import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        from curate.audit.display import result_html

        return result_html(self)

    def to_html(self) -> str:
        """A self-contained HTML report of this audit.

        Returns
        -------
        str
            One HTML document with its plots inline; it loads nothing from the network.
        """
        from curate.report import render_report

        return render_report(self)


def _resolve_pred_probs(pred_probs: PredProbs | np.ndarray | str | Path | None, dataset: Dataset) -> PredProbs | None:
    if pred_probs is None or isinstance(pred_probs, PredProbs):
        return pred_probs
    if isinstance(pred_probs, np.ndarray):
        probs = validate_pred_probs(pred_probs, dataset.n_rows, dataset.classes, "pred_probs")
        return PredProbs(probs, source="user array")
    return load_pred_probs(Path(pred_probs), dataset.n_rows, dataset.classes)


def _check_classifier(classifier: Any) -> None:
    """Refuse, before any work, a classifier= that cross-validation cannot use."""
    if classifier is None:
        return
    from sklearn.base import is_classifier

    if isinstance(classifier, type) or not is_classifier(classifier) or not hasattr(classifier, "predict_proba"):
        got = (f"the class {classifier.__name__} (pass an instance: {classifier.__name__}())"
               if isinstance(classifier, type) else type(classifier).__name__)
        raise InputError(
            "classifier= takes a scikit-learn classifier with predict_proba, e.g. LogisticRegression(), or a name "
            f"(auto, logistic_regression, hist_gradient_boosting); got {got}"
        )


def _user_features(values: object, source: Dataset, current: Dataset) -> np.ndarray | None:
    """The user's features, one row per row of ``source``, cut to the rows ``current`` kept."""
    if values is None:
        return None
    array = check_features(values, source.n_rows)
    if current.n_rows == source.n_rows:
        return array
    positions = {str(r): i for i, r in enumerate(source.row_ids)}
    return array[[positions[str(r)] for r in current.row_ids]]


def _ledger_of(workspace: Workspace, dataset: Dataset) -> list[DecisionRecord]:
    """The dataset's ledger in ``workspace``; empty for a dataset new to it."""
    try:
        return read_decisions(workspace, dataset.name)
    except NotFoundError:
        return []


def _apply_ledger(dataset: Dataset, entries: list[DecisionRecord]) -> tuple[Dataset, int]:
    """The current version of ``dataset``: reviewers' relabels and removals applied (re-audit)."""
    from curate.ledger import apply_to_dataset, replay

    if not entries:
        return dataset, 0
    states = replay(_labels_by_id(dataset), entries)
    current = apply_to_dataset(dataset, states)
    current.notes.append(f"audited the current version: ledger entries 1..{entries[-1].id} applied "
                         f"({dataset.n_rows - current.n_rows} row(s) removed by reviewers)")
    return current, entries[-1].id


def _labels_by_id(dataset: Dataset) -> dict[str, str]:
    return {str(r): str(lab) for r, lab in zip(dataset.row_ids, dataset.labels, strict=True)}


def _reviewer_feedback(scores: pd.DataFrame, entries: list[DecisionRecord], source: Dataset,
                       current: Dataset) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Withdraw flags that reviewers' verdicts in the ledger argue against (see curate.feedback)."""
    from curate.ledger.feedback import estimate_precision, withdraw_flags

    feedback = estimate_precision(entries, _labels_by_id(source))
    if not feedback.verdicts:
        return scores, {}
    return withdraw_flags(scores, feedback, input_hashes(current), current.input_hashes())


def _restate_label_precision(scores: pd.DataFrame, results: Sequence[DetectorResult]) -> dict[str, dict[str, Any]]:
    """The label check's stated precision and counts over the flags that stand after reviewer feedback.

    The check states them for the flags it raised; feedback may withdraw some afterwards, and "about
    231 of the 181 flags" would be a claim about flags no longer made. Returns the notes to
    overwrite (the check's own figures kept under ``before_reviewer_feedback``), or nothing when
    every flag stands.
    """
    check = next((r for r in results if r.issue == "label"), None)
    if check is None or "expected_true_errors" not in check.notes:
        return {}
    label = scores[(scores["issue"] == "label") & scores["flagged"]]
    if len(label) == int(check.flagged.sum()):
        return {}
    chances = np.array([float(d.get("error_prob", 0.0)) for d in decode_details(label)["details"]])
    per_class = label["current_label"].astype(str).value_counts()
    kept = {key: check.notes[key] for key in ("estimated_precision", "expected_true_errors", "flagged_per_class")
            if key in check.notes}
    return {"label": {
        "estimated_precision": round(float(chances.mean()), 3) if chances.size else None,
        "expected_true_errors": round(float(chances.sum()), 1),
        "flagged_per_class": {c: int(per_class.get(c, 0)) for c in check.notes.get("flagged_per_class", {})},
        "before_reviewer_feedback": kept}}


def _root_causes(checked: Sequence[AuditWarning], raised: Sequence[AuditWarning]) -> list[AuditWarning]:
    """The input checks' warnings, then the others, leaving out judgements of the label evidence
    when an input check already withheld the label flags for a cause of its own (one root cause, not
    three consequences of it)."""
    from curate.evidence.trust import EVIDENCE_WARNING_CODES

    labels_set_aside = any("label" in w.withheld for w in checked)
    return [*checked, *(w for w in raised if not (labels_set_aside and w.code in EVIDENCE_WARNING_CODES))]


def _precision_warnings(results: Sequence[DetectorResult], config: AuditConfig) -> list[AuditWarning]:
    """Withhold any detector's flags whose own estimated precision says they are mostly wrong."""
    from curate.evidence.trust import precision_warning

    found = [precision_warning(r.issue, r.notes.get("estimated_precision"), int(r.flagged.sum()), config.evidence)
             for r in results]
    return [w for w in found if w is not None]


def _label_check_warnings(results: Sequence[DetectorResult], metrics: dict[str, Any],
                          withheld_by: Sequence[str] = ()) -> list[AuditWarning]:
    """Say so when label flags rest on a noise estimate from classes of a few dozen rows or from a
    model still learning, or when verified labels were too few to learn from or look chosen rather
    than drawn. ``withheld_by``: the codes of the warnings that withhold the label flags; the notes
    say so (as ``_withhold`` will record), and the caveats of flags that will not stand are not
    raised ("58 flags rest on ..." beside "0 (58 withheld)" confused a user)."""
    from curate.evidence.trust import few_rows_noise_warning, still_learning_warning, verified_warning

    found = []
    for r in results:
        if r.issue != "label":
            continue
        notes = r.notes | ({"withheld": list(withheld_by)} if withheld_by else {})
        few_rows = few_rows_noise_warning(notes)
        # One cause at a time: classes of a few dozen rows are the sharper explanation.
        # The view that carries most of the evidence is the one whose learning matters (see
        # ``learning_curve`` in curate.audit.needs); the classifier's curve otherwise.
        curve = metrics.get("learning_curve")
        learning = None if few_rows is not None else (
            still_learning_warning(notes, curve["half_train_accuracy"], curve["oof_accuracy"], curve["view"],
                                   curve["weight"]) if curve else
            still_learning_warning(notes, metrics.get("half_train_accuracy"), metrics.get("oof_accuracy")))
        found += [few_rows, learning, verified_warning(notes)]
    return [w for w in found if w is not None]


def _withhold(scores: pd.DataFrame, warnings: Sequence[AuditWarning],
              checked_wrong: np.ndarray | None = None) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Unflag every issue a warning withheld; scores stay, so the ranking is still there to read.

    A label a person checked and found wrong (``checked_wrong``: dataset positions) is a fact, not
    the evidence's claim: its label flag stands whatever the evidence's warnings. Returns the scores
    and, per withheld issue, notes ``withheld`` (the warnings' codes) and ``withheld_flags`` (how
    many flags were taken back).
    """
    notes: dict[str, dict[str, Any]] = {}
    for issue in scores["issue"].unique():
        codes = list(dict.fromkeys(w.code for w in warnings if issue in w.withheld))
        if codes:
            rows = (scores["issue"] == issue).to_numpy()
            if issue == "label" and checked_wrong is not None and len(checked_wrong):
                rows &= ~scores["position"].isin(checked_wrong).to_numpy()
            notes[str(issue)] = {"withheld": codes, "withheld_flags": int(scores.loc[rows, "flagged"].sum())}
            scores.loc[rows, "flagged"] = False
    return scores, notes


def audit_dataset(
    dataset: Dataset,
    *,
    config: AuditConfig | None = None,
    detectors: Sequence[str] | None = None,
    pred_probs: PredProbs | None = None,
    embedder: TextEmbedder | None = None,
    cache: FeatureCache | None = None,
    progress: ProgressReporter | None = None,
    features: np.ndarray | None = None,
    classifier: Any = None,
    details_as_text: bool = False,
    checkpoints: Checkpoints | None = None,
    verified: VerifiedLabels | None = None,
) -> tuple[list[DetectorResult], AuditNeeds]:
    """Run the chosen detectors (all registered ones by default) over ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        The rows to audit.
    config : AuditConfig, optional
        The run's settings (defaults when None).
    detectors : sequence of str, optional
        Detector names, in the order to run them.
    pred_probs : PredProbs, optional
        The user's own out-of-fold probabilities, shape (n_rows, n_classes).
    embedder : TextEmbedder, optional
        A text embedder object; wins over ``config.embedder``.
    cache : FeatureCache, optional
        The feature cache.
    progress : ProgressReporter, optional
        Where progress goes (nowhere by default).
    features : numpy.ndarray, optional
        The user's own features, shape (n_rows, dim), instead of the modality's.
    classifier : sklearn classifier, optional
        The user's own classifier (cloned for each fit) instead of ``config.classifier``.
    details_as_text : bool, default False
        Keep each result's details as :class:`~curate.audit.scores.DetailsText` (JSON text,
        read back as dicts on access), made as soon as its detector is done, so that a large
        audit never holds every detector's dicts at once.
    checkpoints : Checkpoints, optional
        Keep each finished stage there, and take up those an interrupted run of the same audit
        kept (:mod:`curate.audit.resume`); nothing is kept when None.
    verified : VerifiedLabels, optional
        Rows whose true labels a person checked: the label check learns its chances from them
        (:mod:`curate.evidence.verified`).

    Returns
    -------
    results : list of DetectorResult
        One per detector, in order, but for those that do not check this kind of dataset
        (``DetectorResult.checked`` False).
    needs : AuditNeeds
        What was computed, with timings and metrics, and ``resolved_config``: the configuration
        with every default filled in.

    Raises
    ------
    InputError
        For an unknown detector name.
    ConfigError
        For a setting no detector or component knows, or a Ray cluster (``config.ray_address``)
        that does not answer.
    MissingExtraError
        For ``config.engine = "ray"`` without the ``ray`` extra.
    """
    config = config or AuditConfig()
    chosen = make_detectors(config, detectors)
    engine = make_engine(config.engine, config.ray_address)
    needs = AuditNeeds(dataset, config, resolve_embedder(config, embedder), cache=cache, pred_probs=pred_probs,
                       features=features, classifier=classifier, progress=progress or SilentProgress(),
                       engine=engine, checkpoints=checkpoints, verified=verified)
    with engine.running() as facts:  # connected before any work; a cluster it started is stopped after
        needs.metrics.update(facts)
        if "ray_nodes" in facts:
            needs.progress.message(f"engine: ray, {facts['ray_nodes']} node(s), {facts['ray_cpus']} CPUs")
        results = _run_detectors(needs, chosen, pred_probs is None, details_as_text)
    needs.resolved_config = resolved_config(config, chosen, needs.embedder_used)
    return results, needs


def _run_detectors(needs: AuditNeeds, chosen: Sequence[Detector], gathers: bool,
                   details_as_text: bool = False) -> list[DetectorResult]:
    """Run ``chosen`` over ``needs`` in order; the results of those that checked this dataset."""
    gathers_evidence = gathers and any("label_evidence" in d.needs for d in chosen)
    needs.neighbors_k = graph_neighbours(chosen, needs.vote_neighbours() if gathers_evidence else None)
    needs.checks_neighbors_k = graph_neighbours(chosen, None)
    results = []
    # One stage for the checks themselves (some take minutes, e.g. verifying near copies of long
    # texts); the stages of the needs they compute on the way (embedding, ...) run inside it.
    with needs.progress.task("checks", len(chosen)) as advance:
        for detector in chosen:
            before = sum(needs.timings.values())
            started = time.perf_counter()
            result = _resumed_or_found(needs, detector, details_as_text)
            spent_on_needs = sum(needs.timings.values()) - before
            needs.timings[f"detector:{detector.name}"] = round(
                max(0.0, time.perf_counter() - started - spent_on_needs), 3)
            if result.checked:  # a check this kind of dataset does not get is not listed as made
                results.append(result)
            advance(1)
    return results


def _resumed_or_found(needs: AuditNeeds, detector: Detector, details_as_text: bool) -> DetectorResult:
    """A detector's result from an interrupted run's checkpoint, else found now (and kept)."""
    stage = f"detector:{detector.name}"
    kept = needs.checkpoints.load(stage) if needs.checkpoints is not None else None
    if kept is not None:
        for name in sorted(detector.needs):  # what the run records of its needs (metrics, the graph)
            needs.need(name)
        return cast(DetectorResult, kept)
    result = detector.find(ScopedNeeds(needs, detector.needs, detector.name))
    if details_as_text and result.details is not None:  # before the next detector adds its dicts
        result = dataclasses.replace(result, details=DetailsText.of(result.details))
    if needs.checkpoints is not None:
        needs.checkpoints.save(stage, result)
    return result


def audit(
    data: pd.DataFrame | str | Path,
    *,
    label: str | int | pd.Series | np.ndarray | None = None,
    text: str | int | Sequence[str | int] | None = None,
    id: str | int | None = None,
    split: str | int | None = None,
    test: pd.DataFrame | str | Path | None = None,
    pred_probs: np.ndarray | str | Path | None = None,
    workspace: Workspace | str | Path | None = None,
    name: str | None = None,
    encoding: str | None = None,
    detectors: Sequence[str] | None = None,
    embedder: TextEmbedder | str | None = None,
    progress: ProgressReporter | bool | None = None,
    config: AuditConfig | Mapping[str, Any] | str | Path | None = None,
    modality: str | None = None,
    features: np.ndarray | pd.Series | str | int | None = None,
    classifier: Any = None,
    image: str | int | None = None,
    resume: bool = True,
    sensitive: str | Sequence[str] = (),
    verified: pd.DataFrame | str | Path | list[pd.DataFrame | str | Path] | None = None,
    ignore: str | Sequence[str] = (),
) -> AuditResult:
    """Audit a labelled dataset: find label errors, duplicates, leaks, outliers, imbalance, bad inputs.

    When ``workspace`` already holds reviewers' decisions for this dataset, the current version
    is audited (their relabels and removals applied), and flags that their verdicts argue against
    are withdrawn (see :mod:`curate.ledger.feedback`).

    Parameters
    ----------
    data : pandas.DataFrame or str or pathlib.Path
        A DataFrame, the path of a CSV/TSV/JSONL/Parquet file, or a folder of pictures in class
        subfolders (``folder/<label>/<file>``, optionally under ``train/`` and ``test/``; its
        columns are ``path`` and ``label``, see :func:`curate.ingest.loading.load_data`). A
        DataFrame's index names its rows (the findings' ``row_id``, in the index's dtype) unless
        it is the default ``RangeIndex``, whose positions are the ids; it must then be unique.
        Cells that Parquet cannot store as they are (numbers mixed with text, lists mixed with
        scalars) are read as text.
    label : str or int or pandas.Series or numpy.ndarray, optional
        The label column's name (detected when left out; an int names an integer column), or
        the labels themselves: a Series aligned on ``data``'s index, or an array of shape
        (n_rows,) by position. The findings' ``given_label`` and ``suggested_label`` keep the
        labels' dtype (int, float, bool or str).
    text : str or int or sequence of them, optional
        The text column name(s); detected when left out.
    id, split : str or int, optional
        The id column (its values are the ``row_id``; wins over the index) and the split column.
    test : pandas.DataFrame or str or pathlib.Path, optional
        A separate test set (path or DataFrame) with the same columns.
    pred_probs : numpy.ndarray or str or pathlib.Path, optional
        Your own out-of-fold probabilities, shape (n_rows, n_classes), classes in sorted order,
        as an array or a ``.npy`` path; cross-validation is skipped.
    workspace : Workspace or str or pathlib.Path, optional
        Record the dataset version, the run and its findings in this workspace.
    name : str, optional
        The dataset's name in the workspace (default: the file's stem).
    encoding : str, optional
        Force the text encoding of the file(s) (default: detected).
    detectors : sequence of str, optional
        Names of the detectors to run (default: all registered).
    embedder : TextEmbedder or str, optional
        A text embedder object, or a name as ``config.embedder`` takes (``sentence``, ``ngrams``,
        ``st:MODEL``, a model folder, ...); default ``config.embedder``, which by default lets the
        text modality choose by the texts' languages.
    progress : ProgressReporter or bool, optional
        Where to report progress, and the notes on what was detected (encoding, delimiter, label
        and text columns), which come first, before any stage. By default (None or True) bars in
        a terminal or a Jupyter notebook (with ipywidgets), and plain lines on stderr as each stage
        goes when stderr is a file or a pipe (see :func:`curate.core.progress.choose_progress`);
        False for none.
    config : AuditConfig or mapping or str or pathlib.Path, optional
        The run's settings: an AuditConfig, a mapping of the same shape, or a TOML file's path
        (default: every default; see :mod:`curate.core.config`).
    modality : str, optional
        The kind of input (``text``, ``tabular`` or a plugin's; default: detected).
    features : numpy.ndarray or pandas.Series or str or int, optional
        Your own features (embeddings) instead of curate's: an array of shape (n_rows, dim), rows
        as in ``data`` (then ``test``), a Series of vectors (by position), or the name of a
        DataFrame column whose cells are vectors (taken out of the inputs). Not with ``embedder``.
        They feed the cross-validated classifier and the neighbour graph; never cached.
    classifier : sklearn classifier or str, optional
        The classifier behind the out-of-fold probabilities: any scikit-learn classifier with
        ``predict_proba`` (cloned for every fit; its settings are recorded in ``params``), or a
        name as ``config.classifier`` takes (``logistic_regression``, ``hist_gradient_boosting``).
    image : str or int, optional
        The column of images: encoded bytes (or ``{"bytes", "path"}`` structs), paths inside the
        data file's folder (the current folder for a DataFrame), PIL images or pixel arrays. It
        is the only input, read by the ``image`` modality; detected when left out.
    resume : bool, default True
        Keep each finished stage (cross-validation, neighbour search, label evidence, each check)
        in the cache folder until the audit completes, and take up those that an interrupted run
        of the same data, settings and curate version left there (:mod:`curate.audit.resume`).
        False starts over and keeps nothing.
    sensitive : str or sequence of str, default ()
        Columns of groups (2 to 50 values) to report group by group: each group's class shares,
        label-error rate and out-of-fold accuracy, and the gaps between groups
        (``metrics["disparities"]``; see :func:`curate.slices.group_disparities`). Every audit also
        looks for slices significantly worse than the rest (``metrics["slices"]``).
    verified : pandas.DataFrame or str or pathlib.Path, or a list of them, optional
        Labels a person checked on a random sample of rows (columns ``row_id`` and
        ``verified_label``; empty cells not checked yet; ``curate verify-sample`` writes one to
        fill in; see :func:`curate.ingest.verified.read_verified`). With at least 10 wrong and
        10 right among them, the label check learns each row's chance of a wrong label from them
        instead of from the noise model alone, so its estimated precision is measured rather than
        assumed (with a 90 % interval, in ``notes["label"]["verified"]``); checked rows are
        flagged exactly when their label was wrong. See :mod:`curate.evidence.verified`.
    ignore : str or sequence of str, default ()
        Columns not read at all, neither as input nor as metadata for slices (a column that leaks
        the label, as the ``leaked_label_column`` warning says); matched as ``label`` is.

    Returns
    -------
    AuditResult
        The findings, with ``findings``, ``summary`` and ``to_html()``; ``run_id`` is set when
        ``workspace`` was given.

    Raises
    ------
    InputError
        When ``data`` is not a DataFrame or path, an argument has the wrong type, labels given as a
        Series do not match the index, ``features`` do not have shape (n_rows, dim),
        ``classifier`` gives no probabilities, ``features`` and ``embedder`` are both given, the
        data, an option or a column cannot be used (e.g. no input column is left for the model to
        read: see :func:`curate.audit.checks.unread_inputs`), or a detector name is unknown; the
        subclasses ``ColumnError``, ``DecodingError``, ``FileFormatError``, ``DatasetError``,
        ``PredProbsError`` and ``ConfigError`` say which.
    WorkspaceError
        When ``workspace`` is a file or cannot be opened for writing.
    MissingExtraError
        When the configuration asks for the sentence model (``embedder = "sentence"``) and the
        ``embed`` extra is not installed.

    Examples
    --------
    >>> result = audit("reviews.csv", label="label", text="text")  # doctest: +SKIP
    >>> result.summary  # doctest: +SKIP
    """
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    cpu_at_start = _cpu_seconds()
    clock = time.perf_counter()
    run_config = _resolve_config(config)
    if features is not None and embedder is not None:
        raise ConfigError("features= and embedder= both choose the features; give one (features= are used as given)")
    if isinstance(embedder, str):  # a name is a setting: checked with the others, recorded with the run
        run_config, embedder = dataclasses.replace(run_config, embedder=embedder), None
    if isinstance(classifier, str):
        run_config, classifier = dataclasses.replace(run_config, classifier=classifier), None
    _check_classifier(classifier)
    chosen = make_detectors(run_config, detectors)  # an unknown detector or parameter fails before any work
    check_components(run_config)
    make_engine(run_config.engine, run_config.ray_address).check()  # no Ray, or no cluster there: say so now
    ws = Workspace(workspace) if workspace is not None and not isinstance(workspace, Workspace) else workspace
    if ws is not None:
        ws.check_writable()
    column_of_vectors = isinstance(features, str | int) and not isinstance(features, bool)
    given = frame_input(data, label=label, text=text, id=id, split=split, test=test,
                        vectors=features if column_of_vectors else None)
    loaded = load_data(given.frame, label=given.label, text=given.text, id=given.id, split=given.split,
                       test=given.test if given.test is not None else test, encoding=encoding, name=name,
                       modality=modality, own_features=features is not None,
                       image=None if image is None else str(image),
                       ignore=[ignore] if isinstance(ignore, str) else list(ignore))
    dataset = loaded.dataset
    entries = _ledger_of(ws, dataset) if ws is not None and ws.exists() else []
    dataset, ledger_version = _apply_ledger(dataset, entries)
    timings: dict[str, float] = {"load": round(time.perf_counter() - clock, 3)}
    user_probs = _resolve_pred_probs(pred_probs, dataset)
    user_features = _user_features(given.vectors if column_of_vectors else features, loaded.dataset, dataset)
    checked_labels = None if verified is None else read_verified(verified, dataset)
    checking = time.perf_counter()
    checked = check_inputs(dataset, chosen, user_probs, folds=run_config.folds, seed=run_config.seed,
                           own_features=user_features is not None)
    sensitive_columns = [sensitive] if isinstance(sensitive, str) else list(sensitive)
    check_sensitive(dataset, sensitive_columns)
    timings["input_checks"] = round(time.perf_counter() - checking, 3)
    cache = FeatureCache(default_cache_path())
    reporter = choose_progress(progress)
    # What was detected (encoding, columns) is said before the long stages, once the quick checks
    # have passed (a bad input still fails in one line).
    for note in dataset.notes:
        reporter.message(note)
    checkpoints = _checkpoints(loaded.source.fingerprint, dataset, run_config, detectors, embedder, user_probs,
                               user_features, classifier, ledger_version, checked_labels) if resume else None
    if checkpoints is not None and checkpoints.folder.is_dir():
        reporter.message(f"resuming an interrupted audit of the same data and settings: its finished stages "
                         f"are in {checkpoints.folder} (--fresh starts over)")
    results, needs = audit_dataset(dataset, config=run_config, detectors=detectors, pred_probs=user_probs,
                                   embedder=embedder, cache=cache, progress=reporter,
                                   features=user_features,
                                   classifier=classifier, details_as_text=True, checkpoints=checkpoints,
                                   verified=checked_labels)
    timings.update(needs.timings)
    evidence_warnings = [*needs.warnings, *_precision_warnings(results, run_config)]
    withheld_by = list(dict.fromkeys(w.code for w in [*checked, *evidence_warnings] if "label" in w.withheld))
    warnings = _root_causes(checked, [*evidence_warnings,
                                      *_label_check_warnings(results, needs.metrics, withheld_by)])
    if ws is not None and checked_labels is None and ws.exists():
        # Verified labels are an option of each run: one left out is forgotten, and the flags change.
        forgotten = verified_left_out(ws, dataset.name)
        if forgotten is not None:
            warnings.append(forgotten)
    scores = scores_table(dataset, results)
    scores, feedback_notes = _reviewer_feedback(scores, entries, loaded.dataset, dataset)
    checked_wrong = (None if checked_labels is None
                     else checked_labels.positions[checked_labels.wrong(dataset.label_codes)])
    scores, withheld_notes = _withhold(scores, warnings, checked_wrong)
    restated = _restate_label_precision(scores, results)
    clock_slices = time.perf_counter()
    sliced = run_slices(dataset, needs, scores, sensitive_columns,
                        model_trusted=not any("label" in w.withheld for w in warnings))
    timings["slices"] = round(time.perf_counter() - clock_slices, 3)
    mapped = _data_map(needs, scores, dataset.n_rows)
    # Positions always name rows of the stored data version, even when reviewers removed some.
    original = {str(r): i for i, r in enumerate(loaded.dataset.row_ids)}
    to_original = np.array([original[str(r)] for r in dataset.row_ids], dtype=np.int64)
    scores["position"] = to_original[scores["position"].to_numpy()]
    # The label in the file beside the one the run judged (they differ where reviewers relabelled).
    scores["given_label"] = np.asarray(loaded.dataset.labels)[scores["position"].to_numpy()]
    flag_counts = scores.groupby("issue")["flagged"].sum()  # after feedback and warnings took some back
    metrics = dict(needs.metrics)
    metrics.update({"rows": dataset.n_rows, "classes": len(dataset.classes),
                    "flagged": {r.issue: int(flag_counts.get(r.issue, 0)) for r in results},
                    "rows_with_any_issue": int(scores.loc[scores["flagged"], "position"].nunique())})
    metrics["slices"] = sliced["slices"]
    if sliced["disparities"]:
        metrics["disparities"] = sliced["disparities"]
    if user_probs is not None:
        metrics["pred_probs"] = user_probs.source
    if checkpoints is not None and checkpoints.resumed:
        metrics["resumed_stages"] = list(checkpoints.resumed)
    metrics["warnings"] = [w.to_dict() for w in warnings]
    notes = {r.issue: r.notes | ({"reviewer_feedback": feedback_notes[r.issue]} if r.issue in feedback_notes else {})
             | withheld_notes.get(r.issue, {}) | restated.get(r.issue, {}) for r in results}
    judged = {i: n for i, n in feedback_notes.items() if i in notes}
    if judged:
        metrics["reviewer_feedback"] = {"decisions": sum(n["decisions"] for n in judged.values()),
                                        "unflagged": {i: n["unflagged"] for i, n in judged.items() if n["unflagged"]}}
    params = {"source": loaded.source.source_path, "test": loaded.source.test_path,
              "options": loaded.source.options, "detectors": [r.issue for r in results],
              "modality": dataset.modality, "pred_probs": user_probs.source if user_probs else None,
              "ledger_version": ledger_version, "config": needs.resolved_config}
    if checked_labels is not None:
        files = verified if isinstance(verified, list) else [verified]
        params["verified"] = {"source": checked_labels.source, "rows": len(checked_labels.positions),
                              "files": [str(Path(f).resolve()) for f in files if isinstance(f, str | Path)]}
    if classifier is not None:
        params["classifier"] = repr(classifier)
    if user_features is not None:
        params["features"] = f"user features, shape {tuple(user_features.shape)}"
    timings["total"] = round(time.perf_counter() - clock, 3)
    metrics.update(_resources(cpu_at_start))
    descriptions = {name: cls.description for name, cls in available_detectors().items()}
    data_map = None if mapped is None else pd.DataFrame({"position": to_original[mapped[0]], "x": mapped[1][:, 0],
                                                         "y": mapped[1][:, 1]})
    result = AuditResult(dataset, scores, notes, metrics, timings, params, descriptions=descriptions,
                         warnings=warnings, data_map=data_map)
    if ws is not None:
        with ws.transaction() as con:
            version = ws.save_version(con, loaded.source, version_rows(loaded), dataset.classes)
            metrics["dataset_version"] = version.number
            result.run_id = ws.save_run(con, version.id, params=params, code_version=_code_version(),
                                        started_at=started_at, timings=timings, metrics=metrics,
                                        notes=notes, findings=scores)
            if data_map is not None:
                ws.save_map(con, result.run_id, data_map["position"].to_numpy(), data_map[["x", "y"]].to_numpy())
            graph = needs.computed("neighbors")
            if graph is not None:  # the review app shows each row's nearest few
                graph = graph.first(min(graph.k, MIN_GRAPH_NEIGHBOURS))
                # 1 for an identical row whatever the features (cosine, or exp(-distance / scale)
                # for features that are not unit length, such as the pixels of pictures).
                ws.save_neighbors(con, result.run_id, to_original, to_original[graph.indices], graph.similarities())
        result.workspace = ws
    # Stored as text; given back with the ids' and labels' dtypes as the user had them.
    result.table = given.value_types(dataset.label_column).typed(scores)
    if checkpoints is not None:  # completed and recorded: nothing left to resume
        checkpoints.clear()
    return result


def _data_map(needs: AuditNeeds, scores: pd.DataFrame, n_rows: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The report's 2-D map of the rows from the run's features, every label flag drawn (None without features)."""
    features = needs.computed("features")
    if features is None or len(features) != n_rows:
        return None
    label = scores[(scores["issue"] == "label") & scores["flagged"]]
    must = np.zeros(n_rows, dtype=bool)
    must[label["position"].to_numpy(dtype=np.int64)] = True
    return map_rows(features, must)


def _cpu_seconds() -> float:
    """CPU seconds this process has used so far, every thread's (user and system; 0 where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _resources(cpu_at_start: float) -> dict[str, float]:
    """What the audit used: ``cpu_seconds`` since it started and ``peak_memory_mib``, the process's peak RSS.

    Both are this process's: Ray workers are not counted, and in a long-lived process (a notebook)
    the peak may have been reached before the audit.
    """
    try:
        import resource
    except ImportError:  # Windows
        return {}
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    return {"cpu_seconds": round(_cpu_seconds() - cpu_at_start, 1), "peak_memory_mib": round(mib, 1)}


def _checkpoints(fingerprint: str, dataset: Dataset, config: AuditConfig, detectors: Sequence[str] | None,
                 embedder: object, pred_probs: PredProbs | None, features: np.ndarray | None, classifier: Any,
                 ledger_version: object, verified: VerifiedLabels | None = None) -> Checkpoints:
    """Where this audit keeps its finished stages: a folder of the cache named by all it depends on."""
    key = run_key([
        _code_version(), fingerprint, ledger_version, dataset.modality,
        "\x1f".join(map(str, dataset.row_ids)), "\x1f".join(map(str, dataset.labels)),
        config, None if detectors is None else list(detectors), embedder, classifier,
        None if pred_probs is None else np.asarray(pred_probs.probs), features,
        *(() if verified is None else (verified.positions, verified.codes)),
    ])
    return Checkpoints.in_cache(default_cache_path().parent, key)


def _resolve_config(config: AuditConfig | Mapping[str, Any] | str | Path | None) -> AuditConfig:
    if config is None:
        return AuditConfig()
    if isinstance(config, AuditConfig):
        return config
    if isinstance(config, Mapping):
        return AuditConfig.from_mapping(config)
    return AuditConfig.from_toml(config)
