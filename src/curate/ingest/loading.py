"""Load a file or DataFrame (and an optional test set) into a Dataset plus the source record to store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset
from curate.core.source import SourceRecord
from curate.errors import InputError
from curate.ingest.building import build_dataset
from curate.ingest.columns import match_column
from curate.ingest.encoding import replace_surrogates_in_frame
from curate.ingest.image_folders import read_image_folder
from curate.ingest.readers import read_table
from curate.modalities import get_modality

__all__ = ["LoadedData", "content_hashes", "input_hashes", "load_data"]


@dataclass(frozen=True)
class LoadedData:
    """A validated dataset and the source record to store for it."""

    dataset: Dataset
    source: SourceRecord


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def content_hashes(dataset: Dataset) -> list[str]:
    """Each row's content hash as a version stores it: its cells, its label and any file it reads.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset.

    Returns
    -------
    list of str
        :meth:`Dataset.content_hashes` with the modality's file keys (each picture's pixels, for
        pictures read from paths; see :meth:`curate.modalities.base.Modality.file_keys`).
    """
    return dataset.content_hashes(get_modality(dataset.modality).file_keys(dataset))


def input_hashes(dataset: Dataset, positions: Sequence[int] | None = None) -> list[str]:
    """Each row's input hash, as a decision records it: its cells and any file it reads, not its label.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset.
    positions : sequence of int, optional
        0-based row positions to hash; every row when None.

    Returns
    -------
    list of str
        :meth:`Dataset.input_hashes` with the modality's file keys, in the order of ``positions``.
        For a dataset whose inputs are all in its cells, the same as :meth:`Dataset.input_hashes`;
        a decision recorded by a curate that hashed only a picture's path has that hash instead.
    """
    keys = get_modality(dataset.modality).file_keys(dataset)
    if keys is not None and positions is not None:
        keys = [keys[p] for p in positions]
    return dataset.input_hashes(positions, keys)


def _note_pictures(options: dict[str, Any], dataset: Dataset) -> None:
    """Record in ``options`` a digest of the pictures a table names by path, which its bytes do not hold.

    The options enter the version's fingerprint: a picture changed on disk makes a new version,
    and the same pictures again the same one. A table that holds its inputs gets no entry, so its
    fingerprint stays what it always was.
    """
    keys = get_modality(dataset.modality).file_keys(dataset)
    if keys is not None:
        options["pictures"] = hashlib.sha256("\n".join(keys).encode()).hexdigest()


def _test_encoding_differs(test_used: str | None, used: str | None, forced: str | None) -> bool:
    """Whether reading the stored test copy with the training file's encoding would misread it.

    A reload reads both copies with ``options["encoding"]``: the training file's encoding, or None
    (detect) for a file without one (Excel, Parquet, a DataFrame). The test file's own encoding is
    recorded only where that differs, so that the options, and so the fingerprint, of files in one
    encoding stay what older versions recorded.
    """
    if test_used is None or test_used == used:
        return False
    return used is not None or forced is not None  # None detects again, as the first reading did


def _splits_said(splits: np.ndarray | None) -> str:
    """How a folder tree's splits are said after its count of pictures: ``, with a test/ split``."""
    if splits is None:
        return ""
    held = [s for s in ("val", "test") if s in set(splits)]
    return ", with " + " and ".join(f"a {s}/ split" for s in held)


