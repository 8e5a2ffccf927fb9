"""Input quality of tables: missing and non-finite cells are reported by row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import curate


def _csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    lines = ["x1,x2,label"]
    for i in range(40):
        x1 = {3: "inf", 11: "inf", 20: "-inf"}.get(i, f"{rng.normal():.3f}")
        x2 = "" if i == 30 else f"{rng.normal():.3f}"
        lines.append(f"{x1},{x2},{'ab'[i % 2]}")
    path = tmp_path / "inf_cells.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_infinite_cells_are_reported_like_missing_ones(tmp_path: Path) -> None:
    result = curate.audit(_csv(tmp_path), label="label", detectors=["input_quality"])
    flagged = result.findings[["row_id", "position", "score", "details"]]
    assert flagged["row_id"].tolist() == ["3", "11", "20", "30"]
    assert flagged["position"].tolist() == [3, 11, 20, 30]
    assert flagged["details"].tolist() == [{"problems": ["not_finite:x1"]}] * 3 + [{"problems": ["missing:x2"]}]
    assert flagged["score"].tolist() == [0.75] * 4  # one of two columns unusable, as for a missing cell
    assert result.notes["input_quality"] == {"constant_columns": [], "id_like_columns": [],
                                             "missing_by_column": {"x2": 1}, "not_finite_by_column": {"x1": 3}}


def test_infinite_numbers_in_a_dataframe() -> None:
    frame = pd.DataFrame({"size": [1.0, float("-inf"), 2.5, 3.0] * 5, "weight": [0.5, 1.5, np.inf, 2.0] * 5,
                          "label": ["x", "y"] * 10})
    result = curate.audit(frame, label="label", detectors=["input_quality"], modality="tabular")
    problems = dict(zip(result.findings["position"], result.findings["details"], strict=True))
    assert sorted(problems) == [1, 2, 5, 6, 9, 10, 13, 14, 17, 18]
    assert problems[1] == {"problems": ["not_finite:size"]}
    assert problems[2] == {"problems": ["not_finite:weight"]}
    assert result.notes["input_quality"]["not_finite_by_column"] == {"size": 5, "weight": 5}
