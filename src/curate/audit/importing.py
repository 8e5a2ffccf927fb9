"""Import a file into a workspace as a dataset version without auditing it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from curate.ingest.loading import LoadedData, load_data
from curate.store import VersionRecord, Workspace

__all__ = ["import_data", "version_rows"]


def version_rows(loaded: LoadedData) -> pd.DataFrame:
    """The per-row records a version stores: position, id, split, label and content hash."""
    dataset = loaded.dataset
    return pd.DataFrame({"position": np.arange(dataset.n_rows), "row_id": dataset.row_ids,
                         "split": dataset.splits if dataset.splits is not None else None,
                         "label": dataset.labels, "content_hash": dataset.content_hashes()})


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

    Example
    -------
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
