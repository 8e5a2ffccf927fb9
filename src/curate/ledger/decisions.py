"""The decision ledger: record what reviewers decide, undo it, and replay it onto the data.

Nothing is overwritten. Every action (keep, relabel, ambiguous, remove, skip, undo) appends one
entry; the state of a row is a replay of its entries. A version is a point in the ledger: version V
is the data with entries 1..V applied, version 0 the untouched source.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset
from curate.errors import InputError, NotFoundError
from curate.ingest.loading import input_hashes
from curate.store import Workspace
from curate.store.decisions import DecisionRecord, append_decision, append_decisions, read_decisions

__all__ = ["ACTIONS", "BULK_REASON", "RowState", "apply_to_dataset", "diff_states", "effective", "is_bulk",
           "latest_bulk_operation", "record", "replay", "undo_bulk", "undo_last"]

# The reason of every entry a bulk operation records starts so (then the operation and its token).
BULK_REASON = "bulk "

# action -> the field it is about
ACTIONS = {"keep": "label", "relabel": "label", "ambiguous": "label", "remove": "row", "skip": "row"}
# Entries that are not a reviewer's decision about the data: an annotator's label in annotation mode
# (curate.store.annotations). Replaying the ledger passes them by, so a version or an export never
# takes a single annotator's label as the dataset's; only a consensus, written as a relabel, does.
NOT_DECISIONS = frozenset({"annotate"})


@dataclass
class RowState:
    """A row's state after replaying the ledger."""

    label: str
    removed: bool = False
    ambiguous: bool = False
    decided_hash: str | None = None  # input hash of the last effective decision (skip excluded)
    history: list[int] = field(default_factory=list)


def effective(entries: list[DecisionRecord]) -> list[DecisionRecord]:
    """The entries still in effect, in ledger order: undo entries and the entries they undid left out.

    Parameters
    ----------
    entries : list of DecisionRecord
        A ledger (or part of one), in ledger order.

    Returns
    -------
    list of DecisionRecord
        The entries that are neither undo entries nor undone by one.
    """
    undone = {e.undoes for e in entries if e.action == "undo"}
    return [e for e in entries if e.action != "undo" and e.id not in undone]


def replay(labels: dict[str, str], entries: list[DecisionRecord]) -> dict[str, RowState]:
    """Apply ``entries`` (in ledger order, undone ones skipped) to the original ``labels`` by row id.

    ``relabel`` sets the label (and clears ambiguity), ``ambiguous`` marks the row, ``keep`` clears
    the mark, ``remove`` removes the row; every effective entry but ``skip`` records the input hash
    it was made on. Entries about rows that are not in ``labels`` are ignored, and so are
    ``annotate`` entries (one annotator's label is not a decision about the dataset's label).

    Parameters
    ----------
    labels : dict of str to str
        Each row id's label in the untouched source.
    entries : list of DecisionRecord
        The ledger, in ledger order (undo entries included).

    Returns
    -------
    dict of str to RowState
        Each row id of ``labels`` with its state after the ledger, and the ids of the entries
        that touched it.
    """
    states = {row_id: RowState(label) for row_id, label in labels.items()}
    for entry in effective(entries):
        state = states.get(entry.row_id)
        if state is None or entry.action in NOT_DECISIONS:  # a row no longer in this data version
            continue
        state.history.append(entry.id)
        if entry.action == "relabel" and entry.new_value is not None:
            state.label = entry.new_value
            state.ambiguous = False
        elif entry.action == "ambiguous":
            state.ambiguous = True
        elif entry.action == "keep":
            state.ambiguous = False
        elif entry.action == "remove":
            state.removed = True
        if entry.action != "skip":
            state.decided_hash = entry.input_hash
    return states


