"""Build a validated Dataset from a table: choose columns, parse numbers, check ids and labels.

Validation happens here, once, at the boundary. Everything downstream trusts a Dataset.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset, label_text
from curate.errors import ColumnError, DatasetError
from curate.ingest.cells import convert_cells, nested_text
from curate.ingest.columns import choose_columns, continuous_label_facts, match_column, tabular_inputs_note
from curate.ingest.encoding import replace_surrogates_in_frame
from curate.ingest.labels import LabelPart, validate_labels
from curate.ingest.numbers import ParsedNumbers, read_numbers
from curate.modalities import get_modality, resolve_modality
from curate.modalities.image_decode import not_images

__all__ = ["build_dataset"]


def _natural_key(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _plain_cells(frame: pd.DataFrame, columns: Sequence[str], source: str) -> pd.DataFrame:
    """``frame`` with the columns holding cells that cannot be hashed made plain (see :func:`_plain_cell`).

    Exact-copy keys and column statistics hash every cell: one list, set, array or custom object
    anywhere in a column would end the audit in a ``TypeError``.
    """
    unhashable = [c for c in columns if frame[c].dtype == object and not _hashable(frame[c])]
    if not unhashable:
        return frame
    out = frame.copy()
    for column in unhashable:
        out[column] = convert_cells(frame[column], _plain_cell, source=source)
    return out


def _hashable(series: pd.Series) -> bool:
    try:
        pd.unique(series.to_numpy())  # hashes every cell
    except TypeError:
        return False
    return True


def _plain_cell(value: object) -> object:
    """An image struct (``{"bytes", "path"}``, as Hugging Face datasets store images) as its bytes or
    path; other nested cells as JSON text; a ``bytearray`` as bytes; any other unhashable cell as its ``str``."""
    if isinstance(value, dict) and ("bytes" in value or "path" in value):
        return value.get("bytes") or value.get("path")
    text = nested_text(value)
    if text is not None:
        return text
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def _image_choice(frame: pd.DataFrame, image: str, text: Sequence[str] | None, source: str) -> str:
    """The image column's header, checked: it exists, and is not also named as text."""
    column = match_column(frame.columns, image)
    if column is None or column not in frame.columns:
        raise ColumnError(f"{source} has no image column {image!r}; its columns are: "
                          f"{', '.join(map(str, frame.columns))}")
    if text:
        raise ColumnError(f"--image {image!r} and --text {list(text)} both name the input; give one")
    _check_images(frame, str(column), source)
    return str(column)


def _check_images(frame: pd.DataFrame, column: str, source: str) -> None:
    """Refuse a named image column that does not hold pictures, saying what it holds instead."""
    holds = not_images(frame[column])
    if holds is not None:
        raise ColumnError(f"{source}: column {column!r} holds {holds}")


