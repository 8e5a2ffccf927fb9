"""Reading the labels a person checked on a random sample of rows (``--verified FILE``).

The file names each checked row by ``row_id`` (the id the findings show: the id column's value, or
the row's 0-based position in its file) and gives its true label in ``verified_label``; other
columns (the text, the given label: whatever the person looked at) are ignored, and rows whose
``verified_label`` is empty were not checked yet and are skipped. ``curate verify-sample`` writes
such a file for a person to fill in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset, label_text
from curate.core.verified import VerifiedLabels
from curate.errors import ColumnError, DatasetError, InputError
from curate.ingest.readers import read_table

__all__ = ["ID_COLUMN", "LABEL_COLUMN", "read_verified", "verification_sample"]

ID_COLUMN = "row_id"
LABEL_COLUMN = "verified_label"


def _line_of(frame: pd.DataFrame, index: int, source: str) -> str:
    lines = frame.attrs.get("source_lines")
    return f"{source}, line {int(lines[index])}" if lines is not None else f"{source}, row {index + 1}"


def read_verified(verified: pd.DataFrame | str | Path, dataset: Dataset) -> VerifiedLabels:
    """The verified labels of ``dataset``'s rows, from a file or a DataFrame.

    Parameters
    ----------
    verified : pandas.DataFrame or str or pathlib.Path
        A table (CSV, JSON Lines, Parquet, ... as :func:`curate.ingest.readers.read_table` reads)
        with columns ``row_id`` and ``verified_label``.
    dataset : Dataset
        The audited rows (after any reviewers' changes).

    Returns
    -------
    VerifiedLabels
        Positions and class codes of the checked rows, in the file's order.

    Raises
    ------
    ColumnError
        When a column is missing.
    DatasetError
        When a row id is not in the data, is given twice, or a verified label is not one of the
        data's classes; the message names the file and line.
    InputError
        When ``verified`` is neither a DataFrame nor a path, or the file cannot be read.
    """
    if isinstance(verified, pd.DataFrame):
        frame, source = verified, "the verified labels"
    elif isinstance(verified, str | Path):
        frame, source = read_table(Path(verified)).frame, Path(verified).name
    else:
        raise InputError(f"verified= takes a DataFrame or a file path; got {type(verified).__name__}")
    for column in (ID_COLUMN, LABEL_COLUMN):
        if column not in frame.columns:
            raise ColumnError(f"{source}: no {column!r} column (it needs {ID_COLUMN!r} and {LABEL_COLUMN!r}; "
                              f"has {', '.join(map(str, frame.columns))})")
    position_of = {str(r): i for i, r in enumerate(dataset.row_ids)}
    class_code = {c: i for i, c in enumerate(dataset.classes)}
    positions: list[int] = []
    codes: list[int] = []
    seen: dict[int, int] = {}
    for index, (row_id, value) in enumerate(zip(frame[ID_COLUMN].tolist(), frame[LABEL_COLUMN].tolist(),
                                                strict=True)):
        if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
            continue  # not checked yet
        where = _line_of(frame, index, source)
        key = label_text(row_id)
        if key not in position_of:
            raise DatasetError(f"{where}: row_id {key!r} is not a row of the data (ids as the findings show them)")
        position = position_of[key]
        if position in seen:
            raise DatasetError(f"{where}: row_id {key!r} is verified twice (first at entry {seen[position] + 1})")
        label = label_text(value)
        if label not in class_code:
            shown = ", ".join(dataset.classes[:10]) + (", ..." if len(dataset.classes) > 10 else "")
            raise DatasetError(f"{where}: verified_label {label!r} is not one of the data's classes ({shown})")
        seen[position] = index
        positions.append(position)
        codes.append(class_code[label])
    return VerifiedLabels(np.array(positions, dtype=np.int64), np.array(codes, dtype=np.int64), source)


def verification_sample(dataset: Dataset, size: int = 300, seed: int = 0) -> pd.DataFrame:
    """Rows drawn at random for a person to check, as a table to fill in and pass back as ``verified``.

    Parameters
    ----------
    dataset : Dataset
        The rows to draw from.
    size : int, default 300
        How many rows (all of them when the data has fewer). A few hundred give the label check
        enough wrong labels to learn from where a few percent of labels are wrong.
    seed : int, default 0
        Seeds the draw, so the same command draws the same rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``row_id``, the data's input columns (what the person reads), ``given_label`` and
        an empty ``verified_label``, in the data's row order.

    Raises
    ------
    InputError
        When ``size`` is below 1.
    """
    if size < 1:
        raise InputError(f"the sample size must be at least 1; got {size}")
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(dataset.n_rows, size=min(size, dataset.n_rows), replace=False))
    table = pd.DataFrame({ID_COLUMN: [str(r) for r in dataset.row_ids[picked]]})
    for column in dict.fromkeys([*dataset.text_columns, *dataset.input_columns]):
        if column not in dataset.frame.columns:
            continue
        values = dataset.frame[column].to_numpy()[picked]
        # Picture bytes cannot be read in a table; their rows are found by row_id (paths are kept).
        if not any(isinstance(v, bytes | bytearray | dict) for v in values):
            table[column] = values
    table["given_label"] = np.asarray(dataset.labels)[picked]
    table[LABEL_COLUMN] = ""
    return table
