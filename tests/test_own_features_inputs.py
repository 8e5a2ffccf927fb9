"""The user's own features are part of each row's input: copies, outliers and tables of labels alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.core.keys import duplicate_groups, keys_with_vectors
from curate.errors import ColumnError
from curate.ledger.versions import load_stored_version


def _three_classes() -> tuple[np.ndarray, np.ndarray]:
    """180 labels in three classes and 3-d vectors that separate them, each vector distinct."""
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 60)
    vectors = np.eye(3)[np.repeat([0, 1, 2], 60)] * 3 + rng.normal(0, 1, (180, 3))
    return labels, vectors


def _flagged(result: curate.AuditResult, issue: str) -> list[object]:
    found = result.findings
    return found.loc[found["issue"] == issue, "row_id"].tolist()


def test_a_constant_column_beside_own_features_flags_no_copies() -> None:
    """The trial's case: 180 rows with the same ``src`` were all copies, conflicts and 146 outliers."""
    labels, vectors = _three_classes()
    result = curate.audit(pd.DataFrame({"label": labels, "src": "cam1"}), label="label", features=vectors)
    flagged = result.summary.set_index("issue")["flagged"].to_dict()
    assert {
        issue: flagged[issue] for issue in ("exact_duplicate", "near_duplicate", "conflicting_labels", "outlier")
    } == {"exact_duplicate": 0, "near_duplicate": 0, "conflicting_labels": 0, "outlier": 0}


def test_rows_with_equal_inputs_and_vectors_are_exact_copies() -> None:
    labels, vectors = _three_classes()
    vectors[100] = vectors[7]  # classes a and b: copies with conflicting labels
    vectors[21] = vectors[20]  # both class a
    source = ["cam1"] * 180
    source[40] = "cam2"  # the same vector as row 41 but another input: a near copy, not an exact one
    vectors[40] = vectors[41]
    result = curate.audit(pd.DataFrame({"label": labels, "src": source}), label="label", features=vectors)
    assert _flagged(result, "exact_duplicate") == [7, 20, 21, 100]
    assert _flagged(result, "conflicting_labels") == [7, 100]
    assert _flagged(result, "near_duplicate") == [40, 41]
    details = result.findings.set_index(["issue", "row_id"]).loc[("exact_duplicate", 7), "details"]
    assert details == {"group": 0, "first": "7", "size": 2, "copies": ["7", "100"], "is_first": True}


def test_keys_with_vectors_join_the_input_and_the_vector() -> None:
    vectors = np.array([[1.0, 0.0], [1.0, -0.0], [1.0, 0.0], [0.0, 1.0]])
    keys = keys_with_vectors(["x", "x", "y", ""], vectors)
    assert keys == ["x\x001", "x\x001", "y\x001", "\x000"]
    assert duplicate_groups(keys).tolist() == [0, 0, -1, -1]


def test_a_table_of_labels_alone_is_audited_on_own_features(tmp_path: Path) -> None:
    labels, vectors = _three_classes()
    vectors[[5, 6]] = vectors[70]  # two rows of class a that look like class b, the same vector thrice
    frame = pd.DataFrame({"label": labels})
    result = curate.audit(frame, label="label", features=vectors, workspace=tmp_path / "ws")
    dataset = result.dataset
    assert (dataset.modality, dataset.input_columns, dataset.text_columns) == ("tabular", (), ())
    assert dataset.notes == ["inputs: your own features alone (no column besides the label 'label')"]
    assert _flagged(result, "exact_duplicate") == [5, 6, 70]
    assert 5 in _flagged(result, "label") and 6 in _flagged(result, "label")
    # the stored version reloads (export and findings read it back) without the features
    stored = load_stored_version(result.workspace, run_id=result.run_id)
    assert stored.loaded.dataset.n_rows == 180 and stored.loaded.dataset.input_columns == ()


def test_a_table_of_labels_alone_without_features_is_still_refused() -> None:
    labels, _ = _three_classes()
    with pytest.raises(ColumnError) as caught:
        curate.audit(pd.DataFrame({"label": labels}), label="label")
    assert str(caught.value) == "<DataFrame> has no input columns besides the label 'label'"
