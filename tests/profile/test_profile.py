"""curate profile: exact facts on small data built here, the same reading and errors as an audit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from curate.profile import profile_data

from ..conftest import assert_one_line_error, run_cli

ENGLISH = [
    "The central bank raised interest rates again this morning to fight inflation",
    "Our football team won the championship final after a dramatic penalty shootout",
    "Scientists discovered a new species of frog living in the rainforest canopy",
    "The new smartphone has a faster processor and a much better camera than before",
    "Heavy rain caused flooding across the northern valley and closed several roads",
]
KOREAN = [
    "오늘 영화는 정말 재미있었고 배우들의 연기가 훌륭했습니다",
    "이 식당의 음식은 너무 짜서 다시는 가고 싶지 않아요",
    "주말에 가족들과 함께 공원에서 즐거운 시간을 보냈습니다",
    "새로 나온 노트북은 가볍고 배터리가 오래 가서 만족합니다",
]
COPY = "The match ended in a draw after extra time and both teams shared the points"
CONFLICT = "배송이 빠르고 포장도 꼼꼼해서 아주 좋았어요"
# 300 words that are one word piece each: 46 past all-MiniLM-L6-v2's 254 word pieces of text.
LONG = " ".join(["the cat sat on the mat"] * 50)


def _rows() -> list[dict[str, object]]:
    texts = [
        *ENGLISH, *KOREAN,
        COPY, COPY, "  the MATCH ended in a draw after extra time and both teams shared the points ",  # 3 copies
        CONFLICT, CONFLICT,  # one pair, labelled differently below
        LONG,
        "The cafÃ© served croissants with hot chocolate every morning for the guests",  # mojibake
        "The printer jammed again \ufffd and nobody could fix it before the meeting",  # replacement character
        "Press the bell\x07 twice when you arrive at the front door of the office",  # control character
    ]
    labels = ["a", "b", "a", "b", "a", "b", "a", "b", "a", "a", "a", "a", "a", "b", "b", "a", "b", "a"]
    scores = ["1.5", "", "NaN", "inf", "2", "3", "", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"]
    sources = ["web", "web", "app", "web", "app", "web", "web", "app", "web", "web", "web", "app", "web", "app",
               "web", "web", "web", "web"]
    return [{"id": f"r{i}", "text": t, "label": lab, "score": s, "source": src}
            for i, (t, lab, s, src) in enumerate(zip(texts, labels, scores, sources, strict=True))]


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """18 rows: 5 English and 4 Korean texts, 3 copies, a conflicting pair, a long text, 3 damaged texts."""
    path = tmp_path / "small.csv"
    pd.DataFrame(_rows()).to_csv(path, index=False)
    return path


def test_columns_count_missing_nan_and_infinite_cells(small_csv: Path) -> None:
    profile = profile_data(small_csv, id="id", tokens=False)
    columns = {c.name: c for c in profile.columns}
    assert [(c.name, c.role, c.kind) for c in profile.columns] == [
        ("id", "id", "categorical"), ("text", "text", "text"), ("label", "label", "categorical"),
        ("score", "unused", "numeric"), ("source", "unused", "categorical")]
    score = columns["score"]
    assert (score.count, score.missing, score.nan, score.infinite, score.distinct) == (18, 2, 1, 1, 15)
    assert score.numbers is not None
    assert (score.numbers.count, score.numbers.min, score.numbers.max, score.numbers.median) == (14, 1.5, 14.0, 7.5)
    assert columns["source"].top == [("web", 13), ("app", 5)]
    assert (columns["source"].missing, columns["source"].distinct) == (0, 2)
    assert (columns["text"].distinct, columns["id"].distinct) == (16, 18)


def test_classes_and_their_balance(small_csv: Path) -> None:
    balance = profile_data(small_csv, tokens=False).classes
    assert balance.counts == {"a": 11, "b": 7}
    assert balance.shares == {"a": 0.6111, "b": 0.3889}
    assert (balance.imbalance_ratio, balance.majority, balance.minority) == (1.5714, "a", "b")


def test_exact_copies_and_conflicting_labels(small_csv: Path) -> None:
    copies = profile_data(small_csv, id="id", tokens=False).duplicates
    # the third copy differs only in case and spacing: the exact-duplicates detector's key groups it too
    assert (copies.groups, copies.rows_in_groups, copies.extra_copies) == (2, 5, 3)
    assert (copies.conflicting_groups, copies.conflicting_rows) == (1, 2)
    assert copies.examples == [["r9", "r10", "r11"], ["r12", "r13"]]
    assert copies.conflicting_examples == [[("r12", "a"), ("r13", "b")]]


def test_languages_and_encoding_problems(small_csv: Path) -> None:
    text = profile_data(small_csv, id="id", tokens=False).text
    assert text is not None
    assert (text.texts, text.empty) == (18, 0)
    assert text.languages == {"en": 12, "ko": 6}
    assert text.mixed_script_texts == 0
    assert text.encoding_problems == {"replacement_char": 1, "mojibake": 1, "control_chars": 1}
    assert text.encoding_examples == {"replacement_char": ["r16"], "mojibake": ["r15"], "control_chars": ["r17"]}
    assert text.characters is not None and text.characters.max == len(LONG)
    assert text.tokens is None and text.tokens_unavailable == "not counted (asked)"


def test_model_tokens_and_what_a_256_token_window_cuts(small_csv: Path) -> None:
    pytest.importorskip("tokenizers")
    tokens = profile_data(small_csv, tokens=True).text.tokens  # type: ignore[union-attr]
    assert tokens is not None
    assert (tokens.max_seq_length, tokens.window) == (256, 254)
    assert (tokens.truncated, tokens.tokens_cut, tokens.most_cut) == (1, 46, 46)
    assert tokens.lengths is not None and tokens.lengths.max == 300


def test_cli_json_has_the_same_facts(small_csv: Path) -> None:
    result = run_cli(["profile", small_csv, "--id", "id", "--format", "json", "--no-tokens"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["rows"] == 18
    assert facts["columns"][3] | {"numbers": None, "top": None} == {
        "name": "score", "role": "unused", "kind": "numeric", "count": 18, "missing": 2, "nan": 1, "infinite": 1,
        "distinct": 15, "numbers": None, "top": None, "notes": [], "binary": None}
    assert facts["classes"]["counts"] == {"a": 11, "b": 7}
    assert facts["duplicates"]["conflicting_examples"] == [[["r12", "a"], ["r13", "b"]]]
    assert facts["text"]["languages"] == {"en": 12, "ko": 6}


def test_cli_table_and_output_file(small_csv: Path, tmp_path: Path) -> None:
    result = run_cli(["profile", small_csv, "--id", "id", "--no-tokens"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("small: 18 rows, 2 classes, text input")
    assert "score\tunused\tnumeric\t2\t1\t1\t15\t" in result.stdout
    assert ("copies: 2 groups of exact copies holding 5 rows (3 extra rows); 1 group with different labels "
            "(2 rows), e.g. rows r12 (a), r13 (b)") in lines
    assert any(line.startswith("languages: English 66.7 %, Korean 33.3 %") for line in lines)
    out = tmp_path / "profile.json"
    written = run_cli(["profile", small_csv, "--format", "json", "--no-tokens", "-o", out])
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["rows"] == 18


def test_parquet_and_a_separate_test_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(_rows())
    # typed: to pandas a null and a NaN are the same, so both are missing
    frame["score"] = [float(s) if s else np.nan for s in frame["score"]]
    frame.iloc[:12].to_parquet(tmp_path / "train.parquet")
    frame.iloc[12:].to_parquet(tmp_path / "test.parquet")
    profile = profile_data(tmp_path / "train.parquet", test=tmp_path / "test.parquet", tokens=False)
    score = next(c for c in profile.columns if c.name == "score")
    assert (profile.rows, score.count, score.missing, score.nan, score.infinite) == (18, 18, 3, 0, 1)
    assert profile.classes.by_split == {"test": {"a": 3, "b": 3}, "train": {"a": 8, "b": 4}}


def test_korean_cp949_file(tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    pd.DataFrame({"text": KOREAN * 2, "label": ["pos", "neg"] * 4}).to_csv(path, index=False, encoding="cp949")
    profile = profile_data(path, tokens=False)
    assert profile.encoding == "cp949"
    assert profile.text is not None and profile.text.languages == {"ko": 8}
    assert profile.text.encoding_problems == {"replacement_char": 0, "mojibake": 0, "control_chars": 0}
    assert (profile.duplicates.groups, profile.duplicates.conflicting_groups) == (4, 0)


def test_pictures(tmp_path: Path) -> None:
    root = tmp_path / "pictures"
    for label, shade in (("dark", 20), ("light", 230)):
        (root / label).mkdir(parents=True)
        for i in range(3):
            Image.new("L", (40 + i, 30), shade + i).save(root / label / f"{i}.png")
        Image.new("RGB", (64, 48), (shade, shade, shade)).save(root / label / "3.jpg", quality=95)
    Image.new("L", (40, 30), 20).save(root / "light" / "copy.png")  # a dark picture labelled light
    (root / "light" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a picture")
    profile = profile_data(root, tokens=False)
    images = profile.images
    assert images is not None and profile.text is None
    assert (images.images, images.unreadable) == (10, {"unreadable": 1})
    assert images.formats == {"PNG": 7, "JPEG": 2}
    assert images.modes == {"L": 7, "RGB": 2}
    assert images.width is not None and (images.width.min, images.width.max) == (40.0, 64.0)
    assert images.brightness is not None and images.brightness.min == round(20 / 255, 4)
    assert (profile.duplicates.groups, profile.duplicates.conflicting_groups) == (1, 1)
    assert [(c.name, c.role) for c in profile.columns] == [("path", "image"), ("label", "label")]


@pytest.mark.parametrize("content, keywords", [
    (None, ("does not exist",)),
    ('text,label\n"unclosed,a\nfine,b\n', ("unclosed",)),
    ("text,label\nonly,a\nrows,a\n", ("at least two classes",)),
])
def test_bad_input_fails_as_an_audit_does(tmp_path: Path, content: str | None, keywords: tuple[str, ...]) -> None:
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    profiled = run_cli(["profile", path])
    audited = run_cli(["audit", path, "--no-embed", "-w", tmp_path / "ws"])
    line = assert_one_line_error(profiled, *keywords)
    assert line == audited.stderr.strip().splitlines()[-1]
    assert profiled.exit_code == audited.exit_code == 2
    assert not (tmp_path / "ws").exists()


def test_an_output_folder_is_refused_before_the_work(small_csv: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli(["profile", small_csv, "-o", tmp_path]), "is a folder")


def test_distribution_of_a_column_without_numbers() -> None:
    from curate.profile import profile_column

    column = profile_column(pd.Series([None, " ", np.nan], name="blank", dtype=object), role="unused")
    assert (column.kind, column.missing, column.distinct, column.numbers) == ("empty", 3, 0, None)


def test_profile_takes_ignore_as_audit_does(tmp_path: Path) -> None:
    # A user trial: `curate profile --ignore` was "No such option", and a --test file without the column
    # an audit ignores failed the profile.
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    pd.DataFrame({"x": [i % 7 for i in range(30)], "leak": [i % 2 for i in range(30)],
                  "label": [f"c{i % 2}" for i in range(30)]}).to_csv(train, index=False)
    pd.DataFrame({"x": [3, 4], "label": ["c0", "c1"]}).to_csv(test, index=False)
    shown = run_cli(["profile", train, "--label", "label", "--test", test, "--ignore", "leak", "--no-tokens",
                     "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert [c["name"] for c in json.loads(shown.stdout)["columns"]] == ["x", "label"]
