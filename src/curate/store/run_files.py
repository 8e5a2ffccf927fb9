"""A run's per-row results as Parquet files in the workspace folder, beside the database.

The database keeps what people page through and decide on (the flagged findings, the ledger); the
score of every row for every issue and each row's nearest neighbours go to columnar files, one
pair per run, written in one pass and read by column or by row group. A million rows and ten
detectors are ten million scores: as database rows with JSON text they took minutes to insert and
gigabytes to build; as Parquet they take seconds and stream out issue by issue.

Files are named by run id under ``runs/``; the workspace's transaction removes them again when the
run is not committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["decode_details", "details_text", "read_neighbors", "read_scores", "run_file", "write_neighbors",
           "write_scores"]

_SCORES_SCHEMA = pa.schema([
    ("position", pa.int64()),
    ("row_id", pa.string()),
    ("issue", pa.dictionary(pa.int32(), pa.string())),
    ("score", pa.float64()),
    ("flagged", pa.bool_()),
    ("suggested_label", pa.string()),
    ("details", pa.string()),
])
_NEIGHBORS_SCHEMA = pa.schema([
    ("position", pa.int64()),
    ("neighbors", pa.list_(pa.int64())),
    ("similarities", pa.list_(pa.float32())),
])
# Small row groups for the neighbours: the review page of one row reads one group.
_NEIGHBOR_GROUP_ROWS = 8_192
_SCORE_GROUP_ROWS = 262_144


def run_file(workspace: Path, run_id: int, kind: Literal["scores", "neighbors", "map"]) -> Path:
    """Where run ``run_id`` keeps its per-row scores, its nearest neighbours or its 2-D map of the rows.

    Parameters
    ----------
    workspace : pathlib.Path
        The workspace folder.
    run_id : int
        The run.
    kind : {"scores", "neighbors", "map"}
        Which of the run's files.

    Returns
    -------
    pathlib.Path
        ``runs/run-<id>-<kind>.parquet`` in the workspace.
    """
    return workspace / "runs" / f"run-{run_id}-{kind}.parquet"


def _text_or_none(values: pd.Series) -> pa.Array:
    """Values as Arrow text, missing ones as nulls (labels may be numbers in a typed frame)."""
    array = values.to_numpy(dtype=object)
    missing = pd.isna(array)
    return pa.array([None if m else str(v) for v, m in zip(array, missing, strict=True)], type=pa.string())


def _plain(value: Any) -> Any:
    """A JSON-serialisable stand-in for numpy scalars and arrays (others as their text)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def details_text(details: Any) -> str:
    """One row's details as compact JSON text: text is kept as it is, a dict (or None) is written.

    Parameters
    ----------
    details : str, mapping or None
        The details; numpy numbers and arrays in a mapping are written as Python ones.

    Returns
    -------
    str
        JSON text of an object; ``"{}"`` for no details.
    """
    if isinstance(details, str):
        return details
    if not details:
        return "{}"
    return json.dumps(details, ensure_ascii=False, default=_plain, separators=(",", ":"))


