"""Input checks (curate.audit.checks): each plants its cause and asserts the warning and the withheld flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.audit.checks import (
    continuous_label,
    image_columns,
    leaked_label_column,
    pred_probs_column_order,
)
from curate.core.dataset import Dataset
from curate.core.predictions import PredProbs
from curate.errors import ColumnError, DatasetError
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset

from .conftest import CLASSES, assert_one_line_error, make_tabular_frame, make_text_frame, run_cli

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
LABEL_ISSUES = ("label", "ambiguous")
BUILTIN = ["label", "ambiguous", "exact_duplicate", "near_duplicate", "conflicting_labels", "leakage", "outlier",
           "class_imbalance", "input_quality"]
# what an ignored image withholds: every flag that rests on curate reading the inputs
INPUT_ISSUES = ("label", "ambiguous", "near_duplicate", "conflicting_labels", "leakage", "outlier")


def _flagged(result: curate.AuditResult, issue: str) -> int:
    return int(result.scores.loc[result.scores["issue"] == issue, "flagged"].sum())


def _codes(result: curate.AuditResult) -> list[str]:
    return [w.code for w in result.warnings]


def _table(frame: pd.DataFrame) -> Dataset:
    return build_dataset(frame, label="label", text=[])


def _noisy_tabular(n_per_class: int = 60) -> pd.DataFrame:
    """The two-cluster table with the labels of rows 3, 70 and 101 flipped (clear label errors)."""
    frame = make_tabular_frame(n_per_class)
    for row in (3, 70, 101):
        frame.loc[row, "label"] = "high" if frame.loc[row, "label"] == "low" else "low"
    return frame


# ------------------------------------------------------------------ leaked_label_column
def test_a_copy_of_the_label_is_a_leak_and_its_label_flags_are_withheld() -> None:
    frame = _noisy_tabular()
    frame["label_copy"] = frame["label"]
    result = curate.audit(frame, label="label")
    [warning] = result.warnings
    assert warning.code == "leaked_label_column" and warning.withheld == LABEL_ISSUES
    assert warning.facts["columns"] == {"label_copy": {"accuracy": 1.0, "read_as": "values"}}
    assert "'label_copy'" in warning.message and "1.000" in warning.message
    for issue in LABEL_ISSUES:
        assert _flagged(result, issue) == 0 and result.metrics["flagged"][issue] == 0
        assert result.notes[issue]["withheld"] == ["leaked_label_column"]
    assert result.metrics["warnings"] == [warning.to_dict()]


def test_the_leak_advice_names_options_that_exist() -> None:
    # A user trial: the advice said "(or name the inputs to use)", and no option named a table's inputs.
    frame = _noisy_tabular()
    frame["label_copy"] = frame["label"]
    [warning] = curate.audit(frame, label="label").warnings
    assert warning.advice == "audit again with --ignore label_copy"
    again = curate.audit(frame, label="label", ignore="label_copy")
    assert again.warnings == [] and "label_copy" not in again.dataset.input_columns
    assert "ignored (--ignore): 'label_copy'" in again.dataset.notes
    texts = pd.DataFrame({"review text": [f"a review number {i} of some film"
                                          for i in range(120)],
                          "rating": ["good" if i % 2 else "bad" for i in range(120)]})
    texts["label"] = texts["rating"]
    [leak] = leaked_label_column(curate.load_data(texts, label="label", text=["review text", "rating"]).dataset)
    assert leak.advice == "audit again reading only --text 'review text' (leaving out 'rating')"


def test_an_annotator_vote_that_mostly_equals_the_label_is_a_leak() -> None:
    frame = make_tabular_frame(60)
    frame["vote"] = frame["label"]
    frame.loc[5, "vote"] = "high"  # the annotator disagrees once in 120 rows
    [warning] = leaked_label_column(_table(frame))
    assert warning.facts["columns"] == {"vote": {"accuracy": pytest.approx(0.9917, abs=1e-4), "read_as": "values"}}
    assert warning.withheld == LABEL_ISSUES


def test_several_annotator_columns_leak_by_their_vote() -> None:
    frame = make_tabular_frame(60)
    flip = {"low": "high", "high": "low"}
    for k, column in enumerate(("ann_1", "ann_2", "ann_3")):
        votes = frame["label"].copy()
        wrong = np.arange(k, len(frame), 3)[:12]  # each annotator wrong on its own 10 % of rows
        votes[wrong] = votes[wrong].map(flip)
        frame[column] = votes
    [warning] = leaked_label_column(_table(frame))
    assert set(warning.facts["columns"]) == {"ann_1", "ann_2", "ann_3"}
    assert {f["read_as"] for f in warning.facts["columns"].values()} == {"vote"}
    assert all(f["accuracy"] == 1.0 for f in warning.facts["columns"].values())


def test_an_id_that_encodes_the_label_is_found_but_label_flags_stand_when_the_model_ignores_it() -> None:
    frame = _noisy_tabular()
    frame["file"] = [f"{'pos' if lab == 'high' else 'neg'}_{i:04d}" for i, lab in enumerate(frame["label"])]
    result = curate.audit(frame, label="label")
    [warning] = result.warnings
    assert warning.facts["columns"] == {"file": {"accuracy": 1.0, "read_as": "masked digits"}}
    assert warning.withheld == ()  # unique values: the encoder drops the column, the model never reads it
    assert "does not read it" in warning.message
    assert "withheld" not in result.notes["label"]
    assert _flagged(result, "label") == 3


@pytest.mark.parametrize("column", [
    [f"u{i:05d}" for i in range(120)],  # a unique text id
    list(range(1000, 1120)),  # a unique integer counter
    [f"{(i * 7919) % 104729:x}-{i}" for i in range(120)],  # hashes
])
def test_identifiers_with_a_unique_value_per_row_do_not_leak(column: list) -> None:
    frame = make_tabular_frame(60)
    frame["row_key"] = column
    assert leaked_label_column(_table(frame)) == []


def test_a_measurement_that_separates_the_classes_is_not_a_leak() -> None:
    # age alone separates the two clusters perfectly: a strong feature, not a copy of the label
    assert leaked_label_column(_table(make_tabular_frame(200))) == []


def test_a_leak_in_an_extra_text_column_withholds_label_flags() -> None:
    frame = make_text_frame()
    frame["annotator"] = frame["label"]
    dataset = build_dataset(frame, label="label", text=["text", "annotator"], id="id")
    [warning] = leaked_label_column(dataset)
    assert list(warning.facts["columns"]) == ["annotator"] and warning.withheld == LABEL_ISSUES
    # a single text column is the input itself: never judged as a leak
    assert leaked_label_column(build_dataset(frame[["id", "text", "label"]], label="label", id="id")) == []


# ------------------------------------------------------------------ image_column
def _image_frame(n: int = 60) -> pd.DataFrame:
    return pd.DataFrame({"id": range(n), "image": [PNG + bytes([i % 256]) * 20 for i in range(n)],
                         "label": [str(i % 3) for i in range(n)]})


def test_a_table_of_image_bytes_and_ids_is_refused_in_one_line(tmp_path: Path) -> None:
    frame = _image_frame()
    refusal = r"'id' \(an identifier: a unique value per row\), 'image' \(image bytes \(PNG\)\)"
    with pytest.raises(ColumnError, match=refusal):
        curate.audit(frame, label="label")
    data = tmp_path / "digits.parquet"
    frame.to_parquet(data)
    workspace = tmp_path / "ws"
    result = run_cli(["audit", data, "--label", "label", "-w", workspace])
    assert_one_line_error(result, "'image'", "image bytes (PNG)", "does not read images", "--pred-probs")
    assert not (workspace / "curate.db").exists()


def test_image_bytes_with_the_users_probabilities_withhold_the_input_flags() -> None:
    frame = _image_frame()
    probs = np.full((60, 3), 0.05)
    probs[np.arange(60), frame["label"].astype(int)] = 0.9
    probs[7] = [0.9, 0.05, 0.05]  # row 7 is labelled 1: a label error the user's model saw
    result = curate.audit(frame, label="label", pred_probs=probs, detectors=BUILTIN)
    [warning] = result.warnings
    assert warning.code == "image_column" and warning.facts["column"] == "image"
    assert warning.facts["content"] == "image bytes (PNG)" and warning.facts["read_as"] == "ignored"
    assert warning.withheld == ("near_duplicate", "conflicting_labels", "leakage", "outlier")
    for issue in warning.withheld:
        assert result.metrics["flagged"][issue] == 0 and result.notes[issue]["withheld"] == ["image_column"]
    assert result.notes["near_duplicate"]["withheld_flags"] == 60  # every row looked like every other
    assert result.findings.query("issue == 'label'")["row_id"].tolist() == [7]


def test_an_ignored_image_column_withholds_exactly_the_flags_of_the_other_columns() -> None:
    frame = _noisy_tabular()
    plain = curate.audit(frame, label="label", detectors=BUILTIN)
    frame["photo"] = [f"photos/{i:04d}.JPG" for i in range(len(frame))]
    result = curate.audit(frame, label="label", detectors=BUILTIN)
    [warning] = result.warnings
    assert (warning.code, warning.facts["content"], warning.facts["read_as"]) == ("image_column", "image paths",
                                                                                 "ignored")
    assert warning.withheld == INPUT_ISSUES
    assert plain.metrics["flagged"]["label"] == 3
    for issue in INPUT_ISSUES:
        assert result.metrics["flagged"][issue] == 0
        assert result.notes[issue]["withheld_flags"] == plain.metrics["flagged"][issue]
    # scores are kept, so the ranking is still there to read
    pd.testing.assert_series_equal(result.scores["score"], plain.scores["score"])
    assert result.metrics["flagged"]["exact_duplicate"] == plain.metrics["flagged"]["exact_duplicate"]


@pytest.mark.parametrize(("cell", "kind"), [
    (lambda i: b"\xff\xd8\xff\xe0" + bytes([i]), "image bytes (JPEG)"),
    (lambda i: b"GIF89a" + bytes([i]), "image bytes (GIF)"),
    (lambda i: b"RIFF" + bytes([i, 0, 0, 0]) + b"WEBPVP8 ", "image bytes (WebP)"),
    (lambda i: {"bytes": PNG + bytes([i]), "path": None}, "image bytes (PNG)"),  # a Hugging Face image cell
    (lambda i: f"https://cdn.example.com/{i}.webp?w=200", "image URLs"),
    (lambda i: f"img/{i}.{('bmp', 'jpeg', 'gif', 'tif', 'png')[i % 5]}", "image paths"),
])
def test_image_content_is_recognised(cell, kind: str) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"pic": [cell(i) for i in range(30)], "size": np.arange(30) % 4,
                          "label": ["a", "b", "c"] * 10})
    [warning] = image_columns(_table(frame), ["near_duplicate"])
    assert warning.facts == {"column": "pic", "content": kind, "read_as": "ignored"}
    assert warning.withheld == ("near_duplicate",)


def test_text_that_mentions_a_picture_is_not_an_image_column() -> None:
    frame = make_text_frame()
    frame.loc[:5, "text"] = [f"look at photo{i}.png and tell me" for i in range(6)]
    assert image_columns(build_dataset(frame, label="label", text=["text"], id="id"), ["label"]) == []


def test_a_text_column_of_image_paths_is_refused() -> None:
    frame = pd.DataFrame({"path": [f"train/{c}/{i}.png" for i in range(20) for c in CLASSES],
                          "label": list(CLASSES) * 20})
    with pytest.raises(ColumnError, match="'path' \\(image paths\\)"):
        curate.audit(frame, label="label", text="path", embedder=HashedTextEmbedder())


def test_a_table_of_identifiers_only_is_refused() -> None:
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(60)], "label": ["a", "b"] * 30})
    with pytest.raises(ColumnError, match=r"'key' \(an identifier: a unique value per row\)") as error:
        curate.audit(frame, label="label")
    assert "images" not in str(error.value)
    # ... unless no detector reads the inputs
    assert curate.audit(frame, label="label", detectors=["class_imbalance"]).warnings == []


def test_identifiers_only_with_the_users_probabilities_withhold_the_input_flags() -> None:
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(60)], "label": ["a", "b"] * 30})
    probs = np.tile([[0.9, 0.1], [0.1, 0.9]], (30, 1))
    result = curate.audit(frame, label="label", pred_probs=probs, detectors=BUILTIN)
    [warning] = result.warnings
    assert warning.code == "no_readable_input"
    assert warning.facts == {"columns": {"key": "an identifier: a unique value per row"}}
    assert warning.withheld == ("near_duplicate", "conflicting_labels", "leakage", "outlier")
    assert result.notes["near_duplicate"]["withheld_flags"] == 60
    assert sum(result.metrics["flagged"].values()) == 0


def test_hugging_face_image_cells_beside_other_columns_are_audited_not_crashed_on() -> None:
    frame = pd.DataFrame({"image": [{"bytes": PNG + bytes([i]), "path": f"{i}.png"} for i in range(60)],
                          "width": np.arange(60) % 7, "label": ["a", "b", "c"] * 20})
    result = curate.audit(frame, label="label", detectors=BUILTIN)
    # the labels are unrelated to `width`, but the image column already set the label flags aside:
    # one root cause is said, not also the evidence's weakness that follows from it
    assert [(w.code, w.facts["content"]) for w in result.warnings] == [("image_column", "image bytes (PNG)")]
    assert result.dataset.frame["image"].iloc[1] == PNG + bytes([1])  # the struct read as its bytes
    assert all(result.metrics["flagged"][issue] == 0 for issue in INPUT_ISSUES)


# ------------------------------------------------------------------ continuous_label
def test_a_continuous_label_withholds_every_class_based_flag() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=120), "label": [f"{2.5 + 0.1 * (i % 30):.1f}" for i in range(120)]})
    result = curate.audit(frame, label="label", detectors=BUILTIN)
    assert _codes(result) == ["continuous_label"]
    [warning] = result.warnings
    assert warning.facts == {"distinct": 30, "rows": 120, "non_integer_share": 0.9, "min": 2.5, "max": 5.4}
    assert warning.withheld == ("label", "ambiguous", "conflicting_labels", "class_imbalance")
    assert "bin the label" in warning.advice
    for issue in warning.withheld:
        assert result.metrics["flagged"][issue] == 0 and result.notes[issue]["withheld"] == ["continuous_label"]


def test_a_label_of_mostly_single_measurements_is_refused_as_continuous() -> None:
    frame = pd.DataFrame({"x": np.arange(100.0), "price": np.round(np.linspace(10, 99, 100) ** 1.5, 2)})
    with pytest.raises(DatasetError, match=r"'price' looks continuous \(100 distinct numbers in 100 rows.*bin the"):
        curate.audit(frame, label="price")


@pytest.mark.parametrize("labels", [[str(i % 10) for i in range(200)], [f"{i % 40}" for i in range(200)],
                                    [f"{0.5 * (i % 6)}" for i in range(120)]])
def test_class_codes_are_not_continuous(labels: list[str]) -> None:
    frame = pd.DataFrame({"x": np.arange(len(labels)) % 7, "label": labels})
    assert continuous_label(_table(frame)) == []


# ------------------------------------------------------------------ pred_probs_column_order
def _text_probs(shift: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The text frame and confident probabilities whose top column is the given class's, shifted by ``shift``."""
    frame = make_text_frame(30)
    codes = frame["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    probs = np.full((len(frame), 3), 0.05)
    probs[np.arange(len(frame)), (codes + shift) % 3] = 0.9
    return frame, probs


def test_wrong_column_order_is_said_and_label_flags_withheld(tmp_path: Path) -> None:
    frame, probs = _text_probs(1)  # every given label has probability 0.05
    result = curate.audit(frame, label="label", text="text", id="id", pred_probs=probs,
                          detectors=["label", "ambiguous", "class_imbalance"])
    [warning] = result.warnings
    assert warning.code == "pred_probs_column_order" and warning.withheld == LABEL_ISSUES
    assert warning.facts == {"fitting_order": ["tech", "food", "sport"], "given_accuracy": 0.0,
                             "fitting_accuracy": 1.0}
    assert "columns look like [tech, food, sport]" in warning.message
    assert result.metrics["flagged"] == {"label": 0, "ambiguous": 0, "class_imbalance": 0}
    assert result.notes["label"]["withheld"] == ["pred_probs_column_order"]
    assert "withheld" not in result.notes["class_imbalance"]
    # the CLI says so too: the warning with what it withheld, and the table marks the withheld issues
    data, npy = tmp_path / "reviews.csv", tmp_path / "probs.npy"
    frame.to_csv(data, index=False)
    np.save(npy, probs)
    cli = run_cli(["audit", data, "--id", "id", "--pred-probs", npy, "--detector", "label", "--detector",
                   "ambiguous", "-w", tmp_path / "ws"])
    assert cli.exit_code == 0, cli.output
    out = " ".join(cli.stdout.split())
    assert "warning: [pred_probs_column_order] the pred_probs columns look like [tech, food, sport]" in out
    assert "[withheld: label, ambiguous]" in out
    assert "│ label │ 0 (90 withheld) │" in out
    verbose = run_cli(["runs", "--verbose", "-w", tmp_path / "ws"])
    assert "warning: [pred_probs_column_order]" in verbose.stdout


def test_the_right_column_order_gives_no_warning() -> None:
    frame, probs = _text_probs(0)
    probs[4] = [0.05, 0.05, 0.9]  # one label error, found
    result = curate.audit(frame, label="label", text="text", id="id", pred_probs=probs, detectors=["label"])
    assert result.warnings == [] and result.findings["row_id"].tolist() == ["r4"]


def test_columns_in_text_order_of_numeric_classes_are_named_so() -> None:
    dataset = _table(pd.DataFrame({"x": np.arange(120) % 5, "label": ["2", "10", "100"] * 40}))
    y = dataset.label_codes  # classes (2, 10, 100); the probabilities follow the text order 10, 100, 2
    probs = np.full((120, 3), 0.05)
    probs[np.arange(120), np.array([2, 0, 1])[y]] = 0.9
    [warning] = pred_probs_column_order(dataset, PredProbs(probs, "test"))
    assert warning.facts["fitting_order"] == ["10", "100", "2"]
    assert warning.message.startswith("the pred_probs columns look like [10, 100, 2] (classes sorted as text; "
                                      "curate sorts numbers numerically), not the sorted class order [2, 10, 100]")


@pytest.mark.parametrize("case", ["uniform", "one minority column", "weak model", "few rows"])
def test_no_order_warning_without_strong_evidence(case: str) -> None:
    labels = ["a"] * 90 + ["b"] * 10 + ["c"] * 20
    dataset = _table(pd.DataFrame({"x": np.arange(120) % 5, "label": labels}))
    y = dataset.label_codes
    rng = np.random.default_rng(1)
    if case == "uniform":
        probs = np.full((120, 3), 1 / 3)
    elif case == "one minority column":  # always 'b': a useless model, not a swapped one
        probs = np.tile([0.2, 0.6, 0.2], (120, 1))
    elif case == "weak model":  # right order, barely better than chance
        probs = rng.dirichlet(np.ones(3), 120)
        probs[np.arange(120), y] += 0.1
        probs /= probs.sum(axis=1, keepdims=True)
    else:  # b and c swapped, but on too few rows to say
        dataset = _table(pd.DataFrame({"x": np.arange(100) % 5, "label": ["a"] * 90 + ["b"] * 5 + ["c"] * 5}))
        probs = np.full((100, 3), 0.05)
        probs[np.arange(100), [0] * 90 + [2] * 5 + [1] * 5] = 0.9
    assert pred_probs_column_order(dataset, PredProbs(probs, "test")) == []
