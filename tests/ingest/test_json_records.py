"""JSON in the three shapes people save: JSON Lines, one array of records, records under a key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import curate
from curate.errors import FileFormatError
from curate.ingest.readers import read_table

from ..conftest import assert_one_line_error, make_text_frame, run_cli

RECORDS = [
    {"id": "a1", "text": "one two three four", "label": "x"},
    {"id": "a2", "text": "five six seven eight", "label": "y"},
    {"id": "a3", "text": "nine ten eleven twelve", "label": "x"},
]


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        pytest.param(json.dumps(RECORDS), "json", id="array"),
        pytest.param(json.dumps(RECORDS, indent=2), "json", id="array-indented"),
        pytest.param(json.dumps({"data": RECORDS}, indent=2), "json", id="under-a-key"),
        pytest.param(json.dumps({"version": 2, "rows": RECORDS}), "json", id="under-a-key-one-line"),
        pytest.param("".join(json.dumps(r) + "\n" for r in RECORDS), "jsonl", id="json-lines"),
    ],
)
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_shapes_are_read(tmp_path: Path, content: str, fmt: str, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text(content, encoding="utf-8")
    table = read_table(path)
    assert table.format == fmt
    assert table.frame.to_dict(orient="records") == RECORDS
    assert table.frame.attrs.get("source_lines") == ((1, 2, 3) if fmt == "jsonl" else None)


def test_json_array_audits_like_json_lines(tmp_path: Path) -> None:
    records = make_text_frame().to_dict(orient="records")
    array, lines = tmp_path / "array.json", tmp_path / "lines.jsonl"
    array.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    lines.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    first = curate.load_data(array, id="id").dataset
    second = curate.load_data(lines, id="id").dataset
    assert list(first.row_ids) == list(second.row_ids) == [f"r{i}" for i in range(60)]
    assert list(first.labels) == list(second.labels)
    assert first.content_hashes() == second.content_hashes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            '[{"text": "a", "label": "x"},\n {"text": "b" "label": "y"}]',
            "line 2 column 15 is not valid JSON (Expecting ',' delimiter)",
            id="broken-array",
        ),
        pytest.param(
            '{\n  "data": [\n    {"text": "a",}\n  ]\n}',
            "line 3 column 18 is not valid JSON (Expecting property name enclosed in double quotes)",
            id="broken-object",
        ),
        pytest.param("text,label\na,x\n", "line 1 column 1 is not valid JSON (Expecting value)", id="csv-in-json"),
        pytest.param(
            '[{"text": "a"}, "b"]',
            "item 1 of the array is a JSON string, not an object (curate reads an array of records, "
            "one object per row)",
            id="array-of-strings",
        ),
        pytest.param(
            '{"train": [{"text": "a"}], "test": [{"text": "b"}]}',
            "holds arrays of records under several keys ('train', 'test'); keep one per file "
            "(a test set can go in --test)",
            id="several-keys",
        ),
        pytest.param(
            '"just a string"',
            "holds a single JSON string; give JSON Lines (one object per line), "
            "an array of objects, or an object holding one",
            id="scalar",
        ),
        pytest.param(
            '{"text": "a", "label": "x"}\n{"text": oops}\n',
            "line 2 is not valid JSON (Expecting value: column 10)",
            id="bad-json-line",
        ),
        pytest.param(
            '{"text": "a", "label": "x"}\n{"text": "b", "label": "y"}\n{"text": "an unfinished re',
            "line 3 is not valid JSON (Unterminated string starting at: column 10) (it ends without closing its "
            "record: the file looks truncated, cut off while it was copied or downloaded)",
            id="jsonl-cut-off",
        ),
        pytest.param("[]", "holds no records; give one JSON object (with fields) per row", id="empty-array"),
        pytest.param("[{}, {}]", "holds no records; give one JSON object (with fields) per row", id="empty-objects"),
        pytest.param("{}\n{}\n", "holds no records; give one JSON object (with fields) per row", id="empty-lines"),
        pytest.param('{"data": []}',
                     "holds no records (the array under 'data' is empty); give one JSON object (with fields) per row",
                     id="empty-wrapper"),
    ],
)
def test_json_that_is_neither_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: {message}"
    result = run_cli(["import", path, "-w", tmp_path / "ws"])
    assert_one_line_error(result, "data.json", message)
    assert not (tmp_path / "ws").exists()


def test_line_separator_inside_a_json_lines_string_is_not_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a\u2028b", "label": "x"}\n{"text": "c", "label": "y"}\n', encoding="utf-8")
    assert read_table(path).frame["text"].tolist() == ["a\u2028b", "c"]
