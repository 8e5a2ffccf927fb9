"""Write a run's findings as CSV, JSON or Parquet, one row per finding."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from curate.core.files import write_table
from curate.errors import InputError
from curate.store import Workspace

__all__ = ["export_findings", "findings_table"]

COLUMNS = ["row_id", "issue", "score", "flagged", "suggested_label", "given_label", "split", "details"]


def findings_table(workspace: Workspace, run_id: int | None, *, include_all: bool = False,
                   issues: list[str] | None = None) -> pd.DataFrame:
    """The findings of a run as a table; ``row_id`` is an integer when every id is one."""
    run = workspace.run(run_id)
    frame = workspace.findings(run.id, flagged_only=not include_all)
    if issues:
        unknown = sorted(set(issues) - set(run.notes))
        if unknown:
            raise InputError(f"run {run.id} has no issue type(s) {unknown}; it has {sorted(run.notes)}")
        frame = frame[frame["issue"].isin(issues)]
    ids = frame["row_id"].astype(str)
    if ids.str.fullmatch(r"-?\d+").all():
        frame = frame.assign(row_id=ids.astype("int64"))
    frame = frame.assign(details=frame["details"].map(lambda d: json.dumps(d, ensure_ascii=False)))
    return frame[COLUMNS].reset_index(drop=True)


def export_findings(workspace: Path | Workspace, run_id: int | None, *, fmt: str, output: Path | None,
                    include_all: bool = False, issues: list[str] | None = None) -> str | None:
    """Write the findings to ``output``; with no output, return CSV or JSON text for stdout."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    table = findings_table(ws, run_id, include_all=include_all, issues=issues)
    if output is None:
        if fmt == "parquet":
            raise InputError("--format parquet needs --output FILE (Parquet is binary)")
        return table.to_csv(index=False) if fmt == "csv" else table.to_json(orient="records", force_ascii=False) + "\n"
    write_table(table, output, fmt)
    return None