def write_scores(path: Path, table: pd.DataFrame) -> None:
    """Write every (row, issue) score of a run, issue by issue, to ``path`` (replaced if present).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (:func:`run_file`); its folder is made if missing.
    table : pandas.DataFrame
        Columns ``position``, ``row_id``, ``issue``, ``score``, ``flagged``, ``suggested_label``
        and ``details`` (JSON text, or dicts), one row per (row, issue); other columns are not read.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    codes, issues = pd.factorize(table["issue"], sort=False)
    with pq.ParquetWriter(partial, _SCORES_SCHEMA, compression="zstd") as writer:
        # One issue at a time, each column taken for that issue's rows only: Arrow's copies of the
        # text columns, and the rows picked out, stay one issue's size (never a copy of the table).
        for code, issue in enumerate(issues):
            at = np.flatnonzero(codes == code)
            batch = pa.table({
                "position": pa.array(table["position"].to_numpy(dtype=np.int64)[at]),
                "row_id": pa.array([str(v) for v in table["row_id"].to_numpy(dtype=object)[at]], type=pa.string()),
                "issue": pa.DictionaryArray.from_arrays(np.zeros(len(at), dtype=np.int32), pa.array([str(issue)])),
                "score": pa.array(table["score"].to_numpy(dtype=np.float64)[at]),
                "flagged": pa.array(table["flagged"].to_numpy(dtype=bool)[at]),
                "suggested_label": _text_or_none(table["suggested_label"].iloc[at]),
                "details": pa.array([details_text(d) for d in table["details"].to_numpy(dtype=object)[at]],
                                    type=pa.string()),
            }, schema=_SCORES_SCHEMA)
            writer.write_table(batch, row_group_size=_SCORE_GROUP_ROWS)
    partial.replace(path)


def read_scores(path: Path, issues: Sequence[str] | None = None) -> pd.DataFrame:
    """Read back what :func:`write_scores` wrote.

    Parameters
    ----------
    path : pathlib.Path
        The run's scores file.
    issues : sequence of str, optional
        Only these issues' rows (the others are not read).

    Returns
    -------
    pandas.DataFrame
        The columns written; ``issue`` as text, ``suggested_label`` None where there is none,
        ``details`` as JSON text.
    """
    filters = None if issues is None else [("issue", "in", [str(i) for i in issues])]
    frame = pq.read_table(path, filters=filters).to_pandas()
    frame["issue"] = frame["issue"].astype(str)
    frame["suggested_label"] = frame["suggested_label"].astype(object).where(frame["suggested_label"].notna(), None)
    return frame


def write_neighbors(path: Path, positions: np.ndarray, indices: np.ndarray, similarities: np.ndarray) -> None:
    """Write each row's nearest neighbours, by position, to ``path`` (replaced if present).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (:func:`run_file`); its folder is made if missing.
    positions : numpy.ndarray
        Shape (n_rows,): each row's position in the audited version.
    indices : numpy.ndarray
        Shape (n_rows, k): each row's neighbours as positions, closest first.
    similarities : numpy.ndarray
        Shape (n_rows, k): the matching similarities, higher is closer; kept to 4 decimals.
    """
    positions = np.asarray(positions, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    similarities = np.round(np.asarray(similarities, dtype=np.float64), 4).astype(np.float32)
    order = np.argsort(positions, kind="stable")
    n, k = indices.shape
    offsets = pa.array(np.arange(0, n * k + 1, k, dtype=np.int32))
    table = pa.table({
        "position": pa.array(positions[order]),
        "neighbors": pa.ListArray.from_arrays(offsets, pa.array(indices[order].ravel())),
        "similarities": pa.ListArray.from_arrays(offsets, pa.array(similarities[order].ravel())),
    }, schema=_NEIGHBORS_SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, row_group_size=_NEIGHBOR_GROUP_ROWS, compression="zstd")
    partial.replace(path)


def read_neighbors(path: Path, position: int) -> list[tuple[int, float]]:
    """Row ``position``'s neighbours from a file of :func:`write_neighbors`; empty when it has none.

    Parameters
    ----------
    path : pathlib.Path
        The run's neighbours file.
    position : int
        The row's position in the audited version.

    Returns
    -------
    list of (int, float)
        Neighbour positions and similarities, closest first.
    """
    found = pq.read_table(path, filters=[("position", "==", int(position))])
    if found.num_rows == 0:
        return []
    neighbours = found.column("neighbors")[0].as_py()
    similarities = found.column("similarities")[0].as_py()
    return [(int(i), round(float(s), 4)) for i, s in zip(neighbours, similarities, strict=True)]


def write_map(path: Path, positions: np.ndarray, xy: np.ndarray) -> None:
    """Write rows' 2-D map coordinates, by position, to ``path`` (replaced if present).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (:func:`run_file` with ``"map"``); its folder is made if missing.
    positions : numpy.ndarray
        Shape (n,): the mapped rows' positions in the audited version.
    xy : numpy.ndarray
        Shape (n, 2): their coordinates.
    """
    table = pa.table({"position": pa.array(np.asarray(positions, dtype=np.int64)),
                      "x": pa.array(np.asarray(xy[:, 0], dtype=np.float32)),
                      "y": pa.array(np.asarray(xy[:, 1], dtype=np.float32))})
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(path)


def read_map(path: Path) -> pd.DataFrame | None:
    """The map a run stored (``position``, ``x``, ``y``); None when it has none.

    Parameters
    ----------
    path : pathlib.Path
        The run's map file.

    Returns
    -------
    pandas.DataFrame or None
        One row per mapped row.
    """
    return pq.read_table(path).to_pandas() if path.exists() else None


def decode_details(frame: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """``frame`` with its ``details`` turned from JSON text into dicts (dicts stay dicts).

    Parameters
    ----------
    frame : pandas.DataFrame
        Findings or scores with a ``details`` column of JSON text, dicts or None.
    rows : numpy.ndarray, optional
        Shape (len(frame),), bool: decode only these rows' details, leave the others as they are;
        every row when None.

    Returns
    -------
    pandas.DataFrame
        A copy; None details become ``{}`` where decoded.
    """
    if "details" not in frame.columns:
        return frame.copy()
    details = frame["details"].to_numpy(dtype=object).copy()
    chosen = np.arange(len(details)) if rows is None else np.flatnonzero(rows)
    for at in chosen:
        value = details[at]
        details[at] = json.loads(value) if isinstance(value, str) else (value if value is not None else {})
    return frame.assign(details=details)