def _row_ids(frame: pd.DataFrame, id_column: str | None, source: str, prefix: str = "") -> np.ndarray:
    if id_column is None:
        return np.array([f"{prefix}{i}" for i in range(len(frame))], dtype=object)
    ids = frame[id_column]
    missing = np.flatnonzero(ids.isna().to_numpy())
    if missing.size:
        raise DatasetError(f"{source}: {missing.size} row(s) have no {id_column!r} (first at row {missing[0]})")
    texts = ids.map(label_text)
    dup = texts[texts.duplicated(keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        rows = np.flatnonzero((texts == first).to_numpy())[:3].tolist()
        raise DatasetError(
            f"{source}: id column {id_column!r} is not unique: {first!r} appears {int((texts == first).sum())} "
            f"times (rows {rows}); pick a unique id column or leave --id out"
        )
    return np.array([f"{prefix}{v}" for v in texts], dtype=object)


def _junk_only_where_unread(dataset: Dataset, unread: Collection[str], numbers: Sequence[ParsedNumbers]) -> None:
    """Refuse a column the model reads that is numbers with junk; give an unread one back its cells as written.

    A column no model reads (an id beside the pictures) cannot spoil an audit, so its stray cells are
    no error, and nothing it holds is changed.
    """
    for column in dataset.input_columns:
        messages = [part.junk[column] for part in numbers if column in part.junk]
        if messages and column not in unread:
            raise DatasetError(messages[0])
        if messages:
            cells = pd.concat([part.original[column] for part in numbers], ignore_index=True)
            dataset.frame[column] = cells.to_numpy(dtype=object)


def _ignored_columns(frame: pd.DataFrame, ignore: Sequence[str], parts: dict[str, str | None],
                     text: Sequence[str] | None, source: str) -> list[str]:
    """The headers ``ignore`` names (matched as ``--label`` is); each must exist and have no other part."""
    ignored = [str(match_column(frame.columns, c)) for c in ignore]
    for column in ignored:
        if column not in frame.columns:
            raise ColumnError(f"{source} has no column {column!r} to ignore; its columns are: "
                              f"{', '.join(map(str, frame.columns))}")
        roles = [role for role, named in parts.items() if named == column]
        roles += ["text"] if text and column in text else []
        if roles:
            raise ColumnError(f"--ignore {column!r} is also the {roles[0]} column; a column cannot be both")
    return list(dict.fromkeys(ignored))


def build_dataset(
    frame: pd.DataFrame,
    *,
    label: str | None = None,
    text: Sequence[str] | None = None,
    id: str | None = None,
    split: str | None = None,
    test: pd.DataFrame | None = None,
    name: str = "dataset",
    source: str = "the data",
    test_source: str = "the test file",
    modality: str | None = None,
    own_features: bool = False,
    image: str | None = None,
    root: str | None = None,
    test_root: str | None = None,
    ignore: Sequence[str] = (),
) -> Dataset:
    """Validate ``frame`` (and an optional separate ``test`` frame) into a Dataset.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; text cells as str, empty cells missing.
    label : str, optional
        The label column; detected from common names (``label``, ``target``, ``class``, ...)
        when None.
    text : sequence of str, optional
        The text column(s); detected when None, none at all for an empty sequence.
    id : str, optional
        A column of unique row ids; rows are numbered from 0 when None.
    split : str, optional
        A column naming each row's split; never an input.
    test : pandas.DataFrame, optional
        A separate test table with the same columns; its rows get split "test" (and ids
        prefixed ``test:`` when they would clash with the training ids, or when ``id`` is None).
    name : str, default "dataset"
        The dataset's name in the workspace.
    source : str, default "the data"
        How to name the data in error messages.
    test_source : str, default "the test file"
        How to name the test table in error messages.
    modality : str, optional
        The kind of input (``text``, ``tabular``, or a plugin's); by default the last registered
        modality that claims the columns.
    own_features : bool, default False
        Whether the user gives their own features (one vector per row): they are the input, so a
        table with only the label (and id or split) is allowed; its modality is ``tabular``.
    image : str, optional
        The column of images (encoded bytes or paths): it is the only input, read by the ``image``
        modality (unless ``modality`` names another); the other columns are not used as input.
    root : str, optional
        The folder that image paths are read inside (the data file's folder); None: the current one.
    test_root : str, optional
        The folder that the ``test`` rows' image paths are read inside (the test file's folder);
        None: ``root``.
    ignore : sequence of str, default ()
        Columns not read at all: neither input nor metadata (a column that leaks the label, a
        free-text note); a separate test file need not have them.

    Returns
    -------
    Dataset
        The validated dataset: training rows first, then test rows; ``classes`` sorted
        (numbers numerically); ``notes`` say which columns were detected, and name
        each input column the modality does not read (constant, or an identifier) with why.

    Raises
    ------
    ColumnError
        When a named column is missing (also from ``test``), the label column cannot be detected,
        there is no input column besides the label, or an ignored column has another part (label,
        id, split, text or image).
    DatasetError
        When an id is missing or repeated, a label is missing, there are fewer than two classes,
        a class has a single row (said as a continuous label when the label holds many distinct
        numbers), or an input column the modality reads is numbers with junk (see
        :func:`curate.ingest.numbers.read_numbers`; a column the source types as text stays text).
    InputError
        When ``modality`` is unknown, or no modality claims the table.

    Examples
    --------
    >>> ds = build_dataset(pd.DataFrame({"text": ["a b c d e"] * 4, "label": ["x", "y"] * 2}))
    >>> ds.classes
    ('x', 'y')
    """
    frame = replace_surrogates_in_frame(frame.reset_index(drop=True))
    frame.columns = [str(c) for c in frame.columns]
    label, id, split = (match_column(frame.columns, c) for c in (label, id, split))
    text = None if text is None else [str(match_column(frame.columns, c)) for c in text]
    reserved = [c for c in (id, split) if c is not None]
    ignored = _ignored_columns(frame, ignore, {"label": label, "id": id, "split": split, "image": image},
                               text, source)
    if image is not None:
        image, text, modality = _image_choice(frame, image, text, source), [], modality or "image"
        reserved = [c for c in reserved if c != image]  # a picture's path may also be its row id
    choice = choose_columns(frame, label=label, text=text, reserved=[*reserved, *ignored], source=source,
                            own_features=own_features)
    if ignored:
        choice.notes.append("ignored (--ignore): " + ", ".join(map(repr, ignored)))
    if image is not None:  # the pictures are the input; the other columns describe them
        unused = [c for c in choice.inputs if c != image]
        choice.inputs = (image,)
        if unused:
            choice.notes.append("not used as input: " + ", ".join(f"{c!r} (not the image column)" for c in unused))
    numbers = [read_numbers(_plain_cells(frame, [*choice.text, *choice.inputs], source), choice.inputs, source)]
    frame = numbers[0].frame
    # a named image column is read as images whatever its cells hold (a broken picture is a finding)
    kind = get_modality(modality).name if image is not None and modality is not None else \
        resolve_modality(choice.text, choice.inputs, frame, modality, own_features=own_features)
    row_ids = _row_ids(frame, id, source)
    parts = [LabelPart(frame[choice.label], row_ids, source, frame.attrs.get("source_lines"))]
    splits: np.ndarray | None = None
    if split is not None:
        splits = frame[split].map(lambda v: "" if v is None or v != v else str(v)).to_numpy(dtype=object)
    if test is not None:
        test = replace_surrogates_in_frame(test.reset_index(drop=True))
        test.columns = [str(c) for c in test.columns]
        needed = [choice.label, *choice.text, *choice.inputs, *reserved]
        absent = [c for c in needed if c not in test.columns]
        if absent:
            raise ColumnError(f"{test_source} lacks column(s) {absent} that the training file has")
        if image is not None:
            _check_images(test, image, test_source)
        numbers.append(read_numbers(_plain_cells(test, [*choice.text, *choice.inputs], test_source), choice.inputs,
                                    test_source))
        test = numbers[1].frame
        test_ids = _row_ids(test, id, test_source)
        if set(test_ids) & set(row_ids) or id is None:
            test_ids = _row_ids(test, id, test_source, prefix="test:")
        parts.append(LabelPart(test[choice.label], test_ids, test_source, test.attrs.get("source_lines")))
        train_splits = splits if splits is not None else np.full(len(frame), "train", dtype=object)
        test_splits = np.full(len(test), "test", dtype=object)
        splits = np.concatenate([train_splits, test_splits])
        row_ids = np.concatenate([row_ids, test_ids])
        other = [c for c in frame.columns if c not in needed and c not in (choice.label, id, *ignored)]
        metadata_frame = pd.concat([frame[other], test.reindex(columns=other)], ignore_index=True) if other else None
        frame = pd.concat([frame[needed], test[needed]], ignore_index=True)

    if test is None:
        other = [c for c in frame.columns if c not in (*choice.text, *choice.inputs, choice.label, id, *ignored)]
        metadata_frame = frame[other].copy() if other else None
    labels, label_notes = validate_labels(parts, choice.label)
    counts = pd.Series(labels).value_counts()
    if len(counts) < 2:
        raise DatasetError(
            f"{source}: every row has the label {counts.index[0]!r}; an audit needs at least two classes"
        )
    single = counts[counts < 2]
    if not single.empty and (continuous := continuous_label_facts(list(labels))) is not None:
        raise DatasetError(
            f"{source}: the label {choice.label!r} looks continuous ({continuous['distinct']} distinct numbers in "
            f"{len(labels)} rows, {len(single)} of them on a single row): curate audits class labels and does not "
            "support regression yet; bin the label into classes (e.g. pandas.cut) and audit that"
        )
    if not single.empty:
        only = single.index[0]
        position = int(np.flatnonzero(labels == only)[0])
        part = parts[0] if position < len(parts[0].values) else parts[1]
        offset = 0 if part is parts[0] else len(parts[0].values)
        only_here = " and is not in the training file" if part is not parts[0] else ""
        raise DatasetError(
            f"{part.source}: class {only!r} has a single row ({part.where(position - offset)}){only_here}; "
            f"cross-validation needs at least 2 rows per class: fix that label or remove the row "
            f"({len(single)} such class(es))"
        )
    classes = tuple(sorted(counts.index, key=_natural_key))
    dataset = Dataset(
        name=name,
        frame=frame[[*choice.text, *choice.inputs]].copy(),
        label_column=choice.label,
        text_columns=choice.text,
        input_columns=choice.inputs,
        row_ids=row_ids,
        labels=labels,
        classes=classes,
        splits=splits,
        id_column=id,
        notes=[*choice.notes, *label_notes],
        modality=kind,
        root=root,
        test_root=test_root if test is not None else None,
        metadata=metadata_frame,
    )
    unread = {} if own_features else get_modality(kind).unread_columns(dataset)
    _junk_only_where_unread(dataset, unread, numbers)
    if image is None and get_modality(kind).reads_images:  # said like a detected label column
        detected = get_modality(kind).read_columns(dataset)[0]
        dataset.notes.insert(len(choice.notes), f"image column: {detected!r} (detected; override with --image)")
    if choice.inputs and not get_modality(kind).reads_images:  # the columns a table's model reads
        dataset.notes.insert(len(choice.notes), tabular_inputs_note([c for c in choice.inputs if c not in unread]))
    if unread:  # no column is ignored silently (own features replace every column's features)
        dataset.notes.append("not used as input: " + ", ".join(f"{c!r} ({why})" for c, why in unread.items()))
    return dataset
