"""Export a version of a dataset: the untouched source with the ledger applied up to a point.

Version 0 is the source as imported; version V applies ledger entries 1..V; "latest" applies all.
The output has exactly the source's columns: relabelled rows carry their new label, removed rows
are gone, everything else is byte-for-byte the source's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from curate.core.files import check_output_path, write_table
from curate.errors import InputError, NotFoundError
from curate.ingest.loading import LoadedData
from curate.ledger import RowState, diff_states, replay
from curate.ledger.versions import load_stored_version
from curate.store import Workspace
from curate.store.decisions import DecisionRecord, read_decisions

__all__ = ["ExportSummary", "diff_versions", "export_version", "latest_dataset", "load_current_source"]

FORMATS = ("csv", "parquet", "jsonl")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote.

    Attributes
    ----------
    path : pathlib.Path
        The file written.
    version : int
        The ledger entry the export stops at (0: the untouched source).
    rows : int
        Rows written.
    relabelled : int
        Rows whose label the ledger changed.
    removed : int
        Rows the ledger removed (not written).
    """

    path: Path
    version: int
    rows: int
    relabelled: int
    removed: int


def latest_dataset(workspace: Workspace, name: str | None) -> str:
    """The dataset named ``name``, or the one most recently audited or imported.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    name : str or None
        A dataset name, or None for the most recent one.

    Returns
    -------
    str
        The dataset's name.

    Raises
    ------
    NotFoundError
        When the workspace has no dataset, or none named ``name``.
    """
    versions = workspace.versions(name)
    if not versions:
        if name is None:
            raise NotFoundError(f"the workspace {workspace.path} has no dataset; run 'curate audit FILE' first")
        raise NotFoundError(f"no dataset {name!r} in {workspace.path}; 'curate runs' lists the datasets")
    return versions[-1].dataset


def load_current_source(workspace: Workspace, dataset: str) -> tuple[LoadedData, pd.DataFrame, dict]:
    """The latest data version of ``dataset``: its Dataset, its raw source table, and its record.

    Kept for callers of 0.1.0; :func:`curate.ledger.versions.load_stored_version` is the one loader.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset.
    dataset : str
        The dataset's name.

    Returns
    -------
    tuple of (LoadedData, pandas.DataFrame, dict)
        The loaded version, the source table as parsed, and ``{"options", "test_copy"}``.

    Raises
    ------
    NotFoundError
        When the workspace has no such dataset.
    """
    stored = load_stored_version(workspace, dataset=dataset, raw=True)
    assert stored.raw is not None
    return stored.loaded, stored.raw, {"options": stored.record.options, "test_copy": stored.record.test_source_copy}


def _states(loaded: LoadedData, entries: list[DecisionRecord]) -> dict[str, RowState]:
    dataset = loaded.dataset
    return replay({str(r): str(lab) for r, lab in zip(dataset.row_ids, dataset.labels, strict=True)}, entries)


def _resolve_version(entries: list[DecisionRecord], version: str | int | None) -> int:
    last = entries[-1].id if entries else 0
    if version is None or version == "latest":
        return last
    try:
        number = int(version)
    except ValueError:
        raise InputError(f"--version must be a ledger entry number or 'latest', not {version!r}") from None
    if number < 0 or number > last:
        raise InputError(f"--version {number} does not exist; the ledger runs from 0 (the source) to {last}")
    return number


def _cast_like(values: pd.Series, label: str) -> str | int | float:
    if pd.api.types.is_integer_dtype(values):
        return int(label)
    if pd.api.types.is_float_dtype(values):
        return float(label)
    return label


def export_version(workspace: Workspace, dataset: str | None, version: str | int | None, fmt: str,
                   output: Path) -> ExportSummary:
    """Write the dataset at ``version`` to ``output`` as csv, parquet or jsonl.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset and its ledger.
    dataset : str or None
        The dataset; the one most recently audited or imported when None.
    version : str, int or None
        A ledger entry number (0 is the untouched source), or "latest" (also None).
    fmt : str
        csv, parquet or jsonl.
    output : Path
        The file to write.

    Returns
    -------
    ExportSummary
        What was written: the version, how many rows, how many relabelled and removed.

    Raises
    ------
    InputError
        When the format or the version does not exist, or ``output`` cannot be written.
    NotFoundError
        When the workspace has no such dataset.

    Examples
    --------
    >>> export_version(Workspace("ws"), None, "latest", "csv", Path("fixed.csv"))  # doctest: +SKIP
    """
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    check_output_path(output)
    name = latest_dataset(workspace, dataset)
    entries = read_decisions(workspace, name)
    point = _resolve_version(entries, version)
    stored = load_stored_version(workspace, dataset=name, raw=True)
    loaded, raw = stored.loaded, stored.raw
    assert raw is not None
    states = _states(loaded, [e for e in entries if e.id <= point])
    label_column = loaded.dataset.label_column
    out = raw.copy()
    keep = []
    relabelled = 0
    for position, row_id in enumerate(loaded.dataset.row_ids[: len(raw)]):
        state = states[str(row_id)]
        keep.append(not state.removed)
        if state.label != str(loaded.dataset.labels[position]):
            out.at[position, label_column] = _cast_like(raw[label_column], state.label)
            relabelled += 1
    out = out.loc[keep].reset_index(drop=True)
    write_table(out, output, fmt)
    return ExportSummary(output, point, len(out), relabelled, len(raw) - len(out))


def diff_versions(workspace: Workspace, dataset: str | None, first: str | int, second: str | int) -> pd.DataFrame:
    """What differs between two versions: one row per (row id, field) with the values before and after.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset and its ledger.
    dataset : str or None
        The dataset; the one most recently audited or imported when None.
    first, second : str or int
        Ledger entry numbers (0 is the untouched source), or "latest".

    Returns
    -------
    pandas.DataFrame
        ``row_id``, ``field``, ``before`` and ``after``, one row per change.

    Raises
    ------
    InputError
        When a version does not exist.
    NotFoundError
        When the workspace has no such dataset.
    """
    name = latest_dataset(workspace, dataset)
    entries = read_decisions(workspace, name)
    a, b = _resolve_version(entries, first), _resolve_version(entries, second)
    loaded = load_stored_version(workspace, dataset=name).loaded
    return diff_states(_states(loaded, [e for e in entries if e.id <= a]),
                       _states(loaded, [e for e in entries if e.id <= b]))
