"""``curate consensus FILE``: the table, the JSON, the per-item file, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ..conftest import assert_one_line_error, run_cli

NAMES = np.array(["cat", "dog", "fish"])


def _annotations(tmp_path: Path, items: int = 120) -> Path:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, items)
    columns: dict[str, object] = {"text": [f"a note about a {NAMES[t]}, number {i}" for i, t in enumerate(truth)]}
    for j, accuracy in enumerate((0.6, 0.8, 0.95)):
        given = np.where(rng.random(items) < accuracy, truth, (truth + rng.integers(1, 3, items)) % 3)
        columns[f"rater_{j + 1}"] = NAMES[given]
    frame = pd.DataFrame(columns)
    frame.loc[5, "rater_1"] = None
    path = tmp_path / "ann.csv"
    frame.to_csv(path, index=False)
    return path


def test_table_lists_annotators_best_first_and_writes_every_item(tmp_path: Path) -> None:
    path = _annotations(tmp_path)
    out = tmp_path / "items.csv"
    shown = run_cli(["consensus", path, "--out", out])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == "120 items, 359 labels, 3 annotators; consensus from annotators alone (weighted vote, no model)"
    header = lines.index("annotator\tlabels\tquality\tagreement_with_consensus\tweight")
    assert [line.split("\t")[0] for line in lines[header + 1:header + 4]] == ["rater_3", "rater_2", "rater_1"]
    assert lines[header + 3].split("\t")[1] == "119"
    assert lines[-1] == f"wrote {out}: 120 items"
    written = pd.read_csv(out, keep_default_na=False)
    assert list(written.columns) == ["item", "consensus_label", "consensus_quality", "crowdlab_score", "agreement",
                                     "annotations", "majority_label", "weak", "label_rater_1", "label_rater_2",
                                     "label_rater_3"]
    assert written["item"].tolist() == list(range(120))
    assert written.loc[5, "label_rater_1"] == "" and written.loc[5, "annotations"] == 2
    assert set(written["consensus_label"]) <= set(NAMES)


def test_json_keys_with_a_text_model_and_parquet_out(tmp_path: Path) -> None:
    path = _annotations(tmp_path)
    out = tmp_path / "items.parquet"
    shown = run_cli(["consensus", path, "--annotators", "rater_1,rater_2,rater_3", "--text", "text",
                     "--format", "json", "--out", out])
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    assert list(found) == ["summary", "classes", "model", "annotators", "weak_items"]
    assert list(found["summary"]) == ["method", "items", "labelled_items", "unlabelled_items", "labels",
                                      "model_weight", "model_temperature", "vote_accuracy", "changed_from_majority",
                                      "majority_ties",
                                      "weak_items", "weak_below", "weak_expected_wrong", "mean_quality"]
    assert found["summary"]["method"] == "crowdlab" and found["summary"]["items"] == 120
    assert found["classes"] == ["cat", "dog", "fish"]
    assert list(found["model"]) == ["modality", "embedder", "classifier", "folds", "oof_accuracy"]
    assert found["model"]["modality"] == "text" and found["model"]["folds"] == 5
    assert [a["annotator"] for a in found["annotators"]] == ["rater_3", "rater_2", "rater_1"]
    assert list(found["annotators"][0]) == ["annotator", "labels", "quality", "agreement_with_consensus", "weight"]
    for weak in found["weak_items"]:
        assert list(weak) == ["item", "consensus_label", "consensus_quality", "majority_label", "labels"]
        assert weak["consensus_quality"] < 0.5
    assert len(pd.read_parquet(out)) == 120


def test_the_long_layout(tmp_path: Path) -> None:
    rows = [("i1", "ann_a", "x"), ("i1", "ann_b", "x"), ("i2", "ann_a", "y"), ("i2", "ann_b", "x"),
            ("i2", "ann_c", "y"), ("i3", "ann_c", "x")]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["task", "who", "answer"]).to_csv(path, index=False)
    shown = run_cli(["consensus", path, "--item", "task", "--annotator", "who", "--label", "answer",
                     "--format", "json", "--out", tmp_path / "o.csv"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["summary"]["labels"] == 6
    written = pd.read_csv(tmp_path / "o.csv")
    assert written["task"].tolist() == ["i1", "i2", "i3"]  # --item's name
    assert written["consensus_label"].tolist() == ["x", "y", "x"]


@pytest.mark.parametrize(("args", "message"), [
    (["--annotators", "rater_1,rater_9"], "error: ann.csv: no column 'rater_9' (columns: text, rater_1, rater_2, "
                                          "rater_3)"),
    (["--annotators", "rater_1"], "error: ann.csv: name at least two annotator columns with --annotators"),
    (["--text", "body"], "error: ann.csv: no input column 'body' (columns: text, rater_1, rater_2, rater_3)"),
    (["--text", "text", "--image", "text"], "error: give --text or --image, not both"),
    (["--out", "x.txt"], "error: --out x.txt: write .csv or .parquet"),
])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    shown = run_cli(["consensus", _annotations(tmp_path), *args])
    assert_one_line_error(shown)
    assert shown.stderr.strip().startswith(message)


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run_cli(["consensus", tmp_path / "missing.csv"]), "missing.csv")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    assert_one_line_error(run_cli(["consensus", broken]), "broken.parquet")


def test_a_model_no_better_than_chance_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import curate.annotators.modelled as modelled

    def useless(inputs: pd.Series, codes: np.ndarray, n_classes: int, **_: object) -> tuple[np.ndarray, dict]:
        probs = np.random.default_rng(1).dirichlet(np.ones(n_classes), len(codes))
        return probs, {"modality": "text", "embedder": "e", "classifier": "c", "folds": 5, "oof_accuracy": 0.3}

    monkeypatch.setattr(modelled, "model_pred_probs", useless)
    path = _annotations(tmp_path)
    frame = pd.read_csv(path)
    labels = frame[["rater_1", "rater_2", "rater_3"]].astype(object).where(frame.notna(), None)
    with_model = modelled.consensus_table(labels, frame["text"])
    alone = modelled.consensus_table(labels)
    assert with_model.pred_probs is None and with_model.model["dropped"] is True
    assert with_model.result.method == "weighted_vote" and with_model.result.model_weight == 0.0
    assert np.array_equal(with_model.result.label, alone.result.label)
    assert np.array_equal(with_model.result.weak, alone.result.weak)


def test_several_text_columns_are_joined_as_an_audit_joins_them() -> None:
    from curate.annotators.modelled import inputs_per_item

    frame = pd.DataFrame({"premise": ["a cat", "a dog", None], "hypothesis": ["sits", "runs", "swims"],
                          "r1": ["x", "y", "x"], "r2": ["x", "y", "y"]})
    labels = frame[["r1", "r2"]]
    assert inputs_per_item(frame, labels, ["premise", "hypothesis"]).tolist() == ["a cat\nsits", "a dog\nruns",
                                                                                  "\nswims"]
    assert inputs_per_item(frame, labels, "hypothesis").tolist() == ["sits", "runs", "swims"]


def test_items_carry_the_files_ids(tmp_path: Path) -> None:
    frame = pd.read_csv(_annotations(tmp_path))
    frame.insert(0, "uid", [f"u{i:03d}" for i in range(len(frame))])
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    csv_out, parquet_out = tmp_path / "items.csv", tmp_path / "items.parquet"
    for out in (csv_out, parquet_out):
        shown = run_cli(["consensus", str(path), "--annotators", "rater_1,rater_2,rater_3", "--id", "uid",
                         "--format", "json", "--out", str(out)])
        assert shown.exit_code == 0, shown.output
    listed = json.loads(shown.stdout)["weak_items"]
    assert listed and all(item["item"].startswith("u") for item in listed)
    written = pd.read_csv(csv_out, dtype={"uid": str})
    assert written.columns[0] == "uid"  # named as in the source, so the table joins back to it by name
    assert written["uid"].tolist() == frame["uid"].tolist()
    assert pd.read_parquet(parquet_out)["uid"].tolist() == frame["uid"].tolist()
    table = run_cli(["consensus", str(path), "--annotators", "rater_1,rater_2,rater_3", "--id", "uid"])
    assert table.exit_code == 0 and "u0" in table.stdout


def test_an_unwritable_out_and_a_column_named_twice_are_one_line_errors(tmp_path: Path) -> None:
    path = str(_annotations(tmp_path))
    missing = tmp_path / "nowhere" / "x.csv"
    shown = run_cli(["consensus", path, "--annotators", "rater_1,rater_2", "--text", "text", "--out", str(missing)])
    assert_one_line_error(shown, f"error: {missing}: the folder {missing.parent} does not exist; create it or "
                                 "choose another path (nothing was written)")
    twice = run_cli(["agreement", path, "--annotators", "rater_1,rater_1"])
    assert_one_line_error(twice, "error: ann.csv: name each annotator column once ('rater_1' given twice)")


def test_repeated_long_layout_labels_keep_the_last_and_say_so(tmp_path: Path) -> None:
    rows = [("i1", "ann_a", "x"), ("i1", "ann_b", "x"), ("i2", "ann_a", "y"), ("i2", "ann_a", "x"),
            ("i2", "ann_b", "x"), ("i1", "ann_b", "y"), ("i3", "ann_b", "x")]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["task", "who", "answer"]).to_csv(path, index=False)
    shown = run_cli(["consensus", str(path), "--item", "task", "--annotator", "who", "--label", "answer",
                     "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert shown.stderr.strip() == ("note: long.csv: 2 repeated labels of one annotator on one item were replaced by "
                                    "their last (first: annotator 'ann_b' on item 'i1')")
    assert json.loads(shown.stdout)["summary"]["labels"] == 5