def record(
    workspace: Workspace,
    dataset: Dataset,
    *,
    row_id: str,
    action: str,
    reviewer: str,
    new_label: str | None = None,
    run_id: int | None = None,
    issue: str | None = None,
    score: float | None = None,
    reason: str | None = None,
) -> DecisionRecord:
    """Append a reviewer's decision about one row of ``dataset``; returns the ledger entry.

    The entry records the row's value before and after (its label, ``present``/``removed``, or
    ``ambiguous:LABEL``) as the ledger so far leaves it, and the hash of the row's input, so that
    a later change to the input makes the decision stale rather than silently reused.

    Parameters
    ----------
    workspace : Workspace
        The workspace holding the dataset's ledger.
    dataset : Dataset
        The dataset version the decision is about.
    row_id : str
        The row's id.
    action : str
        One of ``ACTIONS``: ``keep``, ``relabel``, ``ambiguous``, ``remove`` or ``skip``.
    reviewer : str
        Who decided (trimmed; must not be blank).
    new_label : str, optional
        The new label, for ``relabel``: one of ``dataset.classes``.
    run_id : int, optional
        The run whose finding prompted the decision.
    issue : str, optional
        The issue type of that finding.
    score : float, optional
        That finding's score.
    reason : str, optional
        A free-text note.

    Returns
    -------
    DecisionRecord
        The appended entry, with its ledger id and time; its id is the version it creates.

    Raises
    ------
    InputError
        When ``action`` is unknown, ``reviewer`` is blank, or ``new_label`` is not a class.
    NotFoundError
        When ``row_id`` is not in ``dataset``, or the dataset is not in the workspace.

    Examples
    --------
    >>> record(ws, ds, row_id="17", action="relabel", new_label="sports", reviewer="ana")  # doctest: +SKIP
    """
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)} (or undo)")
    positions = {str(r): i for i, r in enumerate(dataset.row_ids)}
    if row_id not in positions:
        raise NotFoundError(f"no row {row_id!r} in dataset {dataset.name!r}")
    if not reviewer.strip():
        raise InputError("a decision needs a reviewer name")
    history = read_decisions(workspace, dataset.name, row_id=row_id)
    current = replay({row_id: str(dataset.labels[positions[row_id]])}, history)[row_id]
    old_value: str | None = current.label
    new_value: str | None = current.label
    if action == "relabel":
        if new_label not in dataset.classes:
            raise InputError(f"cannot relabel to {new_label!r}: not one of the dataset's classes")
        new_value = new_label
    elif action == "remove":
        old_value, new_value = "present", "removed"
    elif action == "skip":
        old_value = new_value = None
    elif action == "ambiguous":
        new_value = f"ambiguous:{current.label}"
    input_hash = input_hashes(dataset, [positions[row_id]])[0]
    entry: dict[str, Any] = {"row_id": row_id, "input_hash": input_hash, "action": action,
             "field": ACTIONS[action], "old_value": old_value, "new_value": new_value,
             "reviewer": reviewer.strip(), "run_id": run_id, "issue": issue, "score": score, "reason": reason}
    return append_decision(workspace, dataset.name, entry)


def undo_last(workspace: Workspace, dataset: Dataset, *, reviewer: str) -> DecisionRecord:
    """Undo ``reviewer``'s most recent decision that is still in effect, by appending an undo entry.

    Skips are not undone: they change nothing. Other reviewers' decisions are never undone.

    Parameters
    ----------
    workspace : Workspace
        The workspace holding the dataset's ledger.
    dataset : Dataset
        The dataset whose ledger to append to.
    reviewer : str
        Whose decision to undo (trimmed).

    Returns
    -------
    DecisionRecord
        The undo entry; ``undoes`` is the id of the entry it undid, and its old and new values
        are that entry's swapped.

    Raises
    ------
    InputError
        When ``reviewer`` has no decision left in effect.
    NotFoundError
        When the dataset is not in the workspace.
    """
    mine = _undoable(read_decisions(workspace, dataset.name), reviewer.strip())
    if not mine:
        raise InputError(f"{reviewer!r} has no decision left to undo")
    return append_decision(workspace, dataset.name, _undo_entry(mine[-1], reviewer.strip()))


def _undo_entry(target: DecisionRecord, reviewer: str) -> dict[str, Any]:
    """The entry that undoes ``target``: its values swapped, ``undoes`` naming it."""
    return {"row_id": target.row_id, "input_hash": target.input_hash, "action": "undo", "field": target.field,
            "old_value": target.new_value, "new_value": target.old_value, "reviewer": reviewer,
            "run_id": target.run_id, "issue": target.issue, "score": target.score, "undoes": target.id,
            "reason": f"undo of entry {target.id}"}


def is_bulk(entry: DecisionRecord) -> bool:
    """Whether ``entry`` came from a bulk operation of the review app (its reason starts ``bulk ``).

    Parameters
    ----------
    entry : DecisionRecord
        A ledger entry.

    Returns
    -------
    bool
        True for an entry a bulk operation recorded.
    """
    return bool(entry.reason) and str(entry.reason).startswith(BULK_REASON)


