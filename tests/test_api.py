"""The Python API: ``curate.audit`` on a DataFrame, user pred_probs, and an honest ``__all__``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.detectors import available_detectors
from curate.errors import PredProbsError
from curate.features import HashedTextEmbedder, ProgressCallback

from .conftest import CLASSES, make_text_frame


@pytest.fixture(scope="module")
def result() -> curate.AuditResult:
    return curate.audit(
        make_text_frame(), label="label", text="text", id="id", embedder=HashedTextEmbedder()
    )


def test_audit_of_a_dataframe(result: curate.AuditResult) -> None:
    assert isinstance(result, curate.AuditResult)
    assert result.run_id is None and result.workspace is None
    assert result.dataset.n_rows == 60
    assert result.dataset.classes == CLASSES
    assert result.metrics["rows"] == 60
    assert result.metrics["classes"] == 3
    assert 0.0 <= result.metrics["oof_accuracy"] <= 1.0
    assert result.metrics["folds"] == 5
    assert result.params["source"] == "<DataFrame>"


def test_findings_are_the_flagged_scores(result: curate.AuditResult) -> None:
    findings = result.findings
    assert isinstance(findings, pd.DataFrame)
    assert {"row_id", "issue", "score", "flagged", "suggested_label", "given_label"} <= set(
        findings.columns
    )
    assert findings["flagged"].all()
    assert len(findings) == int(result.scores["flagged"].sum())
    assert len(result.scores) == 60 * len(available_detectors())
    assert set(result.scores["row_id"]) == {f"r{i}" for i in range(60)}
    assert ((result.scores["score"] >= 0) & (result.scores["score"] <= 1)).all()


def test_summary_has_one_row_per_detector(result: curate.AuditResult) -> None:
    summary = result.summary
    assert list(summary.columns) == ["issue", "flagged", "share", "description"]
    assert list(summary["issue"]) == list(available_detectors())
    counts = result.scores.groupby("issue")["flagged"].sum()
    for issue, flagged, share, description in summary.itertuples(index=False, name=None):
        assert flagged == counts[issue]
        assert share == pytest.approx(flagged / 60, abs=1e-4)
        assert description == available_detectors()[issue].description


def test_to_html(result: curate.AuditResult) -> None:
    html = result.to_html()
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "(not recorded)" in html  # no workspace, no run id
    for issue in available_detectors():
        assert f'id="issue-{issue}"' in html


def _confident_probs(frame: pd.DataFrame, planted: int, to: str) -> np.ndarray:
    """0.9 on each row's given label; row ``planted`` puts 0.99 on class ``to`` instead."""
    codes = frame["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    probs = np.full((len(frame), len(CLASSES)), 0.05)
    probs[np.arange(len(frame)), codes] = 0.9
    probs[planted] = 0.005
    probs[planted, CLASSES.index(to)] = 0.99
    return probs


@pytest.mark.parametrize("as_file", [False, True], ids=["array", "npy"])
def test_user_pred_probs_skip_cross_validation(tmp_path: Path, as_file: bool) -> None:
    frame = make_text_frame()
    assert frame.loc[13, "label"] == "sport"
    probs = _confident_probs(frame, planted=13, to="tech")
    given: np.ndarray | Path = probs
    if as_file:
        given = tmp_path / "probs.npy"
        np.save(given, probs)
    result = curate.audit(
        frame, label="label", text="text", id="id", pred_probs=given, embedder=HashedTextEmbedder()
    )
    assert "oof_accuracy" not in result.metrics
    assert "folds" not in result.metrics
    assert result.metrics["pred_probs"] == (str(given) if as_file else "user array")
    label = result.findings[result.findings["issue"] == "label"]
    assert label["row_id"].tolist() == ["r13"]
    assert label["suggested_label"].tolist() == ["tech"]
    assert label["given_label"].tolist() == ["sport"]
    assert label["details"].iloc[0]["given_prob"] == pytest.approx(0.005)
    assert label["details"].iloc[0]["error_prob"] >= 0.99 and label["score"].iloc[0] < 0.02


def test_user_pred_probs_alone_need_no_features() -> None:
    """With the label detector only and given probabilities, nothing is embedded."""
    frame = make_text_frame()

    class Refuses:
        model_id = "refuses"

        def embed(
            self, texts: Sequence[str], progress: ProgressCallback | None = None
        ) -> np.ndarray:
            raise AssertionError("embedding was not needed")

    result = curate.audit(
        frame,
        label="label",
        text="text",
        pred_probs=_confident_probs(frame, 4, "food"),
        detectors=["label"],
        embedder=Refuses(),
    )
    assert list(result.summary["issue"]) == ["label"]
    assert result.findings["row_id"].tolist() == [4]  # the default index: positions, as ints


def test_bad_pred_probs_array() -> None:
    probs = np.full((60, 3), 1 / 3)
    probs[2, 0] = np.nan
    with pytest.raises(PredProbsError, match=r"row 2, column 0"):
        curate.audit(
            make_text_frame(),
            label="label",
            text="text",
            pred_probs=probs,
            embedder=HashedTextEmbedder(),
        )


def test_audit_into_a_workspace_returns_the_run(tmp_path: Path) -> None:
    result = curate.audit(
        make_text_frame(),
        label="label",
        text="text",
        workspace=tmp_path / "ws",
        name="frame",
        embedder=HashedTextEmbedder(),
    )
    assert result.run_id == 1
    assert isinstance(result.workspace, curate.Workspace)
    runs = result.workspace.runs()
    assert [(r.id, r.dataset, r.version) for r in runs] == [(1, "frame", 1)]
    assert runs[0].metrics["rows_with_any_issue"] == result.metrics["rows_with_any_issue"]
    assert "run 1 ·" in result.to_html()


def test_all_is_sorted_and_honest() -> None:
    assert curate.__all__ == sorted(curate.__all__)
    assert len(set(curate.__all__)) == len(curate.__all__)
    for name in curate.__all__:
        assert hasattr(curate, name), name
    public = {
        n
        for n in vars(curate)
        if not n.startswith("_") and not isinstance(getattr(curate, n), type(curate))
    }
    assert public <= set(curate.__all__)
