"""A table's rows are shown as people wrote them: integers as integers, whatever dtype they were read in."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

import curate
from curate.ingest.loading import load_data
from curate.modalities import get_modality

from ..conftest import make_tabular_frame


def _frame() -> pd.DataFrame:
    """row_no (whole), rooms (whole, some missing), income (not whole), city; two labels swapped."""
    frame = make_tabular_frame(30)
    frame.insert(0, "row_no", range(len(frame)))
    frame["rooms"] = [None if i % 9 == 0 else i % 4 + 1 for i in range(len(frame))]
    frame.loc[[3, 40], "label"] = ["high", "low"]
    return frame


def test_whole_number_columns_show_integers_read_from_a_frame_or_a_csv(tmp_path: Path) -> None:
    frame = _frame()
    frame.to_csv(tmp_path / "t.csv", index=False)
    tabular = get_modality("tabular")
    for source in (frame, tmp_path / "t.csv"):  # a CSV's numbers are read as floats
        dataset = load_data(source, label="label").dataset
        assert tabular.row_view(dataset, 11).fields == {"row_no": 11, "age": int(frame["age"][11]),
                                                        "income": float(frame["income"][11]), "city": frame["city"][11],
                                                        "rooms": 4}
        fields = tabular.row_view(dataset, 9).fields
        assert fields["rooms"] is None and type(fields["row_no"]) is int and type(fields["income"]) is float
        assert tabular.preview(dataset, 9).endswith(", rooms=(missing)")  # not rooms=None
        assert tabular.preview(dataset, 11) == (f"row_no=11, age={frame['age'][11]}, income={frame['income'][11]}, "
                                                f"city={frame['city'][11]}, rooms=4")


def test_a_float_column_keeps_its_decimals_and_its_infinities() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.5, np.inf, 4.0] * 5, "n": [1.0, np.inf, 3.0, None] * 5,
                          "label": ["a", "b"] * 10})
    dataset = load_data(frame, label="label").dataset
    assert get_modality("tabular").preview(dataset, 0) == "x=1.0, n=1"
    assert get_modality("tabular").preview(dataset, 1) == "x=2.5, n=inf"


def test_the_report_shows_a_tables_integers_as_integers(tmp_path: Path) -> None:
    frame = _frame()
    frame.to_csv(tmp_path / "t.csv", index=False)
    html = curate.audit(tmp_path / "t.csv", label="label", workspace=tmp_path / "ws", progress=False).to_html()
    previews = re.findall(r'<td class="text">(row_no=[^<]*)</td>', html)
    assert previews and all(re.search(r"(row_no|age|rooms)=\d+\.\d", p) is None for p in previews)
    assert "row_no=3, " in html and "row_no=40, " in html  # the two swapped labels are flagged
