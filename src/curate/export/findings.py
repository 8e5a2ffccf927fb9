"""Write a run's findings as CSV, JSON or Parquet, one row per finding."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from curate.core.files import write_table
from curate.errors import InputError
from curate.ledger import replay
from curate.store import RunRecord, Workspace
from curate.store.decisions import read_decisions

__all__ = ["export_findings", "findings_table"]

COLUMNS = ["row_id", "issue", "score", "flagged", "suggested_label", "given_label", "current_label", "split",
           "details"]


def findings_table(workspace: Workspace, run_id: int | None, *, include_all: bool = False,
                   issues: list[str] | None = None) -> pd.DataFrame:
    """The findings of a run as a table; ``row_id`` is an integer when every id is one.

    Parameters
    ----------
    workspace : Workspace
        The workspace that recorded the run.
    run_id : int or None
        The run; the latest run when None.
    include_all : bool, default False
        Also list the rows each detector scored but did not flag.
    issues : list of str, optional
        Only these issue types; every issue when None or empty.

    Returns
    -------
    pandas.DataFrame
        The columns of ``COLUMNS`` (``row_id``, ``issue``, ``score``, ``flagged``,
        ``suggested_label``, ``given_label`` (the source file's), ``current_label`` (the one the
        run judged: the ledger's relabels up to the run applied), ``split``, ``details`` as a JSON
        string), worst first within each issue, with a fresh 0-based index.

    Raises
    ------
    NotFoundError
        When the workspace has no runs, or no run ``run_id``.
    WorkspaceError
        When there is no workspace at the path, or it cannot be read.
    InputError
        When ``issues`` names an issue type the run did not check.
    """
    run = workspace.run(run_id)
    frame = workspace.findings(run.id, flagged_only=not include_all)
    if issues:
        unknown = sorted(set(issues) - set(run.notes))
        if unknown:
            raise InputError(f"run {run.id} has no issue type(s) {unknown}; it has {sorted(run.notes)}")
        frame = frame[frame["issue"].isin(issues)]
    frame = frame.assign(current_label=_judged_labels(workspace, run, frame))
    ids = frame["row_id"].astype(str)
    # Row positions read back as numbers; ids such as "00007" or 22-digit keys stay text, as given.
    if ids.str.fullmatch(r"-?(0|[1-9]\d{0,17})").all():
        frame = frame.assign(row_id=ids.astype("int64"))
    frame = frame.assign(details=frame["details"].map(lambda d: json.dumps(d, ensure_ascii=False)))
    return frame[COLUMNS].reset_index(drop=True)


def _judged_labels(workspace: Workspace, run: RunRecord, frame: pd.DataFrame) -> list[str]:
    """Each finding's label as the run judged it: the source label with the ledger up to the run replayed."""
    given = frame["given_label"].astype(str).tolist()
    applied = int(run.params.get("ledger_version") or 0)
    if not applied:
        return given
    entries = read_decisions(workspace, run.dataset, upto=applied)
    states = replay(dict(zip(frame["row_id"].astype(str), given, strict=True)), entries)
    return [states[r].label for r in frame["row_id"].astype(str)]


def export_findings(workspace: Path | Workspace, run_id: int | None, *, fmt: str, output: Path | None,
                    include_all: bool = False, issues: list[str] | None = None) -> str | None:
    """Write the findings to ``output``; with no output, return CSV or JSON text for stdout.

    Parameters
    ----------
    workspace : pathlib.Path or Workspace
        The workspace, or its folder.
    run_id : int or None
        The run; the latest run when None.
    fmt : str
        ``csv`` or ``json`` (one array of records); with an ``output``, also ``jsonl`` or
        ``parquet``.
    output : pathlib.Path or None
        The file to write (atomically); None to return the text instead.
    include_all : bool, default False
        Also list the rows each detector scored but did not flag.
    issues : list of str, optional
        Only these issue types; every issue when None or empty.

    Returns
    -------
    str or None
        The CSV or JSON text when ``output`` is None, else None.

    Raises
    ------
    NotFoundError
        When the workspace has no runs, or no run ``run_id``.
    WorkspaceError
        When there is no workspace at the path, or it cannot be read.
    InputError
        When ``issues`` names an issue type the run did not check.
        Also when ``fmt`` is ``parquet`` without an ``output``; with an ``output``, when ``fmt``
        is not a table format or ``output`` is a folder.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    table = findings_table(ws, run_id, include_all=include_all, issues=issues)
    if output is None:
        if fmt == "parquet":
            raise InputError("--format parquet needs --output FILE (Parquet is binary)")
        return table.to_csv(index=False) if fmt == "csv" else table.to_json(orient="records", force_ascii=False) + "\n"
    write_table(table, output, fmt)
    return None