def _load_image_folder(folder: Path, *, test: object, name: str | None, modality: str | None) -> LoadedData:
    """A class-per-folder tree as a table of paths and labels, stored as Parquet, read inside ``folder``."""
    if test is not None:
        raise InputError(f"{folder} is a folder of pictures: its test split is its test/ subfolder; leave out --test")
    tree = read_image_folder(folder)
    root = str(folder.resolve())
    test_raw = None if tree.test is None else _frame_bytes(tree.test)
    test_path = None if tree.test is None else str(folder / "test")
    dataset = build_dataset(tree.train, label="label", id="path", split=tree.split_column, test=tree.test,
                            name=name or folder.resolve().name, source=str(folder), test_source=str(test_path),
                            modality=modality, image="path", root=root, test_root=root)
    dataset.notes[:0] = [f"image folder: {dataset.n_rows} picture(s) in {len(dataset.classes)} class folder(s)"
                         + _splits_said(dataset.splits), *tree.notes]
    options: dict[str, Any] = {"label": "label", "text": [], "id": "path", "split": tree.split_column,
                               "encoding": None, "image": "path", "root": root}
    if tree.test is not None:
        options["test_root"] = root  # test/ paths start at the tree's root too
    if modality is not None:
        options["modality"] = modality
    _note_pictures(options, dataset)
    source = SourceRecord(name=dataset.name, source_path=str(folder), data=_frame_bytes(tree.train),
                          suffix=".parquet", format="image_folder", encoding=None, options=options,
                          test_path=test_path, test_data=test_raw)
    return LoadedData(dataset, source)


