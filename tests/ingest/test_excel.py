"""Excel workbooks (.xlsx) through openpyxl: the first sheet, cells with the types the file stores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import curate
from curate.ingest.readers import read_table
from curate.modalities.text import texts as texts_of

from ..conftest import make_text_frame, run_cli


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def test_first_sheet_is_read(tmp_path: Path) -> None:
    frame = make_text_frame().assign(score=[float(i) / 2 for i in range(60)], rank=range(60))
    frame.loc[5, "score"] = None
    other = pd.DataFrame({"note": ["not", "this"]})
    path = _workbook(tmp_path / "book.xlsx", {"Reviews": frame, "Notes": other})
    table = read_table(path)
    assert table.format == "xlsx"
    assert table.encoding is None
    assert table.notes == ("sheet: 'Reviews', the first of 2 (save another sheet on its own to audit it)",)
    assert table.frame.columns.tolist() == ["id", "text", "label", "score", "rank"]
    assert table.frame["id"].tolist() == frame["id"].tolist()
    assert table.frame["rank"].dtype == "int64"
    assert table.frame["score"].isna().tolist() == [i == 5 for i in range(60)]
    loaded = curate.load_data(path, id="id", text=["text"])
    assert texts_of(loaded.dataset) == frame["text"].tolist()
    assert loaded.dataset.notes[0] == table.notes[0]
    assert loaded.source.format == "xlsx"


def test_workbook_through_the_cli(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx", {"Sheet1": make_text_frame()})
    result = run_cli(["import", path, "--id", "id", "--text", "text", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported as book version 1 (60 rows)\n"


def test_text_cells_stay_text_and_number_cells_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["00007", "00010", "00123"], "score": [1.5, 2, None], "ok": [True, False, True],
                          "mixed": ["a", 3, None]})
    table = read_table(_workbook(tmp_path / "book.xlsx", {"Sheet1": frame}))
    assert table.frame["id"].tolist() == ["00007", "00010", "00123"]
    assert table.frame["score"].dtype == "float64" and table.frame["score"].tolist()[:2] == [1.5, 2.0]
    assert table.frame["ok"].dtype == bool and table.frame["ok"].tolist() == [True, False, True]
    assert table.frame["mixed"].tolist()[:2] == ["a", 3]
