"""Column detection by name and content: English and Korean names, any spacing or case, unspaced scripts."""

from __future__ import annotations

import pandas as pd
import pytest

from curate.errors import ColumnError
from curate.ingest.columns import choose_columns


def _choose(frame: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    choice = choose_columns(frame, label=None, text=None, reserved=(), source="data.csv")
    return choice.label, choice.text


def _reviews(n: int = 6) -> list[str]:
    return [f"the match went well today and the team scored {i} goals" for i in range(n)]


@pytest.mark.parametrize(
    ("label", "text"),
    [(" gold label ", "Review Text"), ("Gold_Label", "review_text"), ("감정", "후기 내용"), ("정답", "본문"),
     ("라벨", "댓글"), ("SENTIMENT", "Body")],
)
def test_label_and_text_columns_are_found_by_name(label: str, text: str) -> None:
    frame = pd.DataFrame({text: _reviews(), "Größe (cm)": [1.5] * 6, label: ["a", "b"] * 3})
    assert _choose(frame) == (label, (text,))


def test_two_columns_ending_in_a_label_word_are_not_guessed() -> None:
    frame = pd.DataFrame({"text": _reviews(), "human_label": ["a", "b"] * 3, "model_label": ["a"] * 6})
    with pytest.raises(ColumnError, match=r"cannot tell which column of data\.csv is the label"):
        _choose(frame)


def test_japanese_prose_is_text_without_spaces() -> None:
    sentences = [f"今日は試合で{i}点を取りました。とても良い日でした。" for i in range(6)]
    frame = pd.DataFrame({"文": sentences, "label": ["a", "b"] * 3})
    assert _choose(frame) == ("label", ("文",))


def test_short_codes_are_not_text() -> None:
    frame = pd.DataFrame({"code": [f"A{i:03d}" for i in range(6)], "x": range(6), "label": ["a", "b"] * 3})
    assert _choose(frame) == ("label", ())


def test_a_column_named_text_with_short_sentences_is_the_text_beside_other_columns() -> None:
    frame = pd.DataFrame({"code": [f"c{i}" for i in range(6)], "text": [f"goal scored {i} times" for i in range(6)],
                          "score": [0.5] * 6, "label": ["a", "b"] * 3})
    assert _choose(frame) == ("label", ("text",))


def test_the_tabular_inputs_line_names_only_the_columns_read() -> None:
    from curate.ingest.building import build_dataset

    frame = pd.DataFrame({"row_no": range(40), "width": [float(i % 7) for i in range(40)],
                          "const": ["x"] * 40, "label": ["a", "b"] * 20})
    notes = build_dataset(frame, label="label", source="data.csv").notes
    assert "tabular inputs: 1 column(s) (width); name a text column with --text (text= in Python)" in notes
    assert any(n.startswith("not used as input: 'row_no'") and "'const' (constant)" in n for n in notes)


def test_whole_numbers_beyond_float_precision_stay_text_and_are_left_out_as_codes() -> None:
    from curate.ingest.building import build_dataset

    frame = pd.DataFrame({"account": [str(2**63 + i) for i in range(40)], "width": [str(i % 7) for i in range(40)],
                          "label": ["a", "b"] * 20})
    dataset = build_dataset(frame, label="label", source="data.csv")
    assert dataset.frame["account"].tolist()[:2] == ["9223372036854775808", "9223372036854775809"]
    assert dataset.frame["width"].dtype == "float64"
    assert "not used as input: 'account' (looks like an id: a unique text code per row)" in dataset.notes
