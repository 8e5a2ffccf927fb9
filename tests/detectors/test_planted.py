"""Each detector finds exactly the problems planted in data the test builds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curate.ingest.building import build_dataset

from .helpers import blobs, flagged_ids, run, text_dataset, topic_texts


def test_label_errors_are_the_flipped_rows_with_the_true_label_suggested() -> None:
    frame = blobs(80)
    flipped = {"r5": "c1", "r90": "c2", "r200": "c0", "r17": "c2", "r150": "c0"}
    truth = dict(zip(frame["id"], frame["label"], strict=True))
    for row_id, wrong in flipped.items():
        frame.loc[frame["id"] == row_id, "label"] = wrong
    dataset = build_dataset(frame, label="label", id="id")
    result = run(dataset, "label")
    assert flagged_ids(dataset, result) == set(flipped)
    for i in np.flatnonzero(result.flagged):
        assert result.suggested_labels is not None
        assert result.suggested_labels[i] == truth[dataset.row_ids[i]]
    # the flipped rows rank worst
    worst = set(dataset.row_ids[np.argsort(result.scores)[:5]])
    assert worst == set(flipped)


def test_exact_duplicates_after_normalising_case_space_and_unicode() -> None:
    texts, labels = topic_texts()
    texts[2] = "  " + texts[0].upper() + " "
    texts[7] = texts[0].replace(" ", "\u00a0", 1).replace(" ", "   ", 1)
    dataset = text_dataset(texts, labels)
    result = run(dataset, "exact_duplicate")
    assert flagged_ids(dataset, result) == {"0", "2", "7"}
    assert result.details is not None
    assert result.details[7]["first"] == "0" and result.details[7]["copies"] == ["0", "2", "7"]
    assert result.details[0]["is_first"] is True and result.details[2]["is_first"] is False


def test_table_rows_differing_only_in_a_column_not_read_are_exact_duplicates() -> None:
    frame = blobs(80)
    copies = frame.iloc[[10, 11]].copy()
    copies["id"] = ["C90010", "C90011"]
    frame = pd.concat([frame, copies], ignore_index=True)
    frame.insert(0, "row_no", range(1, len(frame) + 1))  # a new row number for the copies, too
    dataset = build_dataset(frame, label="label", id="id")
    assert "not used as input: 'row_no' (looks like an id: consecutive integers)" in dataset.notes
    exact = run(dataset, "exact_duplicate")
    assert flagged_ids(dataset, exact) == {"r10", "r11", "C90010", "C90011"}
    assert exact.details is not None and exact.details[len(frame) - 1]["copies"] == ["r11", "C90011"]
    near = run(dataset, "near_duplicate")  # exact copies are not near copies
    assert flagged_ids(dataset, near) & {"r10", "r11", "C90010", "C90011"} == set()


def test_empty_texts_are_not_duplicates_of_each_other() -> None:
    texts, labels = topic_texts()
    texts[1], texts[5] = "", "   "
    dataset = text_dataset(texts, labels)
    assert flagged_ids(dataset, run(dataset, "exact_duplicate")) == set()


def test_near_duplicates_on_tabular_rows() -> None:
    frame = blobs(80)
    copy = frame.iloc[[10]].copy()
    copy["id"] = "near10"
    copy["x0"] += 0.01
    frame = pd.concat([frame, copy], ignore_index=True)
    dataset = build_dataset(frame, label="label", id="id")
    result = run(dataset, "near_duplicate")
    assert flagged_ids(dataset, result) == {"r10", "near10"}
    assert result.details is not None
    assert result.details[len(frame) - 1]["matches"] == ["r10"]
    # a table's features have no cosine similarity: the closeness is said against the typical neighbour
    [closeness] = result.details[len(frame) - 1]["relative_distance"]
    assert 0.0 < closeness < 0.05 and "similarity" not in result.details[len(frame) - 1]
    assert result.notes["relative_distance_threshold"] == 0.05 and "similarity_threshold" not in result.notes


def test_near_duplicates_on_text_leave_exact_copies_to_their_own_detector() -> None:
    texts, labels = topic_texts()
    texts.append(texts[0] + "!")           # near copy of row 0
    labels.append(labels[0])
    texts.append(texts[1])                 # exact copy of row 1
    labels.append(labels[1])
    dataset = text_dataset(texts, labels)
    result = run(dataset, "near_duplicate")
    assert flagged_ids(dataset, result) == {"0", str(len(texts) - 2)}


def test_conflicting_labels_among_copies_with_the_majority_suggested() -> None:
    texts, labels = topic_texts()
    texts += [texts[0], texts[0]]
    labels += ["sport", "food"]
    dataset = text_dataset(texts, labels)
    result = run(dataset, "conflicting_labels")
    n = len(texts)
    assert flagged_ids(dataset, result) == {"0", str(n - 2), str(n - 1)}
    assert result.suggested_labels is not None
    assert result.suggested_labels[n - 1] == "sport"
    assert result.suggested_labels[0] is None  # already the majority label
    assert result.scores[n - 1] < result.scores[0]


def test_leakage_across_splits_names_the_copies() -> None:
    frame = blobs(40)
    frame["split"] = "train"
    leak = frame.iloc[[3, 50]].copy()
    leak["id"] = ["t3", "t50"]
    leak["split"] = "test"
    held_out = frame.iloc[[7]].copy()
    held_out["id"] = "t-new"
    held_out["split"] = "test"
    held_out["x1"] += 5.0  # not a copy
    frame = pd.concat([frame, leak, held_out], ignore_index=True)
    dataset = build_dataset(frame, label="label", id="id", split="split")
    result = run(dataset, "leakage")
    assert flagged_ids(dataset, result) == {"r3", "r50", "t3", "t50"}
    assert result.details is not None
    position = {r: i for i, r in enumerate(dataset.row_ids)}
    assert result.details[position["t3"]] == {"kind": "exact", "split": "test", "matches": ["r3"]}
    assert result.notes["flagged_by_split"] == {"test": 2, "train": 2}


def test_leakage_with_a_separate_test_frame() -> None:
    texts, labels = topic_texts()
    train = pd.DataFrame({"text": texts, "label": labels})
    test = pd.DataFrame({"text": [texts[4], "a brand new sentence about cooking rice"], "label": ["sport", "food"]})
    dataset = build_dataset(train, label="label", text=["text"], test=test)
    result = run(dataset, "leakage")
    assert flagged_ids(dataset, result) == {"4", "test:0"}


def test_no_split_means_no_leakage() -> None:
    dataset = build_dataset(blobs(20), label="label", id="id")
    result = run(dataset, "leakage")
    assert not result.flagged.any() and (result.scores == 1).all()


def test_outliers_are_the_far_points() -> None:
    frame = blobs(80)
    far = pd.DataFrame({"id": ["far1", "far2", "far3"], "label": ["c0", "c1", "c2"],
                        **{f"x{i}": [200.0 + i, -150.0, 90.0 * (i % 2)] for i in range(5)}})
    frame = pd.concat([frame, far[frame.columns]], ignore_index=True)
    dataset = build_dataset(frame, label="label", id="id")
    result = run(dataset, "outlier")
    assert flagged_ids(dataset, result) == {"far1", "far2", "far3"}
    assert set(dataset.row_ids[np.argsort(result.scores)[:3]]) == {"far1", "far2", "far3"}


def test_class_imbalance_flags_the_rare_class() -> None:
    frame = blobs(60)
    frame = frame[(frame["label"] != "c2") | (frame.index < 126)]  # keep 6 rows of c2
    dataset = build_dataset(frame, label="label", id="id")
    result = run(dataset, "class_imbalance")
    assert flagged_ids(dataset, result) == {f"r{i}" for i in range(120, 126)}
    assert result.notes["rare_classes"] == {"c2": 6}


def test_input_quality_names_each_text_problem() -> None:
    texts, labels = topic_texts()
    planted = {
        1: ("", ["empty"]),
        2: ("   \t ", ["empty"]),
        3: ("the caf\u00c3\u00a9 served a great match day lunch", ["mojibake"]),
        4: ("the score was \ufffd\ufffd to nil", ["replacement_char"]),
        5: ("?", ["too_short"]),
        6: ("goal " * 400, ["too_long"]),
        7: ("a bell \x07 rang in the stadium", ["control_chars"]),
        8: ("한국 축구 대표팀이 결승에서 이겼다", []),   # Korean is fine
        9: ("café au lait and a croissant", []),        # real accents are fine
        10: ("\x93quoted\x94 words read as Latin-1", ["control_chars"]),  # C1 controls
    }
    for i, (text, _) in planted.items():
        texts[i] = text
    dataset = text_dataset(texts, labels)
    result = run(dataset, "input_quality")
    assert flagged_ids(dataset, result) == {str(i) for i, (_, p) in planted.items() if p}
    assert result.details is not None
    for i, (_, problems) in planted.items():
        assert result.details[i].get("problems", []) == problems
    assert result.scores[1] == 0.0


def test_input_quality_on_tables_reports_missing_cells_and_bad_columns() -> None:
    frame = blobs(30)
    frame["constant"] = 1.0
    frame["serial"] = np.arange(len(frame))
    frame.loc[[4, 9], "x2"] = np.nan
    dataset = build_dataset(frame, label="label", id="id")
    result = run(dataset, "input_quality")
    assert flagged_ids(dataset, result) == {"r4", "r9"}
    assert result.details is not None and result.details[4] == {"problems": ["missing:x2"]}
    assert result.notes["constant_columns"] == ["constant"]
    assert result.notes["id_like_columns"] == ["serial"]
    assert result.notes["missing_by_column"] == {"x2": 2}
