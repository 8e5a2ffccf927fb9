"""What a report shows, gathered from a fresh AuditResult or from a run stored in a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from curate.core.dataset import Dataset
from curate.ingest.value_types import ValueTypes
from curate.modalities import get_modality
from curate.store.run_files import decode_details

if TYPE_CHECKING:
    from curate.store import Workspace

__all__ = ["ROWS_PER_ISSUE", "THUMBNAIL_SIDE", "AuditOutcome", "ReportData", "StatedPrecision", "from_result",
           "from_workspace", "stated_precision"]


@dataclass(frozen=True)
class StatedPrecision:
    """What a run says about the precision of one issue's flags.

    Attributes
    ----------
    precision : float
        The mean probability that a flag is right.
    expected_true : float
        The expected number of real errors among the flags.
    flagged : int
        How many rows stand flagged.
    """

    precision: float
    expected_true: float
    flagged: int


def stated_precision(notes: Any, flagged: int) -> StatedPrecision | None:
    """The precision a detector states for its flags, when they stand (the one rule for every view).

    Parameters
    ----------
    notes : dict
        The issue's notes (the label check writes ``estimated_precision`` and ``expected_true_errors``).
    flagged : int
        How many rows stand flagged for the issue.

    Returns
    -------
    StatedPrecision or None
        None when the detector states none, nothing is flagged, or a warning withheld the flags.
    """
    if not isinstance(notes, dict) or notes.get("estimated_precision") is None or not flagged \
            or notes.get("withheld"):
        return None
    return StatedPrecision(float(notes["estimated_precision"]), float(notes.get("expected_true_errors", 0.0)),
                           int(flagged))


class AuditOutcome(Protocol):
    """What the report reads of a fresh audit (an :class:`curate.audit.AuditResult` has it all).

    A protocol rather than the class itself, because the report sits below the audit in the layers.
    """

    dataset: Dataset
    run_id: int | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    timings: dict[str, float]
    notes: dict[str, dict[str, Any]]
    descriptions: dict[str, str]
    table: pd.DataFrame  # every (row, issue) score, details as JSON text

_PREVIEW_CHARS = 300
ROWS_PER_ISSUE = 10
"""The report lists this many of each issue's worst flagged rows: in its table, and for a dataset with
pictures as thumbnails of the same rows (the count above them says how many of the flagged are shown)."""
THUMBNAIL_SIDE = 96
"""The longest side of the report's thumbnails in pixels (a 28x28 digit is drawn at 84x84)."""


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, from a fresh audit or a stored run.

    Attributes
    ----------
    title : str
        The dataset's name.
    run_id : int or None
        The run, when it was recorded.
    params, metrics, timings, notes : dict
        The run's record (timings in seconds).
    descriptions : dict of str to str
        Each issue's one-line description.
    labels : pandas.Series
        The label the run judged of every row it audited (reviewers' relabels applied, rows they
        removed left out).
    scores : pandas.DataFrame
        Every (row, issue) score, as :func:`curate.audit.findings_frame` makes it: ``given_label``
        the source's label, ``current_label`` the one the run judged. The details of the flagged
        rows are dicts; of the others they may be left as JSON text (the report does not show them).
    previews : dict of str to str
        Short previews of the rows the report lists, by row id.
    pictures : dict of str to bytes
        PNG thumbnails of the worst flagged rows (``rows_per_issue`` per issue), by row id;
        empty unless the dataset's modality has pictures. Rows whose picture cannot be read have none.
    pictures_lost : list of str
        Row ids among those whose pictures the audit read (no ``input_quality`` flag) that have no
        picture now: their files moved or changed since the run.
    pictures_root : str, optional
        The folder the run read its pictures from (None for a table without picture paths).
    comparison : dict, optional
        The run against the previous run of the same dataset in the workspace
        (:meth:`curate.compare.RunComparison.to_dict` without its rows); None for a first run.
    data_map : pandas.DataFrame, optional
        The run's 2-D map of its rows (``position``, ``x``, ``y``); None when it made none.
    profile : list of (str, str), optional
        The data's profile as (topic, sentence) lines (:func:`curate.profile.facts.fact_lines`);
        None above :data:`PROFILE_UP_TO` rows, where ``curate profile`` makes it on demand.
    rows_per_issue : int, default ROWS_PER_ISSUE (10)
        How many of each issue's worst flagged rows the report lists (table and thumbnails alike).
    """

    title: str
    run_id: int | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    timings: dict[str, float]
    notes: dict[str, dict[str, Any]]
    descriptions: dict[str, str]
    labels: pd.Series
    scores: pd.DataFrame
    previews: dict[str, str]
    pictures: dict[str, bytes] = field(default_factory=dict)
    pictures_lost: list[str] = field(default_factory=list)
    pictures_root: str | None = None
    comparison: dict[str, Any] | None = None
    data_map: pd.DataFrame | None = None
    profile: list[tuple[str, str]] | None = None
    rows_per_issue: int = ROWS_PER_ISSUE


def _previews(dataset: Dataset, row_ids: set[str]) -> dict[str, str]:
    """A short preview of each wanted row's input, by row id, as the dataset's modality shows it."""
    index = {str(r): i for i, r in enumerate(dataset.row_ids)}
    modality = get_modality(dataset.modality)
    return {r: modality.preview(dataset, index[r], _PREVIEW_CHARS) for r in row_ids if r in index}


def _pictures(dataset: Dataset, scores: pd.DataFrame, per_issue: int) -> dict[str, bytes]:
    """PNG thumbnails of each issue's worst flagged rows, by row id; empty for a modality without pictures."""
    modality = get_modality(dataset.modality)
    index = {str(r): i for i, r in enumerate(dataset.row_ids)}
    pictures = {}
    for row_id in sorted(_worst_rows(scores, per_issue)):
        if row_id in index and (png := modality.row_picture(dataset, index[row_id], THUMBNAIL_SIDE)) is not None:
            pictures[row_id] = png
    return pictures


