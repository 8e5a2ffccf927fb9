"""Export targets beyond the table formats: delimited ``.txt``, JSON records under a key, Excel."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import curate
from curate.errors import InputError
from curate.export import export_version
from curate.export.writing import VERSION_SUFFIXES, VersionEdits, output_format, write_version
from curate.features import HashedTextEmbedder
from curate.ingest.readers import read_table
from curate.ledger import record
from curate.store import Workspace

from ..conftest import make_text_frame, run_cli


def _audit(path: Path, ws: Workspace, **options: object) -> curate.AuditResult:
    return curate.audit(path, workspace=ws, embedder=HashedTextEmbedder(), **options)  # type: ignore[arg-type]


def _korean_lines() -> list[str]:
    frame = make_text_frame()
    return ["번호\t문장\t분류"] + [
        f"{i:03d}\t{text}\t{label}" for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
    ]


# ------------------------------------------------------------------ .txt
def test_txt_is_a_version_format_but_not_a_findings_one() -> None:
    assert output_format(Path("fixed.TXT"), formats=VERSION_SUFFIXES) == "txt"
    with pytest.raises(InputError) as refused:
        output_format(Path("findings.txt"))
    assert str(refused.value) == (
        "cannot write '.txt' files (findings.txt); end the output name with one of .csv, .tsv, .jsonl, .json, .parquet"
    )


def test_a_utf16_unicode_text_source_exports_as_the_same_txt(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 LE with a byte-order mark, tab-separated, CRLF, a Korean header."""
    lines = _korean_lines()
    source = tmp_path / "korean.txt"
    source.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="분류", text=["문장"], id="번호")
    export_version(ws, None, 0, None, tmp_path / "v0.txt")
    assert (tmp_path / "v0.txt").read_bytes() == source.read_bytes()
    assert result.dataset.labels[1] == "sport"
    record(ws, result.dataset, row_id="001", action="relabel", new_label="tech", reviewer="ana")
    record(ws, result.dataset, row_id="002", action="remove", reviewer="ana")
    cli = run_cli(["export", tmp_path / "latest.txt", "--format", "txt", "-w", ws.path])
    assert cli.exit_code == 0, cli.output
    expected = [lines[0], lines[1], lines[2].removesuffix("sport") + "tech", *lines[4:]]
    assert (tmp_path / "latest.txt").read_bytes() == codecs.BOM_UTF16_LE + ("\r\n".join(expected) + "\r\n").encode(
        "utf-16-le"
    )


def test_txt_keeps_a_csv_sources_delimiter_and_is_tab_separated_otherwise(tmp_path: Path) -> None:
    data = b'id;text;label\r\n007;"a; b, c";x\r\n008;plain;y\r\n'
    source = tmp_path / "semi.csv"
    source.write_bytes(data)
    write_version(read_table(source), "label", VersionEdits([True, True], {1: "x"}), tmp_path / "out.txt", "txt")
    assert (tmp_path / "out.txt").read_bytes() == b'id;text;label\r\n007;"a; b, c";x\r\n008;plain;x\r\n'
    parquet = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["007", "008"], "text": ["a; b, c", "plain"], "label": ["x", "y"]}), parquet)
    write_version(read_table(parquet), "label", VersionEdits([True, False], {}), tmp_path / "p.txt", "txt")
    assert (tmp_path / "p.txt").read_bytes() == b"id\ttext\tlabel\n007\ta; b, c\tx\n"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": 7, "text": "a, b", "label": "x"}\n', encoding="utf-8")
    write_version(read_table(jsonl), "label", VersionEdits([True], {}), tmp_path / "j.txt", "txt")
    assert (tmp_path / "j.txt").read_bytes() == b"id\ttext\tlabel\n7\ta, b\tx\n"


# ------------------------------------------------------------------ JSON records under a key
def _records() -> list[dict[str, object]]:
    frame = make_text_frame()
    return [
        {"id": i, "text": text, "label": label, "score": i / 4}
        for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
    ]


def test_json_records_under_a_key_export_in_the_same_wrapper(tmp_path: Path) -> None:
    meta = {"v": 1, "source": "survey", "big": 10**21}
    source = tmp_path / "keyed.json"
    source.write_text(json.dumps({"meta": meta, "data": _records(), "note": "ok"}, indent=2), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="label", text=["text"], id="id")
    record(ws, result.dataset, row_id="1", action="relabel", new_label="tech", reviewer="ana")
    record(ws, result.dataset, row_id="2", action="remove", reviewer="ana")
    export_version(ws, None, "latest", None, tmp_path / "out.json")
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    records = _records()
    expected = [records[0], {**records[1], "label": "tech"}, *records[3:]]
    assert out == {"meta": meta, "data": expected, "note": "ok"} and list(out) == ["meta", "data", "note"]
    assert list(out["data"][0]) == ["id", "text", "label", "score"]
    # the wrapper is JSON's: JSON Lines and CSV hold the records alone
    export_version(ws, None, "latest", None, tmp_path / "out.jsonl")
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").split("\n")[1]) == expected[1]


