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
    "RunWarning",
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
    """Which findings a queue holds: one issue (or all), one class (or all), a score range, a state.

    ``label`` is the class the run judged the row in (reviewers' relabels before the run applied);
    ``suggested`` the class a finding suggests instead. Together they are one cell of the noise
    matrix (given label against likely true label). ``slice`` is ``COLUMN=VALUE``: the rows whose
    column (an input or a column not read as input) holds that value, as the run's slices name it.
    """

    issue: str | None = None
    label: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    state: QueueState = "open"
    suggested: str | None = None
    slice: str | None = None

    def query(self) -> dict[str, str]:
        """The filter as URL query parameters (only the ones that are set).

        Returns
        -------
        dict of str to str
            Parameter name to value; scores formatted with ``%g``; ``state`` is always present.
        """
        out = {"issue": self.issue, "label": self.label, "suggested": self.suggested, "slice": self.slice,
               "state": self.state,
               "min_score": None if self.min_score is None else f"{self.min_score:g}",
               "max_score": None if self.max_score is None else f"{self.max_score:g}"}
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class IssueProgress:
    """How far the review of one issue type has got.

    Attributes
    ----------
    issue : str
        The issue type (a detector's name).
    description : str
        What the issue means, in a few words.
    flagged : int
        Rows the run flagged for this issue.
    decided : int
        Of those, rows with a decision in effect about their current input.
    open : int
        Flagged rows not decided yet.
    by_class : dict of str to int
        Flagged rows per class the run judged them in, every class listed.
    withheld : list of str
        The codes of the run warnings that withheld this issue's flags (empty when they stand).
    withheld_flags : int
        How many flags those warnings withheld.
    estimated_precision : float or None
        The run's own estimate of how many of the flags are right (the label check states one);
        None when the detector states none or its flags were withheld.
    """

    issue: str
    description: str
    flagged: int
    decided: int
    open: int
    by_class: dict[str, int]
    withheld: list[str] = field(default_factory=list)
    withheld_flags: int = 0
    estimated_precision: float | None = None


@dataclass
class RunWarning:
    """A warning the run raised about itself (see :class:`curate.core.warnings.AuditWarning`).

    Attributes
    ----------
    code : str
        The warning's stable identifier, e.g. ``leaked_label_column``.
    message : str
        What was found, with the numbers.
    advice : str
        What to try (may be empty).
    withheld : list of str
        The issues whose flags it withheld.
    """

    code: str
    message: str
    advice: str
    withheld: list[str]


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
    """The dashboard: the run, its classes, each issue's progress, and what the verdicts say.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    run_id : int
        The run under review.
    reviewer : str
        This session's reviewer.
    n_rows : int
        Rows in the audited data.
    classes : list of str
        The classes, in the dataset's order.
    class_counts : dict of str to int
        Rows per class as audited.
    current_class_counts : dict of str to int
        Rows per class with the ledger applied (removed rows left out).
    issues : list of IssueProgress
        One per issue type of the run.
    rows_flagged : int
        Rows with at least one flag.
    rows_decided, rows_open : int
        Of those, rows decided and rows still open.
    relabeled, removed, ambiguous : int
        Rows whose current label differs from the audited one, removed rows, rows marked
        ambiguous.
    ledger_entries : int
        Entries in the ledger, undo entries included.
    precision : list of PrecisionView
        Each issue's estimate followed by its classes'.
    warnings : list of RunWarning
        What the run said about itself (weak evidence, a leaked column, images, ...), as stored
        with it.
    """

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
    warnings: list[RunWarning] = field(default_factory=list)