def _pictures_lost(pictures: dict[str, bytes], dataset: Dataset, scores: pd.DataFrame, per_issue: int) -> list[str]:
    """The worst rows whose picture the audit read (no input-quality flag) but that have none now."""
    if not get_modality(dataset.modality).reads_images:
        return []
    damaged_rows = (scores["issue"] == "input_quality") & scores["flagged"].astype(bool)
    damaged = set(scores.loc[damaged_rows, "row_id"].astype(str))
    index = {str(r) for r in dataset.row_ids}
    return sorted(r for r in _worst_rows(scores, per_issue) if r in index and r not in pictures
                  and r not in damaged)


def _worst_rows(scores: pd.DataFrame, per_issue: int) -> set[str]:
    flagged = scores[scores["flagged"]]
    return set(flagged.groupby("issue").head(per_issue)["row_id"].astype(str))


PROFILE_UP_TO = 200_000
"""The report profiles the data up to this many rows (model tokens up to 100,000)."""


def _profile(dataset: Dataset) -> list[tuple[str, str]] | None:
    """The profile's fact lines of the audited rows, or None for data too large to profile in passing."""
    from curate.profile.facts import fact_lines
    from curate.profile.profiling import profile_dataset

    if dataset.n_rows > PROFILE_UP_TO:
        return None
    return fact_lines(profile_dataset(dataset, tokens=dataset.n_rows <= 100_000))


