"""Export a version of a dataset: the untouched source with the ledger applied up to a point.

Version 0 is the source as imported; version V applies ledger entries 1..V; "latest" applies all.
The output has exactly the source's columns, header and types: relabelled rows carry their new
label, removed rows are gone, everything else is the source's values as written (see
:mod:`curate.export.writing`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from curate.core.dataset import Dataset
from curate.core.files import check_output_path, write_atomically
from curate.errors import InputError, NotFoundError
from curate.export.writing import VERSION_SUFFIXES, VersionEdits, output_format, version_writer
from curate.ingest.loading import LoadedData
from curate.ingest.readers import ReadTable, read_table
from curate.ledger import RowState, diff_states, effective, replay
from curate.ledger.versions import StoredVersion, load_stored_version
from curate.modalities import get_modality
from curate.modalities.image import image_column
from curate.modalities.image_decode import image_kind
from curate.store import Workspace
from curate.store.decisions import DecisionRecord, read_decisions

__all__ = ["ExportSummary", "VersionStates", "diff_versions", "export_version", "latest_dataset",
           "load_current_source", "review_status", "states_at"]


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
    ambiguous_dropped : int
        Rows marked ambiguous that the export left out (only with ``drop_ambiguous``).
    test : ExportSummary or None
        What was written of the separate ``--test`` file (``test_output``); None when it was not.
    test_decisions_unwritten : int
        Rows of the separate ``--test`` file that decisions (other than skips) are about, when no
        ``test_output`` was asked for: those decisions are in no file written.
    notes : tuple of str
        What the export left out and why (a column of picture bytes in a text format), one line each.
    """

    path: Path
    version: int
    rows: int
    relabelled: int
    removed: int
    ambiguous_dropped: int = 0
    test: ExportSummary | None = None
    test_decisions_unwritten: int = 0
    notes: tuple[str, ...] = ()


