"""The review session: one audit run's findings, its data, and the ledger, behind plain methods.

The web pages, their JSON twins and any command-line use call these methods; nothing here knows
about HTTP. Rows are addressed by row id, looked up in the loaded dataset; an unknown id is a
:class:`~curate.errors.NotFoundError`, never a file name.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from curate import ledger
from curate.core.dataset import Dataset
from curate.errors import InputError, NotFoundError
from curate.ingest.loading import input_hashes
from curate.ledger import RowState
from curate.ledger.feedback import Feedback, estimate_precision
from curate.ledger.versions import load_stored_version, with_judged_labels
from curate.modalities import RowView, get_modality
from curate.review.models import DecisionRequest, DecisionResult, LedgerEntry, QueueFilter
from curate.review.textinfo import preview
from curate.store import RunRecord, Workspace
from curate.store.decisions import DecisionRecord, read_decisions
from curate.store.run_files import decode_details

__all__ = ["PICTURE_SIDES", "ReviewSession", "RunData", "load_run"]

# The sizes a row's picture is served at: the longest side in pixels (small pictures are enlarged
# by whole factors up to it, see curate.modalities.image_picture.display_size).
PICTURE_SIDES = {"thumb": 96, "large": 512}


@dataclass(frozen=True)
class RunData:
    """A run as the review needs it: the dataset re-read from its stored copy and every finding."""

    workspace: Workspace
    run: RunRecord
    dataset: Dataset
    scores: pd.DataFrame  # every (row, issue) score, sorted by position then issue; current_label: as judged;
    # details as JSON text (findings_of and flagged give them as dicts)
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
        The run, its dataset re-read from the stored copy, and every (row, issue) score with
        ``given_label`` (the source's) and ``current_label`` (the label the run judged: the
        ledger's relabels up to the run applied).

    Raises
    ------
    NotFoundError
        When the workspace has no runs, or no run ``run_id``.
    """
    from curate.detectors import available_detectors

    run = workspace.run(run_id)
    stored = load_stored_version(workspace, run_id=run.id)
    # Details stay JSON text until a row is shown: a large run has millions of them.
    scores = with_judged_labels(workspace, run, workspace.findings(run.id, flagged_only=False, details_as_text=True))
    scores = scores.sort_values(["position", "issue"], kind="stable").reset_index(drop=True)
    descriptions = {name: cls.description for name, cls in available_detectors().items()}
    issues = list(run.notes) or sorted(scores["issue"].unique())
    return RunData(workspace, run, stored.dataset, scores, descriptions, issues)


def to_entry(record: DecisionRecord, undone: set[int]) -> LedgerEntry:
    """The API's view of a ledger entry: the stored fields it shows, by name, and whether it was undone.

    Parameters
    ----------
    record : DecisionRecord
        The stored ledger entry.
    undone : set of int
        Ids of the entries a later undo entry undid.

    Returns
    -------
    LedgerEntry
        Every field of ``LedgerEntry`` copied from ``record`` (the input hash is not shown), and
        ``undone`` True when ``record.id`` is in ``undone``.
    """
    shown = {f.name: getattr(record, f.name) for f in fields(LedgerEntry) if f.name != "undone"}
    return LedgerEntry(**shown, undone=record.id in undone)


