"""Two runs side by side: which findings the fixes between them resolved, which are new, and how
the class balance and the out-of-fold accuracy moved.

Findings are matched by (row id, issue). A finding of the first run is *resolved* when the second
run audited the row, did not flag it for that issue, and the row was fixed in between (relabelled, or
marked ambiguous) or, for a finding about other rows too (a duplicate's copies, a near duplicate's or
a leak's matches), one of those was fixed or removed; *kept* when it was not flagged again because a
reviewer kept the row as it was (the flag was judged wrong, nothing was fixed); *dropped* when it was
not flagged again though nobody touched the row or its partners (the refitted evidence changed its
mind, or fixes elsewhere moved it: no fix of this row, so no claim that anything was resolved);
*removed* when reviewers removed the row before the second run, and *persisting* when both flag it; a
finding of the second run alone is *new*. Runs of two different datasets are not compared: their row
ids name different rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from curate.compare.verified import verified_change
from curate.errors import InputError
from curate.ledger.versions import judged_labels
from curate.store import Workspace
from curate.store.records import RunRecord

__all__ = ["IssueChange", "RunComparison", "compare_runs"]

_ACCURACY_KEYS = ("oof_accuracy", "label_evidence_accuracy")


@dataclass(frozen=True)
class IssueChange:
    """One issue's flags in two runs.

    Attributes
    ----------
    issue : str
        The issue.
    before, after : int
        Rows flagged in the first and in the second run.
    resolved, kept, dropped, removed, persisting, new : int
        Flags of the first run not flagged again after the row was fixed, not flagged again after a
        reviewer kept the row, not flagged again though nobody touched the row, whose row was
        removed, flagged again; flags of the second run only.
    """

    issue: str
    before: int
    after: int
    resolved: int
    kept: int
    dropped: int
    removed: int
    persisting: int
    new: int


@dataclass(frozen=True)
class RunComparison:
    """What changed from one run to another.

    Attributes
    ----------
    first, second : RunRecord
        The two runs.
    issues : list of IssueChange
        Per issue, in the second run's order (then issues only the first run checked).
    rows : pandas.DataFrame
        One row per changed finding: ``row_id``, ``issue``, ``change`` (``resolved``, ``kept``,
        ``dropped``, ``removed`` or ``new``), ``label_before`` and ``label_after`` (the labels the
        two runs judged; empty for a row a run did not audit).
    classes : pandas.DataFrame
        Per class: ``class``, ``before``, ``after`` (rows as each run judged them), ``change``.
    accuracy : dict of str to (float or None, float or None)
        ``oof_accuracy`` and ``label_evidence_accuracy`` of each run.
    relabelled, removed_rows : int
        Rows whose judged label differs between the runs, and rows audited first but removed second.
    notes : list of str
        What the reader should know (runs of different datasets, the second run older, ...).
    """

    first: RunRecord
    second: RunRecord
    issues: list[IssueChange]
    rows: pd.DataFrame
    classes: pd.DataFrame
    accuracy: dict[str, tuple[float | None, float | None]]
    relabelled: int
    removed_rows: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data.

        Returns
        -------
        dict
            ``first``, ``second`` (run ids), ``issues``, ``accuracy``, ``classes``, ``relabelled``,
            ``removed_rows``, ``notes`` and ``rows`` (the changed findings).
        """
        return {"first": self.first.id, "second": self.second.id,
                "issues": [change.__dict__ for change in self.issues],
                "accuracy": {k: list(v) for k, v in self.accuracy.items()},
                "classes": self.classes.to_dict(orient="records"), "relabelled": self.relabelled,
                "removed_rows": self.removed_rows, "notes": self.notes,
                "rows": self.rows.to_dict(orient="records")}


def _flags(workspace: Workspace, run: RunRecord, *, others: bool = False) -> pd.DataFrame:
    """The run's flags by (row id, issue); with ``others``, the rows each is about besides its own."""
    found = workspace.findings(run.id, flagged_only=True, details_as_text=True)
    flags = pd.DataFrame({"row_id": found["row_id"].astype(str), "issue": found["issue"].astype(str)})
    if others:  # only the first run's: its flags are the ones that may have gone with a partner's fix
        flags["others"] = pd.Series([_other_rows(d) for d in found["details"]], index=flags.index, dtype=object)
    return flags


def _other_rows(details: object) -> frozenset[str]:
    """The rows a finding is about besides its own: a duplicate's copies, a near duplicate's or a leak's matches."""
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return frozenset()
    if not isinstance(details, dict):
        return frozenset()
    listed = [*(details.get("copies") or []), *(details.get("matches") or [])]
    return frozenset(str(r) for r in listed if isinstance(r, str | int))


def _natural(row_id: str) -> tuple[int, int | str]:
    """Sort key: numeric ids by value (2 before 10), then the others as text."""
    return (0, int(row_id)) if row_id.isdigit() else (1, row_id)


def _decided_between(workspace: Workspace, a: RunRecord, b: RunRecord) -> dict[str, str]:
    """Each row's latest decision in effect between the two runs' ledger versions, by row id."""
    from curate.ledger.decisions import effective
    from curate.store.decisions import read_decisions

    start, stop = (int(r.params.get("ledger_version") or 0) for r in (a, b))
    if stop <= start:
        return {}
    latest: dict[str, str] = {}
    for entry in effective(read_decisions(workspace, b.dataset, upto=stop)):
        if entry.id > start and entry.action != "skip":
            latest[entry.row_id] = entry.action
    return latest


def _accuracy(run: RunRecord, key: str) -> float | None:
    value = run.metrics.get(key)
    return float(value) if isinstance(value, int | float) else None


