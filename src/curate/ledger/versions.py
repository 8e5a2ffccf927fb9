"""Load a dataset version back from the workspace's stored copy, as export, report and review need it.

The store says where a version's source is kept and how it was read (:class:`StoredSource`); this
module reads it again with the same options, so that every consumer sees the rows, ids and labels
the audit saw. It lives in the ledger because versions are the ledger's concept, and because the
store, below ``ingest`` in the layers, cannot load data itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from curate.core.dataset import Dataset
from curate.errors import DecodingError
from curate.ingest.encoding import decode_bytes
from curate.ingest.loading import LoadedData, load_data
from curate.ingest.readers import read_table
from curate.ledger.decisions import replay
from curate.store import RunRecord, StoredSource, Workspace
from curate.store.decisions import read_decisions

__all__ = ["StoredVersion", "judged_labels", "load_stored_version", "with_judged_labels"]

# Stored copies whose suffix says they are not text: their encoding is never read.
_NOT_TEXT = (".parquet", ".pq", ".xlsx", ".xlsm")


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
    test_encoding : str or None
        The encoding the stored test copy was read in (None: detected, or not text, or no test
        file); read the test copy again with this one, not the training file's.
    """

    record: StoredSource
    loaded: LoadedData
    raw: pd.DataFrame | None = None
    test_encoding: str | None = None

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
    test_encoding = options.get("test_encoding", options["encoding"])

    def load() -> LoadedData:
        """The stored copies, read with the recorded options and ``test_encoding``.

        Returns
        -------
        LoadedData
            The version as the run read it.
        """
        return load_data(source, label=options["label"], text=options["text"] or None, id=options["id"],
                         split=options["split"], test=test, encoding=options["encoding"],
                         test_encoding=test_encoding, name=record.version.dataset,
                         modality=options.get("modality"), own_features=options.get("own_features", False),
                         image=options.get("image"), root=options.get("root"), test_root=options.get("test_root"),
                         ignore=options.get("ignore", ()))

    try:
        loaded = load()
    except DecodingError:
        detected = _older_test_encoding(test, options) if test is not None else None
        if detected is None:
            raise
        test_encoding = detected
        loaded = load()
    frame = read_table(source, encoding=options["encoding"]).frame if raw else None
    return StoredVersion(record, loaded, frame, test_encoding)


def _older_test_encoding(test: Path, options: dict[str, object]) -> str | None:
    """The test copy's own encoding, for a version recorded before each file's encoding was.

    Such a version recorded only the training file's encoding, but the audit had detected the test
    file's separately (a forced ``--encoding`` read both, so then this one reads the test copy).
    Where the training file's encoding cannot read the test copy, it was detected as another:
    detect it again. None when the test copy reads in the recorded encoding, or is not text.
    """
    if "test_encoding" in options or options["encoding"] is None or test.suffix.lower() in _NOT_TEXT:
        return None
    data = test.read_bytes()
    try:
        decode_bytes(data, encoding=str(options["encoding"]))
    except DecodingError:
        return decode_bytes(data).encoding
    return None



def judged_labels(workspace: Workspace, run: RunRecord) -> pd.DataFrame:
    """The rows of the version ``run`` audited, each with its label in the source and the one the run judged.

    A run audits the current version: the source with the ledger's entries up to the run's
    ``ledger_version`` replayed, so a row reviewers relabelled before the run was judged under its
    new label, and a row they removed was not audited at all.

    Parameters
    ----------
    workspace : Workspace
        The workspace that recorded the run.
    run : RunRecord
        The run (:meth:`Workspace.run`).

    Returns
    -------
    pandas.DataFrame
        One row per row of the stored version, by position: ``position`` (int), ``row_id`` (str),
        ``given_label`` (str, the source's), ``current_label`` (str, the one the run judged) and
        ``removed`` (bool, True for rows removed before the run, which it did not audit).
    """
    rows = workspace.version_rows(run.id)
    ids = rows["row_id"].astype(str).tolist()
    given = rows["label"].astype(str).tolist()
    applied = int(run.params.get("ledger_version") or 0)
    states = replay(dict(zip(ids, given, strict=True)), read_decisions(workspace, run.dataset, upto=applied)
                    if applied else [])
    return pd.DataFrame({
        "position": rows["position"].astype("int64"), "row_id": ids, "given_label": given,
        "current_label": [states[r].label for r in ids],
        "removed": pd.Series([states[r].removed for r in ids], dtype=bool)})


def with_judged_labels(workspace: Workspace, run: RunRecord, findings: pd.DataFrame) -> pd.DataFrame:
    """``findings`` of ``run`` with ``current_label``: each row's label as the run judged it.

    Parameters
    ----------
    workspace : Workspace
        The workspace that recorded the run.
    run : RunRecord
        The run the findings are of.
    findings : pandas.DataFrame
        Its findings, with a ``position`` column (as :meth:`Workspace.findings` gives them).

    Returns
    -------
    pandas.DataFrame
        A copy of ``findings`` with a ``current_label`` column (str; see :func:`judged_labels`).
    """
    labels = judged_labels(workspace, run).set_index("position")["current_label"]
    return findings.assign(current_label=findings["position"].astype("int64").map(labels).to_numpy(dtype=object))
