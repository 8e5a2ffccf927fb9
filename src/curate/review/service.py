"""The review session: one audit run's findings, its data, and the ledger, behind plain methods.

The web pages, their JSON twins and any command-line use call these methods; nothing here knows
about HTTP. Rows are addressed by row id, looked up in the loaded dataset; an unknown id is a
:class:`~curate.errors.NotFoundError`, never a file name.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from curate import ledger
from curate.core.dataset import Dataset
from curate.errors import InputError, NotFoundError
from curate.ledger import RowState
from curate.ledger.feedback import Feedback, estimate_precision
from curate.ledger.versions import load_stored_version
from curate.review.models import DecisionRequest, DecisionResult, LedgerEntry, QueueFilter
from curate.review.textinfo import preview
from curate.store import RunRecord, Workspace
from curate.store.decisions import DecisionRecord, read_decisions

__all__ = ["ReviewSession", "RunData", "load_run"]


@dataclass(frozen=True)
class RunData:
    """A run as the review needs it: the dataset re-read from its stored copy and every finding."""

    workspace: Workspace
    run: RunRecord
    dataset: Dataset
    scores: pd.DataFrame  # every (row, issue) score, sorted by position then issue
    descriptions: dict[str, str]
    issues: list[str]


def load_run(workspace: Workspace, run_id: int | None = None) -> RunData:
    """Load run ``run_id`` (the latest when None) of ``workspace`` with its data and findings.

    Parameters
    ----------
    workspace : Workspace
        The workspace that holds the run.
    run_id : int, optional
        The run; the latest when None.

    Returns
    -------
    RunData
        The run, its dataset re-read from the stored copy, and every (row, issue) score.

    Raises
    ------
    NotFoundError
        When the workspace has no runs, or no run ``run_id``.
    """
    from curate.detectors import available_detectors

    run = workspace.run(run_id)
    stored = load_stored_version(workspace, run_id=run.id)
    scores = workspace.findings(run.id, flagged_only=False)
    scores = scores.sort_values(["position", "issue"], kind="stable").reset_index(drop=True)
    descriptions = {name: cls.description for name, cls in available_detectors().items()}
    issues = list(run.notes) or sorted(scores["issue"].unique())
    return RunData(workspace, run, stored.dataset, scores, descriptions, issues)


def to_entry(record: DecisionRecord, undone: set[int]) -> LedgerEntry:
    """The API's view of a ledger entry: the stored fields it shows, by name, and whether it was undone."""
    shown = {f.name: getattr(record, f.name) for f in fields(LedgerEntry) if f.name != "undone"}
    return LedgerEntry(**shown, undone=record.id in undone)


