"""The data of each review page, built from a ReviewSession: dashboard, queue, item, history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import NotFoundError
from curate.ledger import RowState, latest_bulk_operation
from curate.ledger.feedback import Precision
from curate.report.views import NoiseMatrix, noise_matrix
from curate.review.models import (
    Dashboard,
    FindingView,
    History,
    IssueProgress,
    Item,
    PrecisionView,
    Queue,
    QueueEntry,
    QueueFilter,
    RelatedRow,
    RowInput,
    RunWarning,
    Suggestion,
)
from curate.review.render import queue_url
from curate.review.service import ReviewSession, to_entry

__all__ = ["ViewsPage", "dashboard", "history", "item", "queue", "suggestions", "views"]

MAX_SUGGESTIONS = 9
# The most related rows the item page shows side by side (each is a picture to fetch).
MAX_GROUP = 24


def _text(value: Any) -> str | None:
    """A stored text cell, or None for a missing one (None or NaN)."""
    return None if value is None or value != value else str(value)


def _precision_view(estimate: Precision) -> PrecisionView:
    return PrecisionView(estimate.issue, estimate.label, estimate.decisions, estimate.accepted, estimate.precision,
                         estimate.low, estimate.high, estimate.label is not None and estimate.confidently_low)


def _row_input(session: ReviewSession, position: int) -> RowInput:
    """The whole input of the row at ``position``: its text (language, length) or its fields."""
    view = session.view_of(position)
    return RowInput(session.dataset.modality, text=view.text, language=view.language,
                    length=len(view.text) if view.text is not None else None, fields=view.fields,
                    problem=view.problem)


def _findings(session: ReviewSession, rows: pd.DataFrame) -> list[FindingView]:
    """A row's findings (its rows of :meth:`ReviewSession.findings_of`): the flags first, worst first."""
    findings = [FindingView(str(r["issue"]), session.data.descriptions.get(str(r["issue"]), ""), float(r["score"]),
                            bool(r["flagged"]), _text(r["suggested_label"]), dict(r["details"]))
                for r in rows.to_dict("records")]
    findings.sort(key=lambda f: (not f.flagged, f.score))  # the flags behind the review first, worst first
    return findings


def dashboard(session: ReviewSession) -> Dashboard:
    """Counts by issue type and class, how far the review has got, what the verdicts say, the run's warnings.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.

    Returns
    -------
    Dashboard
        The dashboard's data.
    """
    records = session.ledger_records()
    states = session.states(records)
    decided = session.decided_mask(states)
    flagged = session.flagged()
    positions = flagged["position"].to_numpy(dtype=int)
    flagged = flagged.assign(decided=decided[positions])
    classes = [str(c) for c in session.dataset.classes]
    run = session.data.run
    issues = []
    for issue in session.data.issues:
        part = flagged[flagged["issue"] == issue]
        per_class = Counter(part["current_label"].astype(str))  # the class the run judged
        n_decided = int(part["decided"].sum())
        found = run.notes.get(issue)
        notes: dict[str, Any] = found if isinstance(found, dict) else {}
        issues.append(IssueProgress(issue, session.data.descriptions.get(issue, ""), len(part), n_decided,
                                    len(part) - n_decided, {c: per_class.get(c, 0) for c in classes},
                                    [str(c) for c in notes.get("withheld", [])], int(notes.get("withheld_flags", 0)),
                                    _stated(notes, len(part))))
    any_flag = np.unique(positions)
    rows_decided = int(decided[any_flag].sum())
    original = Counter(session.original_labels.values())
    current = Counter(s.label for s in states.values() if not s.removed)
    return Dashboard(
        dataset=session.dataset.name, run_id=session.run_id, reviewer=session.reviewer,
        n_rows=session.dataset.n_rows, classes=classes,
        class_counts={c: original.get(c, 0) for c in classes},
        current_class_counts={c: current.get(c, 0) for c in classes},
        issues=issues, rows_flagged=len(any_flag), rows_decided=rows_decided,
        rows_open=len(any_flag) - rows_decided,
        relabeled=sum(1 for r, s in states.items() if s.label != session.original_labels[r]),
        removed=sum(1 for s in states.values() if s.removed),
        ambiguous=sum(1 for s in states.values() if s.ambiguous),
        ledger_entries=len(records),
        precision=[_precision_view(p) for p in session.feedback(records).table()],
        warnings=[RunWarning(str(w.get("code", "")), str(w.get("message", "")), str(w.get("advice", "")),
                             [str(i) for i in w.get("withheld", [])]) for w in run.metrics.get("warnings") or []],
    )


