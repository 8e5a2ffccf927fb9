"""Load a dataset version back from the workspace's stored copy, as export, report and review need it.

The store says where a version's source is kept and how it was read (:class:`StoredSource`); this
module reads it again with the same options, so that every consumer sees the rows, ids and labels
the audit saw. It lives in the ledger because versions are the ledger's concept, and because the
store, below ``ingest`` in the layers, cannot load data itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from curate.core.dataset import Dataset
from curate.ingest.loading import LoadedData, load_data
from curate.ingest.readers import read_table
from curate.store import StoredSource, Workspace

__all__ = ["StoredVersion", "load_stored_version"]


@dataclass(frozen=True)
class StoredVersion:
    """A dataset version loaded from its stored copy.

    Attributes
    ----------
    record : StoredSource
        What the store recorded: the version, its stored copies and reading options.
    loaded : LoadedData
        The version read as an audit reads it (the Dataset and its source record).
    raw : pandas.DataFrame or None
        The source table exactly as parsed, before validation; only when asked for (export writes
        it back with the ledger applied).
    """

    record: StoredSource
    loaded: LoadedData
    raw: pd.DataFrame | None = None

    @property
    def dataset(self) -> Dataset:
        """The version's Dataset.

        Returns
        -------
        Dataset
        """
        return self.loaded.dataset


def load_stored_version(workspace: Workspace, *, run_id: int | None = None, dataset: str | None = None,
                        raw: bool = False) -> StoredVersion:
    """Load the version a run audited, or a dataset's latest version, from the workspace's copy.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the version.
    run_id : int, optional
        Load the version this run audited.
    dataset : str, optional
        Load this dataset's latest version (give either ``run_id`` or ``dataset``).
    raw : bool, default False
        Also read the source table as parsed, before validation.

    Returns
    -------
    StoredVersion
        The loaded version with its store record.

    Raises
    ------
    NotFoundError
        When the run or dataset is not in the workspace.
    InputError
        When both or neither of ``run_id`` and ``dataset`` are given, or the stored copy cannot be read.

    Examples
    --------
    >>> version = load_stored_version(Workspace("curate-workspace"), run_id=3)  # doctest: +SKIP
    >>> version.dataset.n_rows  # doctest: +SKIP
    1200
    """
    record = workspace.stored_source(run_id=run_id, dataset=dataset)
    options = record.options
    source = workspace.path / record.source_copy
    test = workspace.path / record.test_source_copy if record.test_source_copy else None
    loaded = load_data(source, label=options["label"], text=options["text"] or None, id=options["id"],
                       split=options["split"], test=test, encoding=options["encoding"], name=record.version.dataset,
                       modality=options.get("modality"))
    frame = read_table(source, encoding=options["encoding"]).frame if raw else None
    return StoredVersion(record, loaded, frame)
