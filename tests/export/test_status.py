"""Export options: a review_status column, and leaving out the rows marked ambiguous."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.errors import InputError
from curate.export import export_version
from curate.features import HashedTextEmbedder
from curate.ledger import record, undo_last
from curate.store import Workspace

from ..conftest import assert_one_line_error, make_text_frame, run_cli


@pytest.fixture
def decided(tmp_path: Path) -> Workspace:
    """An audited 60-row CSV with one decision of each kind about rows r0..r5."""
    source = tmp_path / "reviews.csv"
    make_text_frame().to_csv(source, index=False)
    ws = Workspace(tmp_path / "ws")
    dataset = curate.audit(
        source, label="label", text="text", id="id", workspace=ws, embedder=HashedTextEmbedder()
    ).dataset
    record(ws, dataset, row_id="r0", action="relabel", new_label="tech", reviewer="ana")  # food -> tech
    record(ws, dataset, row_id="r1", action="keep", reviewer="ana")
    record(ws, dataset, row_id="r2", action="ambiguous", reviewer="ana")
    record(ws, dataset, row_id="r3", action="remove", reviewer="ana")
    record(ws, dataset, row_id="r4", action="skip", reviewer="ana")
    record(ws, dataset, row_id="r5", action="relabel", new_label="food", reviewer="ana")
    undo_last(ws, dataset, reviewer="ana")  # r5 is back to unreviewed
    return ws


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_with_status_adds_the_review_status_column(decided: Workspace, tmp_path: Path) -> None:
    summary = export_version(decided, None, "latest", None, tmp_path / "out.csv", with_status=True)
    rows = _rows(tmp_path / "out.csv")
    assert list(rows[0]) == ["id", "text", "label", "review_status"]
    assert [(r["id"], r["label"], r["review_status"]) for r in rows[:5]] == [
        ("r0", "tech", "relabelled"),
        ("r1", "sport", "kept"),
        ("r2", "tech", "ambiguous"),
        ("r4", "sport", "unreviewed"),
        ("r5", "tech", "unreviewed"),
    ]
    assert {r["review_status"] for r in rows[5:]} == {"unreviewed"}
    assert (summary.rows, summary.relabelled, summary.removed, summary.ambiguous_dropped) == (59, 1, 1, 0)
    export_version(decided, None, 0, None, tmp_path / "v0.parquet", with_status=True)
    assert set(pd.read_parquet(tmp_path / "v0.parquet")["review_status"]) == {"unreviewed"}


def test_drop_ambiguous_leaves_those_rows_out(decided: Workspace, tmp_path: Path) -> None:
    summary = export_version(decided, None, "latest", None, tmp_path / "out.jsonl", drop_ambiguous=True)
    ids = pd.read_json(tmp_path / "out.jsonl", lines=True)["id"].tolist()
    assert ids[:4] == ["r0", "r1", "r4", "r5"] and len(ids) == 58
    assert (summary.rows, summary.removed, summary.ambiguous_dropped) == (58, 1, 1)


def test_cli_with_status_and_drop_ambiguous(decided: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run_cli(["export", out, "--with-status", "--drop-ambiguous", "-w", decided.path])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: version 7, 58 rows (1 relabelled, 1 removed, 1 ambiguous left out)\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["review_status"] for r in rows[:3]] == ["relabelled", "kept", "unreviewed"]


def test_a_source_with_a_review_status_column_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "reviews.csv"
    make_text_frame().assign(review_status="x").to_csv(source, index=False)
    ws = Workspace(tmp_path / "ws")
    curate.audit(source, label="label", text="text", id="id", workspace=ws, embedder=HashedTextEmbedder())
    with pytest.raises(InputError, match="already has a column 'review_status'"):
        export_version(ws, None, "latest", None, tmp_path / "out.csv", with_status=True)
    assert_one_line_error(run_cli(["export", tmp_path / "out.csv", "--with-status", "-w", ws.path]), "review_status")
    assert not (tmp_path / "out.csv").exists()