@dataclass
class QueueEntry:
    """One row of a queue page, standing for its flag that orders the queue.

    Attributes
    ----------
    row_id : str
        The row's id.
    position : int
        The row's 0-based position in the audited data.
    issue : str
        The flag the row stands for in this queue.
    score : float
        That flag's score (lower is worse).
    issues : list of str
        Every issue that flagged the row.
    given_label, current_label : str
        The label in the source, and with the ledger applied.
    suggested_label : str or None
        The flag's suggested label, if any.
    preview : str
        The row's input on one line.
    state : {"open", "decided"}
        Whether a decision about the row's current input is in effect.
    removed, ambiguous : bool
        The row's state after the ledger.
    estimated_precision : PrecisionView
        The estimate for the entry's issue on the class the run judged: what orders the open queue.
    picture : bool
        Whether the row has a picture to show (False for text, and for a picture that cannot be read).
    input : RowInput or None
        The whole input, shown when the reviewer expands the entry.
    findings : list of FindingView
        The row's flagged findings, worst score first, shown when the entry is expanded.
    """

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
    estimated_precision: PrecisionView  # of the entry's issue on its judged class: what orders the open queue
    picture: bool = False
    input: RowInput | None = None
    findings: list[FindingView] = field(default_factory=list)


@dataclass
class Queue:
    """One page of a queue of flagged rows.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    run_id : int
        The run under review.
    filter : QueueFilter
        The queue's filter.
    total : int
        Rows in the whole queue.
    offset, limit : int
        Where this page starts (0-based) and its most entries.
    entries : list of QueueEntry
        This page's rows, in queue order.
    issues : list of str
        Every issue type of the run, for the filter form.
    classes : list of str
        Every class, for the filter form.
    pictures : bool
        Whether the rows are pictures: each entry then shows its thumbnail.
    """

    dataset: str
    run_id: int
    filter: QueueFilter
    total: int
    offset: int
    limit: int
    entries: list[QueueEntry]
    issues: list[str]
    classes: list[str]
    pictures: bool = False


@dataclass
class RowInput:
    """The row's input: its text (with a language guess and length) or its table cells.

    ``problem`` names why the input cannot be shown as itself (a picture that cannot be read:
    the page then shows ``text``, which says why, and no picture).
    """

    modality: str
    text: str | None = None
    language: str | None = None
    length: int | None = None
    fields: dict[str, Any] | None = None
    problem: str | None = None