def undo_bulk(workspace: Workspace, dataset: Dataset, *, reviewer: str) -> list[DecisionRecord]:
    """Undo ``reviewer``'s latest bulk operation: every entry of it still in effect, in one transaction.

    A bulk operation's entries share their reason (``bulk OPERATION #TOKEN``, one token per operation);
    those ``reviewer`` already undid one by one stay undone, and nothing else is touched.

    Parameters
    ----------
    workspace : Workspace
        The workspace holding the dataset's ledger.
    dataset : Dataset
        The dataset whose ledger to append to.
    reviewer : str
        Whose operation to undo (trimmed).

    Returns
    -------
    list of DecisionRecord
        The undo entries, newest decision first.

    Raises
    ------
    InputError
        When ``reviewer`` has no decision in effect, or the latest one was not part of a bulk
        operation (nothing is recorded).
    NotFoundError
        When the dataset is not in the workspace.
    """
    who = reviewer.strip()
    entries = read_decisions(workspace, dataset.name)
    operation = latest_bulk_operation(entries, who)
    if not operation:
        mine = _undoable(entries, who)
        if not mine:
            raise InputError(f"{reviewer!r} has no decision left to undo")
        raise InputError(f"{who!r}'s latest decision (entry {mine[-1].id}, row {mine[-1].row_id}) was not part of a "
                         "bulk operation; undo it on its own")
    return append_decisions(workspace, dataset.name, [_undo_entry(e, who) for e in reversed(operation)])


def _undoable(entries: list[DecisionRecord], reviewer: str) -> list[DecisionRecord]:
    """``reviewer``'s decisions still in effect that an undo can take back, in ledger order."""
    return [e for e in effective(entries) if e.reviewer == reviewer and e.action != "skip"
            and e.action not in NOT_DECISIONS]


def latest_bulk_operation(entries: list[DecisionRecord], reviewer: str) -> list[DecisionRecord]:
    """The entries still in effect of ``reviewer``'s latest bulk operation, if their latest decision was one.

    Parameters
    ----------
    entries : list of DecisionRecord
        The dataset's ledger, in order.
    reviewer : str
        The reviewer.

    Returns
    -------
    list of DecisionRecord
        In ledger order; empty when the reviewer's latest decision in effect was not a bulk one.
    """
    mine = _undoable(entries, reviewer.strip())
    if not mine or not is_bulk(mine[-1]):
        return []
    return [e for e in mine if e.reason == mine[-1].reason]


def apply_to_dataset(dataset: Dataset, states: dict[str, RowState]) -> Dataset:
    """The dataset as the ledger leaves it: labels corrected, removed rows dropped, ids unchanged.

    The source was validated when it was imported; reviewers' decisions are applied without
    validating again, so a class that reviewers left with a single row (or none) is audited
    rather than refused. The classes keep the source's order; a class no row holds any more is
    dropped.

    Parameters
    ----------
    dataset : Dataset
        The source version.
    states : dict of str to RowState
        Each row id's state after replaying the ledger (:func:`replay`).

    Returns
    -------
    Dataset
        The current version.
    """
    keep = np.array([not states[str(r)].removed for r in dataset.row_ids], dtype=bool)
    labels = np.array([states[str(r)].label for r in dataset.row_ids[keep]], dtype=object)
    present = set(labels.tolist())
    return replace(dataset, frame=dataset.frame.loc[keep].reset_index(drop=True).copy(),
                   row_ids=dataset.row_ids[keep], labels=labels,
                   classes=tuple(c for c in dataset.classes if c in present),
                   splits=dataset.splits[keep] if dataset.splits is not None else None,
                   notes=list(dataset.notes),
                   metadata=None if dataset.metadata is None else dataset.metadata.loc[keep].reset_index(drop=True))


def diff_states(before: dict[str, RowState], after: dict[str, RowState]) -> pd.DataFrame:
    """Rows whose label, removal or ambiguity differs between two replays.

    Parameters
    ----------
    before, after : dict of str to RowState
        Two replays (:func:`replay`) of the same rows; every row id of ``after`` must be in
        ``before``.

    Returns
    -------
    pandas.DataFrame
        One row per changed field, columns ``row_id``, ``field`` (``label``, ``removed`` or
        ``ambiguous``), ``before`` and ``after``, in the row order of ``after``.
    """
    rows = []
    for row_id, new in after.items():
        old = before[row_id]
        for name in ("label", "removed", "ambiguous"):
            a, b = getattr(old, name), getattr(new, name)
            if a != b:
                rows.append({"row_id": row_id, "field": name, "before": a, "after": b})
    return pd.DataFrame(rows, columns=["row_id", "field", "before", "after"])
