"""The version writer on hand-built sources: delimiters, escapes and Arrow types it must keep."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.export.writing import VersionEdits, write_version
from curate.ingest.readers import ReadTable, read_table


def test_a_semicolon_source_keeps_its_delimiter_and_quotes(tmp_path: Path) -> None:
    data = b'id;text;label\r\n007;"a; b, c";x\r\n008;plain;y\r\n'
    frame = pd.DataFrame({"id": ["007", "008"], "text": ["a; b, c", "plain"], "label": ["x", "y"]})
    table = ReadTable(frame=frame, data=data, format="csv", encoding="utf-8", encoding_detected=False)
    write_version(table, "label", VersionEdits([True, True], {1: "x"}), tmp_path / "out.csv", "csv")
    assert (tmp_path / "out.csv").read_bytes() == b'id;text;label\r\n007;"a; b, c";x\r\n008;plain;x\r\n'
    write_version(table, "label", VersionEdits([True, False], {}), tmp_path / "out.tsv", "tsv")
    assert (tmp_path / "out.tsv").read_bytes() == b"id\ttext\tlabel\r\n007\ta; b, c\tx\r\n"


def test_a_latin1_source_is_written_back_in_latin1(tmp_path: Path) -> None:
    data = "name,label\nJosé,a\nZoë,b\n".encode("latin-1")
    frame = pd.DataFrame({"name": ["José", "Zoë"], "label": ["a", "b"]})
    table = ReadTable(frame=frame, data=data, format="csv", encoding="latin-1", encoding_detected=False)
    write_version(table, "label", VersionEdits([True, True], {}), tmp_path / "out.csv", "csv")
    assert (tmp_path / "out.csv").read_bytes() == data


def test_an_edited_jsonl_line_keeps_a_lone_surrogate_escaped(tmp_path: Path) -> None:
    data = b'{"text": "half \\ud83d emoji", "label": 1}\n{"text": "ok", "label": 2}\n'
    frame = pd.DataFrame({"text": ["half \ud83d emoji", "ok"], "label": [1, 2]})
    table = ReadTable(frame=frame, data=data, format="jsonl", encoding="utf-8", encoding_detected=False)
    write_version(table, "label", VersionEdits([True, True], {0: "2"}), tmp_path / "out.jsonl", "jsonl")
    first, second = (tmp_path / "out.jsonl").read_bytes().split(b"\n")[:2]
    assert first == b'{"text": "half \\ud83d emoji", "label": 2}' and second == b'{"text": "ok", "label": 2}'


def test_a_parquet_source_keeps_its_arrow_types_with_a_status_column(tmp_path: Path) -> None:
    source = pa.table(
        {
            "code": pa.array(["a", "b", "a"], type=pa.dictionary(pa.int8(), pa.string())),
            "label": pa.array([1, 2, 1], type=pa.int16()),
            "tags": pa.array([[1], [], [2, 3]], type=pa.list_(pa.int32())),
        }
    )
    path = tmp_path / "in.parquet"
    pq.write_table(source, path)
    table = ReadTable(
        frame=pd.read_parquet(path), data=path.read_bytes(), format="parquet", encoding=None, encoding_detected=False
    )
    edits = VersionEdits([True, False, True], {2: "2"}, ["kept", "removed", "relabelled"])
    write_version(table, "label", edits, tmp_path / "out.parquet", "parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.remove_metadata().equals(pa.schema([*source.schema, pa.field("review_status", pa.string())]))
    assert out.to_pylist() == [
        {"code": "a", "label": 1, "tags": [1], "review_status": "kept"},
        {"code": "a", "label": 2, "tags": [2, 3], "review_status": "relabelled"},
    ]
    write_version(table, "label", edits, tmp_path / "out.json", "json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == out.to_pylist()


MIXED = (
    "id,price,ratio,zip,sci,padded,note,empty,label\n"
    "1,120643,2.5,00007,1e5,007.50,a,,x\n"
    "2,-3,,12345,2,1.5,,,y\n"
    "3,,0.125,00010,3,2,c,,x\n"
    "4,99,7,1,4,3,4,,y\n"
)


def test_a_csv_source_writes_canonical_numbers_as_numbers(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED, encoding="utf-8")
    table = read_table(source)
    write_version(table, "label", VersionEdits([True, True, True, False], {1: "x"}), tmp_path / "out.jsonl", "jsonl")
    assert [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()] == [
        {
            "id": 1,
            "price": 120643,
            "ratio": 2.5,
            "zip": "00007",
            "sci": "1e5",
            "padded": "007.50",
            "note": "a",
            "empty": None,
            "label": "x",
        },
        {
            "id": 2,
            "price": -3,
            "ratio": None,
            "zip": "12345",
            "sci": "2",
            "padded": "1.5",
            "note": None,
            "empty": None,
            "label": "x",
        },
        {
            "id": 3,
            "price": None,
            "ratio": 0.125,
            "zip": "00010",
            "sci": "3",
            "padded": "2",
            "note": "c",
            "empty": None,
            "label": "x",
        },
    ]
    write_version(table, "label", VersionEdits([True] * 4, {}), tmp_path / "out.json", "json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))[3] == {
        "id": 4,
        "price": 99,
        "ratio": 7.0,
        "zip": "1",
        "sci": "4",
        "padded": "3",
        "note": "4",
        "empty": None,
        "label": "y",
    }
    write_version(table, "label", VersionEdits([True] * 4, {}), tmp_path / "out.parquet", "parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.remove_metadata().equals(
        pa.schema(
            [
                ("id", pa.int64()),
                ("price", pa.int64()),
                ("ratio", pa.float64()),
                ("zip", pa.string()),
                ("sci", pa.string()),
                ("padded", pa.string()),
                ("note", pa.string()),
                ("empty", pa.string()),
                ("label", pa.string()),
            ]
        )
    )
    assert out.column("price").to_pylist() == [120643, -3, None, 99]
    assert out.column("ratio").to_pylist() == [2.5, None, 0.125, 7.0]
    # the CSV output of a CSV source is still the source's text, cell for cell
    write_version(table, "label", VersionEdits([True] * 4, {}), tmp_path / "out.csv", "csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == MIXED