@dataclass
class FindingView:
    """One issue's finding about one row, flagged or not.

    Attributes
    ----------
    issue : str
        The issue type.
    description : str
        What the issue means, in a few words.
    score : float
        The row's score for the issue, in [0, 1] (lower is worse).
    flagged : bool
        Whether the issue flagged the row.
    suggested_label : str or None
        A suggested label, for issues that suggest one.
    details : dict
        The detector's details for the row (JSON).
    """

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
    """Another row shown beside the one under review: a copy or a nearest neighbour.

    Attributes
    ----------
    row_id : str
        The related row's id.
    position : int
        Its 0-based position in the audited data.
    relation : str
        ``exact copy``, ``near copy``, ``neighbour``, ``copy in another split`` or ``copy labelled
        otherwise``.
    similarity : float or None
        Its similarity to the row (1 for an exact copy; None for a near copy in features that are
        not normalised).
    given_label, current_label : str
        Its label in the source, and with the ledger applied.
    removed, ambiguous : bool
        Its state after the ledger.
    preview : str
        Its input on one line.
    picture : bool
        Whether it has a picture to show (False for text, and for a picture that cannot be read).
    """

    row_id: str
    position: int
    relation: str
    similarity: float | None
    given_label: str
    current_label: str
    removed: bool
    ambiguous: bool
    preview: str
    picture: bool = False


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
    """Everything a reviewer needs to decide about one row.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    run_id : int
        The run under review.
    row_id : str
        The row's id.
    position : int
        Its 0-based position in the audited data.
    split : str or None
        Its split, when the data has splits.
    input : RowInput
        Its input, as its modality shows it.
    given_label : str
        The label in the source.
    judged_label : str
        The label the run judged (the ledger's relabels up to the run applied).
    current_label : str
        The label now, with the whole ledger applied.
    removed, ambiguous : bool
        Its state after the ledger.
    decided : bool
        Whether a decision about its current input is in effect.
    issue : str or None
        The finding a decision here answers (see :meth:`ReviewSession.finding_context`).
    score : float or None
        That finding's score.
    suggested_label : str or None
        The suggestion of the worst-scored flag that has one, else the label check's.
    suggested_probability : float or None
        The label evidence's probability of ``suggested_label``, when it is the label check's.
    suggestions : list of Suggestion
        Classes to relabel to, most probable first, with their number keys.
    classes : list of str
        Every class.
    findings : list of FindingView
        Every issue's finding about the row, flags first, worst first.
    neighbours : list of RelatedRow
        The row's nearest neighbours in the run's graph.
    duplicates : list of RelatedRow
        Its exact and near copies.
    history : list of LedgerEntry
        The ledger entries about the row, oldest first.
    filter : QueueFilter
        The queue the reviewer came from.
    prev_row_id, next_row_id : str or None
        The rows before and after it in that queue.
    pictures : bool
        Whether the rows are pictures: the page shows this one large and ``group`` side by side.
    group : list of RelatedRow
        The rows to compare with it: its exact and near copies, its copies in other splits
        (``copy in another split``) and its copies labelled otherwise (``copy labelled
        otherwise``), each row once, at most 24.
    error_probability : float or None, default None
        The label check's estimated probability that the given label is wrong (its ``error_prob``).
    consensus_only_probability : float or None, default None
        Set when the label flag rests only on every view naming the suggested class: the noise
        model's own probability of a wrong label (its ``noise_error_prob``), below the flag's bar.
    verified_label : str or None, default None
        The label a person gave this row in a checked random sample (``curate audit --verified``):
        the label check took it as the fact, so its probability is 0 or 1, not an estimate.
    """

    dataset: str
    run_id: int
    row_id: str
    position: int
    split: str | None
    input: RowInput
    given_label: str
    judged_label: str
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
    pictures: bool = False
    group: list[RelatedRow] = field(default_factory=list)
    error_probability: float | None = None
    consensus_only_probability: float | None = None
    verified_label: str | None = None


@dataclass
class History:
    """The ledger page.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    total : int
        Entries in the ledger.
    entries : list of LedgerEntry
        The entries, newest first (the first ``limit`` when one was given).
    bulk_undoable : int
        How many entries of the reviewer's latest bulk operation are still in effect, when that
        operation is their latest decision (an "undo the whole operation" button); 0 otherwise.
    bulk_reason : str or None
        That operation's reason (``bulk OPERATION #TOKEN``), when there is one.
    """

    dataset: str
    total: int
    entries: list[LedgerEntry]
    bulk_undoable: int = 0
    bulk_reason: str | None = None


@dataclass
class DecisionRequest:
    """One reviewer decision about one row; ``new_label`` only for relabel, ``issue`` the finding behind it."""

    row_id: str
    action: Literal["keep", "relabel", "ambiguous", "remove", "skip"]
    new_label: str | None = None
    issue: str | None = None


@dataclass
class DecisionResult:
    """What recording a decision returns.

    Attributes
    ----------
    entry : LedgerEntry
        The appended ledger entry.
    next_row_id : str or None
        The next row of the reviewer's queue; None at its end.
    """

    entry: LedgerEntry
    next_row_id: str | None


@dataclass
class BulkChange:
    """One ledger entry a bulk operation would record.

    Attributes
    ----------
    row_id : str
        The row.
    action : str
        ``remove``, ``relabel`` or ``keep``.
    before, after : str
        The row's value before and after (``present``/``removed``, or a label).
    issue : str
        The finding the entry would answer.
    score : float
        That finding's score.
    preview : str
        The row's input on one line.
    """

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
    """What a confirmed bulk operation recorded.

    Attributes
    ----------
    operation : str
        The operation (a key of ``BULK_OPERATIONS``).
    applied : int
        Ledger entries appended.
    entry_ids : list of int
        Their ids, in order.
    """

    operation: str
    applied: int
    entry_ids: list[int]