def compare_runs(workspace: Workspace, first: int, second: int | None = None) -> RunComparison:
    """Compare run ``first`` (before the fixes) with run ``second`` (after them).

    Parameters
    ----------
    workspace : Workspace
        The workspace that holds both runs.
    first : int
        The earlier run's id.
    second : int, optional
        The later run's id; None takes the latest run of ``first``'s dataset (not the workspace's
        latest run, which may be another dataset's).

    Returns
    -------
    RunComparison
        Resolved, removed, persisting and new findings per issue, the changed findings row by
        row, class balance and accuracy in each run.

    Raises
    ------
    NotFoundError
        When a run does not exist.
    InputError
        When ``first`` and ``second`` are the same run, or runs of different datasets.
    """
    a = workspace.run(first)
    b = workspace.run(second if second is not None else workspace.latest_run_id(a.dataset))
    if a.id == b.id:
        raise InputError(f"curate compare needs two different runs; both are run {a.id} (give RUN_A and RUN_B, "
                         "or audit again after the fixes)")
    notes = []
    if a.dataset != b.dataset:
        raise InputError(f"run {a.id} audited dataset {a.dataset!r} and run {b.id} {b.dataset!r}: their row ids name "
                         "different rows; compare two runs of one dataset (curate runs lists them)")
    if a.id > b.id:
        notes.append(f"run {a.id} was recorded after run {b.id}: 'resolved' reads backwards in time")
    if (differ := verified_change(a, b)) is not None:
        notes.append(differ)
    labels_a, labels_b = judged_labels(workspace, a), judged_labels(workspace, b)
    audited_a = labels_a[~labels_a["removed"]].set_index("row_id")["current_label"]
    audited_b = labels_b[~labels_b["removed"]].set_index("row_id")["current_label"]
    flags_a, flags_b = _flags(workspace, a, others=True), _flags(workspace, b)
    merged = flags_a.merge(flags_b, how="outer", on=["row_id", "issue"], indicator=True)
    in_b = merged["row_id"].isin(audited_b.index)
    change = pd.Series("persisting", index=merged.index)
    change[(merged["_merge"] == "left_only") & in_b] = "resolved"
    change[(merged["_merge"] == "left_only") & ~in_b] = "removed"
    change[merged["_merge"] == "right_only"] = "new"
    decided = _decided_between(workspace, a, b)
    common = audited_a.index.intersection(audited_b.index)
    relabelled_rows = set(common[(audited_a.loc[common] != audited_b.loc[common]).to_numpy()])
    fixed = relabelled_rows | {row for row, action in decided.items() if action in ("relabel", "ambiguous")}
    gone = change == "resolved"
    change[gone & merged["row_id"].isin({row for row, action in decided.items() if action == "keep"})] = "kept"
    change[gone & ~merged["row_id"].isin(fixed) & (change == "resolved")] = "dropped"
    # A pair's flag goes when its other row is removed or fixed (a duplicate's copy removed): that fix
    # resolved it, though this row was never touched.
    touched = fixed | (set(audited_a.index) - set(audited_b.index))
    others = merged["others"].map(lambda rows: bool(rows & touched) if isinstance(rows, frozenset) else False)
    change[(change == "dropped") & others] = "resolved"
    merged["change"] = change
    # Flags that came or went on rows nobody touched are the refit's: the second run learns from the
    # changed data, its folds drawn anew, so the flags near a threshold move with no fix behind them.
    untouched = ~merged["row_id"].isin(touched)
    churn = int(((change == "dropped") | ((change == "new") & untouched)).sum())
    if churn and touched:
        notes.append(f"{churn} flag(s) came or went on rows nobody touched ('dropped', and 'new' on untouched "
                     "rows): the second run refits the evidence on the changed data with its folds drawn anew, "
                     "so flags near a threshold move; 'resolved' and 'kept' are what the fixes did")
    order = list(dict.fromkeys([*b.metrics.get("flagged", {}), *a.metrics.get("flagged", {})]))
    issues = []
    for issue in order:
        mine = merged[merged["issue"] == issue]["change"].value_counts()
        issues.append(IssueChange(issue, int(a.metrics.get("flagged", {}).get(issue, 0)),
                                  int(b.metrics.get("flagged", {}).get(issue, 0)), int(mine.get("resolved", 0)),
                                  int(mine.get("kept", 0)), int(mine.get("dropped", 0)), int(mine.get("removed", 0)),
                                  int(mine.get("persisting", 0)), int(mine.get("new", 0))))
    rows = merged[merged["change"] != "persisting"][["row_id", "issue", "change"]].copy()
    rows["label_before"] = rows["row_id"].map(audited_a).fillna("")
    rows["label_after"] = rows["row_id"].map(audited_b).fillna("")
    rank = {"resolved": 0, "kept": 1, "dropped": 2, "removed": 3, "new": 4}
    issue_rank = {issue: i for i, issue in enumerate(order)}
    rows = rows.sort_values(["issue", "change", "row_id"], key=lambda s: s.map(rank) if s.name == "change" else
                            s.map(issue_rank) if s.name == "issue" else s.map(_natural))
    counts_a, counts_b = audited_a.value_counts(), audited_b.value_counts()
    names = sorted(set(counts_a.index) | set(counts_b.index))
    classes = pd.DataFrame({"class": names, "before": [int(counts_a.get(c, 0)) for c in names],
                            "after": [int(counts_b.get(c, 0)) for c in names]})
    classes["change"] = classes["after"] - classes["before"]
    relabelled = len(relabelled_rows)
    return RunComparison(a, b, issues, rows.reset_index(drop=True), classes,
                         {k: (_accuracy(a, k), _accuracy(b, k)) for k in _ACCURACY_KEYS}, relabelled,
                         len(audited_a.index.difference(audited_b.index)), notes)
