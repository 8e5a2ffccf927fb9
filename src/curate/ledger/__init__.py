"""The decision ledger (append-only), the versions it defines, and what reviewers' verdicts teach."""

from curate.ledger.decisions import (
    ACTIONS,
    RowState,
    apply_to_dataset,
    diff_states,
    effective,
    record,
    replay,
    undo_last,
)

__all__ = ["ACTIONS", "RowState", "apply_to_dataset", "diff_states", "effective", "record", "replay", "undo_last"]
