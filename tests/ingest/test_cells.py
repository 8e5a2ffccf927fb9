"""Cells that cannot be hashed (sets, lists late in a column, custom objects) are read as text, or named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import curate
from curate.errors import DatasetError
from curate.ingest.building import build_dataset
from curate.ingest.cells import nested_text

N = 60


class Point:
    """A user's object that cannot be hashed (it defines ``__eq__`` only)."""

    def __init__(self, x: int) -> None:
        self.x = x

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and other.x == self.x

    def __repr__(self) -> str:
        return f"Point({self.x})"


class Unprintable:
    """An object whose text cannot be made."""

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        raise RuntimeError("no text")


def _frame(cells: list[object]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b"], N // 2)
    return pd.DataFrame({"label": labels, "x": rng.normal(size=N) + 3 * (labels == "b"), "cells": cells})


def test_set_cells_are_read_as_their_sorted_json() -> None:
    """The trial's ``{1, 2}`` cells ended in ``TypeError: unhashable type: 'set'``."""
    cells = [{"red", "blue"} if i % 2 else frozenset({3, 1}) for i in range(N)]
    result = curate.audit(_frame(cells), label="label", detectors=["label", "exact_duplicate"], progress=False)
    assert result.dataset.frame["cells"].tolist()[:2] == ["[1, 3]", '["blue", "red"]']
    assert result.metrics["oof_accuracy"] == 1.0


@pytest.mark.parametrize(
    ("cells", "read_as", "distinct"),
    [
        ([Point(i % 3) for i in range(N)], ["Point(0)", "Point(1)", "Point(2)"], 3),
        ([bytearray(b"ab"), bytearray(b"cd")] * (N // 2), [b"ab", b"cd", b"ab"], 2),
        ([{(1, 2): "tuple keys"}] + [{"k": 1}] * (N - 1), ["{(1, 2): 'tuple keys'}", '{"k": 1}', '{"k": 1}'], 2),
    ],
    ids=["custom-objects", "bytearrays", "a-dict-json-cannot-hold"],
)
def test_unhashable_cells_of_any_kind_are_made_plain(cells: list[object], read_as: list[object], distinct: int) -> None:
    column = build_dataset(_frame(cells), label="label").frame["cells"]
    assert column.tolist()[:3] == read_as
    assert column.nunique() == distinct  # every cell hashes now


def test_a_list_in_the_last_row_is_its_json() -> None:
    """Only the first 200 cells were looked at: a list further down still broke the column statistics."""
    cells: list[object] = ["plain"] * 300 + [["late", "list"]]
    frame = pd.DataFrame({"label": ["a", "b"] * 150 + ["a"], "cells": cells})
    assert build_dataset(frame, label="label").frame["cells"].iloc[-2:].tolist() == ["plain", '["late", "list"]']


@pytest.mark.parametrize("through", ["audit", "build_dataset"])
def test_a_cell_that_cannot_become_text_is_one_error_naming_the_column(through: str) -> None:
    frame = _frame(["fine"] * 5 + [Unprintable()] + ["fine"] * (N - 6))
    with pytest.raises(DatasetError) as caught:
        if through == "audit":
            curate.audit(frame, label="label", progress=False)
        else:
            build_dataset(frame, label="label", source="cells.pkl")
    where = "the DataFrame" if through == "audit" else "cells.pkl"
    assert str(caught.value) == (
        f"{where}: column 'cells' holds a Unprintable at row 5 that curate cannot read as text "
        "(RuntimeError: no text); convert the column to text or numbers"
    )


def test_nested_text() -> None:
    assert nested_text({2, 10, 1}) == "[1, 2, 10]"
    assert nested_text({1, "a"}) == '[1, "a"]'  # types that do not compare: by type name, then repr
    assert nested_text(np.array([[1, 2]])) == "[[1, 2]]"
    assert nested_text(("x", {"y": None})) == '["x", {"y": null}]'
    assert nested_text(3) is None and nested_text(b"x") is None
