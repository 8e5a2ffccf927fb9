"""The Dataset: one validated table with a stable row id, inputs, labels and an optional split.

It is built and validated once, at the boundary (:mod:`curate.ingest.building`). Everything
downstream trusts a Dataset.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Dataset", "label_text"]

def label_text(value: object) -> str:
    """A label or id cell as the text curate stores and compares.

    A float that holds a whole number loses its ``.0`` (a label column read as floats because of
    missing cells still says ``3``, not ``3.0``); anything else is ``str(value)`` trimmed.

    Parameters
    ----------
    value : object
        A cell of the label or id column.

    Returns
    -------
    str
        The cell as text.

    Examples
    --------
    >>> label_text(3.0), label_text(" spam ")
    ('3', 'spam')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated, auditable table.

    Rows keep their order; ``row_ids[i]`` names row ``i`` for people (the id column's value, or the
    0-based position in its file). ``labels`` are the given labels as text; ``classes`` are sorted
    (numbers numerically) and define the column order of predicted probabilities. ``root`` is the
    folder that paths in the data are read inside (the data file's folder; None: the current one);
    ``test_root`` the one for the rows of a separate test file (its own folder), when it has one.
    ``metadata`` holds the file's other columns (not read as input, not the label or the id; the
    split column included), one row per row, for slicing; None when there are none.
    """

    name: str
    frame: pd.DataFrame
    label_column: str
    text_columns: tuple[str, ...]
    input_columns: tuple[str, ...]
    row_ids: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    splits: np.ndarray | None
    id_column: str | None = None
    notes: list[str] = field(default_factory=list)
    modality: str = "tabular"
    root: str | None = None
    test_root: str | None = None
    metadata: pd.DataFrame | None = None

    def root_of(self, position: int) -> str | None:
        """The folder that a path in row ``position`` is read inside.

        Parameters
        ----------
        position : int
            0-based row position.

        Returns
        -------
        str or None
            ``test_root`` for a row of a separate test file, else ``root`` (None: the current folder).
        """
        if self.test_root is not None and self.splits is not None and self.splits[position] == "test":
            return self.test_root
        return self.root

    @property
    def n_rows(self) -> int:
        """The number of rows.

        Returns
        -------
        int
            The number of rows (training and test together).
        """
        return len(self.labels)

    @property
    def label_codes(self) -> np.ndarray:
        """Each row's label as its index into ``classes``.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,), int64: ``classes[label_codes[i]] == labels[i]``.
        """
        index = {c: i for i, c in enumerate(self.classes)}
        return np.fromiter((index[v] for v in self.labels), dtype=np.int64, count=self.n_rows)

    def input_hashes(self, positions: Sequence[int] | None = None,
                     file_keys: Sequence[str] | None = None) -> list[str]:
        """A hash of each row's inputs alone (of the rows at ``positions``, or all).

        A decision about a row stays valid while this is unchanged: the label is left out, so a
        relabel does not invalidate the decisions made about the row's content.

        Parameters
        ----------
        positions : sequence of int, optional
            0-based row positions to hash; every row when None.
        file_keys : sequence of str, optional
            One key per hashed row (in the order of ``positions``) of the content its cells name
            but do not hold (see :meth:`content_hashes`); None: the cells hold it all.

        Returns
        -------
        list of str
            One hash per row, in the order of ``positions``: the first 32 hex characters of a
            SHA-256 over the row's text and input cells (missing cells as null) and, when given,
            its file key.
        """
        columns = [*self.text_columns, *self.input_columns]
        frame = self.frame[columns] if positions is None else self.frame[columns].iloc[list(positions)]
        values = frame.astype(object).where(frame.notna(), None)  # type: ignore[call-overload]
        keys = [None] * len(frame) if file_keys is None else list(file_keys)
        return [hashlib.sha256(json.dumps(list(map(_json_safe, record)) + ([] if key is None else [key]),
                                          ensure_ascii=False).encode("utf-8")).hexdigest()[:32]
                for record, key in zip(_records(values), keys, strict=True)]

    def content_hashes(self, file_keys: Sequence[str] | None = None) -> list[str]:
        """A hash of each row's inputs and label: it changes exactly when the row's data changes.

        Parameters
        ----------
        file_keys : sequence of str, optional
            One key per row of the content its cells name but do not hold (a picture read from a
            path: :meth:`curate.modalities.base.Modality.file_keys`); hashed with the cells, so
            that a changed file changes the hash. None (the default): the cells hold it all, and
            the hash is what it always was.

        Returns
        -------
        list of str
            One hash per row, in row order: the first 32 hex characters of a SHA-256 over the
            row's text and input cells, its label and, when given, its file key.
        """
        columns = [*self.text_columns, *self.input_columns]
        values = self.frame[columns].astype(object).where(self.frame[columns].notna(), None)  # type: ignore[call-overload]
        keys = [None] * self.n_rows if file_keys is None else list(file_keys)
        out = []
        for record, label, key in zip(_records(values), self.labels, keys, strict=True):
            content = [list(map(_json_safe, record)), label] + ([] if key is None else [key])
            payload = json.dumps(content, ensure_ascii=False)
            out.append(hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32])
        return out


def _records(values: pd.DataFrame) -> list[tuple] | Iterator[tuple]:
    """Each row's cells as a tuple; empty tuples for a frame of no columns (labels and own features alone)."""
    if not len(values.columns):  # itertuples yields nothing at all for a frame without columns
        return [()] * len(values)
    return values.itertuples(index=False, name=None)


def _json_safe(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