def load_data(
    data: pd.DataFrame | str | Path,
    *,
    label: str | None = None,
    text: Sequence[str] | None = None,
    id: str | None = None,
    split: str | None = None,
    test: pd.DataFrame | str | Path | None = None,
    encoding: str | None = None,
    test_encoding: str | None = None,
    name: str | None = None,
    modality: str | None = None,
    own_features: bool = False,
    image: str | None = None,
    root: str | None = None,
    test_root: str | None = None,
    ignore: Sequence[str] = (),
) -> LoadedData:
    """Read ``data`` (a file path or a DataFrame) and an optional test set into a validated Dataset.

    Parameters
    ----------
    data : pandas.DataFrame or str or pathlib.Path
        A DataFrame, the path of a delimited text, JSON, Excel or Parquet file, or a folder of
        pictures in class subfolders (``data/<label>/<file>``, optionally under ``train/`` and
        ``test/``; see :func:`curate.ingest.image_folders.read_image_folder`): its rows are
        ``path`` (the row id, relative to the folder) and ``label``, and ``path`` is read as images.
    label : str, optional
        The label column; detected when None.
    text : sequence of str, optional
        The text column(s); detected when None, none at all for an empty sequence.
    id : str, optional
        A column of unique row ids; rows are numbered from 0 when None.
    split : str, optional
        A column naming each row's split.
    test : pandas.DataFrame or str or pathlib.Path, optional
        A separate test set with the same columns; its rows get the split ``test``.
    encoding : str, optional
        Force the text encoding of the file(s); detected when None.
    test_encoding : str, optional
        Force the test file's encoding instead of ``encoding`` (a workspace's stored copies were
        read each in its own encoding; see the ``test_encoding`` option below).
    name : str, optional
        The dataset's name; default the file's stem (``dataframe`` for a DataFrame).
    modality : str, optional
        The kind of input (``text``, ``tabular`` or a plugin's); detected when None.
    own_features : bool, default False
        Whether the user gives their own features: a table with only the label is then allowed
        (see :func:`curate.ingest.building.build_dataset`), and the stored options say so.
    image : str, optional
        The column of images (bytes or paths, read inside the file's folder; for a DataFrame the
        current folder); detected when None.
    root : str, optional
        The folder image paths are read inside, instead of the file's (a workspace's stored copy
        gives its source's).
    test_root : str, optional
        The folder the test rows' image paths are read inside, instead of the test file's.
    ignore : sequence of str, default ()
        Columns not read at all (see :func:`curate.ingest.building.build_dataset`); stored with
        the options, so that every later read of the stored copy leaves them out too.

    Returns
    -------
    LoadedData
        The validated dataset (its ``notes`` start with the detected encoding, if any) and the
        source record to store: the raw bytes (a DataFrame as Parquet) and the read options.
        The options hold ``test_encoding`` only when the test file was read in another encoding
        than the training file's ``encoding`` would read it in.

    Raises
    ------
    InputError
        When a file is missing or of an unknown kind, or the data cannot be validated; the
        subclasses ``DecodingError``, ``FileFormatError``, ``ColumnError`` and ``DatasetError``
        say which.

    Examples
    --------
    >>> loaded = load_data("reviews.csv", label="label", text=["text"])  # doctest: +SKIP
    >>> loaded.dataset.n_rows  # doctest: +SKIP
    1200
    """
    notes: list[str] = []
    if not isinstance(data, pd.DataFrame) and Path(data).is_dir():
        given = {"--label": label, "--text": text, "--id": id, "--split": split, "--image": image}
        named = [option for option, value in given.items() if value is not None]
        if named:  # a folder tree's columns are fixed: path (the id and image) and label (the folder)
            raise InputError(f"{data} is a folder of pictures, read as the columns 'path' and 'label'; "
                             f"leave out {', '.join(named)}")
        return _load_image_folder(Path(data), test=test, name=name, modality=modality)
    if isinstance(data, pd.DataFrame):
        frame = replace_surrogates_in_frame(data)  # half a surrogate pair cannot be stored as Parquet
        raw, fmt, used_encoding = _frame_bytes(frame), "dataframe", None
        source_path, suffix = "<DataFrame>", ".parquet"
        default_name, folder = "dataframe", str(Path.cwd())
    else:
        path = Path(data)
        table = read_table(path, encoding=encoding)
        frame, raw, fmt, used_encoding = table.frame, table.data, table.format, table.encoding
        source_path, suffix, default_name = str(path), path.suffix.lower(), path.stem
        folder = str(path.resolve().parent)
        if table.encoding and table.encoding_detected:
            notes.append(f"encoding: {table.encoding} (detected; override with --encoding)")
        notes.extend(table.notes)
    test_frame: pd.DataFrame | None = None
    test_raw: bytes | None = None
    test_path: str | None = None
    test_source = "the test file"
    test_folder: str | None = None  # where the test rows' image paths are read: the test file's own folder
    test_used_encoding: str | None = None
    if test is not None:
        if isinstance(test, pd.DataFrame):
            test_frame = replace_surrogates_in_frame(test)
            test_raw, test_path = _frame_bytes(test_frame), "<DataFrame>.parquet"
            test_folder = str(Path.cwd())
        else:
            test_table = read_table(Path(test), encoding=test_encoding or encoding)
            test_frame, test_raw, test_path = test_table.frame, test_table.data, str(test)
            test_source = str(test)
            test_folder = str(Path(test).resolve().parent)
            test_used_encoding = test_table.encoding
            if test_table.encoding and test_table.encoding_detected and test_table.encoding != used_encoding:
                notes.append(f"{test_source}: encoding: {test_table.encoding} (detected)")
            notes.extend(f"{test_source}: {note}" for note in test_table.notes)
    dataset = build_dataset(frame, label=label, text=text, id=id, split=split, test=test_frame,
                            name=name or default_name, source=source_path, test_source=test_source,
                            modality=modality, own_features=own_features, image=image, root=root or folder,
                            test_root=test_root or test_folder, ignore=ignore)
    dataset.notes[:0] = notes
    options: dict[str, Any] = {"label": dataset.label_column, "text": list(dataset.text_columns), "id": id,
                               "split": split, "encoding": used_encoding}
    if modality is not None:  # only when named, so that older versions' fingerprints stay the same
        options["modality"] = modality
    if _test_encoding_differs(test_used_encoding, used_encoding, test_encoding or encoding):
        options["test_encoding"] = test_used_encoding
    if image is not None:
        options["image"] = image
    if ignore:  # only when given, as for modality; the headers as written
        options["ignore"] = list(dict.fromkeys(str(match_column(frame.columns, c)) for c in ignore))
    if get_modality(dataset.modality).reads_images:  # its paths are read in the source's folder
        options["root"] = dataset.root
        if dataset.test_root is not None:
            options["test_root"] = dataset.test_root
    if own_features and not dataset.text_columns and not dataset.input_columns:
        options["own_features"] = True  # a reload must allow the table its features completed
    if get_modality(dataset.modality).reads_images:
        _note_pictures(options, dataset)
    source = SourceRecord(name=dataset.name, source_path=source_path, data=raw, suffix=suffix, format=fmt,
                          encoding=used_encoding, options=options, test_path=test_path, test_data=test_raw)
    return LoadedData(dataset, source)
