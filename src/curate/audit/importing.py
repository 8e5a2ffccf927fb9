"""Import a file into a workspace as a dataset version without auditing it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from curate.ingest.loading import LoadedData, content_hashes, load_data
from curate.store import VersionRecord, Workspace

__all__ = ["import_data", "version_rows"]


def version_rows(loaded: LoadedData) -> pd.DataFrame:
    """The per-row records a version stores: position, id, split, label and content hash.

    Parameters
    ----------
    loaded : LoadedData
        A validated dataset and its source record, as :func:`curate.ingest.loading.load_data`
        returns them.

    Returns
    -------
    pandas.DataFrame
        One row per dataset row, in dataset order, with columns ``position`` (0-based),
        ``row_id``, ``split`` (None when the dataset has no split), ``label`` and ``content_hash``
        (the hash of the row's input, label and any picture it reads from a path, see
        :func:`curate.ingest.loading.content_hashes`).
    """
    dataset = loaded.dataset
    return pd.DataFrame({"position": np.arange(dataset.n_rows), "row_id": dataset.row_ids,
                         "split": dataset.splits if dataset.splits is not None else None,
                         "label": dataset.labels, "content_hash": content_hashes(dataset)})


def import_data(
    data: pd.DataFrame | str | Path,
    *,
    workspace: Workspace | str | Path,
    label: str | None = None,
    text: Sequence[str] | None = None,
    id: str | None = None,
    split: str | None = None,
    test: str | Path | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> tuple[VersionRecord, LoadedData]:
    """Validate ``data`` and record it as a version; the same bytes and options twice are a no-op.

    Nothing is audited: the rows are read, validated exactly as :func:`curate.audit` would, and
    stored as the dataset's next version.

    Parameters
    ----------
    data : pandas.DataFrame or str or pathlib.Path
        A DataFrame, or the path of a CSV/TSV/JSONL/Parquet file.
    workspace : Workspace or str or pathlib.Path
        The workspace to record the version in (created when it does not exist).
    label : str, optional
        The label column; detected from common names when None.
    text : sequence of str, optional
        The text column(s); detected when None, none at all for an empty sequence.
    id : str, optional
        A column of unique row ids; rows are numbered from 0 when None.
    split : str, optional
        A column naming each row's split (e.g. ``train`` / ``test``).
    test : str or pathlib.Path, optional
        A separate test file with the same columns; its rows get the split ``test``.
    encoding : str, optional
        Force the text encoding of the file(s); detected when None.
    name : str, optional
        The dataset's name in the workspace; default the file's stem (``dataframe`` for a DataFrame).

    Returns
    -------
    version : VersionRecord
        The stored version; ``is_new`` is False when an identical version was already stored.
    loaded : LoadedData
        The validated dataset and its source record.

    Raises
    ------
    WorkspaceError
        When ``workspace`` is a file, or an existing workspace cannot be opened for writing.
    InputError
        When the data cannot be read or validated (a subclass says which: ``ColumnError``,
        ``DecodingError``, ``FileFormatError``, ``DatasetError``).

    Examples
    --------
    >>> version, _ = import_data("reviews.csv", workspace="ws", label="label")  # doctest: +SKIP
    >>> version.number, version.is_new  # doctest: +SKIP
    (1, True)
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    ws.check_writable()
    loaded = load_data(data, label=label, text=text, id=id, split=split, test=test, encoding=encoding, name=name)
    with ws.transaction() as con:
        version = ws.save_version(con, loaded.source, version_rows(loaded), loaded.dataset.classes)
    return version, loaded
