"""The line a page shows after a decision, saying what the ledger recorded."""

from __future__ import annotations

from curate.review.models import LedgerEntry
from curate.review.service import ReviewSession, to_entry

__all__ = ["confirmation", "describe"]


def _value(value: str | None) -> str:
    """A stored old or new value in words (an ambiguous mark keeps the label it was given)."""
    if value is None:
        return "nothing"
    if value.startswith("ambiguous:"):
        return f"ambiguous ({value.removeprefix('ambiguous:')})"
    return value


def describe(entry: LedgerEntry) -> str:
    """One ledger entry in words, e.g. ``row 123: relabelled sport → business``.

    Parameters
    ----------
    entry : LedgerEntry
        A recorded decision or undo.

    Returns
    -------
    str
        The row, what was done and, where a value changed, from what to what.

    Examples
    --------
    >>> entry = LedgerEntry(7, "123", "relabel", "label", "sport", "business", "ana", "", 1, "label", 0.1, None, None)
    >>> describe(entry)
    'row 123: relabelled sport → business'
    """
    row = f"row {entry.row_id}"
    if entry.action == "relabel":
        return f"{row}: relabelled {_value(entry.old_value)} → {_value(entry.new_value)}"
    if entry.action == "keep":
        return f"{row}: kept {_value(entry.new_value)}"
    if entry.action == "ambiguous":
        return f"{row}: marked {_value(entry.new_value)}"
    if entry.action == "remove":
        return f"{row}: removed"
    if entry.action == "skip":
        return f"{row}: skipped, still open"
    if entry.action == "undo":
        changed = "" if entry.old_value == entry.new_value else (
            f", {_value(entry.old_value)} → {_value(entry.new_value)}")
        return f"{row}: undid entry {entry.undoes}{changed}"
    return f"{row}: {entry.action}"


def confirmation(session: ReviewSession, entry_id: int | None, count: int = 1) -> str | None:
    """The confirmation of ledger entry ``entry_id`` (and the ``count - 1`` before it), or None.

    Parameters
    ----------
    session : ReviewSession
        The review session; its ledger is read afresh.
    entry_id : int or None
        The entry the page was sent to confirm; None: nothing to confirm.
    count : int, default 1
        How many entries, ending at ``entry_id``, one action recorded (a bulk operation).

    Returns
    -------
    str or None
        ``recorded: ...`` with the entry in words and its number; None when ``entry_id`` is None
        or not in this dataset's ledger.
    """
    if entry_id is None:
        return None
    record = next((r for r in session.ledger_records() if r.id == entry_id), None)
    if record is None:
        return None
    said = describe(to_entry(record, set()))
    if count > 1:
        return f"recorded {count} decisions; the last (entry {entry_id}): {said}"
    return f"recorded (entry {entry_id}): {said}"
