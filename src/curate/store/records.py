"""Plain records the store returns: what a dataset version is, where its source is kept, what a run did.

They carry values only; reading a stored source back into a Dataset is the ledger's job
(:func:`curate.ledger.versions.load_stored_version`), as the store sits below ``ingest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RunRecord", "StoredSource", "VersionRecord"]


@dataclass(frozen=True)
class VersionRecord:
    """One version of a dataset: a distinct pair of source bytes and reading options.

    Attributes
    ----------
    id : int
        The version's id in the workspace database.
    dataset : str
        The dataset's name.
    number : int
        The version's number within its dataset, from 1.
    source_path : str
        The path the source was imported from (the workspace keeps its own copy).
    n_rows : int
        How many rows the version has.
    created_at : str
        When it was recorded, ISO 8601 in UTC.
    is_new : bool
        True when the call that returned it created it.
    """

    id: int
    dataset: str
    number: int
    source_path: str
    n_rows: int
    created_at: str
    is_new: bool = False


@dataclass(frozen=True)
class StoredSource:
    """Where the workspace keeps a version's source, and how it was read when it was imported.

    Attributes
    ----------
    version : VersionRecord
        The version.
    source_copy : str
        The stored copy of the source, relative to the workspace folder.
    test_source_copy : str or None
        The stored copy of the separate test file, if one was given.
    test_source_path : str or None
        The path the test file was imported from.
    format : str
        The file format the source was read as (csv, parquet, jsonl, ...).
    encoding : str or None
        The text encoding it was read with.
    options : dict
        The reading options as imported: ``label``, ``text``, ``id``, ``split`` and ``encoding``
        (the training file's), and ``test_encoding`` where the test file was read in another.
    """

    version: VersionRecord
    source_copy: str
    test_source_copy: str | None
    test_source_path: str | None
    format: str
    encoding: str | None
    options: dict[str, Any]


@dataclass(frozen=True)
class RunRecord:
    """One recorded audit run.

    Attributes
    ----------
    id : int
        The run's id in the workspace.
    dataset : str
        The audited dataset's name.
    version : int
        The number of the dataset version it audited.
    started_at, finished_at : str
        When it started and when it was recorded, ISO 8601 in UTC.
    params : dict
        The audit's parameters (source, options, detectors, ...).
    timings : dict
        Seconds spent per stage.
    metrics : dict
        What the audit measured (rows, classes, flags per issue, accuracy, ...).
    notes : dict
        Each detector's notes, by issue.
    code_version : str
        The curate version that ran it.
    """

    id: int
    dataset: str
    version: int
    started_at: str
    finished_at: str
    params: dict[str, Any]
    timings: dict[str, float]
    metrics: dict[str, Any]
    notes: dict[str, Any]
    code_version: str
