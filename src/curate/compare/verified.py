"""Runs of one dataset that differ in their person-checked labels (``audit --verified``), said aloud.

Verified labels change what the label check flags: a checked row is flagged exactly when its label
was wrong, and the flags' precision is learned from them. They are an option of each run, not stored
with the dataset, so an audit that leaves ``--verified`` out forgets them; and a comparison of a run
with them and one without counts the flags that went with them as *dropped*, which reads as the
evidence changing its mind. Both are said in one line here.
"""

from __future__ import annotations

import shlex

from curate.core.warnings import AuditWarning
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


def verified_left_out(workspace: Workspace, dataset: str) -> AuditWarning | None:
    """A run warning for an audit of ``dataset`` without verified labels when its latest run had some.

    Asked before the new run is recorded, so the latest run is the one the user last saw.

    Parameters
    ----------
    workspace : Workspace
        The workspace the run will be recorded in.
    dataset : str
        The dataset's name in it.

    Returns
    -------
    AuditWarning or None
        ``verified_left_out`` (withholding nothing), naming the latest run, its verified labels and how
        to pass them again; None when the dataset has no run yet or its latest run had none.
    """
    latest = workspace.latest_run_id(dataset)
    before = None if latest is None else _verified(workspace.run(latest))
    if before is None:
        return None
    files = [str(f) for f in before.get("files") or []]
    again = (f"pass {shlex.join(w for f in files for w in ('--verified', f))} (verified= in Python) again to keep them"
             if files else "pass them with --verified (verified= in Python) again to keep them")
    return AuditWarning(
        "verified_left_out",
        f"the previous run of this dataset (run {latest}) used {before.get('rows', '?')} verified labels from "
        f"{before.get('source', 'a table')}; this one has none, so its label flags rest on the evidence alone",
        again, (), {"previous_run": latest, "verified_rows": before.get("rows"), "files": files})
