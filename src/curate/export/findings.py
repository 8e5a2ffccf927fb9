"""Write a run's findings as CSV, TSV, JSON, JSONL or Parquet, one row per finding."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from curate.core.files import check_output_path, json_records, write_table
from curate.errors import InputError
from curate.export.writing import output_format
from curate.ledger.versions import load_stored_version, with_judged_labels
from curate.modalities import get_modality
from curate.store import Workspace

__all__ = ["export_findings", "findings_table"]

COLUMNS = ["row_id", "issue", "score", "flagged", "suggested_label", "given_label", "current_label", "split",
           "details"]


def findings_table(workspace: Workspace, run_id: int | None, *, include_all: bool = False,
                   issues: list[str] | None = None, with_input: bool = False,
                   details_as_text: bool = True) -> pd.DataFrame:
    """The findings of a run as a table; ``row_id`` is the id as written, or the row's position.

    Ids from an id column stay text exactly as the source wrote them (``00007`` keeps its zeros, a
    22-digit id keeps every digit); without an id column ``row_id`` is the 0-based position, an
    integer.

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
    with_input : bool, default False
        Add an ``input`` column after ``row_id``: the row's input as the review app shows it (its
        text, several text columns joined by newlines; for a table, its fields as a JSON object).
    details_as_text : bool, default True
        ``details`` as JSON text (one cell of a CSV or Parquet file); False keeps them dicts (for
        JSON output, where they nest as objects).

    Returns
    -------
    pandas.DataFrame
        The columns of ``COLUMNS`` (``row_id``, ``issue``, ``score``, ``flagged``,
        ``suggested_label``, ``given_label`` (the source file's), ``current_label`` (the one the
        run judged: the ledger's relabels up to the run applied), ``split``, ``details`` (a JSON
        string, or a dict)), worst first within each issue, with a fresh 0-based index.

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
    if issues:
        unknown = sorted(set(issues) - set(run.notes))
        if unknown:
            raise InputError(f"run {run.id} has no issue type(s) {unknown}; it has {sorted(run.notes)}")
    frame = workspace.findings(run.id, flagged_only=not include_all, issues=issues or None)
    frame = with_judged_labels(workspace, run, frame)
    ids = frame["row_id"].astype(str)
    id_column = workspace.stored_source(run_id=run.id).options.get("id")
    # Positions read back as numbers; an id column's values stay text, as written (never "7" for "00007").
    if id_column is None and ids.str.fullmatch(r"0|[1-9]\d{0,17}").all():
        frame = frame.assign(row_id=ids.astype("int64"))
    else:
        frame = frame.assign(row_id=ids)
    if details_as_text:
        frame = frame.assign(details=frame["details"].map(lambda d: json.dumps(d, ensure_ascii=False)))
    if not with_input:
        return frame[COLUMNS].reset_index(drop=True)
    inputs = _inputs(workspace, run.id, frame["position"].astype(int).tolist())
    return frame.assign(input=inputs)[[COLUMNS[0], "input", *COLUMNS[1:]]].reset_index(drop=True)


def _inputs(workspace: Workspace, run_id: int, positions: list[int]) -> list[str]:
    """Each position's input as a person reads it, computed once per row (``--all`` repeats rows)."""
    dataset = load_stored_version(workspace, run_id=run_id).dataset
    modality = get_modality(dataset.modality)
    shown: dict[int, str] = {}
    for position in dict.fromkeys(positions):
        view = modality.row_view(dataset, position)
        shown[position] = view.text if view.text is not None else json.dumps(
            view.fields or {}, ensure_ascii=False, default=str)
    return [shown[p] for p in positions]


def export_findings(workspace: Path | Workspace, run_id: int | None, *, fmt: str | None, output: Path | None,
                    include_all: bool = False, issues: list[str] | None = None,
                    with_input: bool = False) -> str | None:
    """Write the findings to ``output``; with no output, return CSV or JSON text for stdout.

    Parameters
    ----------
    workspace : pathlib.Path or Workspace
        The workspace, or its folder.
    run_id : int or None
        The run; the latest run when None.
    fmt : str or None
        ``csv``, ``tsv``, ``json`` (one array of records) or ``jsonl`` for stdout (None: csv). With an ``output``, the
        output's suffix names the format (``.csv``, ``.tsv``, ``.json``, ``.jsonl``, ``.parquet``)
        and ``fmt``, if given, must agree with it.
    output : pathlib.Path or None
        The file to write (atomically); None to return the text instead.
    include_all : bool, default False
        Also list the rows each detector scored but did not flag.
    issues : list of str, optional
        Only these issue types; every issue when None or empty.
    with_input : bool, default False
        Add an ``input`` column (see :func:`findings_table`).

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
        When ``issues`` names an issue type the run did not check; when ``fmt`` is ``parquet``
        without an ``output``; with an ``output``, when its suffix is not a table format
        or does not match ``fmt``, or ``output`` is a folder.
    """
    chosen = output_format(output, fmt) if output is not None else fmt or "csv"
    if output is not None:
        check_output_path(output)
    elif chosen not in ("csv", "tsv", "json", "jsonl"):
        raise InputError(f"--format {fmt} needs --output FILE; csv, tsv, json and jsonl are printed")
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    # In JSON the details nest as an object, not as JSON text inside a string to be decoded again.
    table = findings_table(ws, run_id, include_all=include_all, issues=issues, with_input=with_input,
                           details_as_text=chosen not in ("json", "jsonl"))
    if output is None:
        if chosen == "json":
            return json_records(table) + "\n"
        if chosen == "jsonl":
            return json_records(table, lines=True)
        return table.to_csv(index=False, sep="\t" if chosen == "tsv" else ",")
    write_table(table, output, chosen)
    return None