class ReviewSession:
    """Review one run as ``reviewer``: read findings and rows, record decisions in the ledger.

    Example
    -------
    >>> session = ReviewSession(load_run(Workspace("curate-workspace")), reviewer="ana")  # doctest: +SKIP
    >>> session.decide(DecisionRequest(row_id="17", action="keep"))  # doctest: +SKIP
    """

    def __init__(self, data: RunData, reviewer: str) -> None:
        self.data = data
        self.reviewer = reviewer
        self._lock = threading.Lock()
        dataset = data.dataset
        self._positions = {str(r): i for i, r in enumerate(dataset.row_ids)}
        self._labels = {str(r): str(lab) for r, lab in zip(dataset.row_ids, dataset.labels, strict=True)}
        self._input_hashes = dataset.input_hashes()
        positions = data.scores["position"].to_numpy()
        self._starts = np.searchsorted(positions, np.arange(dataset.n_rows + 1))
        self._texts = dataset.texts() if dataset.modality == "text" else None

    # ------------------------------------------------------------------ rows
    @property
    def dataset(self) -> Dataset:
        return self.data.dataset

    @property
    def run_id(self) -> int:
        return self.data.run.id

    @property
    def original_labels(self) -> dict[str, str]:
        return dict(self._labels)

    def row_ids(self) -> list[str]:
        return list(self._positions)

    def position_of(self, row_id: str) -> int:
        """The position of ``row_id`` in the dataset; NotFoundError for an id it does not have."""
        position = self._positions.get(row_id)
        if position is None:
            raise NotFoundError(f"no row {row_id!r} in dataset {self.dataset.name!r}")
        return position

    def row_id_at(self, position: int) -> str:
        return str(self.dataset.row_ids[position])

    def text_of(self, position: int) -> str | None:
        return None if self._texts is None else self._texts[position]

    def fields_of(self, position: int) -> dict[str, Any]:
        record = self.dataset.frame[list(self.dataset.input_columns)].iloc[position]
        return {str(k): (None if pd.isna(v) else v.item() if isinstance(v, np.generic) else v)
                for k, v in record.items()}

    def preview_of(self, position: int) -> str:
        text = self.text_of(position)
        if text is not None:
            return preview(text)
        return preview(", ".join(f"{k}={v}" for k, v in list(self.fields_of(position).items())[:8]))

    def findings_of(self, position: int) -> pd.DataFrame:
        """Every issue's score, flag, suggestion and details for the row at ``position``."""
        return self.data.scores.iloc[self._starts[position]:self._starts[position + 1]]

    def flagged(self) -> pd.DataFrame:
        scores = self.data.scores
        return scores[scores["flagged"]]

    # ------------------------------------------------------------------ ledger state
    def ledger_records(self) -> list[DecisionRecord]:
        return read_decisions(self.data.workspace, self.dataset.name)

    def states(self, records: list[DecisionRecord] | None = None) -> dict[str, RowState]:
        """Each row's state after the ledger: current label, removed, ambiguous, decided hash."""
        return ledger.replay(self._labels, self.ledger_records() if records is None else records)

    def feedback(self, records: list[DecisionRecord] | None = None) -> Feedback:
        """What the ledger's verdicts say about each issue's precision, overall and per class."""
        return estimate_precision(self.ledger_records() if records is None else records, self._labels)

    def is_decided(self, state: RowState, position: int) -> bool:
        """Decided: a decision is in effect and was made about the row's current input."""
        return state.decided_hash is not None and state.decided_hash == self._input_hashes[position]

    def decided_mask(self, states: dict[str, RowState]) -> np.ndarray:
        return np.fromiter((self.is_decided(states[str(r)], i) for i, r in enumerate(self.dataset.row_ids)),
                           dtype=bool, count=self.dataset.n_rows)

    # ------------------------------------------------------------------ queue order
    @staticmethod
    def with_precision(found: pd.DataFrame, feedback: Feedback) -> pd.DataFrame:
        """``found`` with a ``precision`` column: the estimate for each finding's issue and given class."""
        keys = list(zip(found["issue"].astype(str), found["given_label"].astype(str), strict=True))
        estimates = {key: feedback.precision(*key).precision for key in set(keys)}
        return found.assign(precision=[estimates[key] for key in keys])

    def ordered(self, filter: QueueFilter, feedback: Feedback | None = None) -> pd.DataFrame:
        """Flagged findings matching ``filter`` except its state, one per row, in queue order.

        Each row stands for its flag most likely to be right (the highest estimated precision of
        its issue and class, then the lowest score). The open queue puts those rows first, then
        the worst scores; decided and all list the worst scores first. With no verdicts every
        estimate is equal, and the order is by score alone.
        """
        found = self.flagged()
        if filter.issue is not None:
            if filter.issue not in self.data.issues:
                raise InputError(f"unknown issue {filter.issue!r}; use one of {', '.join(self.data.issues)}")
            found = found[found["issue"] == filter.issue]
        if filter.label is not None:
            found = found[found["given_label"] == filter.label]
        if filter.min_score is not None:
            found = found[found["score"] >= filter.min_score]
        if filter.max_score is not None:
            found = found[found["score"] <= filter.max_score]
        found = self.with_precision(found, self.feedback() if feedback is None else feedback)
        found = found.sort_values(["precision", "score", "position", "issue"], ascending=[False, True, True, True],
                                  kind="stable").drop_duplicates(subset="position", keep="first")
        if filter.state != "open":  # a decided flag's outcome is known: its estimate ranks nothing
            found = found.sort_values(["score", "position", "issue"], kind="stable")
        return found

    def matching(self, filter: QueueFilter, states: dict[str, RowState],
                 feedback: Feedback | None = None) -> pd.DataFrame:
        """The queue of ``filter``: :meth:`ordered` narrowed to its state (open, decided or all)."""
        found = self.ordered(filter, feedback)
        if filter.state == "all":
            return found
        decided = self.decided_mask(states)[found["position"].to_numpy(dtype=int)]
        return found[decided if filter.state == "decided" else ~decided]

    def neighbours_in_queue(self, filter: QueueFilter, row_id: str, states: dict[str, RowState],
                            earlier: list[str] | None = None) -> tuple[str | None, str | None]:
        """The previous and next row of the queue around ``row_id``, even once ``row_id`` has left it.

        ``earlier`` is the queue's order before a decision about ``row_id``: the verdict may move
        rows of its class up or down, and the next row is then the first, in the new order, of those
        that came after ``row_id`` before (so following "next" still visits every one of them).
        """
        order = self.ordered(filter)
        ids = order["row_id"].astype(str).tolist()
        positions = order["position"].to_numpy(dtype=int)
        decided = self.decided_mask(states)[positions]
        wanted = np.ones(len(ids), dtype=bool) if filter.state == "all" else (
            decided if filter.state == "decided" else ~decided)
        here = ids.index(row_id) if row_id in ids else -1
        if earlier is None:
            after = [ids[i] for i in range(here + 1, len(ids)) if wanted[i] and ids[i] != row_id]
        else:
            was = {r: i for i, r in enumerate(earlier)}
            start = was.get(row_id, -1)
            after = [r for i, r in enumerate(ids) if wanted[i] and r != row_id and was.get(r, len(earlier)) > start]
        before = [ids[i] for i in range(here - 1, -1, -1) if wanted[i]] if here >= 0 else []
        return (before[0] if before else None), (after[0] if after else None)

    # ------------------------------------------------------------------ decisions
    def finding_context(self, position: int, issue: str | None,
                        feedback: Feedback | None = None) -> tuple[str | None, float | None]:
        """The finding a decision answers: ``issue``'s score for the row, or the flag the row stands for
        in the all-issues queue (the likeliest to be right, then the worst score)."""
        rows = self.findings_of(position)
        if issue:
            if issue not in self.data.issues:
                raise InputError(f"unknown issue {issue!r}; use one of {', '.join(self.data.issues)}")
            match = rows[rows["issue"] == issue]
            return issue, float(match["score"].iloc[0]) if len(match) else None
        flagged = rows[rows["flagged"]]
        if flagged.empty:
            return None, None
        flagged = self.with_precision(flagged, self.feedback() if feedback is None else feedback).sort_values(
            ["precision", "score"], ascending=[False, True], kind="stable")
        return str(flagged["issue"].iloc[0]), float(flagged["score"].iloc[0])

    def decide(self, request: DecisionRequest, filter: QueueFilter | None = None,
               reason: str | None = None) -> DecisionResult:
        """Append one ledger entry for ``request``; returns it and the next row of ``filter``'s queue.

        The entry is committed (synchronous=FULL) before this returns.
        """
        position = self.position_of(request.row_id)
        if request.action == "relabel" and not request.new_label:
            raise InputError("relabel needs new_label: one of the dataset's classes")
        feedback = self.feedback()
        issue, score = self.finding_context(position, request.issue, feedback)
        if request.action == "remove" and reason is None:
            reason = self.duplicate_reason(position)
        earlier = None if filter is None else self.ordered(filter, feedback)["row_id"].astype(str).tolist()
        with self._lock:
            record = ledger.record(self.data.workspace, self.dataset, row_id=request.row_id, action=request.action,
                                   reviewer=self.reviewer,
                                   new_label=request.new_label if request.action == "relabel" else None,
                                   run_id=self.run_id, issue=issue, score=score, reason=reason)
        next_row = None
        if filter is not None:
            _, next_row = self.neighbours_in_queue(filter, request.row_id, self.states(), earlier)
        return DecisionResult(to_entry(record, set()), next_row)

    def duplicate_reason(self, position: int) -> str | None:
        rows = self.findings_of(position)
        exact = rows[(rows["issue"] == "exact_duplicate") & rows["flagged"]]
        if exact.empty:
            return None
        row_id = self.row_id_at(position)
        others = [c for c in exact["details"].iloc[0].get("copies", []) if c != row_id]
        return f"duplicate of {', '.join(others[:5])}" if others else None

    def undo(self) -> LedgerEntry:
        """Undo this reviewer's latest decision still in effect (an appended undo entry)."""
        with self._lock:
            record = ledger.undo_last(self.data.workspace, self.dataset, reviewer=self.reviewer)
        return to_entry(record, set())

    def record_many(self, requests: Sequence[tuple[DecisionRequest, str | None]]) -> list[LedgerEntry]:
        """Record several decisions, each in its own transaction, in order (for bulk actions)."""
        out = []
        with self._lock:
            for request, reason in requests:
                position = self.position_of(request.row_id)
                issue, score = self.finding_context(position, request.issue)
                record = ledger.record(self.data.workspace, self.dataset, row_id=request.row_id,
                                       action=request.action, reviewer=self.reviewer, new_label=request.new_label,
                                       run_id=self.run_id, issue=issue, score=score, reason=reason)
                out.append(to_entry(record, set()))
        return out
