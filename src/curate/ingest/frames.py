"""A DataFrame as the Python API receives it: checked arguments, its index as row ids, storable cells.

pandas users name columns with integers, keep their row identity in the index, hand over the labels
as a Series and put anything into an object column. This module turns such a call into the plain
column names and storable table the rest of ingest expects, and remembers the dtypes of the labels
and row ids so that results can give them back as the user had them
(:class:`curate.ingest.value_types.ValueTypes`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.core.dataset import label_text
from curate.errors import ColumnError, DatasetError, InputError
from curate.ingest.cells import convert_cells, nested_text
from curate.ingest.numbers import mark_typed
from curate.ingest.user_features import vectors_column
from curate.ingest.value_types import ValueTypes
from curate.modalities.image_decode import NAMED_IMAGE_SHARE, image_kind, to_image_bytes

__all__ = ["FrameInput", "check_data", "frame_input"]

# Names tried, in order, for the column that holds the index or a label given as a Series.
_INDEX_NAMES = ("index", "row_id")
_LABEL_NAMES = ("label", "given_label")


@dataclass(frozen=True)
class FrameInput:
    """A DataFrame call made plain: string column names, the index as an id column, storable cells.

    Attributes
    ----------
    frame : pandas.DataFrame or str or os.PathLike
        The data, with a default index, string column names, and object columns that Parquet can
        store (mixed cells as text); or the file path as given.
    label, id, split : str or None
        The column names to use.
    text : list of str or None
        The text column names (None: detect).
    test : pandas.DataFrame or None
        The test table, made plain the same way.
    id_kind : str
        The kind of the row ids (see :meth:`ValueTypes.kind`): ``int`` for positions.
    vectors : numpy.ndarray or None
        The features taken from a column of vectors (training rows, then test rows), shape
        (n_rows, dim); the column is no longer in ``frame``.
    """

    frame: pd.DataFrame | str | Path
    label: str | None
    text: list[str] | None
    id: str | None
    split: str | None
    test: pd.DataFrame | None
    id_kind: str
    vectors: np.ndarray | None = None

    def value_types(self, label_column: str) -> ValueTypes:
        """The kinds of the labels (in ``label_column``) and of the row ids.

        Parameters
        ----------
        label_column : str
            The label column the dataset was built with.

        Returns
        -------
        ValueTypes
            Label kind ``str`` when the column is not in the frame.
        """
        frame = self.frame
        label = (
            ValueTypes.kind(frame[label_column])
            if isinstance(frame, pd.DataFrame) and label_column in frame.columns
            else "str"
        )
        return ValueTypes(label=label, row_id=self.id_kind)


def check_data(data: object, what: str = "data") -> None:
    """Refuse anything but a DataFrame or a file path, in one line.

    Parameters
    ----------
    data : object
        What the caller passed.
    what : str, default "data"
        The argument's name, for the message.

    Raises
    ------
    InputError
        When ``data`` is neither a pandas DataFrame nor a str or path.
    """
    if not isinstance(data, pd.DataFrame | str | os.PathLike):
        hint = " (pass pandas.DataFrame(...) of it)" if isinstance(data, list | dict | np.ndarray | pd.Series) else ""
        raise InputError(f"{what}= takes a pandas DataFrame or a file path; got {type(data).__name__}{hint}")


def _column_name(value: object, what: str) -> str | None:
    """A column argument as the string name curate uses (integer names as their text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(value)
    raise InputError(
        f"{what}= takes a column name (a str, or an int for integer column names); "
        f"got {type(value).__name__} {value!r:.60}"
    )


def _text_names(text: object) -> list[str] | None:
    if text is None:
        return None
    if isinstance(text, str | int | np.integer):
        return [str(_column_name(text, "text"))]
    if isinstance(text, Sequence | pd.Index | np.ndarray):
        return [str(_column_name(t, "text")) for t in text]
    raise InputError(f"text= takes a column name or a list of them; got {type(text).__name__} {text!r:.60}")


def _plain_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """``frame`` with its column names as text; two names with the same text are refused."""
    names = [label_text(c) if isinstance(c, float) else str(c) for c in frame.columns]
    seen: dict[str, object] = {}
    for original, name in zip(frame.columns, names, strict=True):
        if name in seen:
            raise ColumnError(f"{source} has two columns named {name!r} ({seen[name]!r} and {original!r}); rename one")
        seen[name] = original
    out = frame.copy(deep=False)
    out.columns = names
    return out


def _default_index(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _free_name(preferred: object, fallbacks: Sequence[str], taken: Sequence[str]) -> str:
    for name in ([str(preferred)] if preferred is not None else []) + list(fallbacks):
        if name not in taken:
            return name
    stem = fallbacks[-1]
    return next(f"{stem}_{i}" for i in range(2, len(taken) + 3) if f"{stem}_{i}" not in taken)


def _index_column(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, str]:
    """``frame`` with its index as a column (the row ids), after checking it is unique."""
    index = frame.index
    if isinstance(index, pd.MultiIndex):
        index = pd.Index(["|".join(map(label_text, t)) for t in index], name=index.names[0])
    where = f"the index of {source}" + (f" ({index.name!r})" if index.name is not None else "")
    missing = np.flatnonzero(pd.isna(index))
    if missing.size:
        raise DatasetError(
            f"{where} is missing at {missing.size} row(s) (first at row {missing[0]}); "
            "give every row an index value, or reset_index(drop=True) to number rows by position"
        )
    texts = pd.Series([label_text(v) for v in index])
    repeated = texts[texts.duplicated(keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        rows = np.flatnonzero((texts == first).to_numpy())
        raise DatasetError(
            f"{where} is not unique: {first!r} appears {rows.size} times (rows {rows[:3].tolist()}); "
            "the index names each row in the findings: make it unique, "
            "reset_index(drop=True) to number rows by position, or name an id column with id="
        )
    name = _free_name(index.name, _INDEX_NAMES, list(frame.columns))
    out = frame.reset_index(drop=True)
    out.insert(0, name, index.to_numpy(dtype=object) if isinstance(frame.index, pd.MultiIndex) else index.to_numpy())
    return out, name


def _label_column(frame: pd.DataFrame, labels: Any, source: str) -> tuple[pd.DataFrame, str]:
    """``frame`` with labels given as a Series (aligned on the index) or an array (by position)."""
    if isinstance(labels, pd.Series):
        if labels.index.equals(frame.index):
            aligned = labels
        elif labels.index.is_unique and set(labels.index) == set(frame.index):
            aligned = labels.reindex(frame.index)
        else:
            outside = int((~frame.index.isin(labels.index)).sum())
            raise InputError(
                f"label= is a Series whose index does not match the index of {source} "
                f"({outside} of its {len(frame)} rows have no label there); align it, or pass "
                "label=series.to_numpy() to match rows by position"
            )
        name = labels.name
    else:
        array = np.asarray(labels, dtype=object) if isinstance(labels, list) else labels
        if array.ndim != 1 or len(array) != len(frame):
            raise InputError(
                f"label= holds {array.shape} values for the {len(frame)} rows of {source}; "
                f"give one label per row, shape ({len(frame)},)"
            )
        aligned, name = pd.Series(array, index=frame.index), None
    given = None if name is None else str(name)
    if given is not None and given in frame.columns and frame[given].equals(aligned):
        return frame, given  # label=df["label"]: the column itself
    column = _free_name(given if given not in frame.columns else None, _LABEL_NAMES, list(frame.columns))
    out = frame.copy(deep=False)
    out[column] = aligned.to_numpy()
    return out, column


def _cell_text(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = nested_text(value)
    if text is not None:
        return text
    return value if isinstance(value, str) else label_text(value)


def _holds_pictures(series: pd.Series, sample: int = 20) -> bool:
    """Whether most of the first filled cells are PIL images or arrays of pixels (2-d, or 3-d with colours)."""
    from PIL import Image

    filled = [v for v in series.head(4 * sample) if v is not None and not (isinstance(v, float) and v != v)][:sample]
    pictures = sum(isinstance(v, Image.Image) or (isinstance(v, np.ndarray) and (
        v.ndim == 2 or (v.ndim == 3 and v.shape[2] in (1, 3, 4)))) for v in filled)
    return bool(filled) and 2 * pictures > len(filled)


def _stored_picture(value: object) -> object:
    """A cell of a column of pictures as Parquet stores it: PNG bytes for a picture, bytes and paths as
    they are; any other cell (a number, a 4-d array) as the bytes of its text, which no decoder
    reads, so that its row's problem is ``unreadable`` and the column still stores."""
    stored = to_image_bytes(value)
    if stored is None or isinstance(stored, bytes | str) or (isinstance(stored, float) and stored != stored):
        return stored
    return str(stored).encode("utf-8", "replace")


def _stored_pictures(series: pd.Series) -> pd.Series:
    return pd.Series([_stored_picture(v) for v in series], index=series.index, dtype=object)


def _storable(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """``frame`` with each object column Parquet cannot store (ints mixed with text, nested cells of
    different shapes, sets, arbitrary objects) turned into text, cell by cell; other columns untouched.

    The columns left as they are are marked typed (:func:`~curate.ingest.numbers.mark_typed`): a
    column of strings stays text, while one of numbers mixed with text, now all text, is parsed again
    as a CSV column would be."""
    import pyarrow as pa

    out = frame.copy(deep=False)
    untyped: list[str] = []
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        if _holds_pictures(frame[column]):  # PIL images or pixel arrays: stored as PNG bytes
            out[column] = _stored_pictures(frame[column])
            continue
        try:
            pa.array(frame[column], from_pandas=True)
            # pyarrow stores a set as a list in its own order: the text, sorted, is the same on every read
            storable = not any(isinstance(v, set | frozenset) for v in frame[column])
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            storable = False
        if not storable:
            bytes_kind = str(image_kind(frame[column], NAMED_IMAGE_SHARE))
            # picture bytes beside a few odd cells (a number): the odd cells are unreadable pictures
            if bytes_kind.startswith("image bytes"):
                out[column] = _stored_pictures(frame[column])
            else:
                out[column] = convert_cells(frame[column], _cell_text, source=source)
                untyped.append(str(column))
    return mark_typed(out, [c for c in out.columns if c not in untyped])


def frame_input(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    label: Any = None,
    text: Any = None,
    id: Any = None,
    split: Any = None,
    test: pd.DataFrame | str | Path | None = None,
    vectors: Any = None,
) -> FrameInput:
    """Make a DataFrame call plain: column names as text, the index as row ids, storable cells.

    Parameters
    ----------
    data : pandas.DataFrame or str or os.PathLike
        The table, or a file's path (then only the arguments are checked). When a DataFrame's
        index is not the default ``RangeIndex`` (0, 1, 2, ...) and ``id`` is
        None, the index names the rows: it becomes a column (named after the index, else
        ``index``) used as the id.
    label : str or int or pandas.Series or numpy.ndarray, optional
        The label column's name, or the labels themselves: a Series is aligned on ``data``'s
        index, an array or list of shape (n_rows,) is taken by position.
    text : str or int or sequence of them, optional
        The text column name(s).
    id, split : str or int, optional
        The id and split column names.
    test : pandas.DataFrame or str or pathlib.Path, optional
        A test table; a DataFrame is made plain the same way (its index becomes the id column
        when ``data``'s did).
    vectors : str or int, optional
        A column of ``data`` (and of a test DataFrame) whose cells are vectors: the user's own
        features. It is taken out of the table.

    Returns
    -------
    FrameInput
        The plain frame, the column names to use and the kinds of labels and ids.

    Raises
    ------
    InputError
        For ``data`` that is neither a DataFrame nor a path, an argument of the wrong type, or
        labels that do not match the rows.
    ColumnError
        When two column names have the same text (``0`` and ``"0"``).
    DatasetError
        When the index names the rows but is missing somewhere or is not unique.

    Examples
    --------
    >>> made = frame_input(pd.DataFrame({0: ["a", "b"], 1: ["x", "y"]}, index=[10, 20]), label=1)
    >>> list(made.frame.columns), made.id, made.value_types("1")
    (['index', '0', '1'], 'index', ValueTypes(label='str', row_id='int'))
    """
    check_data(data)
    if vectors is not None and not (
        isinstance(data, pd.DataFrame) and (test is None or isinstance(test, pd.DataFrame))
    ):
        raise InputError(
            "features= names a column of vectors only when the data (and test) are DataFrames; "
            "with a file, pass the vectors as an array of shape (n_rows, dim)"
        )
    if not isinstance(data, pd.DataFrame):
        if isinstance(label, pd.Series | np.ndarray | list):
            raise InputError(
                f"label= takes labels as a Series only with a DataFrame; with a file, name the "
                f"label column; got {type(label).__name__}"
            )
        return FrameInput(
            frame=data if isinstance(data, str) else Path(data),
            label=_column_name(label, "label"),
            text=_text_names(text),
            id=_column_name(id, "id"),
            split=_column_name(split, "split"),
            test=test if isinstance(test, pd.DataFrame) else None,
            id_kind="str",
        )
    source = "the DataFrame"
    label_name = (
        None if label is None or isinstance(label, pd.Series | np.ndarray | list) else _column_name(label, "label")
    )
    id_name, split_name, text_names = _column_name(id, "id"), _column_name(split, "split"), _text_names(text)
    frame = _plain_columns(data, source)
    found: list[np.ndarray] = []
    if vectors is not None:
        vectors_name = str(_column_name(vectors, "features"))
        found.append(vectors_column(frame, vectors_name, source))
        frame = frame.drop(columns=vectors_name)
    if label_name is None and label is not None:
        frame, label_name = _label_column(frame, label, source)
    index_ids = id_name is None and not _default_index(frame.index)
    if index_ids:
        frame, id_name = _index_column(frame, source)
    else:
        frame = frame.reset_index(drop=True)
    if isinstance(test, pd.DataFrame):
        test = _plain_columns(test, "the test DataFrame")
        if found:
            found.append(vectors_column(test, vectors_name, "the test DataFrame"))
            test = test.drop(columns=vectors_name)
        if index_ids and id_name not in test.columns:
            test = _test_ids(test, str(id_name))
        test = _storable(test.reset_index(drop=True), "the test DataFrame")
    id_kind = ValueTypes.kind(frame[id_name]) if id_name is not None else "int"
    return FrameInput(
        frame=_storable(frame, source),
        label=label_name,
        text=text_names,
        id=id_name,
        split=split_name,
        test=test if isinstance(test, pd.DataFrame) else None,
        id_kind=id_kind,
        vectors=_stacked(found),
    )


def _stacked(parts: Sequence[np.ndarray]) -> np.ndarray | None:
    if not parts:
        return None
    if len({p.shape[1] for p in parts}) > 1:
        raise InputError(
            f"the features of the test rows have {parts[1].shape[1]} values each, those of the data "
            f"{parts[0].shape[1]}; give vectors of one length"
        )
    return np.concatenate(parts)


def _test_ids(test: pd.DataFrame, name: str) -> pd.DataFrame:
    """The test table with its row ids in column ``name``: its own index, or positions for a default one."""
    if _default_index(test.index):
        return test.assign(**{name: np.arange(len(test))})
    with_ids, made = _index_column(test, "the test DataFrame")
    return with_ids.rename(columns={made: name}) if made != name and name not in with_ids.columns else with_ids
