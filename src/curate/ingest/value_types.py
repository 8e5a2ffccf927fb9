"""The dtypes of the user's labels and row ids, to give them back in results as the user had them.

curate stores and compares labels and ids as text (:func:`curate.core.dataset.label_text`); a
findings frame turns them back into ints, floats or bools where the user's were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from curate.core.dataset import label_text

__all__ = ["ValueTypes"]


@dataclass(frozen=True)
class ValueTypes:
    """The kinds of the user's labels and row ids (``int``, ``float``, ``bool`` or ``str``).

    curate stores and compares labels and ids as text; a findings frame gives them back in these
    kinds. A column with a value that does not read back in its kind (a ``test:`` id, a label a
    reviewer typed) stays text.
    """

    label: str = "str"
    row_id: str = "str"

    @staticmethod
    def kind(values: pd.Series | pd.Index) -> str:
        """The kind of a label column or index.

        Parameters
        ----------
        values : pandas.Series or pandas.Index
            The labels or ids as the user gave them.

        Returns
        -------
        str
            ``bool``, ``int``, ``float`` or ``str`` (anything else, mixed kinds included).

        Examples
        --------
        >>> ValueTypes.kind(pd.Series([1, 2])), ValueTypes.kind(pd.Series(["a", 2], dtype=object))
        ('int', 'str')
        """
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        return {"boolean": "bool", "integer": "int", "floating": "float", "mixed-integer-float": "float"}.get(
            inferred, "str"
        )

    def typed(self, scores: pd.DataFrame) -> pd.DataFrame:
        """``scores`` with ``row_id``, ``given_label`` and ``suggested_label`` in the user's kinds.

        Parameters
        ----------
        scores : pandas.DataFrame
            A findings frame (see :func:`curate.audit.findings_frame`): ids and labels as text,
            no suggestion as None.

        Returns
        -------
        pandas.DataFrame
            A new frame (``scores`` is not changed; the columns it does not convert are shared,
            not copied: a large run's scores are millions of rows). ``row_id`` and ``given_label``
            become int64, float64 or bool columns; ``current_label`` and ``suggested_label``,
            which may lack values, become pandas' nullable ``Int64``, ``Float64`` or ``boolean``
            (no suggestion: ``<NA>``). Text stays text.
        """
        out = scores.copy(deep=False)
        out["row_id"] = _typed(out["row_id"], self.row_id, nullable=False)
        for column in _LABEL_COLUMNS:
            if column in out.columns:
                out[column] = _typed(out[column], self.label, nullable=column != "given_label")
        return out

    @staticmethod
    def as_text(scores: pd.DataFrame) -> pd.DataFrame:
        """``scores`` with ids and labels back as the text curate stores (the inverse of :meth:`typed`).

        Parameters
        ----------
        scores : pandas.DataFrame
            A findings frame, typed or not.

        Returns
        -------
        pandas.DataFrame
            A copy with ``row_id`` and the label columns as object columns of str (missing: None).
        """
        out = scores.copy()
        for column in ("row_id", *_LABEL_COLUMNS):
            if column in out.columns:
                out[column] = pd.Series(
                    [
                        None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else label_text(v)
                        for v in out[column]
                    ],
                    index=out.index,
                    dtype=object,
                )
        return out


_LABEL_COLUMNS = ("given_label", "current_label", "suggested_label")
_PARSE: dict[str, Callable[[str], object]] = {
    "int": int,
    "float": float,
    "bool": {"True": True, "False": False}.__getitem__,
}
_DTYPES = {"int": ("int64", "Int64"), "float": ("float64", "Float64"), "bool": ("bool", "boolean")}


def _typed(column: pd.Series, kind: str, *, nullable: bool) -> pd.Series:
    if kind not in _PARSE:
        return column
    parse = _PARSE[kind]
    try:
        values = [
            None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else parse(str(v)) for v in column
        ]
    except (ValueError, KeyError):
        return column
    plain, with_missing = _DTYPES[kind]
    if not nullable and any(v is None for v in values):
        return column
    array = pd.array(values, dtype=with_missing if nullable else plain)  # type: ignore[call-overload]
    return pd.Series(array, index=column.index, name=column.name)
