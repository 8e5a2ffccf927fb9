"""Delimited text: the delimiter detected whatever the extension, fields of any size, exact headers."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import curate
from curate.errors import ColumnError, FileFormatError
from curate.ingest.readers import read_table
from curate.modalities.text import texts as texts_of

from ..conftest import assert_one_line_error, make_text_frame, run_cli

# Texts with commas in them: a comma-separated reading of a ';' file would be ragged.
TEXTS = [
    "Today score, the league local season goal.",
    "Code local network big cloud new robot.",
    "Bread, soup, and fruit for dinner.",
    "Stadium goal, referee season coach.",
]
LABELS = ["sport", "tech", "food", "sport"]


def _write(path: Path, delimiter: str, rows: list[list[str]], line_end: str = "\n") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".tsv"])
@pytest.mark.parametrize("delimiter", [";", "|", "\t", ","])
def test_delimiter_is_detected_whatever_the_suffix(tmp_path: Path, delimiter: str, suffix: str) -> None:
    path = _write(tmp_path / f"data{suffix}", delimiter, [["text", "label"], *zip(TEXTS, LABELS, strict=True)])
    table = read_table(path)
    assert table.frame.columns.tolist() == ["text", "label"]
    assert table.frame["text"].tolist() == TEXTS
    assert table.frame["label"].tolist() == LABELS
    assert table.frame.attrs["source_lines"] == (2, 3, 4, 5)
    # Kept, not copied, in every column or row pandas derives (it deep-copies attrs).
    assert table.frame["text"].attrs["source_lines"] is table.frame.attrs["source_lines"]
    assert table.frame.iloc[1:3].attrs["source_lines"] is table.frame.attrs["source_lines"]
    expected = {".csv": ",", ".tsv": "\t"}.get(suffix)
    names = {",": "comma ','", "\t": "tab '\\t'", ";": "semicolon ';'", "|": "pipe '|'"}
    assert table.notes == (() if expected in (None, delimiter) else (f"delimiter: {names[delimiter]} (detected)",))
    assert table.format == ("tsv" if delimiter == "\t" else "csv")


def test_quoted_delimiters_do_not_decide(tmp_path: Path) -> None:
    """Every text holds two quoted semicolons, yet the file is comma-separated."""
    rows = [["text", "label"], *[[f"a;b;{t}", label] for t, label in zip(TEXTS, LABELS, strict=True)]]
    table = read_table(_write(tmp_path / "data.txt", ",", rows))
    assert table.frame.columns.tolist() == ["text", "label"]
    assert table.frame["text"].tolist() == [f"a;b;{t}" for t in TEXTS]


def test_no_delimiter_fits_names_the_likeliest(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("text;label\na b c;x\nd e f;y\ng h;i;z\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_table(path)
    assert str(caught.value) == (
        f"{path}: line 4 has 3 fields but the header has 2 when split by the semicolon ';' (no delimiter "
        "splits every line alike; semicolon ';' is the likeliest); quote fields that contain ';'"
    )


@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param('text,label\na b,x\nc d,y\n"g h,z\ni j,x\nk l,y\n', 4, id="runs-over-lines"),
        pytest.param('text,label\na b,x\nc d,y\n"g h,z\n', 4, id="last-line"),
        pytest.param('text,label\na b,x\nc d,"g h\n', 3, id="last-field"),
        pytest.param('text,label\na b,x\nc d,"g h\ni j,x\nk l,y\n', 3, id="last-field-swallows-rows"),
    ],
)
def test_an_unclosed_quote_names_the_line_it_opens_on(tmp_path: Path, content: str, line: int) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    message = (
        f"{path}: line {line} opens a quoted field that is never closed (an unclosed quote: everything "
        "after it up to the end of the file reads as one field); close or remove that quote"
    )
    with pytest.raises(FileFormatError) as caught:
        read_table(path)
    assert str(caught.value) == message
    result = run_cli(["import", path, "-w", tmp_path / "ws"])
    assert result.exit_code == 2 and result.stderr == f"error: {message}\n"
    assert not (tmp_path / "ws").exists()


def test_an_inch_mark_inside_a_field_is_not_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('text,label\na 12" pizza,food,extra\nb,x\n', encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{path}: line 2 has 3 fields but the header has 2")


def test_semicolon_file_audits_through_the_cli(tmp_path: Path) -> None:
    frame = make_text_frame()
    frame["text"] = frame["text"].str.replace(" and ", ", and ", regex=False)
    path = tmp_path / "semicolons.csv"
    frame.to_csv(path, sep=";", index=False)
    result = run_cli(["import", path, "--id", "id", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert "delimiter: semicolon ';' (detected)" in result.stderr.splitlines()
    assert result.stdout == "imported as semicolons version 1 (60 rows)\n"


def test_a_field_of_140000_characters_is_read(tmp_path: Path) -> None:
    long_text = ("word " * 28_000).strip() + ", with a comma"
    frame = make_text_frame()
    frame.loc[7, "text"] = long_text
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    dataset = curate.load_data(path, label="label", text=["text"], id="id").dataset
    assert len(long_text) == 140_013
    assert texts_of(dataset)[7] == long_text
    assert texts_of(dataset)[:7] == frame["text"].tolist()[:7]


ODD_HEADERS = ["Review Text", " gold label ", "Größe (cm)", "ünïcode-ñame", "a.b[c]"]


def _odd_headers(tmp_path: Path) -> Path:
    frame = make_text_frame()
    rows = [
        ODD_HEADERS,
        *[
            [t, label, str(150 + i), "xy"[i % 2], str(i)]
            for i, (t, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
        ],
    ]
    return _write(tmp_path / "odd.csv", ",", rows, line_end="\r\n")


def test_headers_are_kept_byte_for_byte(tmp_path: Path) -> None:
    table = read_table(_odd_headers(tmp_path))
    assert table.frame.columns.tolist() == ODD_HEADERS
    assert table.frame["a.b[c]"].tolist()[:3] == ["0", "1", "2"]  # no '\r' left from the CRLF


@pytest.mark.parametrize("typed", [" gold label ", "gold label", "Gold Label", "GOLD LABEL "])
def test_a_header_with_spaces_is_accepted(tmp_path: Path, typed: str) -> None:
    path = _odd_headers(tmp_path)
    loaded = curate.load_data(path, label=typed, text=["review text"])
    assert loaded.dataset.label_column == " gold label "
    assert loaded.dataset.classes == ("food", "sport", "tech")
    assert loaded.source.options["label"] == " gold label "
    result = run_cli(["import", path, "--label", typed, "--text", "Review Text", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported as odd version 1 (60 rows)\n"


def test_two_headers_that_differ_only_in_case_stay_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("text,Label,LABEL\nhello there,a,b\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r"has no label column 'label'; its columns are: text, Label, LABEL"):
        curate.load_data(path, label="label", text=["text"])


def _workbook_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1], "label": ["x"]}).to_excel(buffer, engine="openpyxl", index=False)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "keywords"),
    [
        (lambda p: pd.DataFrame({"a": [1], "label": ["x"]}).to_parquet(p), ("a Parquet file", "name it .parquet")),
        (lambda p: p.write_bytes(gzip.compress(b"a,label\n1,x\n")), ("gzip-compressed", "gunzip")),
        (lambda p: p.write_bytes(_workbook_bytes()), ("a zip archive", "name it .xlsx")),
    ],
)
def test_a_binary_file_under_a_text_suffix_says_what_it_is(tmp_path: Path, make: Any,
                                                            keywords: tuple[str, ...]) -> None:
    path = tmp_path / "data.csv"
    make(path)
    assert_one_line_error(run_cli(["audit", path, "-w", tmp_path / "ws"]), "data.csv is", *keywords)
    assert not (tmp_path / "ws").exists()


def test_random_bytes_are_called_binary_and_utf16_without_a_mark_is_still_text(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "data.csv"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_one_line_error(run_cli(["audit", path, "-w", tmp_path / "ws"]), "data.csv does not look like text",
                          "control bytes", "CSV, TSV")
    assert not (tmp_path / "ws").exists()
    # UTF-16 without a byte-order mark is half NUL bytes, and text for all that
    lines = "text\tlabel\n" + "".join(f"the soup number {i} was fine\t{'good' if i % 2 else 'bad'}\n"
                                      for i in range(40))
    for codec in ("utf-16-le", "utf-16-be"):
        path.with_suffix(".tsv").write_bytes(lines.encode(codec))
        from curate.ingest.readers import read_table

        assert read_table(path.with_suffix(".tsv")).frame.shape == (40, 2)


def test_a_stray_quote_in_a_middle_line_is_named_as_a_quote(tmp_path: Path) -> None:
    lines = ["id,text,label", '0,"Well, team season; ok",sport', '1,"Well, cloud server; ok",tech',
             '2,"Well, unclosed here; ok,tech', '3,"Well, flavor bake; ok",food', '4,"Well, goal match; ok",sport']
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_line_error(run_cli(["audit", path, "-w", tmp_path / "ws"]),
                          "data.csv: line 4 has a quote that is not closed on its line", "runs on to line 5")