def queue(session: ReviewSession, filter: QueueFilter, offset: int = 0, limit: int = 50) -> Queue:
    """The findings matching ``filter``, one entry per row, in :meth:`ReviewSession.ordered`'s order.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.
    filter : QueueFilter
        The queue: issue, class, suggested class, score range and state.
    offset : int, default 0
        How many rows of the queue to skip.
    limit : int, default 50
        The most entries to return.

    Returns
    -------
    Queue
        The page of entries (each with its whole input and flagged findings, shown when the
        reviewer expands it) and the queue's total length.

    Raises
    ------
    InputError
        When ``filter.issue`` is not an issue of the run.
    """
    records = session.ledger_records()
    states = session.states(records)
    feedback = session.feedback(records)
    found = session.matching(filter, states, feedback)
    flagged = session.flagged()
    issues_by_position: dict[int, list[str]] = {}
    page = found.iloc[offset:offset + limit]
    wanted = set(page["position"].astype(int))
    for position, issue in flagged[["position", "issue"]].itertuples(index=False, name=None):
        if int(position) in wanted:
            issues_by_position.setdefault(int(position), []).append(str(issue))
    entries = []
    for row in page.to_dict("records"):
        position = int(row["position"])
        state = states[str(row["row_id"])]
        entries.append(QueueEntry(
            row_id=str(row["row_id"]), position=position, issue=str(row["issue"]), score=float(row["score"]),
            issues=issues_by_position.get(position, []), given_label=str(row["given_label"]),
            current_label=state.label, suggested_label=_text(row["suggested_label"]),
            preview=session.preview_of(position),
            state="decided" if session.is_decided(state, position) else "open",
            removed=state.removed, ambiguous=state.ambiguous,
            estimated_precision=_precision_view(feedback.precision(str(row["issue"]), str(row["current_label"]))),
            picture=session.shows_picture(position), input=_row_input(session, position),
            findings=[f for f in _findings(session, session.findings_of(position)) if f.flagged]))
    return Queue(session.dataset.name, session.run_id, filter, len(found), offset, limit, entries,
                 list(session.data.issues), [str(c) for c in session.dataset.classes], session.has_pictures)


def suggestions(classes: list[str], given: str, current: str, label_finding: dict[str, Any] | None) -> list[Suggestion]:
    """Classes to relabel to, most probable first by out-of-fold probability; the current label left out.

    Uses the label detector's ``top_classes`` (pairs of class and probability) when it stores them,
    otherwise the probabilities it always stores: the suggested class's and the given class's.

    Parameters
    ----------
    classes : list of str
        Every class, in the dataset's order (the tie-break among equal probabilities).
    given : str
        The label the run judged (the one the label check's ``given_prob`` is of).
    current : str
        The row's label with the ledger applied; it is not suggested.
    label_finding : dict or None
        The label check's finding for the row: its ``details`` and ``suggested_label``; None
        when the label check did not run.

    Returns
    -------
    list of Suggestion
        At most ``MAX_SUGGESTIONS`` classes, keyed 1, 2, ... in order; classes without a known
        probability come last, with probability None.

    Examples
    --------
    >>> finding = {"details": {"given_prob": 0.2, "suggested_prob": 0.7}, "suggested_label": "b"}
    >>> [(s.key, s.label) for s in suggestions(["a", "b", "c"], "a", "a", finding)]
    [(1, 'b'), (2, 'c')]
    """
    probs: dict[str, float] = {}
    if label_finding is not None:
        details = label_finding["details"]
        top = details.get("top_classes")
        if isinstance(top, dict):
            probs.update({str(c): float(p) for c, p in top.items()})
        elif isinstance(top, list):
            probs.update({str(c): float(p) for c, p in top})
        if "given_prob" in details:
            probs.setdefault(given, float(details["given_prob"]))
        if label_finding["suggested_label"] and "suggested_prob" in details:
            probs.setdefault(str(label_finding["suggested_label"]), float(details["suggested_prob"]))
    order = {c: i for i, c in enumerate(classes)}
    ranked = sorted((c for c in classes if c != current), key=lambda c: (-probs.get(c, -1.0), order[c]))
    return [Suggestion(i + 1, c, probs.get(c)) for i, c in enumerate(ranked[:MAX_SUGGESTIONS])]