class ReviewSession:
    """Review one run as ``reviewer``: read findings and rows, record decisions in the ledger.

    Decisions are appended under a lock, so the threads of one server record them one at a time.

    Parameters
    ----------
    data : RunData
        The run, its dataset and every finding (:func:`load_run`).
    reviewer : str
        The name recorded with every decision of this session.

    Examples
    --------
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
        self._input_hashes = input_hashes(dataset)
        # as a curate that hashed only a picture's path recorded them: its decisions still count
        self._path_hashes = dataset.input_hashes()
        positions = data.scores["position"].to_numpy()
        self._starts = np.searchsorted(positions, np.arange(dataset.n_rows + 1))
        self._modality = get_modality(dataset.modality)

    # ------------------------------------------------------------------ rows
    @property
    def dataset(self) -> Dataset:
        """The dataset version the run audited, as re-read from the workspace.

        Returns
        -------
        Dataset
            The run's data.
        """
        return self.data.dataset

    @property
    def run_id(self) -> int:
        """The id of the run under review.

        Returns
        -------
        int
            The run's id in the workspace.
        """
        return self.data.run.id

    @property
    def original_labels(self) -> dict[str, str]:
        """Each row's label as the run saw it, before any decision.

        Returns
        -------
        dict of str to str
            Row id to label; a fresh copy.
        """
        return dict(self._labels)

    def row_ids(self) -> list[str]:
        """Every row id, in dataset order.

        Returns
        -------
        list of str
            The ids as text.
        """
        return list(self._positions)

    def position_of(self, row_id: str) -> int:
        """The position of ``row_id`` in the dataset; NotFoundError for an id it does not have.

        Parameters
        ----------
        row_id : str
            A row id.

        Returns
        -------
        int
            The row's 0-based position in ``dataset``.

        Raises
        ------
        NotFoundError
            When the dataset has no row ``row_id``.
        """
        position = self._positions.get(row_id)
        if position is None:
            raise NotFoundError(f"no row {row_id!r} in dataset {self.dataset.name!r}")
        return position

    def row_id_at(self, position: int) -> str:
        """The id of the row at ``position``.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        str
            The row's id as text.
        """
        return str(self.dataset.row_ids[position])

    def view_of(self, position: int) -> RowView:
        """How the row at ``position`` is shown (its text or its fields), as its modality decides.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        RowView
            The modality's view of the row (:meth:`Modality.row_view`).
        """
        return self._modality.row_view(self.dataset, position)

    def preview_of(self, position: int) -> str:
        """A one-line preview of the row at ``position`` for the queue.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        str
            The modality's preview on one line, at most 160 characters.
        """
        return preview(self._modality.preview(self.dataset, position))

    @property
    def has_pictures(self) -> bool:
        """Whether the rows are pictures, which the pages then show (the image modality).

        Returns
        -------
        bool
            True when the dataset's modality reads images.
        """
        return self._modality.reads_images

    def shows_picture(self, position: int) -> bool:
        """Whether the row at ``position`` has a picture to show (the pages link none for the others).

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        bool
            True for a picture that was read; False for one that was not (``row_view`` says why)
            and for every row of a modality without pictures.
        """
        return self.has_pictures and self.view_of(position).problem is None

    def picture(self, row_id: str, size: str) -> bytes:
        """The picture of row ``row_id`` as a PNG at ``size``, encoded anew from its decoded pixels.

        The row is looked up by id in the run's dataset; its cell is decoded the way the audit
        decodes it (a path only inside the dataset's folder), so no request names a file.

        Parameters
        ----------
        row_id : str
            A row id.
        size : {"thumb", "large"}
            A key of :data:`PICTURE_SIDES`.

        Returns
        -------
        bytes
            A PNG file.

        Raises
        ------
        InputError
            When ``size`` is not a key of :data:`PICTURE_SIDES`.
        NotFoundError
            When the dataset has no row ``row_id``, its rows are not pictures, or this row's
            picture cannot be read.
        """
        if size not in PICTURE_SIDES:
            raise InputError(f"size must be one of {', '.join(PICTURE_SIDES)}, not {size!r}")
        position = self.position_of(row_id)
        png = self._modality.row_picture(self.dataset, position, PICTURE_SIDES[size])
        if png is None:
            raise NotFoundError(f"row {row_id!r} has no picture to show"
                                + ("" if self.has_pictures else f" (dataset {self.dataset.name!r} is not images)"))
        return png

    def findings_of(self, position: int) -> pd.DataFrame:
        """Every issue's score, flag, suggestion and details for the row at ``position``.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        pandas.DataFrame
            The row's rows of ``data.scores`` (one per issue, by issue name), with their details
            as dicts.
        """
        return decode_details(self.data.scores.iloc[self._starts[position]:self._starts[position + 1]])

    def flagged(self) -> pd.DataFrame:
        """Every flagged finding of the run, whatever the ledger says.

        Returns
        -------
        pandas.DataFrame
            The rows of ``data.scores`` whose ``flagged`` is True, by position then issue;
            ``details`` left as JSON text (the queue and dashboard, which call this on every
            request, do not read them; :meth:`findings_of` gives one row's as dicts).
        """
        scores = self.data.scores
        return scores[scores["flagged"]]

    # ------------------------------------------------------------------ ledger state
    def ledger_records(self) -> list[DecisionRecord]:
        """The dataset's whole ledger, read afresh (other sessions may have appended to it).

        Returns
        -------
        list of DecisionRecord
            Every entry, in ledger order, undo entries included.
        """
        return read_decisions(self.data.workspace, self.dataset.name)

    def states(self, records: list[DecisionRecord] | None = None) -> dict[str, RowState]:
        """Each row's state after the ledger: current label, removed, ambiguous, decided hash.

        Parameters
        ----------
        records : list of DecisionRecord, optional
            The ledger to replay; read afresh when None.

        Returns
        -------
        dict of str to RowState
            Row id to state (:func:`curate.ledger.replay` over the original labels).
        """
        return ledger.replay(self._labels, self.ledger_records() if records is None else records)

    def feedback(self, records: list[DecisionRecord] | None = None) -> Feedback:
        """What the ledger's verdicts say about each issue's precision, overall and per class.

        Parameters
        ----------
        records : list of DecisionRecord, optional
            The ledger; read afresh when None.

        Returns
        -------
        Feedback
            The verdicts and precision estimates (:func:`curate.ledger.feedback.estimate_precision`).
        """
        return estimate_precision(self.ledger_records() if records is None else records, self._labels)

    def is_decided(self, state: RowState, position: int) -> bool:
        """Decided: a decision is in effect and was made about the row's current input.

        Parameters
        ----------
        state : RowState
            The row's state after the ledger.
        position : int
            The row's 0-based position, to compare its input hash.

        Returns
        -------
        bool
            True when the last effective decision (skips aside) was made on the same input.
        """
        return state.decided_hash is not None and state.decided_hash in (self._input_hashes[position],
                                                                         self._path_hashes[position])

    def decided_mask(self, states: dict[str, RowState]) -> np.ndarray:
        """Which rows are decided (:meth:`is_decided`), in dataset order.

        Parameters
        ----------
        states : dict of str to RowState
            Every row's state after the ledger (:meth:`states`).

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,), bool.
        """
        return np.fromiter((self.is_decided(states[str(r)], i) for i, r in enumerate(self.dataset.row_ids)),
                           dtype=bool, count=self.dataset.n_rows)

    # ------------------------------------------------------------------ queue order
    @staticmethod
    def with_precision(found: pd.DataFrame, feedback: Feedback) -> pd.DataFrame:
        """``found`` with a ``precision`` column: the estimate for each finding's issue and judged class.

        Parameters
        ----------
        found : pandas.DataFrame
            Findings with ``issue`` and ``current_label`` (the label the run judged) columns.
        feedback : Feedback
            The precision estimates.

        Returns
        -------
        pandas.DataFrame
            A copy of ``found`` with ``precision``: the posterior mean of
            :meth:`Feedback.precision` for the finding's issue and the label the run judged (a
            verdict's class is the row's label when it was decided, which is that label).
        """
        keys = list(zip(found["issue"].astype(str), found["current_label"].astype(str), strict=True))
        estimates = {key: feedback.precision(*key).precision for key in set(keys)}
        return found.assign(precision=[estimates[key] for key in keys])

    def slice_positions(self, slice: str) -> np.ndarray:
        """Positions of the rows in slice ``COLUMN=VALUE``, the value named as the run's slices name it.

        Parameters
        ----------
        slice : str
            ``COLUMN=VALUE``.

        Returns
        -------
        numpy.ndarray
            Row positions, int64.

        Raises
        ------
        InputError
            When the dataset has no such column.
        """
        from curate.slices.candidates import factorize_groups

        column, _, value = slice.partition("=")
        dataset = self.data.dataset
        for frame in (dataset.metadata, dataset.frame):
            if frame is not None and column in map(str, frame.columns):
                codes, levels = factorize_groups(frame[column])
                if value not in levels:
                    return np.zeros(0, dtype=np.int64)
                return np.flatnonzero(codes == levels.index(value)).astype(np.int64)
        raise InputError(f"slice: no column {column!r} in the run's data")

    def ordered(self, filter: QueueFilter, feedback: Feedback | None = None) -> pd.DataFrame:
        """Flagged findings matching ``filter`` except its state, one per row, in queue order.

        Each row stands for its flag most likely to be right (the highest estimated precision of
        its issue and class, then the lowest score). The open queue puts those rows first, then
        the worst scores; decided and all list the worst scores first. With no verdicts every
        estimate is equal, and the order is by score alone.

        Parameters
        ----------
        filter : QueueFilter
            The queue's issue, class, suggested class and score range; its state is not applied here.
        feedback : Feedback, optional
            The ledger's precision estimates; read from the ledger when None (pass them to avoid
            reading it again).

        Returns
        -------
        pandas.DataFrame
            One flagged finding per row, with a ``precision`` column, in queue order.

        Raises
        ------
        InputError
            When ``filter.issue`` is not an issue of the run.
        """
        found = self.flagged()
        if filter.issue is not None:
            if filter.issue not in self.data.issues:
                raise InputError(f"unknown issue {filter.issue!r}; use one of {', '.join(self.data.issues)}")
            found = found[found["issue"] == filter.issue]
        if filter.label is not None:
            found = found[found["current_label"] == filter.label]  # the class the run flagged the row in
        if filter.suggested is not None:
            found = found[found["suggested_label"] == filter.suggested]
        if filter.slice is not None:
            found = found[np.isin(found["position"].to_numpy(), self.slice_positions(filter.slice))]
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
        """The queue of ``filter``: :meth:`ordered` narrowed to its state (open, decided or all).

        Parameters
        ----------
        filter : QueueFilter
            The queue.
        states : dict of str to RowState
            Every row's state after the ledger (:meth:`states`), to tell decided rows from open.
        feedback : Feedback, optional
            The ledger's precision estimates; read from the ledger when None (pass them to avoid
            reading it again).

        Returns
        -------
        pandas.DataFrame
            The rows of :meth:`ordered` in ``filter.state``, in queue order.

        Raises
        ------
        InputError
            When ``filter.issue`` is not an issue of the run.
        """
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

        Parameters
        ----------
        filter : QueueFilter
            The queue.
        row_id : str
            The row to look around.
        states : dict of str to RowState
            Every row's state after the ledger, to keep only rows in ``filter.state``.
        earlier : list of str, optional
            The queue's row ids, in order, before the decision about ``row_id``.

        Returns
        -------
        previous : str or None
            The row before ``row_id`` in the queue; None at the start or when ``row_id`` left it.
        next : str or None
            The row after it; None at the end of the queue.
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
        """The finding a decision answers: ``issue``'s score for the row, or the flag it stands for.

        Without ``issue``, that is the flag the row stands for in the all-issues queue: the likeliest
        to be right, then the worst score.

        Parameters
        ----------
        position : int
            0-based row position.
        issue : str or None
            The issue the reviewer was looking at; None or empty for the all-issues queue.
        feedback : Feedback, optional
            The ledger's precision estimates; read from the ledger when None (pass them to avoid
            reading it again).

        Returns
        -------
        issue : str or None
            The finding's issue; None when the row is not flagged for ``issue`` (or, without one,
            for anything).
        score : float or None
            The row's score for that issue; None with no issue.

        Raises
        ------
        InputError
            When ``issue`` is not an issue of the run.
        """
        rows = self.findings_of(position)
        if issue:
            if issue not in self.data.issues:
                raise InputError(f"unknown issue {issue!r}; use one of {', '.join(self.data.issues)}")
            match = rows[rows["issue"] == issue]
            if not match["flagged"].any():
                # a decision about a row this check did not flag is no verdict on the check's flags:
                # recorded without the issue, it changes the row but not the check's precision
                return None, None
            return issue, float(match["score"].iloc[0])
        flagged = rows[rows["flagged"]]
        if flagged.empty:
            return None, None
        flagged = self.with_precision(flagged, self.feedback() if feedback is None else feedback).sort_values(
            ["precision", "score"], ascending=[False, True], kind="stable")
        return str(flagged["issue"].iloc[0]), float(flagged["score"].iloc[0])

    def decide(self, request: DecisionRequest, filter: QueueFilter | None = None,
               reason: str | None = None) -> DecisionResult:
        """Append one ledger entry for ``request``; returns it and the next row of ``filter``'s queue.

        The entry is committed (synchronous=FULL) before this returns. It names the finding it
        answers (:meth:`finding_context`); a removal of an exact duplicate gives the copies it
        duplicates as its reason unless ``reason`` says otherwise.

        Parameters
        ----------
        request : DecisionRequest
            The row, the action, the new label (relabel only) and the issue looked at.
        filter : QueueFilter, optional
            The queue the reviewer works through; None: no next row is looked up.
        reason : str, optional
            A free-text note stored with the entry.

        Returns
        -------
        DecisionResult
            The appended entry, and the next row id of the queue (None at its end or without
            ``filter``).

        Raises
        ------
        NotFoundError
            When the dataset has no row ``request.row_id``.
        InputError
            When a relabel has no or an unknown ``new_label``, names the row's label already, or is
            of a removed row; another action has a ``new_label``; the action or issue is unknown, or
            the reviewer name is blank.
        """
        position = self.position_of(request.row_id)
        if request.action == "relabel" and not request.new_label:
            raise InputError("relabel needs new_label: one of the dataset's classes")
        if request.action != "relabel" and request.new_label:
            # a client that meant a relabel must not have it recorded as a keep, the label dropped
            raise InputError(f"{request.action} takes no new_label (only relabel does): "
                             f"send action relabel to change the label to {request.new_label!r}")
        state = self.states().get(request.row_id)
        if state is not None and request.action == "relabel":
            if state.removed:
                raise InputError(f"row {request.row_id} is removed; undo the removal before relabelling it")
            if request.new_label == state.label:
                raise InputError(f"row {request.row_id} is already labelled {state.label!r}")
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
        """The reason recorded with the removal of an exact duplicate: which rows it duplicates.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        str or None
            ``duplicate of ID, ...`` (at most five ids), or None when the row is not flagged as
            an exact duplicate.
        """
        rows = self.findings_of(position)
        exact = rows[(rows["issue"] == "exact_duplicate") & rows["flagged"]]
        if exact.empty:
            return None
        row_id = self.row_id_at(position)
        others = [c for c in exact["details"].iloc[0].get("copies", []) if c != row_id]
        return f"duplicate of {', '.join(others[:5])}" if others else None

    def undo(self) -> LedgerEntry:
        """Undo this reviewer's latest decision still in effect (an appended undo entry).

        Returns
        -------
        LedgerEntry
            The undo entry; ``undoes`` names the entry it undid.

        Raises
        ------
        InputError
            When this reviewer has no decision left to undo.
        """
        with self._lock:
            record = ledger.undo_last(self.data.workspace, self.dataset, reviewer=self.reviewer)
        return to_entry(record, set())

    def undo_bulk(self) -> list[LedgerEntry]:
        """Undo this reviewer's latest bulk operation, every entry of it still in effect, at once.

        Returns
        -------
        list of LedgerEntry
            The undo entries, newest decision first.

        Raises
        ------
        InputError
            When this reviewer's latest decision in effect was not part of a bulk operation.
        """
        with self._lock:
            records = ledger.undo_bulk(self.data.workspace, self.dataset, reviewer=self.reviewer)
        return [to_entry(r, set()) for r in records]

    def record_many(self, requests: Sequence[tuple[DecisionRequest, str | None]]) -> list[LedgerEntry]:
        """Record several decisions, each in its own transaction, in order (for bulk actions).

        Parameters
        ----------
        requests : sequence of (DecisionRequest, str or None)
            Each decision with the reason to store with it.

        Returns
        -------
        list of LedgerEntry
            The appended entries, in order.

        Raises
        ------
        NotFoundError
            When a request names a row the dataset does not have; the entries before it stay
            recorded.
        InputError
            When a request's action, label or issue is unusable; likewise.
        """
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
