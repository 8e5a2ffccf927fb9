"""Encodings as editors save them: byte-order marks of UTF-16 and UTF-32, and UTF-16 without one."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

import curate
from curate.errors import DecodingError
from curate.ingest.encoding import decode_bytes
from curate.modalities.text import texts as texts_of

from ..conftest import assert_one_line_error, run_cli

# Excel's "Unicode text": tab-separated, a Korean header, CRLF line ends.
HEADER = ["후기 내용", "감정"]
ROWS = [
    ("배송이 빠르고 포장이 꼼꼼해요 😀", "긍정"),
    ("제품이 설명과 달라서 실망했어요", "부정"),
    ("가격 대비 품질이 아주 좋습니다", "긍정"),
    ("두 번 다시 사지 않을 거예요", "부정"),
]


def _unicode_text() -> str:
    return "".join("\t".join(row) + "\r\n" for row in [HEADER, *ROWS])


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        pytest.param(codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", id="utf-16-le"),
        pytest.param(codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", id="utf-16-be"),
        pytest.param(codecs.BOM_UTF32_LE, "utf-32-le", "utf-32", id="utf-32-le"),
        pytest.param(codecs.BOM_UTF32_BE, "utf-32-be", "utf-32", id="utf-32-be"),
    ],
)
def test_byte_order_marks_are_detected(tmp_path: Path, bom: bytes, codec: str, expected: str) -> None:
    path = tmp_path / "reviews.txt"
    path.write_bytes(bom + _unicode_text().encode(codec))
    loaded = curate.load_data(path, label="감정", text=["후기 내용"])
    assert texts_of(loaded.dataset) == [text for text, _ in ROWS]
    assert list(loaded.dataset.labels) == ["긍정", "부정", "긍정", "부정"]
    assert loaded.source.encoding == expected
    assert loaded.dataset.notes == [f"encoding: {expected} (detected; override with --encoding)"]
    assert loaded.source.data == path.read_bytes()


def test_unicode_text_file_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "reviews.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + _unicode_text().encode("utf-16-le"))
    result = run_cli(["import", path, "--label", "감정", "--text", "후기 내용", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["encoding: utf-16 (detected; override with --encoding)"]
    assert result.stdout == "imported as reviews version 1 (4 rows)\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_is_detected_in_latin_text(codec: str) -> None:
    decoded = decode_bytes("text,label\ncafé au lait,a\nplain words,b\n".encode(codec))
    assert decoded == type(decoded)("text,label\ncafé au lait,a\nplain words,b\n", codec, True)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_is_detected_in_korean_text(tmp_path: Path, codec: str) -> None:
    # Mostly Hangul: NUL bytes only in the tabs and line breaks, and "가" (U+AC00) puts one on the
    # other side of its pair.
    rows = [*ROWS, ("가나다 가격이 가장 싸다", "긍정")]
    path = tmp_path / "reviews.txt"
    path.write_bytes("".join("\t".join(row) + "\r\n" for row in [HEADER, *rows]).encode(codec))
    loaded = curate.load_data(path, label="감정", text=["후기 내용"])
    assert texts_of(loaded.dataset) == [text for text, _ in rows]
    assert loaded.source.encoding == codec


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_korean_without_nul_bytes_is_not_taken_for_utf16(encoding: str) -> None:
    text = _unicode_text().replace("😀", "") if encoding == "cp949" else _unicode_text()
    assert decode_bytes(text.encode(encoding)).encoding == encoding


def test_forced_utf16_drops_the_mark() -> None:
    data = codecs.BOM_UTF16_LE + "이름,값\n".encode("utf-16-le")
    assert decode_bytes(data, encoding="utf-16-le").text == "이름,값\n"


def test_broken_utf16_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "a\tb\n1\t2\n".encode("utf-16-le") + b"\x00")
    with pytest.raises(DecodingError) as caught:
        curate.load_data(path)
    assert str(caught.value) == (  # the one byte of half a character at the end: the file was cut off
        f"{path}: ends partway through a character on line 3 (its last 1 byte(s) begin a UTF-16 LE character): "
        "the file looks truncated, cut off while it was copied or downloaded; get the whole file again, "
        "or delete that unfinished last line"
    )
    result = run_cli(["import", path, "-w", tmp_path / "ws"])
    assert_one_line_error(result, "broken.txt", "line 3", "UTF-16 LE", "truncated")
    assert not (tmp_path / "ws").exists()


# ------------------------------------------------------------------ single-byte encodings
def _rows_csv(texts: list[str]) -> str:
    return "id,text,label\n" + "".join(f"{i},{t},{'ab'[i % 2]}\n" for i, t in enumerate(texts))


ENGLISH = [f"well cloud server robot code chip number {i}" for i in range(40)]


def test_windows_1252_punctuation_is_read_as_cp1252(tmp_path: Path) -> None:
    texts = ["“Smart” quotes – en dash €5 here", "the ‘single’ ones … and — too", *ENGLISH]
    path = tmp_path / "cp1252.csv"
    path.write_bytes(_rows_csv(texts).encode("cp1252"))
    loaded = curate.load_data(path, label="label", text=["text"])
    assert texts_of(loaded.dataset) == texts
    assert loaded.source.encoding == "cp1252"
    assert loaded.dataset.notes == ["encoding: cp1252 (detected; override with --encoding)"]


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param(["Très bien, café crème déjà vu", "Müller aß süße Äpfel, Straße", "plain"], id="fr-de"),
        pytest.param(["the kiln reached 25°C", "Ärger im Amt", "Åsa kom hem"], id="also-valid-cp949"),
    ],
)
def test_latin1_text_is_read_right(texts: list[str]) -> None:
    decoded = decode_bytes(_rows_csv(texts).encode("latin-1"))
    assert decoded == type(decoded)(_rows_csv(texts), "cp1252", True)


def test_bytes_undefined_in_cp1252_are_read_as_latin1() -> None:
    data = "id,text\n0,café\n".encode("latin-1") + b"1,a \x81 control\n"
    decoded = decode_bytes(data)
    assert decoded == type(decoded)("id,text\n0,café\n1,a \x81 control\n", "latin-1", True)


@pytest.mark.parametrize("n_english", [3, 2000])
def test_cp949_extension_syllables_are_read_as_korean(tmp_path: Path, n_english: int) -> None:
    # "똠" and "햏" lie outside EUC-KR, in CP949's extension area (an ASCII trail byte).
    texts = ["똠방각하 햏", *(f"well cloud server robot code chip {i}" for i in range(n_english))]
    path = tmp_path / "korean.csv"
    path.write_bytes(_rows_csv(texts).encode("cp949"))
    loaded = curate.load_data(path, label="label", text=["text"])
    assert texts_of(loaded.dataset) == texts
    assert loaded.source.encoding == "cp949"


def test_short_euc_kr_file_is_read_as_korean() -> None:
    decoded = decode_bytes("이름,라벨\n좋아요,긍정\n".encode("euc-kr"))
    assert decoded == type(decoded)("이름,라벨\n좋아요,긍정\n", "cp949", True)


def _cut_off_message(path: Path, line: int, left: int, label: str) -> str:
    return (f"{path}: ends partway through a character on line {line} (its last {left} byte(s) begin a {label} "
            "character): the file looks truncated, cut off while it was copied or downloaded; get the whole file "
            "again, or delete that unfinished last line")


@pytest.mark.parametrize(("encoding", "forced", "label"), [
    ("utf-8", None, "UTF-8"), ("utf-8", "utf-8", "utf-8"), ("utf-8-sig", None, "UTF-8"), ("cp949", None, "CP949"),
    ("utf-16", None, "UTF-16 LE"),
])
def test_a_file_cut_off_inside_a_character_is_said_to_be_truncated(
        tmp_path: Path, encoding: str, forced: str | None, label: str) -> None:
    text = "text,label\n" + "".join(f"{body} {i},{tag}\n" for i in range(20) for body, tag in ROWS)
    data = text.replace("😀", "").encode(encoding)
    last = text.replace("😀", "").rindex("배송")  # the start of the last row's first character
    cut = len(text.replace("😀", "")[:last].encode(encoding)) + (1 if encoding != "utf-16" else 3)
    path = tmp_path / "trunc.csv"
    path.write_bytes(data[:cut])
    with pytest.raises(DecodingError) as caught:
        curate.load_data(path, encoding=forced)
    assert str(caught.value) == _cut_off_message(path, 78, 1, label)
    result = run_cli(["import", path, "-w", tmp_path / "ws"])
    assert result.exit_code != 0 and "truncated" in result.output


def test_a_broken_character_before_the_end_is_still_named_by_line(tmp_path: Path) -> None:
    text = "text,label\n" + "".join(f"{body} {i},{tag}\n" for i in range(3) for body, tag in ROWS)
    data = text.encode("utf-8")
    broken = data.index("가격".encode()) + 1  # the second byte of a character, not at the end
    path = tmp_path / "broken.csv"
    path.write_bytes(data[:broken] + data[broken + 1:])
    with pytest.raises(DecodingError) as caught:
        curate.load_data(path)
    assert str(caught.value) == (f"{path}: line 4 is not valid UTF-8 (byte 0xea) although the lines before it are; "
                                 "fix that line or pass --encoding")


def test_a_latin1_line_before_utf8_text_is_named_as_a_mix_of_encodings(tmp_path: Path) -> None:
    # A user trial: a UTF-8 file with one Latin-1 row before a Korean one was read as Latin-1, the
    # Korean row turned to mojibake with nothing said but an input_quality flag.
    path = tmp_path / "mixed.csv"
    path.write_bytes("text,label\ncafé au lait,a\n".encode("latin-1") + "한국어 텍스트,b\nplain,a\n".encode())
    result = run_cli(["audit", path, "--label", "label", "--text", "text", "--no-embed", "-w", tmp_path / "ws"])
    assert_one_line_error(result, f"{path}: line 2 is not valid UTF-8 (byte 0xe9) but UTF-8 text follows (from "
                                  "line 3): the file mixes encodings; re-save that line as UTF-8 or pass --encoding")
    assert not (tmp_path / "ws").exists()
    # a Western file with an accented letter before a symbol once is still Western text
    assert decode_bytes("text,label\n\"café 20°C, naïve Ã©\",a\n".encode("cp1252")).encoding == "cp1252"


def test_a_one_line_file_cut_off_inside_a_character_is_not_told_to_lose_its_line(tmp_path: Path) -> None:
    # A user trial: a JSON array on one line, cut mid-character, was told to "delete that unfinished
    # last line": the whole file.
    data = json.dumps([{"text": "배송이 빨라요", "label": "pos"}] * 3, ensure_ascii=False).encode("utf-8")
    path = tmp_path / "one_line.json"
    path.write_bytes(data[:data.rindex("요".encode()) + 1])
    with pytest.raises(DecodingError) as caught:
        curate.load_data(path)
    assert str(caught.value).endswith("cut off while it was copied or downloaded; get the whole file again")
    assert " on line 1 " in str(caught.value)
