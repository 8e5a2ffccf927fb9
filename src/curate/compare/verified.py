"""Runs of one dataset that differ in their person-checked labels (``audit --verified``), said aloud.

Verified labels change what the label check flags: a checked row is flagged exactly when its label
was wrong, and the flags' precision is learned from them. They are an option of each run, not stored
with the dataset, so an audit that leaves ``--verified`` out forgets them; and a comparison of a run
with them and one without counts the flags that went with them as *dropped*, which reads as the
evidence changing its mind. Both are said in one line here.
"""

from __future__ import annotations

import shlex

from curate.store import Workspace
from curate.store.records import RunRecord

__all__ = ["verified_change", "verified_left_out"]


def _verified(run: RunRecord) -> dict | None:
    found = run.params.get("verified")
    return found if isinstance(found, dict) else None


def _described(verified: dict | None) -> str:
    if verified is None:
        return "none"
    return f"{verified.get('rows', '?')} from {verified.get('source', 'verified labels')}"


def verified_change(first: RunRecord, second: RunRecord) -> str | None:
    """A note when two runs differ in their verified labels, else None.

    Parameters
    ----------
    first, second : RunRecord
        The runs compared.

    Returns
    -------
    str or None
        One sentence naming each run's verified labels and what the difference does to the counts.
    """
    a, b = _verified(first), _verified(second)
    if a is None and b is None:
        return None
    same = (a is not None and b is not None and a.get("rows") == b.get("rows")
            and (a.get("files") or a.get("source")) == (b.get("files") or b.get("source")))
    if same:
        return None
    return (f"the runs differ in their verified labels (run {first.id}: {_described(a)}; run {second.id}: "
            f"{_described(b)}): label flags that came or went with them count as new or dropped, not as "
            "the evidence changing its mind")


def verified_left_out(workspace: Workspace, run_id: int) -> str | None:
    """A warning when run ``run_id`` has no verified labels and the previous run of its dataset had some.

    Parameters
    ----------
    workspace : Workspace
        The workspace that recorded the run.
    run_id : int
        The run just recorded.

    Returns
    -------
    str or None
        One line naming the previous run, its verified labels and how to pass them again; None when
        this run has verified labels, or the previous run of the dataset (if any) had none.
    """
    run = workspace.run(run_id)
    if _verified(run) is not None:
        return None
    earlier = [r for r in workspace.runs(run.dataset) if r.id < run.id]
    before = _verified(earlier[-1]) if earlier else None
    if before is None:
        return None
    files = [str(f) for f in before.get("files") or []]
    again = (f"pass {shlex.join(w for f in files for w in ('--verified', f))} again to keep them" if files
             else "pass them with --verified again to keep them")
    return (f"the previous run of this dataset (run {earlier[-1].id}) used {before.get('rows', '?')} verified labels "
            f"from {before.get('source', 'a table')}; this one has none: {again}")
