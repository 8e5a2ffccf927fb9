"""Profile a dataset: read it as an audit does, then describe its columns, classes, inputs and copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from curate.core.dataset import Dataset
from curate.ingest.loading import load_data
from curate.ingest.numbers import mark_typed, typed_columns
from curate.ingest.readers import read_table
from curate.modalities import get_modality
from curate.modalities.image import image_column
from curate.modalities.text import texts as dataset_texts
from curate.profile.classes import ClassBalance, class_balance
from curate.profile.columns import ColumnProfile, profile_columns
from curate.profile.duplicates import DuplicateSummary, duplicate_summary
from curate.profile.images import ImageProfile, profile_images
from curate.profile.text import TextProfile, profile_texts

__all__ = ["DataProfile", "profile_data", "profile_dataset"]


@dataclass(frozen=True)
class DataProfile:
    """The facts of a dataset a person should know before trusting or fixing it.

    Attributes
    ----------
    name : str
        The dataset's name.
    source : str
        Where it was read from (a path, ``<DataFrame>``, or a workspace's stored copy).
    modality : str
        The kind of input (``text``, ``tabular``, ``image``, ...).
    rows : int
        Rows, a separate test file's included.
    columns : list of ColumnProfile
        Every column of the table as read, in order, with its role.
    classes : ClassBalance
        Rows per class and the imbalance.
    duplicates : DuplicateSummary
        Exact copies among the inputs, and copies with different labels.
    text : TextProfile or None
        Lengths, languages and encoding problems, for text inputs.
    images : ImageProfile or None
        Sizes, modes, formats and brightness, for pictures.
    encoding : str or None
        The text encoding the file was read with.
    notes : list of str
        What reading the data found or chose (detected encoding and columns, ignored columns).
    """

    name: str
    source: str
    modality: str
    rows: int
    columns: list[ColumnProfile]
    classes: ClassBalance
    duplicates: DuplicateSummary
    text: TextProfile | None = None
    images: ImageProfile | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The profile as JSON-ready values (what ``curate profile --format json`` prints).

        Returns
        -------
        dict
            ``name``, ``source``, ``modality``, ``encoding``, ``rows``, ``columns`` (a list),
            ``classes``, ``duplicates``, ``text`` and ``images`` (dicts or None) and ``notes``.
        """
        return {"name": self.name, "source": self.source, "modality": self.modality, "encoding": self.encoding,
                "rows": self.rows, "columns": [c.to_dict() for c in self.columns],
                "classes": self.classes.to_dict(), "duplicates": self.duplicates.to_dict(),
                "text": self.text.to_dict() if self.text is not None else None,
                "images": self.images.to_dict() if self.images is not None else None, "notes": list(self.notes)}


def _roles(dataset: Dataset, split: str | None) -> dict[str, str]:
    roles = {column: "input" for column in dataset.input_columns}
    roles.update({column: "text" for column in dataset.text_columns})
    if get_modality(dataset.modality).reads_images:
        roles[image_column(dataset)] = "image"
    if split is not None:
        roles[split] = "split"
    if dataset.id_column is not None:
        roles.setdefault(dataset.id_column, "id")
    roles[dataset.label_column] = "label"
    return roles


def profile_dataset(dataset: Dataset, *, raw: pd.DataFrame | None = None, split: str | None = None,
                    source: str | None = None, encoding: str | None = None, tokens: bool = True) -> DataProfile:
    """Profile a loaded dataset.

    Parameters
    ----------
    dataset : Dataset
        The validated dataset.
    raw : pandas.DataFrame, optional
        The table as read, every column (text cells as str), rows in the dataset's order; the
        columns are profiled from it. When None, the dataset's own columns (inputs, label) are.
    split : str, optional
        The split column's name, to give it its role.
    source : str, optional
        Where the data was read from; the dataset's name when None.
    encoding : str, optional
        The text encoding it was read with.
    tokens : bool, default True
        Count the texts' model tokens (loads the tokenizer).

    Returns
    -------
    DataProfile
        Columns, classes, copies, and the text or picture facts.
    """
    if raw is None:
        raw = dataset.frame.assign(**{dataset.label_column: dataset.labels})
    label_source = source or dataset.name
    columns = profile_columns(raw, _roles(dataset, split), source=label_source)
    modality = get_modality(dataset.modality)
    text = None
    if dataset.text_columns and not modality.reads_images:
        text = profile_texts(dataset_texts(dataset), list(dataset.row_ids), tokens=tokens)
    images = profile_images(dataset) if modality.reads_images else None
    return DataProfile(name=dataset.name, source=label_source, modality=dataset.modality, rows=dataset.n_rows,
                       columns=columns, classes=class_balance(dataset), duplicates=duplicate_summary(dataset),
                       text=text, images=images, encoding=encoding, notes=list(dataset.notes))


def _raw_table(data: pd.DataFrame | str | Path, test: pd.DataFrame | str | Path | None,
               encoding: str | None, test_encoding: str | None) -> pd.DataFrame | None:
    """The table(s) as read, every column; None for a folder of pictures (its columns are the dataset's)."""
    parts = []
    for part, part_encoding in ((data, encoding), (test, test_encoding or encoding)):
        if part is None:
            continue
        if isinstance(part, pd.DataFrame):
            parts.append(mark_typed(part.reset_index(drop=True)))  # a DataFrame's strings are text
        elif Path(part).is_dir():
            return None
        else:
            # Read again with the encoding the first reading settled on: nothing is detected twice.
            parts.append(read_table(Path(part), encoding=part_encoding).frame)
    if len(parts) == 1:
        return parts[0]
    # concat drops attrs that differ (each file's lines): keep which columns both files type
    both = frozenset.intersection(*(typed_columns(p) for p in parts))
    return mark_typed(pd.concat(parts, ignore_index=True), both)


def profile_data(
    data: pd.DataFrame | str | Path,
    *,
    label: str | None = None,
    text: Sequence[str] | None = None,
    id: str | None = None,
    split: str | None = None,
    test: pd.DataFrame | str | Path | None = None,
    encoding: str | None = None,
    name: str | None = None,
    modality: str | None = None,
    image: str | None = None,
    tokens: bool = True,
    ignore: Sequence[str] = (),
) -> DataProfile:
    """Read ``data`` exactly as :func:`curate.audit` would, and profile it.

    Every format and encoding an audit reads is read here, by the same readers, and bad input
    fails with the same one-line errors. Nothing is written anywhere.

    Parameters
    ----------
    data : pandas.DataFrame or str or pathlib.Path
        A DataFrame, the path of a CSV/TSV/JSON/JSONL/Excel/Parquet file, or a folder of pictures
        in class subfolders.
    label : str, optional
        The label column; detected when None.
    text : sequence of str, optional
        The text column(s); detected when None.
    id : str, optional
        A column of unique row ids.
    split : str, optional
        A column naming each row's split.
    test : pandas.DataFrame or str or pathlib.Path, optional
        A separate test set with the same columns; profiled with the rest (split ``test``).
    encoding : str, optional
        Force the text encoding; detected when None.
    name : str, optional
        The dataset's name; the file's stem when None.
    modality : str, optional
        The kind of input; detected when None.
    image : str, optional
        The column of images; detected when None.
    tokens : bool, default True
        Count the texts' tokens with the default sentence model's tokenizer.
    ignore : sequence of str, default ()
        Columns not read at all (``curate audit --ignore``): left out of the profile, and a test
        file need not have them.

    Returns
    -------
    DataProfile
        The profile.

    Raises
    ------
    InputError
        When the data cannot be read or validated (``ColumnError``, ``DecodingError``,
        ``FileFormatError``, ``DatasetError`` say which), as for an audit.

    Examples
    --------
    >>> profile = profile_data("reviews.csv")  # doctest: +SKIP
    >>> profile.classes.counts, profile.duplicates.conflicting_groups  # doctest: +SKIP
    ({'negative': 480, 'positive': 520}, 3)
    """
    loaded = load_data(data, label=label, text=text, id=id, split=split, test=test, encoding=encoding, name=name,
                       modality=modality, image=image, ignore=list(ignore))
    raw = _raw_table(data, test, loaded.source.encoding, loaded.source.options.get("test_encoding"))
    if raw is not None and ignore:
        raw = raw.drop(columns=[c for c in ignore if c in raw.columns])
    return profile_dataset(loaded.dataset, raw=raw, split=split, source=loaded.source.source_path,
                           encoding=loaded.source.encoding, tokens=tokens)
