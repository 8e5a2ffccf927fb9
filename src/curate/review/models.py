"""What each review page shows, as plain dataclasses: the JSON twin of a page is one of these.

The web layer returns them as JSON under ``/api/...`` (FastAPI documents them in ``/openapi.json``)
and renders the very same objects into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "BULK_OPERATIONS",
    "BulkChange",
    "BulkPreview",
    "BulkResult",
    "Dashboard",
    "DecisionRequest",
    "DecisionResult",
    "FindingView",
    "History",
    "IssueProgress",
    "Item",
    "LedgerEntry",
    "PrecisionView",
    "Queue",
    "QueueEntry",
    "QueueFilter",
    "RelatedRow",
    "RowInput",
    "Suggestion",
]

QueueState = Literal["open", "decided", "all"]

# bulk operation -> what it does, shown on the preview page
BULK_OPERATIONS: dict[str, str] = {
    "remove_duplicates": "remove every exact duplicate except the first copy of each group",
    "accept_suggestions": "relabel every row that has a suggested label to that label",
    "keep_all": "keep the current label of every row",
}


@dataclass
class QueueFilter:
    """Which findings a queue holds: one issue (or all), one given class (or all), a score range, a state."""

    issue: str | None = None
    label: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    state: QueueState = "open"

    def query(self) -> dict[str, str]:
        """The filter as URL query parameters (only the ones that are set)."""
        out = {"issue": self.issue, "label": self.label, "state": self.state,
               "min_score": None if self.min_score is None else f"{self.min_score:g}",
               "max_score": None if self.max_score is None else f"{self.max_score:g}"}
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class IssueProgress:
    issue: str
    description: str
    flagged: int
    decided: int
    open: int
    by_class: dict[str, int]


@dataclass
class PrecisionView:
    """How often reviewers accepted an issue's flags on one class (``label``; None for all classes).

    ``precision`` is the Beta posterior mean, ``low`` and ``high`` its 90 % interval (see
    curate.feedback); ``raises_bar``: confidently low, so a re-audit withdraws this class's flags
    above the scores reviewers rejected.
    """

    issue: str
    label: str | None
    decisions: int
    accepted: int
    precision: float
    low: float
    high: float
    raises_bar: bool


@dataclass
class Dashboard:
    dataset: str
    run_id: int
    reviewer: str
    n_rows: int
    classes: list[str]
    class_counts: dict[str, int]
    current_class_counts: dict[str, int]
    issues: list[IssueProgress]
    rows_flagged: int
    rows_decided: int
    rows_open: int
    relabeled: int
    removed: int
    ambiguous: int
    ledger_entries: int
    precision: list[PrecisionView]


@dataclass
class QueueEntry:
    row_id: str
    position: int
    issue: str
    score: float
    issues: list[str]
    given_label: str
    current_label: str
    suggested_label: str | None
    preview: str
    state: Literal["open", "decided"]
    removed: bool
    ambiguous: bool
    estimated_precision: PrecisionView  # of the entry's issue on its given class: what orders the open queue


@dataclass
class Queue:
    dataset: str
    run_id: int
    filter: QueueFilter
    total: int
    offset: int
    limit: int
    entries: list[QueueEntry]
    issues: list[str]
    classes: list[str]


@dataclass
class RowInput:
    """The row's input: its text (with a language guess and length) or its table cells."""

    modality: str
    text: str | None = None
    language: str | None = None
    length: int | None = None
    fields: dict[str, Any] | None = None


@dataclass
class FindingView:
    issue: str
    description: str
    score: float
    flagged: bool
    suggested_label: str | None
    details: dict[str, Any]


@dataclass
class Suggestion:
    """A class to relabel to; ``key`` is the number key that picks it (1 = most probable)."""

    key: int
    label: str
    probability: float | None


@dataclass
class RelatedRow:
    row_id: str
    position: int
    relation: str
    similarity: float | None
    given_label: str
    current_label: str
    removed: bool
    ambiguous: bool
    preview: str


@dataclass
class LedgerEntry:
    """A ledger entry as the API shows it: DecisionRecord's fields but its input hash, plus ``undone``.

    Kept apart from curate.store.decisions.DecisionRecord on purpose: this is the public JSON schema,
    which must not change when the storage record gains a column.
    """

    id: int
    row_id: str
    action: str
    field: str
    old_value: str | None
    new_value: str | None
    reviewer: str
    created_at: str
    run_id: int | None
    issue: str | None
    score: float | None
    reason: str | None
    undoes: int | None
    undone: bool = False


@dataclass
class Item:
    dataset: str
    run_id: int
    row_id: str
    position: int
    split: str | None
    input: RowInput
    given_label: str
    current_label: str
    removed: bool
    ambiguous: bool
    decided: bool
    issue: str | None
    score: float | None
    suggested_label: str | None
    suggested_probability: float | None
    suggestions: list[Suggestion]
    classes: list[str]
    findings: list[FindingView]
    neighbours: list[RelatedRow]
    duplicates: list[RelatedRow]
    history: list[LedgerEntry]
    filter: QueueFilter
    prev_row_id: str | None
    next_row_id: str | None


@dataclass
class History:
    dataset: str
    total: int
    entries: list[LedgerEntry]


@dataclass
class DecisionRequest:
    """One reviewer decision about one row; ``new_label`` only for relabel, ``issue`` the finding behind it."""

    row_id: str
    action: Literal["keep", "relabel", "ambiguous", "remove", "skip"]
    new_label: str | None = None
    issue: str | None = None


@dataclass
class DecisionResult:
    entry: LedgerEntry
    next_row_id: str | None


@dataclass
class BulkChange:
    row_id: str
    action: str
    before: str
    after: str
    issue: str
    score: float
    preview: str


@dataclass
class BulkPreview:
    """What a bulk operation would change; ``fingerprint`` must come back with the confirmation."""

    operation: str
    description: str
    filter: QueueFilter
    changes: list[BulkChange]
    unchanged: int
    fingerprint: str
    operations: dict[str, str] = field(default_factory=lambda: dict(BULK_OPERATIONS))


@dataclass
class BulkResult:
    operation: str
    applied: int
    entry_ids: list[int]