def previous_comparison(workspace: Workspace, run_id: int) -> dict[str, Any] | None:
    """Run ``run_id`` against the latest earlier run of the same dataset, for the report's before/after section.

    Parameters
    ----------
    workspace : Workspace
        The workspace holding the runs.
    run_id : int
        The later run.

    Returns
    -------
    dict or None
        :meth:`curate.compare.RunComparison.to_dict` with ``rows`` left out and ``changed_rows``
        (their count) instead; None when no earlier run of the dataset exists.
    """
    from curate.compare import compare_runs

    runs = workspace.runs()
    this = next((r for r in runs if r.id == run_id), None)
    earlier = [r for r in runs if this is not None and r.dataset == this.dataset and r.id < run_id]
    if not earlier:
        return None
    found = compare_runs(workspace, earlier[-1].id, run_id).to_dict()
    found["changed_rows"] = len(found.pop("rows"))
    return found


def from_result(result: AuditOutcome, per_issue: int = ROWS_PER_ISSUE) -> ReportData:
    """The report data of a fresh audit.

    Parameters
    ----------
    result : AuditOutcome
        An :class:`curate.audit.AuditResult` (or anything with its fields).
    per_issue : int, default ROWS_PER_ISSUE (10)
        The report lists this many of the worst flagged rows per issue, with previews (and pictures).

    Returns
    -------
    ReportData
    """
    # Ids and labels as stored, whatever the user's dtypes; the report reads the flagged rows' details only.
    table = ValueTypes.as_text(result.table)
    scores = decode_details(table, table["flagged"].to_numpy(dtype=bool))
    rows = _worst_rows(scores, per_issue)
    workspace = getattr(result, "workspace", None)
    return ReportData(
        title=result.dataset.name, run_id=result.run_id, params=result.params, metrics=result.metrics,
        timings=result.timings, notes=result.notes, descriptions=result.descriptions,
        labels=pd.Series(result.dataset.labels), scores=scores,
        previews=_previews(result.dataset, rows), pictures=_pictures(result.dataset, scores, per_issue),
        comparison=previous_comparison(workspace, result.run_id)
        if workspace is not None and result.run_id is not None else None,
        data_map=getattr(result, "data_map", None),
        profile=_profile(result.dataset), rows_per_issue=per_issue,
    )


def from_workspace(workspace: Workspace, run_id: int | None, per_issue: int = ROWS_PER_ISSUE) -> ReportData:
    """What the report of a stored run shows, its previews read from the version's stored copy.

    Parameters
    ----------
    workspace : Workspace
        The workspace that holds the run.
    run_id : int or None
        The run; the latest when None.
    per_issue : int, default ROWS_PER_ISSUE (10)
        How many of the worst flagged rows per issue the report lists, with previews (and pictures).

    Returns
    -------
    ReportData
        The run's parameters, metrics, notes, scores and previews.

    Raises
    ------
    NotFoundError
        When the workspace has no runs, or no run ``run_id``.
    """
    from curate.detectors import available_detectors
    from curate.ledger.versions import judged_labels, load_stored_version, with_judged_labels

    run = workspace.run(run_id)
    stored_scores = workspace.findings(run.id, flagged_only=False, details_as_text=True)
    scores = with_judged_labels(workspace, run, decode_details(stored_scores, stored_scores["flagged"].to_numpy(
        dtype=bool)))
    rows = judged_labels(workspace, run)
    labels = rows.loc[~rows["removed"], "current_label"].reset_index(drop=True)  # as the run judged them
    stored = load_stored_version(workspace, run_id=run.id)
    previews = _previews(stored.dataset, _worst_rows(scores, per_issue))
    descriptions = {name: cls.description for name, cls in available_detectors().items()}
    pictures = _pictures(stored.dataset, scores, per_issue)
    return ReportData(
        title=run.dataset, run_id=run.id, params=run.params, metrics=run.metrics, timings=run.timings,
        notes=run.notes, descriptions=descriptions, labels=labels, scores=scores, previews=previews,
        pictures=pictures, pictures_lost=_pictures_lost(pictures, stored.dataset, scores, per_issue),
        pictures_root=None if stored.dataset.root is None else str(stored.dataset.root),
        comparison=previous_comparison(workspace, run.id),
        data_map=workspace.data_map(run.id),
        profile=_profile(stored.dataset), rows_per_issue=per_issue,
    )