def _related(session: ReviewSession, states: dict[str, RowState], row_id: str, relation: str,
             similarity: float | None) -> RelatedRow | None:
    try:
        position = session.position_of(row_id)
    except NotFoundError:
        return None
    state = states[row_id]
    return RelatedRow(row_id, position, relation, similarity, session.original_labels[row_id], state.label,
                      state.removed, state.ambiguous, session.preview_of(position), session.shows_picture(position))


def _group(session: ReviewSession, states: dict[str, RowState], row_id: str, duplicates: list[RelatedRow],
           by_issue: dict[str, FindingView]) -> list[RelatedRow]:
    """The rows to compare side by side with ``row_id``: its copies, then its copies in other splits and
    its copies labelled otherwise (flagged findings only), each row once, at most ``MAX_GROUP``."""
    group = list(duplicates)
    for issue, key, relation in (("leakage", "matches", "copy in another split"),
                                 ("conflicting_labels", "copies", "copy labelled otherwise")):
        found = by_issue.get(issue)
        if found is not None and found.flagged:
            group += [r for c in found.details.get(key, []) if str(c) != row_id
                      if (r := _related(session, states, str(c), relation, None)) is not None]
    unique: dict[str, RelatedRow] = {}
    for related in group:
        unique.setdefault(related.row_id, related)  # each row once, with its first relation
    return list(unique.values())[:MAX_GROUP]


def item(session: ReviewSession, row_id: str, filter: QueueFilter | None = None) -> Item:
    """Everything a reviewer needs to decide about one row; NotFoundError for an unknown id.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.
    row_id : str
        The row's id.
    filter : QueueFilter, optional
        The queue the reviewer works through, for the previous and next rows (default: the open
        queue of every issue).

    Returns
    -------
    Item
        The row's input, labels, findings, suggestions, copies, neighbours and ledger history.

    Raises
    ------
    NotFoundError
        When the dataset has no row ``row_id``.
    InputError
        When ``filter.issue`` is not an issue of the run.
    """
    filter = filter or QueueFilter()
    position = session.position_of(row_id)
    records = session.ledger_records()
    states = session.states(records)
    state = states[row_id]
    given = session.original_labels[row_id]
    rows = session.findings_of(position)
    judged = str(rows["current_label"].iloc[0]) if len(rows) else state.label
    findings = _findings(session, rows)
    by_issue = {f.issue: f for f in findings}
    label = by_issue.get("label")
    label_finding = {"details": label.details, "suggested_label": label.suggested_label} if label else None
    suggested = next((f.suggested_label for f in findings if f.flagged and f.suggested_label), None)
    if suggested is None and label is not None:
        suggested = label.suggested_label
    suggested_prob = (label.details.get("suggested_prob")
                      if label is not None and suggested is not None and suggested == label.suggested_label else None)
    row_input = _row_input(session, position)
    duplicates: list[RelatedRow] = []
    exact = by_issue.get("exact_duplicate")
    if exact is not None and exact.flagged:
        duplicates += [r for c in exact.details.get("copies", []) if c != row_id
                       if (r := _related(session, states, str(c), "exact copy", 1.0)) is not None]
    near = by_issue.get("near_duplicate")
    if near is not None and near.flagged:
        sims = near.details.get("similarity") or [None] * len(near.details.get("matches", []))
        duplicates += [r for c, s in zip(near.details.get("matches", []), sims, strict=False)
                       if (r := _related(session, states, str(c), "near copy", s)) is not None]
    group = _group(session, states, row_id, duplicates, by_issue)
    neighbours = [r for p, s in session.data.workspace.neighbors(session.run_id, position) if p != position
                  if (r := _related(session, states, session.row_id_at(p), "neighbour", float(s))) is not None]
    issue, score = session.finding_context(position, filter.issue)
    prev_row, next_row = session.neighbours_in_queue(filter, row_id, states)
    undone = {r.undoes for r in records if r.action == "undo" and r.undoes is not None}
    history = [to_entry(r, undone) for r in records if r.row_id == row_id]
    return Item(
        dataset=session.dataset.name, run_id=session.run_id, row_id=row_id, position=position,
        split=None if session.dataset.splits is None else str(session.dataset.splits[position]),
        input=row_input, given_label=given, judged_label=judged, current_label=state.label, removed=state.removed,
        ambiguous=state.ambiguous, decided=session.is_decided(state, position), issue=issue, score=score,
        suggested_label=suggested, suggested_probability=suggested_prob,
        error_probability=label.details.get("error_prob") if label is not None else None,
        consensus_only_probability=(label.details.get("noise_error_prob")
                                    if label is not None and label.details.get("consensus_only") else None),
        verified_label=(None if label is None or label.details.get("verified_label") is None
                        else str(label.details["verified_label"])),
        suggestions=suggestions([str(c) for c in session.dataset.classes], judged, state.label, label_finding),
        classes=[str(c) for c in session.dataset.classes], findings=findings, neighbours=neighbours,
        duplicates=duplicates, history=history, filter=filter, prev_row_id=prev_row, next_row_id=next_row,
        pictures=session.has_pictures, group=group,
    )