def test_a_json_array_exports_as_an_array_with_its_keys_as_the_header(tmp_path: Path) -> None:
    # each record on its own line, the comma first: the first line reads as three CSV fields
    lines = ['[{"id": "r0", "text": "a b", "label": "x"}', ',{"id": "r1", "text": "c", "label": "y"}]']
    source = tmp_path / "array.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(source)
    write_version(table, "label", VersionEdits([True, True], {0: "y"}), tmp_path / "out.json", "json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == [
        {"id": "r0", "text": "a b", "label": "y"},
        {"id": "r1", "text": "c", "label": "y"},
    ]
    write_version(table, "label", VersionEdits([True, False], {}), tmp_path / "out.csv", "csv")
    assert (tmp_path / "out.csv").read_bytes() == b"id,text,label\nr0,a b,x\n"


# ------------------------------------------------------------------ Excel
def _book_frame() -> pd.DataFrame:
    frame = make_text_frame()
    return pd.DataFrame(
        {
            "code": [f"c{i:04d}" for i in range(60)],
            "text": frame["text"],
            "label": frame["label"],
            "n": list(range(60)),
            "w": [i / 4 for i in range(60)],
            "ok": [i % 2 == 0 for i in range(60)],
        }
    )


def test_an_xlsx_source_exports_as_xlsx_with_its_sheet_header_and_types(tmp_path: Path) -> None:
    source = tmp_path / "book.xlsx"
    with pd.ExcelWriter(source, engine="openpyxl") as book:
        _book_frame().to_excel(book, sheet_name="Reviews", index=False)
        pd.DataFrame({"x": [1]}).to_excel(book, sheet_name="Other", index=False)
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="label", text=["text"], id="code")
    record(ws, result.dataset, row_id="c0001", action="relabel", new_label="tech", reviewer="ana")
    record(ws, result.dataset, row_id="c0002", action="remove", reviewer="ana")
    cli = run_cli(["export", tmp_path / "out.xlsx", "-w", ws.path])
    assert cli.exit_code == 0, cli.output
    with pd.ExcelFile(tmp_path / "out.xlsx", engine="openpyxl") as book:
        assert book.sheet_names == ["Reviews"]
    out = pd.read_excel(tmp_path / "out.xlsx")
    expected = _book_frame().drop(index=2).reset_index(drop=True)
    expected.loc[1, "label"] = "tech"
    pd.testing.assert_frame_equal(out, expected)
    assert out.dtypes.astype(str).tolist() == ["object", "object", "object", "int64", "float64", "bool"]


def test_a_csv_source_exports_as_xlsx_with_numbers_as_numbers_and_codes_as_text(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    source.write_text(
        " Zip ,price,ratio,note,big,label\n00007,120643,2.5,,12345678901234567,x\n00010,,0.125,1e5,1,y\n",
        encoding="utf-8",
    )
    write_version(read_table(source), "label", VersionEdits([True, True], {1: "x"}), tmp_path / "o.xlsx", "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "o.xlsx").active
    assert sheet.title == "Sheet1"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        [" Zip ", "price", "ratio", "note", "big", "label"],
        ["00007", 120643, 2.5, None, "12345678901234567", "x"],  # beyond 2**53 Excel would lose digits
        ["00010", None, 0.125, "1e5", 1, "x"],
    ]


def test_a_cell_excel_cannot_hold_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source = tmp_path / "nul.jsonl"
    source.write_text('{"text": "a\\u0000b", "label": "x"}\n{"text": "ok", "label": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        write_version(read_table(source), "label", VersionEdits([True, True], {}), tmp_path / "o.xlsx", "xlsx")
    assert str(refused.value) == (
        "column 'text', row 2 of the sheet holds the control character U+0000, which Excel cannot store; "
        "export as .csv, .jsonl or .parquet"
    )
    long = tmp_path / "long.csv"
    long.write_text("text,label\n" + "a" * 40_000 + ",x\n", encoding="utf-8")
    with pytest.raises(InputError) as too_long:
        write_version(read_table(long), "label", VersionEdits([True], {}), tmp_path / "o.xlsx", "xlsx")
    assert str(too_long.value) == (
        "column 'text', row 2 of the sheet holds 40,000 characters, more than an Excel cell's 32,767; "
        "export as .csv, .jsonl or .parquet"
    )
    assert list(tmp_path.glob("o.*")) == []


def test_an_export_never_writes_over_the_file_it_was_imported_from(tmp_path: Path) -> None:
    source = tmp_path / "reviews.csv"
    make_text_frame().to_csv(source, index=False)
    before = source.read_bytes()
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="label", text=["text"], id="id")
    record(ws, result.dataset, row_id="r1", action="relabel", new_label="tech", reviewer="ana")
    cli = run_cli(["export", source, "-w", ws.path])
    assert cli.exit_code != 0
    assert cli.output.strip().splitlines()[-1] == (
        f"error: {source} is the file dataset 'reviews' was imported from; the export would overwrite it: write the "
        "fixed version to another file")
    assert source.read_bytes() == before
    assert run_cli(["export", tmp_path / "fixed.csv", "-w", ws.path]).exit_code == 0
