"""Reading the labels a person checked on a random sample of rows (``--verified FILE``).

The file names each checked row by ``row_id`` (the id the findings show: the id column's value, or
the row's 0-based position in its file) and gives its true label in ``verified_label``; other
columns (the text, the given label: whatever the person looked at) are ignored, and rows whose
``verified_label`` is empty were not checked yet and are skipped. ``curate verify-sample`` writes
such a file for a person to fill in. The sample may also be checked blind in the annotation app
(``curate annotate import SAMPLE --id row_id``): its export (``id``, ``consensus_label``) reads as
checked labels, each item's consensus, rows with a weak consensus or none left out.
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
# ``curate annotate export`` (curate.annotators.exporting) names its columns so: the sample checked
# blind in the annotation app, by one person or several, reads as checked labels too.
EXPORT_ID, EXPORT_LABEL, EXPORT_WEAK = "id", "consensus_label", "weak_consensus"


def _line_of(frame: pd.DataFrame, index: int, source: str, first_row: int = 1) -> str:
    """Where the ``index``-th data row is: its line in a text file, else its row numbered from ``first_row``."""
    lines = frame.attrs.get("source_lines")
    return f"{source}, line {int(lines[index])}" if lines is not None else f"{source}, row {index + first_row}"


def _class_of(value: object, class_code: dict[str, int]) -> int | None:
    """The class code a checked label names: as written, or as the number a spreadsheet made of it
    (``0.0`` for the class ``0``)."""
    label = label_text(value)
    if label in class_code:
        return class_code[label]
    try:
        number = float(label)
    except ValueError:
        return None
    return class_code.get(label_text(number))


def read_verified(verified: pd.DataFrame | str | Path | list[pd.DataFrame | str | Path],
                  dataset: Dataset) -> VerifiedLabels:
    """The verified labels of ``dataset``'s rows, from files or DataFrames.

    A row checked in two places with the same label counts once; with two different labels it is
    refused. Where the file also holds the data's text columns (as ``curate verify-sample`` writes
    them), each row's text must be the data's: a sample drawn from other data, or from the same
    rows in another order, would otherwise pin checked labels on the wrong rows.

    Parameters
    ----------
    verified : pandas.DataFrame or str or pathlib.Path, or a list of them
        Tables (CSV, JSON Lines, Parquet, Excel, ... as :func:`curate.ingest.readers.read_table`
        reads) with columns ``row_id`` and ``verified_label``, or annotation exports (``id`` and
        ``consensus_label``; weak consensus left out).
    dataset : Dataset
        The audited rows (after any reviewers' changes).

    Returns
    -------
    VerifiedLabels
        Positions and class codes of the checked rows, in the files' order.

    Raises
    ------
    ColumnError
        When a column is missing.
    DatasetError
        When a row id is not in the data, a row is checked twice with different labels, a verified
        label is not one of the data's classes, a row's text is not the data's, or no row has a
        verified label at all; the message names the file and line.
    InputError
        When ``verified`` is neither a DataFrame nor a path, or the file cannot be read.
    """
    sources = verified if isinstance(verified, list) else [verified]
    position_of = {str(r): i for i, r in enumerate(dataset.row_ids)}
    class_code = {c: i for i, c in enumerate(dataset.classes)}
    checked: dict[int, tuple[int, str]] = {}
    names = []
    for one in sources:
        frame, source, first_row = _table(one)
        frame = _consensus_as_checked(frame)
        names.append(source)
        for column in (ID_COLUMN, LABEL_COLUMN):
            if column not in frame.columns:
                raise ColumnError(f"{source}: no {column!r} column (it needs {ID_COLUMN!r} and {LABEL_COLUMN!r}; "
                                  f"has {', '.join(map(str, frame.columns))})")
        texts = [c for c in dataset.text_columns if c in frame.columns and c in dataset.frame.columns]
        for index, (row_id, value) in enumerate(zip(frame[ID_COLUMN].tolist(), frame[LABEL_COLUMN].tolist(),
                                                    strict=True)):
            if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
                continue  # not checked yet
            where = _line_of(frame, index, source, first_row)
            key = label_text(row_id)
            sample_text = {column: str(frame[column].iloc[index]) for column in texts}
            if key not in position_of:
                raise DatasetError(f"{where}: " + (_named_otherwise(key, sample_text, dataset, position_of) or (
                    f"row_id {key!r} is not a row of the data (ids as the findings show them: the --id column's "
                    "values, or 0-based positions)")))
            position = position_of[key]
            for column in texts:
                if sample_text[column] != str(dataset.frame[column].iloc[position]):
                    raise DatasetError(f"{where}: " + (_named_otherwise(key, sample_text, dataset, position_of) or (
                        f"the {column} of row_id {key!r} is not the data's (the sample was drawn from other data, "
                        "or the rows were reordered since); draw it again from this data with curate verify-sample")))
            code = _class_of(value, class_code)
            if code is None:
                shown = ", ".join(dataset.classes[:10]) + (", ..." if len(dataset.classes) > 10 else "")
                raise DatasetError(f"{where}: verified_label {label_text(value)!r} is not one of the data's classes "
                                   f"({shown})")
            if position in checked and checked[position][0] != code:
                raise DatasetError(f"{where}: row_id {key!r} is verified as {dataset.classes[code]!r} here and as "
                                   f"{dataset.classes[checked[position][0]]!r} at {checked[position][1]}")
            checked.setdefault(position, (code, where))
    if not checked:
        raise DatasetError(f"{', '.join(names)}: no row has a verified_label filled in; check some rows first "
                           "(leave the cells of rows you skip empty)")
    return VerifiedLabels(np.array(list(checked), dtype=np.int64), np.array([c for c, _ in checked.values()],
                                                                             dtype=np.int64), ", ".join(names))


def _named_otherwise(key: str, shown: dict[str, str], dataset: Dataset, position_of: dict[str, int]) -> str | None:
    """Why ``key`` names no row of ``dataset``, or a row with other text, where another naming explains it.

    A sample drawn by position and audited with ``--id`` (or the reverse) names other rows, or none;
    a spreadsheet reads an id ``00012`` as the number 12. Each is said only where the evidence
    holds: the sample's text (``shown``, by column) is the text of the row the other naming finds.

    Parameters
    ----------
    key : str
        The sample's row_id.
    shown : dict of str to str
        The sample's text columns in that row (empty when it holds none).
    dataset : Dataset
        The audited rows.
    position_of : dict of str to int
        Each row id's position in ``dataset``.

    Returns
    -------
    str or None
        What names the rows otherwise and what to do, or None when nothing explains it.
    """
    def holds(position: int) -> bool:
        return all(str(dataset.frame[c].iloc[position]) == text for c, text in shown.items())

    if key.isdigit():  # checked first: the padded id's row is also the row at that position, often
        padded = [r for r in position_of if r != key and r.startswith("0") and r.isdigit() and int(r) == int(key)]
        if len(padded) == 1 and holds(position_of[padded[0]]):
            return (f"row_id {key!r} is not a row of the data, but {padded[0]!r} is: its leading zeros were probably "
                    "dropped by a spreadsheet; keep the row_id column as text (draw the sample as .xlsx, or import "
                    "the CSV with that column as text)")
    if not shown:
        return None  # no text to tell one naming from another
    if dataset.id_column is not None:
        if key.isdigit() and int(key) < dataset.n_rows and holds(int(key)):
            return (f"row_id {key!r} names rows by position, but this audit names them by the --id column "
                    f"{dataset.id_column!r}; audit without --id or draw the sample with --id {dataset.id_column}")
        return None
    for column, values in _unused_columns(dataset):
        if any(label_text(v) == key and holds(p) for p, v in enumerate(values)):
            return (f"row_id {key!r} names rows by the column {column!r} (drawn with --id {column}), but this audit "
                    f"names them by 0-based position; audit with --id {column} or draw the sample without --id")
    return None


def _unused_columns(dataset: Dataset) -> list[tuple[str, list[object]]]:
    """The columns a sample drawn with ``--id`` may name rows by: those the audit keeps as metadata."""
    if dataset.metadata is None:
        return []
    return [(str(c), dataset.metadata[c].tolist()) for c in dataset.metadata.columns]


def _consensus_as_checked(frame: pd.DataFrame) -> pd.DataFrame:
    """An annotation export read as checked labels: each item's consensus label, unless it is weak.

    A weak consensus is more likely wrong than right (curate.annotators.consensus): not a check.
    Any other table is returned as it is.
    """
    columns = set(frame.columns)
    if ID_COLUMN in columns or LABEL_COLUMN in columns or not {EXPORT_ID, EXPORT_LABEL} <= columns:
        return frame
    weak = np.zeros(len(frame), dtype=bool)
    if EXPORT_WEAK in columns:
        weak = np.array([str(v).strip().lower() in ("true", "1") for v in frame[EXPORT_WEAK]], dtype=bool)
    checked = frame.rename(columns={EXPORT_ID: ID_COLUMN})
    checked[LABEL_COLUMN] = [None if w else v for v, w in zip(frame[EXPORT_LABEL].tolist(), weak, strict=True)]
    checked.attrs = frame.attrs  # the file's line numbers, for messages
    return checked


def _table(verified: object) -> tuple[pd.DataFrame, str, int]:
    """The table, its name for messages, and the number its first data row is said by."""
    if isinstance(verified, pd.DataFrame):
        return verified, "the verified labels", 1
    if isinstance(verified, str | Path):
        table = read_table(Path(verified))
        # Excel numbers the header row 1, so a person looks for the first data row as row 2.
        return table.frame, Path(verified).name, 2 if table.format == "xlsx" else 1
    raise InputError(f"verified= takes a DataFrame or a file path (or a list of them); got {type(verified).__name__}")


def verification_sample(dataset: Dataset, size: int = 300, seed: int = 0) -> pd.DataFrame:
    """Rows drawn at random for a person to check, as a table to fill in and pass back as ``verified``.

    Parameters
    ----------
    dataset : Dataset
        The rows to draw from.
    size : int, default 300
        How many rows (all of them when the data has fewer). Draws with one seed are nested: a
        larger size keeps the rows of a smaller one. A few hundred give the label check
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
    # The first rows of one seeded permutation: a larger --size with the same seed draws the same
    # rows and more, so a sample can be extended without checking its rows again.
    picked = np.sort(np.random.default_rng(seed).permutation(dataset.n_rows)[:size])
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
