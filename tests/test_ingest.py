"""Ingest: encodings, formats, column detection, separate test files, text that looks missing."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.errors import ColumnError
from curate.features import HashedTextEmbedder
from curate.modalities.text import texts as texts_of
from curate.store import Workspace

from .conftest import CLASSES, make_sentence, make_tabular_frame, make_text_frame, run_cli

UTF8_TEXTS = [
    "café crème brûlée tastes great",
    "오늘 김치찌개 정말 맛있어요",
    "naïve Müller sagt „grüß Gott“",
    "plain ascii words only here",
    "한국어와 English 섞인 문장입니다",
    "emoji are fine too 🙂 yes",
]
KOREAN_TEXTS = [
    "오늘 김치찌개 정말 맛있어요",
    "축구 경기가 너무 재미있었다",
    "새 노트북이 아주 빠릅니다",
    "된장국과 비빔밥을 먹었어요",
    "야구 결승전은 내일입니다",
    "스마트폰 화면이 깨졌어요",
]
LATIN1_TEXTS = [
    "café au lait for the naïve señor",
    "crème brûlée and a façade",
    "Müller aß süße Äpfel",
    "el niño juega en la calle",
    "Ørsted og Åse går på tur",
    "plain ascii words only here",
]
DEGREE_TEXTS = [
    "the kiln reached 25°C by noon today",
    "the kiln fell to 5°C at night",
    "the oven held 180°C for an hour",
    "the fridge kept 4°C all week",
    "the room stayed at 21°C today",
    "the freezer dropped to 18°C below",
]
LABELS = ["a", "b", "a", "b", "a", "b"]


def _csv_text(texts: list[str], labels: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows(zip(texts, labels, strict=True))
    return buffer.getvalue()


# ------------------------------------------------------------------ encodings
@pytest.mark.parametrize(
    ("texts", "raw", "expected"),
    [
        pytest.param(UTF8_TEXTS, lambda s: s.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(
            UTF8_TEXTS, lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8-sig", id="utf-8-bom"
        ),
        pytest.param(KOREAN_TEXTS, lambda s: s.encode("cp949"), "cp949", id="cp949"),
        pytest.param(LATIN1_TEXTS, lambda s: s.encode("latin-1"), "cp1252", id="latin-1"),
        pytest.param(DEGREE_TEXTS, lambda s: s.encode("latin-1"), "cp1252", id="latin-1-degrees"),
    ],
)
def test_encoding_is_detected(
    tmp_path: Path, texts: list[str], raw: Callable[[str], bytes], expected: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(raw(_csv_text(texts, LABELS)))
    loaded = curate.load_data(path, label="label", text=["text"])
    assert texts_of(loaded.dataset) == texts
    assert loaded.source.encoding == expected
    assert loaded.dataset.notes == [f"encoding: {expected} (detected; override with --encoding)"]
    assert list(loaded.dataset.labels) == LABELS
    assert loaded.source.data == path.read_bytes()


def test_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + _csv_text(UTF8_TEXTS, LABELS).encode("utf-8"))
    dataset = curate.load_data(path).dataset
    assert dataset.text_columns == ("text",)
    assert dataset.label_column == "label"


def test_cli_names_the_detected_encoding(tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    path.write_bytes(_csv_text(KOREAN_TEXTS, LABELS).encode("cp949"))
    result = run_cli(["import", path, "--label", "label", "--text", "text", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["encoding: cp949 (detected; override with --encoding)"]
    assert result.stdout == "imported as korean version 1 (6 rows)\n"


def test_forced_encoding_alias(tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    path.write_bytes(_csv_text(KOREAN_TEXTS, LABELS).encode("cp949"))
    loaded = curate.load_data(path, label="label", text=["text"], encoding="euc-kr")
    assert texts_of(loaded.dataset) == KOREAN_TEXTS
    assert loaded.source.encoding == "cp949"
    assert loaded.dataset.notes == []  # nothing was detected


def test_forced_encoding_wins_over_detection(tmp_path: Path) -> None:
    """Forcing Latin-1 on a UTF-8 file is obeyed: the user gets exactly what they asked for."""
    path = tmp_path / "utf8.csv"
    path.write_bytes(_csv_text(UTF8_TEXTS, LABELS).encode("utf-8"))
    loaded = curate.load_data(path, label="label", text=["text"], encoding="latin-1")
    assert texts_of(loaded.dataset) == [t.encode("utf-8").decode("latin-1") for t in UTF8_TEXTS]
    assert codecs.lookup(loaded.source.encoding or "").name == codecs.lookup("latin-1").name


def test_forced_encoding_is_recorded_in_the_workspace(tmp_path: Path) -> None:
    path = tmp_path / "korean.csv"
    frame = make_text_frame()
    frame["text"] = [t.replace("the ", "그 ") for t in frame["text"]]
    path.write_bytes(frame.to_csv(index=False).encode("cp949"))
    workspace = tmp_path / "ws"
    result = run_cli(["audit", path, "--encoding", "cp949", "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "encoding: cp949 (detected" not in result.stderr
    source = Workspace(workspace).source_of_run(1)
    assert source is not None and source["encoding"] == "cp949"
    assert (workspace / source["source_copy"]).read_bytes() == path.read_bytes()


# ------------------------------------------------------------------ formats
def _write(frame: pd.DataFrame, folder: Path, fmt: str) -> Path | pd.DataFrame:
    if fmt == "dataframe":
        return frame.copy()
    path = folder / f"data.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt in ("tsv", "txt"):  # for .txt the tab delimiter is sniffed
        frame.to_csv(path, index=False, sep="\t")
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)
    return path


FORMATS = ["csv", "tsv", "txt", "jsonl", "parquet", "dataframe"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_formats_give_the_same_dataset(tmp_path: Path, fmt: str) -> None:
    frame = make_text_frame()
    dataset = curate.load_data(_write(frame, tmp_path, fmt), id="id").dataset
    assert dataset.label_column == "label"
    assert dataset.text_columns == ("text",)
    assert texts_of(dataset) == frame["text"].tolist()
    assert list(dataset.labels) == frame["label"].tolist()
    assert list(dataset.row_ids) == frame["id"].tolist()
    assert dataset.classes == CLASSES
    assert dataset.splits is None
    assert [n for n in dataset.notes if not n.startswith("encoding:")] == [
        "label column: 'label' (detected; override with --label)",
        "text column: 'text' (detected; override with --text)",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tabular_formats_give_the_same_dataset(tmp_path: Path, fmt: str) -> None:
    frame = make_tabular_frame()
    dataset = curate.load_data(_write(frame, tmp_path, fmt), label="label").dataset
    assert dataset.modality == "tabular"
    assert dataset.input_columns == ("age", "income", "city")
    assert list(dataset.labels) == frame["label"].tolist()
    assert list(dataset.row_ids) == [str(i) for i in range(len(frame))]
    assert dataset.classes == ("high", "low")
    pd.testing.assert_frame_equal(
        dataset.frame[["age", "income"]].astype(float), frame[["age", "income"]].astype(float)
    )
    assert dataset.frame["city"].tolist() == frame["city"].tolist()


def test_audit_scores_do_not_depend_on_the_format(tmp_path: Path) -> None:
    frame = make_text_frame()
    scores = {}
    for fmt in ["csv", "jsonl", "parquet", "dataframe"]:
        result = curate.audit(
            _write(frame, tmp_path, fmt),
            label="label",
            text="text",
            id="id",
            embedder=HashedTextEmbedder(),
        )
        scores[fmt] = result.scores
    for fmt in ["jsonl", "parquet", "dataframe"]:
        pd.testing.assert_frame_equal(scores[fmt], scores["csv"])


# ------------------------------------------------------------------ column detection
def test_detection_notes_for_named_columns(tmp_path: Path) -> None:
    frame = make_text_frame().rename(columns={"text": "review", "label": "sentiment"})
    path = tmp_path / "named.csv"
    frame.to_csv(path, index=False)
    result = run_cli(["import", path, "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "encoding: utf-8 (detected; override with --encoding)",
        "label column: 'sentiment' (detected; override with --label)",
        "text column: 'review' (detected; override with --text)",
    ]


def test_text_column_detected_by_content(tmp_path: Path) -> None:
    """A column with an unknown name is chosen as text when it reads like sentences."""
    frame = make_text_frame()[["text", "label"]].rename(columns={"text": "headline"})
    dataset = curate.load_data(frame).dataset
    assert dataset.text_columns == ("headline",)
    assert dataset.notes == [
        "label column: 'label' (detected; override with --label)",
        "text column: 'headline' (detected; override with --text)",
    ]


def test_explicit_columns_give_no_detection_notes(tmp_path: Path) -> None:
    frame = make_text_frame()
    dataset = curate.load_data(frame, label="label", text=["text"], id="id").dataset
    assert dataset.notes == []


def test_tabular_detection_note(tmp_path: Path, tabular_csv: Path) -> None:
    dataset = curate.load_data(tabular_csv).dataset
    assert dataset.modality == "tabular"
    assert dataset.text_columns == ()
    assert dataset.notes == [
        "encoding: utf-8 (detected; override with --encoding)",
        "label column: 'label' (detected; override with --label)",
        "tabular inputs: 3 column(s) (age, income, city); name a text column with --text (text= in Python)",
    ]


def test_several_text_columns_are_joined() -> None:
    frame = make_text_frame()
    frame["title"] = [f"title {i}" for i in range(len(frame))]
    dataset = curate.load_data(frame, label="label", text=["title", "text"], id="id").dataset
    assert texts_of(dataset)[5] == f"title 5\n{frame['text'][5]}"


def test_no_label_column_to_detect() -> None:
    frame = make_text_frame().rename(columns={"label": "answer"})
    with pytest.raises(
        ColumnError, match=r"cannot tell which column .* is the label; name it with --label"
    ):
        curate.load_data(frame)


# ------------------------------------------------------------------ separate test file
def _train_test(tmp_path: Path, test_ids: list[str] | None = None) -> tuple[Path, Path]:
    train = make_text_frame()
    test = pd.DataFrame(
        {
            "id": test_ids or [f"t{i}" for i in range(12)],
            "text": [make_sentence(c, 100 + i) for i in range(4) for c in CLASSES],
            "label": [c for _ in range(4) for c in CLASSES],
        }
    )
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    return tmp_path / "train.csv", tmp_path / "test.csv"


def test_test_file_without_ids(tmp_path: Path) -> None:
    train, test = _train_test(tmp_path)
    dataset = curate.load_data(train, test=test).dataset
    assert dataset.n_rows == 72
    assert list(dataset.row_ids) == [str(i) for i in range(60)] + [f"test:{i}" for i in range(12)]
    assert dataset.splits is not None
    assert list(dataset.splits) == ["train"] * 60 + ["test"] * 12
    assert texts_of(dataset)[60] == pd.read_csv(test)["text"][0]


def test_test_file_with_unique_ids(tmp_path: Path) -> None:
    train, test = _train_test(tmp_path)
    dataset = curate.load_data(train, test=test, id="id").dataset
    assert list(dataset.row_ids) == [f"r{i}" for i in range(60)] + [f"t{i}" for i in range(12)]


def test_test_file_with_clashing_ids(tmp_path: Path) -> None:
    train, test = _train_test(tmp_path, test_ids=[f"r{i}" for i in range(12)])
    dataset = curate.load_data(train, test=test, id="id").dataset
    assert list(dataset.row_ids)[60:] == [f"test:r{i}" for i in range(12)]
    assert len(set(dataset.row_ids)) == 72


def test_test_file_through_the_cli(tmp_path: Path) -> None:
    train, test = _train_test(tmp_path)
    workspace = tmp_path / "ws"
    result = run_cli(["audit", train, "--test", test, "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    findings = run_cli(["findings", "--all", "--format", "json", "-w", workspace])
    table = pd.read_json(io.StringIO(findings.stdout), orient="records", dtype=False)
    one_issue = table[table["issue"] == "label"]
    assert sorted(one_issue["row_id"].astype(str)) == sorted(
        [str(i) for i in range(60)] + [f"test:{i}" for i in range(12)]
    )
    splits = dict(zip(one_issue["row_id"].astype(str), one_issue["split"], strict=True))
    assert splits["test:0"] == "test" and splits["0"] == "train"


def test_test_dataframe(tmp_path: Path) -> None:
    train, test = _train_test(tmp_path)
    dataset = curate.load_data(pd.read_csv(train), test=pd.read_csv(test), id="id").dataset
    assert dataset.splits is not None
    assert list(dataset.splits) == ["train"] * 60 + ["test"] * 12
    assert list(dataset.row_ids) == [f"r{i}" for i in range(60)] + [f"t{i}" for i in range(12)]


# ------------------------------------------------------------------ text that looks missing
MISSING_LOOKING = ["NA", "null", "None", "N/A", "nan", "NaN", "-", "?"]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_missing_markers_stay_text(tmp_path: Path, delimiter: str) -> None:
    """In text cells; in the label, ``None`` stays a class too, with a warning (``NA`` would be missing)."""
    texts = [*MISSING_LOOKING, *[make_sentence("food", i) for i in range(4)]]
    labels = ["None", "ok"] * (len(texts) // 2)
    path = tmp_path / ("data.csv" if delimiter == "," else "data.tsv")
    path.write_text(_csv_text(texts, labels, delimiter), encoding="utf-8")
    dataset = curate.load_data(path, label="label", text=["text"]).dataset
    assert texts_of(dataset) == texts
    assert dataset.classes == ("None", "ok")
    assert list(dataset.labels) == labels
    assert dataset.notes[-1] == (
        "warning: 6 row(s) have the label 'None' in 'label'; it is kept as a class of its own "
        "(blank those cells if it means a missing label)"
    )


def test_null_string_in_jsonl_is_text(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"text": "null", "label": "a"}\n{"text": "NA", "label": "b"}\n'
        '{"text": "some real words", "label": "a"}\n{"text": "more real words", "label": "b"}\n',
        encoding="utf-8",
    )
    dataset = curate.load_data(path, label="label", text=["text"]).dataset
    assert texts_of(dataset) == ["null", "NA", "some real words", "more real words"]


def test_missing_marker_in_a_numeric_column_is_missing(tmp_path: Path) -> None:
    frame = make_tabular_frame().astype({"age": str})
    frame.loc[3, "age"] = "NA"
    frame.loc[4, "age"] = ""
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    dataset = curate.load_data(path, label="label").dataset
    age = dataset.frame["age"]
    assert age.dtype == np.float64
    assert np.flatnonzero(age.isna().to_numpy()).tolist() == [3, 4]
    assert age[0] == float(frame["age"][0])