def history(session: ReviewSession, limit: int | None = None) -> History:
    """The ledger, newest entry first; entries undone later are marked.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.
    limit : int, optional
        The most entries to return; every entry when None (or 0).

    Returns
    -------
    History
        The entries and the ledger's total length.
    """
    records = session.ledger_records()
    undone = {r.undoes for r in records if r.action == "undo" and r.undoes is not None}
    entries = [to_entry(r, undone) for r in reversed(records)]
    operation = latest_bulk_operation(records, session.reviewer)
    return History(session.dataset.name, len(records), entries[:limit] if limit else entries,
                   len(operation), operation[-1].reason if operation else None)


def _stated(notes: dict[str, Any], flagged: int) -> float | None:
    """The precision the run states for an issue's standing flags (see curate.report.data.stated_precision)."""
    from curate.report.data import stated_precision

    stated = stated_precision(notes, flagged)
    return None if stated is None else stated.precision


@dataclass
class ViewsPage:
    """The report's views in the app, each cell or slice leading to its queue.

    Attributes
    ----------
    matrix : NoiseMatrix or None
        The run's estimated noise matrix (None without a label check).
    cell_urls : dict of (str, str) to str
        Queue address of each off-diagonal (given, suggested) cell with label flags.
    slices : list of dict
        The slices the run reported (``metrics["slices"]``), worst first.
    disparities : list of dict
        The run's ``--sensitive`` groups (``metrics["disparities"]``).
    """

    matrix: NoiseMatrix | None
    cell_urls: dict[tuple[str, str], str]
    slices: list[dict[str, Any]]
    disparities: list[dict[str, Any]]


def views(session: ReviewSession) -> ViewsPage:
    """The noise matrix (each cell linked to the label queue of its rows) and the slices of the session's run.

    Parameters
    ----------
    session : ReviewSession
        The review session.

    Returns
    -------
    ViewsPage
        What the views page shows.
    """
    run = session.data.run
    label_notes = run.notes.get("label") if isinstance(run.notes.get("label"), dict) else {}
    matrix = noise_matrix(label_notes or {}, session.data.scores)
    urls = {}
    if matrix is not None:
        for i, given in enumerate(matrix.classes):
            for j, suggested in enumerate(matrix.classes):
                if i != j and matrix.flagged[i, j] > 0:
                    urls[(given, suggested)] = queue_url(QueueFilter(issue="label", label=given, suggested=suggested,
                                                                     state="all"))
    reported = [f for f in (run.metrics.get("slices") or {}).get("slices", []) if f.get("significant")]
    for finding in reported:  # a column's value links to its rows (clusters and ranges have no filter)
        if finding["column"] != "cluster" and not finding["value"].startswith(("≤ ", "> ", "(")):
            finding["url"] = queue_url(QueueFilter(slice=f"{finding['column']}={finding['value']}", state="all"))
    return ViewsPage(matrix, urls, sorted(reported, key=lambda f: -f["difference"]),
                     list(run.metrics.get("disparities") or []))
