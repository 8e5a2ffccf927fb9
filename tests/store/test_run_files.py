"""A run's per-row scores and neighbours live in Parquet files; the database keeps the flagged findings."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

import curate
from curate.audit.scores import DetailsText
from curate.features import HashedTextEmbedder
from curate.store import Workspace
from curate.store.run_files import details_text, run_file


def _sql(workspace: Path, query: str) -> list[tuple]:
    con = sqlite3.connect(workspace / "curate.db")
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_every_score_is_in_the_run_file_and_the_flags_in_the_database(text_csv: Path, workspace: Path) -> None:
    frame = pd.read_csv(text_csv)
    frame.loc[[3, 17], "label"] = frame.loc[[3, 17], "label"].map({"sports": "tech", "tech": "sports",
                                                                   "food": "sports"})
    frame.to_csv(text_csv, index=False)
    result = curate.audit(text_csv, id="id", workspace=workspace, embedder=HashedTextEmbedder())
    assert run_file(workspace, 1, "scores").exists() and run_file(workspace, 1, "neighbors").exists()

    stored = Workspace(workspace).findings(1, flagged_only=False)
    columns = ["position", "row_id", "issue", "score", "flagged", "details"]
    expected = result.scores[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored[columns], expected, check_dtype=False)
    assert stored["given_label"].tolist() == [result.dataset.labels[p] for p in stored["position"]]
    n_flagged = int(result.scores["flagged"].sum())
    assert n_flagged > 0
    # Only the flagged findings are database rows, and they are the same as the file's.
    assert _sql(workspace, "SELECT count(*) FROM findings") == [(n_flagged,)]
    flagged = Workspace(workspace).findings(1)
    pd.testing.assert_frame_equal(flagged[columns], stored.loc[stored["flagged"], columns].reset_index(drop=True),
                                  check_dtype=False)


def test_neighbours_are_read_back_by_position(text_csv: Path, workspace: Path) -> None:
    curate.audit(text_csv, id="id", workspace=workspace, embedder=HashedTextEmbedder())
    ws = Workspace(workspace)
    for position in (0, 31, 59):
        found = ws.neighbors(1, position)
        assert len(found) >= 5
        positions = [p for p, _ in found]
        similarities = [s for _, s in found]
        assert all(0 <= p < 60 for p in positions) and len(set(positions)) == len(positions)
        assert similarities == sorted(similarities, reverse=True)
        assert all(s == round(s, 4) for s in similarities)
    assert ws.neighbors(1, 60) == []


def test_neighbours_of_runs_recorded_in_the_database_are_still_read(audited_workspace: Path) -> None:
    # A run of an older curate kept its neighbours as database rows.
    run_file(audited_workspace, 1, "neighbors").unlink()
    con = sqlite3.connect(audited_workspace / "curate.db")
    with con:
        con.execute("INSERT INTO run_neighbors VALUES (1, 4, '[7, 2]', '[0.91, 0.5]')")
    con.close()
    assert Workspace(audited_workspace).neighbors(1, 4) == [(7, 0.91), (2, 0.5)]
    assert Workspace(audited_workspace).neighbors(1, 5) == []


def test_details_text_reads_back_as_the_dicts_it_was_given() -> None:
    details = [{"p": np.float32(0.5), "top": [("a", np.float64(0.25))], "n": np.int64(3)}, {}, {}, {"k": "한국어"}]
    text = DetailsText(details)
    assert len(text) == 4
    assert text[0] == {"p": 0.5, "top": [["a", 0.25]], "n": 3}
    assert list(text)[1:] == [{}, {}, {"k": "한국어"}]
    assert text[2:] == [{}, {"k": "한국어"}]
    assert text.texts[1] is text.texts[2]  # equal details share one string
    assert "한국어" in text.texts[3]  # kept readable, not escaped
    assert DetailsText.of(text) is text
    assert json.loads(details_text(details[0])) == text[0]
    assert details_text(None) == "{}"


def test_the_audit_keeps_details_as_text_until_they_are_read(text_csv: Path) -> None:
    result = curate.audit(text_csv, embedder=HashedTextEmbedder())
    assert all(isinstance(d, str) for d in result.table["details"])
    assert all(isinstance(d, dict) for d in result.scores["details"])
    assert all(isinstance(d, dict) for d in result.findings["details"])
    label = result.scores[result.scores["issue"] == "label"]
    assert {"error_prob", "given_prob"} <= set(label["details"].iloc[0])


def test_findings_of_chosen_issues_with_details_left_as_text(audited_workspace: Path) -> None:
    ws = Workspace(audited_workspace)
    every = ws.findings(1, flagged_only=False)
    label = ws.findings(1, flagged_only=False, issues=["label", "outlier"], details_as_text=True)
    assert sorted(label["issue"].unique()) == ["label", "outlier"]
    expected = every[every["issue"].isin(["label", "outlier"])].reset_index(drop=True)
    assert label["position"].tolist() == expected["position"].tolist()
    assert [json.loads(d) for d in label["details"]] == expected["details"].tolist()
    flagged = ws.findings(1, issues=["label"])
    assert flagged["details"].map(type).eq(dict).all()
    assert flagged["issue"].eq("label").all()
    assert len(flagged) == int(every.loc[every["issue"] == "label", "flagged"].sum())
