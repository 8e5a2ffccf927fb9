"""The decision ledger (append-only), the versions it defines, and what reviewers' verdicts teach."""

from curate.ledger.decisions import (
    ACTIONS,
    BULK_REASON,
    RowState,
    apply_to_dataset,
    diff_states,
    effective,
    is_bulk,
    latest_bulk_operation,
    record,
    replay,
    undo_bulk,
    undo_last,
)

__all__ = ["ACTIONS", "BULK_REASON", "RowState", "apply_to_dataset", "diff_states", "effective", "is_bulk",
           "latest_bulk_operation", "record", "replay", "undo_bulk", "undo_last"]
