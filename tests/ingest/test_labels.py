"""Labels: missing-value texts, the class None, numbers written two ways, lists, and test-file faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import curate
from curate.errors import DatasetError

from ..conftest import assert_one_line_error, make_text_frame, run_cli


def _csv(path: Path, labels: list[str], rows: int | None = None) -> Path:
    frame = make_text_frame(n_per_class=(rows or len(labels)) // 3)
    frame["label"] = labels
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("texts", "said"),
    [
        pytest.param(["NaN"] * 4, "4 with the text 'NaN', read as missing", id="NaN"),
        pytest.param(
            ["NA", "null", "null", "N/A"],
            "1 with the text 'N/A', 1 with the text 'NA', 2 with the text 'null', read as missing",
            id="mixed",
        ),
        pytest.param(["", "nan", "", ""], "3 empty, 1 with the text 'nan', read as missing", id="empty-and-nan"),
    ],
)
def test_missing_value_texts_are_missing_labels(tmp_path: Path, texts: list[str], said: str) -> None:
    labels = ["food", "sport", "tech"] * 10
    for row, text in zip((5, 9, 17, 20), texts, strict=True):
        labels[row] = text
    path = _csv(tmp_path / "data.csv", labels)
    with pytest.raises(DatasetError) as caught:
        curate.load_data(path, label="label")
    assert str(caught.value) == (
        f"{path}: 4 row(s) have no label in 'label' ({said}; first: line 7, row_id 5); fill them in or remove them"
    )


def test_the_label_none_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = _csv(tmp_path / "data.csv", ["None", "sport", "tech"] * 10)
    dataset = curate.load_data(path, label="label").dataset
    assert dataset.classes == ("None", "sport", "tech")
    assert dataset.notes[-1] == (
        "warning: 10 row(s) have the label 'None' in 'label'; it is kept as a class of "
        "its own (blank those cells if it means a missing label)"
    )


def test_numbers_written_two_ways_are_one_class(tmp_path: Path) -> None:
    train = _csv(tmp_path / "train.csv", ["1", "2", "10"] * 10)
    test = _csv(tmp_path / "test.csv", ["1.0", "2.0", "10"] * 2)
    dataset = curate.load_data(train, test=test, label="label", id="id").dataset
    assert dataset.classes == ("1", "2", "10")
    assert list(dataset.labels[-6:]) == ["1", "2", "10"] * 2
    assert list(dataset.row_ids[:2]) == ["r0", "r1"]
    assert list(dataset.row_ids[-6:]) == [f"test:r{i}" for i in range(6)]  # the ids as written
    assert dataset.notes[-2:] == [
        "labels: '1.0' (2 rows) read as '1' (numerically equal)",
        "labels: '2.0' (2 rows) read as '2' (numerically equal)",
    ]


def test_number_labels_written_one_way_stay_as_written(tmp_path: Path) -> None:
    path = _csv(tmp_path / "data.csv", ["001", "002", "0.50"] * 10)
    dataset = curate.load_data(path, label="label").dataset
    assert dataset.classes == ("0.50", "001", "002")
    assert not [note for note in dataset.notes if note.startswith("labels:")]


def test_text_labels_stay_as_written(tmp_path: Path) -> None:
    path = _csv(tmp_path / "data.csv", ["1", "1.0", "one"] * 10)
    assert curate.load_data(path, label="label").dataset.classes == ("1", "1.0", "one")


def test_json_list_labels_are_refused_as_multi_label(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    rows = [{"text": f"words number {i} here", "labels": [["sport", "tech"], ["tech"]][i % 2]} for i in range(6)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    message = (
        f"{path}: the label column 'labels' holds lists (6 of 6 rows, e.g. ['sport', 'tech']): "
        "multi-label data is not supported yet; give one label per row"
    )
    with pytest.raises(DatasetError) as caught:
        curate.load_data(path)
    assert str(caught.value) == message
    result = run_cli(["audit", path, "--no-embed", "-w", tmp_path / "ws"])
    assert_one_line_error(result, message)
    assert not (tmp_path / "ws").exists()


def test_list_looking_strings_are_refused_as_multi_label(tmp_path: Path) -> None:
    path = _csv(tmp_path / "data.csv", ["['food', 'sport']", "['tech']", "food"] * 10)
    with pytest.raises(DatasetError) as caught:
        curate.load_data(path, label="label")
    assert str(caught.value) == (
        f"{path}: the label column 'label' holds lists (20 of 30 rows, e.g. ['food', 'sport']): "
        "multi-label data is not supported yet; give one label per row"
    )


def test_bracketed_labels_that_are_not_lists_are_classes(tmp_path: Path) -> None:
    path = _csv(tmp_path / "data.csv", ["[positive]", "[negative]", "['quoted']"] * 10)
    assert curate.load_data(path, label="label").dataset.classes == ("['quoted']", "[negative]", "[positive]")


def _train(tmp_path: Path) -> Path:
    return _csv(tmp_path / "train.csv", ["food", "sport", "tech"] * 10)


def test_missing_label_in_the_test_file_names_it(tmp_path: Path) -> None:
    test = _csv(tmp_path / "test.csv", ["food", "sport", "", "food", "null", "tech"])
    message = (
        f"{test}: 2 row(s) have no label in 'label' (1 empty, 1 with the text 'null', read as missing; "
        "first: line 4, row_id test:2); fill them in or remove them"
    )
    with pytest.raises(DatasetError) as caught:
        curate.load_data(_train(tmp_path), test=test, label="label")
    assert str(caught.value) == message
    result = run_cli(["audit", _train(tmp_path), "--test", test, "--label", "label", "-w", tmp_path / "ws"])
    assert_one_line_error(result, message)


def test_new_single_class_in_the_test_file_names_it(tmp_path: Path) -> None:
    test = _csv(tmp_path / "test.csv", ["food", "sport", "music", "food", "sport", "tech"])
    with pytest.raises(DatasetError) as caught:
        curate.load_data(_train(tmp_path), test=test, label="label", id="id")
    assert str(caught.value) == (
        f"{test}: class 'music' has a single row (line 4, row_id test:r2) and is not in the training file; "
        "cross-validation needs at least 2 rows per class: fix that label or remove the row (1 such class(es))"
    )


def test_single_row_class_in_the_training_file_names_it(tmp_path: Path) -> None:
    labels = ["food", "sport", "tech"] * 10
    labels[13] = "music"
    train = _csv(tmp_path / "train.csv", labels)
    test = _csv(tmp_path / "test.csv", ["food", "sport", "tech"] * 2)
    with pytest.raises(DatasetError) as caught:
        curate.load_data(train, test=test, label="label")
    assert str(caught.value) == (
        f"{train}: class 'music' has a single row (line 15, row_id 13); cross-validation needs at least 2 rows "
        "per class: fix that label or remove the row (1 such class(es))"
    )