def latest_dataset(workspace: Workspace, name: str | None) -> str:
    """The dataset named ``name``, or the latest run's (the one imported last when nothing was audited).

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
    if name is None:
        # The dataset of the latest run, as findings, report and review take: a re-audit of an
        # unchanged file records no new version, and log, diff and export must not then fall back
        # to another dataset imported after it was first.
        runs = workspace.runs()
        if runs:
            return runs[-1].dataset
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


def _without_picture_bytes(table: ReadTable, dataset: Dataset, fmt: str) -> tuple[ReadTable, tuple[str, ...]]:
    """``table`` without its column of picture bytes when ``fmt`` is not Parquet, and the note saying so.

    Only Parquet holds bytes as bytes; every other format would carry each picture as a long base64
    text that no spreadsheet or text tool can use, so the ids, labels and other columns go alone.
    """
    if fmt == "parquet" or not get_modality(dataset.modality).reads_images:
        return table, ()
    column = image_column(dataset)
    if column not in table.frame.columns or not str(image_kind(table.frame[column])).startswith("image bytes"):
        return table, ()
    note = (f"the column {column!r} holds picture bytes, which a {fmt} file cannot hold: left out "
            "(export to .parquet to keep the pictures)")
    return replace(table, frame=table.frame.drop(columns=[column])), (note,)


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


@dataclass(frozen=True)
class VersionStates:
    """Every row's state at one version of a dataset.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    version : int
        The ledger entry the version stops at (0: the untouched source).
    stored : StoredVersion
        The dataset as stored (its rows, ids and source labels; the test file's rows too).
    states : dict of str to RowState
        Row id -> its label and whether it is removed or ambiguous at ``version``.
    """

    dataset: str
    version: int
    stored: StoredVersion
    states: dict[str, RowState]


def states_at(workspace: Workspace, dataset: str | None, version: str | int | None) -> VersionStates:
    """Replay the ledger of ``dataset`` up to ``version`` onto its stored rows.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset and its ledger.
    dataset : str or None
        The dataset; the one most recently audited or imported when None.
    version : str, int or None
        A ledger entry number (0 is the untouched source), or "latest" (also None).

    Returns
    -------
    VersionStates
        The dataset's name, the version as a number, the stored rows and each row's state.

    Raises
    ------
    InputError
        When the version does not exist.
    NotFoundError
        When the workspace has no such dataset.
    """
    name = latest_dataset(workspace, dataset)
    entries = read_decisions(workspace, name)
    point = _resolve_version(entries, version)
    stored = load_stored_version(workspace, dataset=name)
    return VersionStates(name, point, stored, _states(stored.loaded, [e for e in entries if e.id <= point]))


def review_status(state: RowState, original: str, *, decided: bool) -> str:
    """A row's review status at a version, as the ``review_status`` export column says it.

    Parameters
    ----------
    state : RowState
        The row's state after replaying the ledger up to the version.
    original : str
        The row's label in the untouched source.
    decided : bool
        Whether a decision other than a skip (and not undone) is about the row.

    Returns
    -------
    str
        ``removed``; else ``ambiguous`` (marked so and not settled since); else ``relabelled`` (its
        label differs from the source's); else ``kept`` (a decision confirmed it); else
        ``unreviewed`` (no decision, or only skips).
    """
    if state.removed:
        return "removed"
    if state.ambiguous:
        return "ambiguous"
    if state.label != original:
        return "relabelled"
    return "kept" if decided else "unreviewed"


def _refuse_overwriting_source(target: Path | None, sources: Sequence[str | None], name: str) -> None:
    """An export never writes over the file its dataset was imported from: the fixed version goes
    beside the original, which stays as the user had it."""
    if target is None or not target.exists():
        return
    for source in sources:
        if source and Path(source).exists() and os.path.samefile(target, source):
            raise InputError(f"{target} is the file dataset {name!r} was imported from; the export would overwrite "
                             "it: write the fixed version to another file")


def export_version(workspace: Workspace, dataset: str | None, version: str | int | None, fmt: str | None,
                   output: Path, *, with_status: bool = False, drop_ambiguous: bool = False,
                   test_output: Path | None = None) -> ExportSummary:
    """Write the dataset at ``version`` to ``output``, each column in the source's type and text.

    The output has the source's columns, with the source's header and types (see
    :mod:`curate.export.writing`): relabelled rows carry their new label as a value of the label
    column's type, removed rows are gone, every other cell is the source's. The rows of a separate
    ``--test`` file are written, by the same rules and in that file's own format, to ``test_output``.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset and its ledger.
    dataset : str or None
        The dataset; the one most recently audited or imported when None.
    version : str, int or None
        A ledger entry number (0 is the untouched source), or "latest" (also None).
    fmt : str or None
        ``csv``, ``tsv``, ``txt``, ``jsonl``, ``json`` or ``parquet``; it must match ``output``'s
        suffix. None: the suffix's format.
    output : Path
        The file to write (atomically): ``.csv``, ``.tsv``, ``.txt``, ``.jsonl``, ``.json`` or
        ``.parquet``.
    with_status : bool, default False
        Add a ``review_status`` column: ``relabelled``, ``kept``, ``ambiguous`` or ``unreviewed``
        (see :func:`review_status`).
    drop_ambiguous : bool, default False
        Leave out the rows marked ambiguous.
    test_output : Path, optional
        Where to write the rows of the separate ``--test`` file the dataset was audited with (its
        suffix names the format, as for ``output``); None to write the training rows only.

    Returns
    -------
    ExportSummary
        What was written: the version, how many rows, how many relabelled, removed and dropped as
        ambiguous; the same for the test file in ``test``, or, without ``test_output``, how many
        of its rows have decisions that no file holds.

    Raises
    ------
    InputError
        When a suffix is unknown or ``output``'s does not match ``fmt``, the version does not
        exist, the source already has a ``review_status`` column (with ``with_status``), an output
        is a folder, ``test_output`` is given for a dataset without a separate test file, or it is
        ``output`` itself.
    NotFoundError
        When the workspace has no such dataset.

    Examples
    --------
    >>> export_version(Workspace("ws"), None, "latest", None, Path("fixed.csv"))  # doctest: +SKIP
    """
    chosen = output_format(output, fmt, formats=VERSION_SUFFIXES)
    check_output_path(output)
    test_format = None
    if test_output is not None:
        test_format = output_format(test_output, formats=VERSION_SUFFIXES)
        check_output_path(test_output)
        if test_output.resolve() == output.resolve():
            raise InputError(f"--test-output {test_output} is the output file too; give the test rows their own file")
    name = latest_dataset(workspace, dataset)
    entries = read_decisions(workspace, name)
    point = _resolve_version(entries, version)
    stored = load_stored_version(workspace, dataset=name)
    for target in (output, test_output):
        _refuse_overwriting_source(target, [stored.record.version.source_path, stored.record.test_source_path], name)
    encoding = stored.record.options["encoding"]
    table = read_table(workspace.path / stored.record.source_copy, encoding=encoding)
    test_copy = stored.record.test_source_copy
    if test_output is not None and test_copy is None:
        raise InputError(f"dataset {name!r} was audited without a --test file; drop --test-output")
    loaded = stored.loaded
    upto = [e for e in entries if e.id <= point]
    states = _states(loaded, upto)
    decided = {e.row_id for e in effective(upto) if e.action != "skip"}
    n_source = len(table.frame)
    ids, originals = loaded.dataset.row_ids.tolist(), loaded.dataset.labels.tolist()
    rows = _RowsAt(states, decided, point, with_status=with_status, drop_ambiguous=drop_ambiguous)
    label_column = loaded.dataset.label_column
    table, notes = _without_picture_bytes(table, loaded.dataset, chosen)
    summary, writer = rows.prepare(table, label_column, ids[:n_source], originals[:n_source], output, chosen)
    summary = replace(summary, notes=notes)
    if test_output is None or test_format is None or test_copy is None:
        write_atomically(output, writer)
        held_out = len(ids) - n_source
        unwritten = sum(1 for r in ids[n_source:] if str(r) in decided)
        if test_copy is not None and held_out and not unwritten:
            # A folder's test/ pictures (or a --test file) are not in OUTPUT: said, not silently left out
            # (with decisions on them, the warning about those says it).
            summary = replace(summary, notes=(*summary.notes, f"the {held_out} rows of the test split are not in "
                                              f"{output.name}: add --test-output PATH to write them too"))
        return replace(summary, test_decisions_unwritten=unwritten)
    test_table, test_notes = _without_picture_bytes(read_table(workspace.path / test_copy,
                                                               encoding=stored.test_encoding),
                                                    loaded.dataset, test_format)
    test, test_writer = rows.prepare(test_table, label_column, ids[n_source:], originals[n_source:], test_output,
                                     test_format)
    test = replace(test, notes=test_notes)
    write_atomically(output, writer)
    write_atomically(test_output, test_writer)
    return replace(summary, test=test)


@dataclass(frozen=True)
class _RowsAt:
    """The rows' states at a version (ledger entry ``point``), and how an export treats them."""

    states: dict[str, RowState]
    decided: set[str]
    point: int
    with_status: bool
    drop_ambiguous: bool

    def prepare(self, table: ReadTable, label_column: str, ids: Sequence[object], originals: Sequence[object],
                output: Path, fmt: str) -> tuple[ExportSummary, Callable[[Path], object]]:
        """The summary of writing ``table``'s rows (``ids``, labelled ``originals``) to ``output``, and its writer."""
        states = self.states
        statuses = [review_status(states[str(r)], str(label), decided=str(r) in self.decided)
                    for r, label in zip(ids, originals, strict=True)]
        labels = {position: states[str(r)].label
                  for position, (r, label) in enumerate(zip(ids, originals, strict=True))
                  if statuses[position] != "removed" and states[str(r)].label != str(label)}
        keep = [s != "removed" and not (self.drop_ambiguous and s == "ambiguous") for s in statuses]
        writer = version_writer(table, label_column, VersionEdits(keep, labels, statuses if self.with_status else None),
                                fmt)
        summary = ExportSummary(output, self.point, sum(keep), len(labels), statuses.count("removed"),
                                sum(1 for s, k in zip(statuses, keep, strict=True) if s == "ambiguous" and not k))
        return summary, writer


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
