"""Bulk actions over a filtered queue: a preview of what would change, then the confirmed change.

The preview carries a fingerprint of its change list; applying checks the fingerprint against a
fresh preview, so a confirmation never applies something other than what the reviewer saw.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from curate.errors import InputError
from curate.ledger import BULK_REASON, RowState
from curate.review.models import BULK_OPERATIONS, BulkChange, BulkPreview, BulkResult, DecisionRequest, QueueFilter
from curate.review.service import ReviewSession

__all__ = ["BulkConflictError", "apply_bulk", "preview_bulk"]


class BulkConflictError(InputError):
    """The queue changed between the preview and its confirmation."""


def _keeper(copies: list[str], states: dict[str, RowState]) -> str | None:
    """The copy that stays: the first one not already removed."""
    return next((c for c in copies if c in states and not states[c].removed), None)


def _group_copies(session: ReviewSession, details: dict[str, Any]) -> list[str]:
    """Every copy of an exact-duplicate group: rows after the first list only a few, the first lists all."""
    copies = [str(c) for c in details.get("copies", [])]
    if len(copies) >= int(details.get("size", len(copies))):
        return copies
    first = session.findings_of(session.position_of(str(details["first"])))
    listed = first[(first["issue"] == "exact_duplicate") & first["flagged"]]
    return copies if listed.empty else [str(c) for c in listed["details"].iloc[0].get("copies", [])]


def _changes(session: ReviewSession, operation: str, filter: QueueFilter,
             states: dict[str, RowState]) -> tuple[list[BulkChange], int]:
    changes: list[BulkChange] = []
    rows = session.matching(filter, states)
    for position, row_id, issue, score in rows[["position", "row_id", "issue", "score"]].itertuples(
            index=False, name=None):
        row_id, state = str(row_id), states[str(row_id)]
        if state.removed:
            continue
        findings = session.findings_of(int(position))
        if operation == "remove_duplicates":
            exact = findings[(findings["issue"] == "exact_duplicate") & findings["flagged"]]
            if exact.empty:
                continue
            keeper = _keeper(_group_copies(session, exact["details"].iloc[0]), states)
            if keeper is not None and keeper != row_id:
                changes.append(BulkChange(row_id, "remove", "present", "removed", "exact_duplicate",
                                          float(exact["score"].iloc[0]), session.preview_of(int(position))))
        elif operation == "accept_suggestions":
            suggested = findings[findings["flagged"] & findings["suggested_label"].notna()]
            if suggested.empty:
                continue
            label = str(suggested.sort_values("score", kind="stable")["suggested_label"].iloc[0])
            if label != state.label:
                changes.append(BulkChange(row_id, "relabel", state.label, label, str(issue), float(score),
                                          session.preview_of(int(position))))
        else:
            changes.append(BulkChange(row_id, "keep", state.label, state.label, str(issue), float(score),
                                      session.preview_of(int(position))))
    return changes, len(rows) - len(changes)


def _fingerprint(operation: str, changes: list[BulkChange]) -> str:
    payload = json.dumps([operation, [[c.row_id, c.action, c.after] for c in changes]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def preview_bulk(session: ReviewSession, operation: str, filter: QueueFilter) -> BulkPreview:
    """What ``operation`` would record for the rows of ``filter``'s queue, without recording anything.

    ``remove_duplicates`` removes each flagged exact duplicate except the first copy not already
    removed; ``accept_suggestions`` relabels each row to its worst-scored flag's suggestion;
    ``keep_all`` keeps every row's current label. Removed rows are left alone.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.
    operation : str
        One of ``BULK_OPERATIONS``.
    filter : QueueFilter
        The queue the operation applies to.

    Returns
    -------
    BulkPreview
        The changes, how many rows of the queue would stay unchanged, and the fingerprint to
        send back with the confirmation.

    Raises
    ------
    InputError
        When ``operation`` is unknown, or ``filter.issue`` is not an issue of the run.
    """
    if operation not in BULK_OPERATIONS:
        raise InputError(f"unknown bulk operation {operation!r}; use one of {', '.join(BULK_OPERATIONS)}")
    changes, unchanged = _changes(session, operation, filter, session.states())
    return BulkPreview(operation, BULK_OPERATIONS[operation], filter, changes, unchanged,
                       _fingerprint(operation, changes))


def apply_bulk(session: ReviewSession, operation: str, filter: QueueFilter, fingerprint: str) -> BulkResult:
    """Record the previewed changes, one ledger entry each; refuses if they differ from the preview.

    Parameters
    ----------
    session : ReviewSession
        The review session.
    operation : str
        One of ``BULK_OPERATIONS``.
    filter : QueueFilter
        The queue the preview was made for.
    fingerprint : str
        The preview's ``fingerprint``, as the reviewer confirmed it.

    Returns
    -------
    BulkResult
        How many entries were appended, and their ids.

    Raises
    ------
    BulkConflictError
        When a fresh preview's fingerprint differs: the queue changed since the preview.
    InputError
        When ``operation`` is unknown, or ``filter.issue`` is not an issue of the run.
    """
    preview = preview_bulk(session, operation, filter)
    if preview.fingerprint != fingerprint:
        raise BulkConflictError("the queue changed since the preview (someone decided in between); "
                                "open the preview again and confirm what it shows now")
    # One token per operation: its entries share their reason, so the whole operation can be undone at once.
    reason = f"{BULK_REASON}{operation} #{secrets.token_hex(4)}"
    requests = [(DecisionRequest(c.row_id, c.action, c.after if c.action == "relabel" else None,  # type: ignore[arg-type]
                                 c.issue), reason) for c in preview.changes]
    entries = session.record_many(requests)
    return BulkResult(operation, len(entries), [e.id for e in entries])
