"""Half surrogate pairs and NUL characters: read, with a lone surrogate as U+FFFD, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import curate
from curate.features.cache import text_hash
from curate.ingest.readers import read_table
from curate.modalities.text import texts as texts_of

from ..conftest import make_text_frame, run_cli


def _jsonl_with_half_an_emoji(path: Path) -> Path:
    records = make_text_frame().to_dict(orient="records")
    lines = [json.dumps(r, ensure_ascii=True) for r in records]
    # A JSON escape of half a pair (as a truncating writer leaves it), and a whole pair as two escapes.
    lines[4] = lines[4].replace('"text": "', '"text": "cut \\ud83d here ')
    lines[5] = lines[5].replace('"text": "', '"text": "whole \\ud83d\\ude00 ')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_lone_surrogate_in_json_lines_becomes_the_replacement_character(tmp_path: Path) -> None:
    path = _jsonl_with_half_an_emoji(tmp_path / "data.jsonl")
    texts = texts_of(curate.load_data(path, id="id").dataset)
    expected = make_text_frame()["text"].tolist()
    assert texts[4] == "cut \ufffd here " + expected[4]
    assert texts[5] == "whole \U0001f600 " + expected[5]
    assert texts[6:] == expected[6:]


def test_lone_surrogate_file_audits_through_the_cli(tmp_path: Path) -> None:
    path = _jsonl_with_half_an_emoji(tmp_path / "data.jsonl")
    result = run_cli(["audit", path, "--id", "id", "--no-embed", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_encoded_surrogate_bytes_in_a_csv_become_the_replacement_character(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"text,label\ncut \xed\xa0\xbd here,a\nfine words,b\n")
    table = read_table(path)
    assert table.encoding == "utf-8"
    assert table.frame["text"].tolist() == ["cut \ufffd here", "fine words"]


def test_nul_characters_are_read_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"text,label\nnul\x00inside,a\nfine words,b\n")
    assert read_table(path).frame["text"].tolist() == ["nul\x00inside", "fine words"]
    (tmp_path / "data.jsonl").write_text('{"text": "nul\\u0000inside", "label": "a"}\n', encoding="utf-8")
    assert read_table(tmp_path / "data.jsonl").frame["text"].tolist() == ["nul\x00inside"]


def test_dataframe_text_is_repaired_when_the_dataset_is_built() -> None:
    frame = make_text_frame()
    frame.loc[2, "text"] = "half \ud83d an emoji"
    frame.loc[[0, 3], "label"] = "food\udc00"
    test = make_text_frame(n_per_class=2)
    test.loc[0, "text"] = "\udfff"
    dataset = curate.load_data(frame, test=test, id="id").dataset
    texts = texts_of(dataset)
    assert texts[2] == "half \ufffd an emoji"
    assert texts[60] == "\ufffd"
    assert dataset.labels[3] == "food\ufffd"
    assert frame.loc[2, "text"] == "half \ud83d an emoji"  # the caller's frame is left alone


def test_text_hash_takes_any_text() -> None:
    assert text_hash("half \ud83d") != text_hash("half \ufffd")
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert len(text_hash("\x00\udfff")) == 64
