"""The decision ledger: append-only, undo as an entry, versions, export, diff, log and re-audit."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import curate
from curate.cli import main
from curate.export import diff_versions, export_version
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset
from curate.ledger import record, replay, undo_last
from curate.store import Workspace
from curate.store.decisions import read_decisions

from .detectors.helpers import topic_texts


@pytest.fixture()
def audited(tmp_path: Path) -> tuple[Workspace, Path, curate.AuditResult]:
    texts, labels = topic_texts()
    labels[0] = "food"  # planted label error: row 0 is about sport
    texts.append(texts[5])  # an exact duplicate of row 5, as row 36
    labels.append(labels[5])
    source = tmp_path / "news.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(source, index=False)
    ws = Workspace(tmp_path / "ws")
    result = curate.audit(source, label="label", text="text", workspace=ws, embedder=HashedTextEmbedder())
    return ws, source, result


def _dataset(result: curate.AuditResult) -> curate.Dataset:
    return result.dataset


def test_the_ledger_refuses_updates_and_deletes(audited: tuple) -> None:
    ws, _, result = audited
    record(ws, _dataset(result), row_id="0", action="relabel", new_label="sport", reviewer="ana")
    con = sqlite3.connect(ws.db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE decisions SET new_value = 'tech'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM decisions")
    con.close()


def test_every_action_appends_one_entry_and_undo_is_an_entry(audited: tuple) -> None:
    ws, _, result = audited
    ds = _dataset(result)
    first = record(ws, ds, row_id="0", action="relabel", new_label="sport", reviewer="ana", run_id=result.run_id,
                   issue="label", score=0.12)
    assert (first.old_value, first.new_value, first.field, first.reviewer) == ("food", "sport", "label", "ana")
    assert (first.run_id, first.issue, first.score) == (result.run_id, "label", 0.12)
    record(ws, ds, row_id="36", action="remove", reviewer="ana")
    record(ws, ds, row_id="7", action="ambiguous", reviewer="bo")
    record(ws, ds, row_id="8", action="skip", reviewer="bo")
    undo = undo_last(ws, ds, reviewer="ana")
    entries = read_decisions(ws, ds.name)
    assert [e.action for e in entries] == ["relabel", "remove", "ambiguous", "skip", "undo"]
    assert undo.undoes == entries[1].id and undo.row_id == "36"
    labels = {str(r): str(lab) for r, lab in zip(ds.row_ids, ds.labels, strict=True)}
    states = replay(labels, entries)
    assert states["0"].label == "sport"
    assert not states["36"].removed  # the removal was undone
    assert states["7"].ambiguous and states["7"].label == labels["7"]
    assert states["8"].decided_hash is None  # a skip decides nothing


def test_bad_decisions_are_refused_without_an_entry(audited: tuple) -> None:
    ws, _, result = audited
    ds = _dataset(result)
    with pytest.raises(curate.CurateError, match="not one of the dataset's classes"):
        record(ws, ds, row_id="0", action="relabel", new_label="politics", reviewer="ana")
    with pytest.raises(curate.CurateError, match="no row"):
        record(ws, ds, row_id="../../etc/passwd", action="keep", reviewer="ana")
    with pytest.raises(curate.CurateError, match="no decision left to undo"):
        undo_last(ws, ds, reviewer="ana")
    assert read_decisions(ws, ds.name) == []


def test_export_applies_the_ledger_to_the_untouched_source(audited: tuple, tmp_path: Path) -> None:
    ws, source, result = audited
    ds = _dataset(result)
    record(ws, ds, row_id="0", action="relabel", new_label="sport", reviewer="ana")
    record(ws, ds, row_id="36", action="remove", reviewer="ana")
    record(ws, ds, row_id="3", action="relabel", new_label="tech", reviewer="ana")
    undo_last(ws, ds, reviewer="ana")
    original = pd.read_csv(source)

    summary = export_version(ws, None, "latest", "csv", tmp_path / "latest.csv")
    latest = pd.read_csv(tmp_path / "latest.csv")
    expected = original.drop(index=36).reset_index(drop=True)
    expected.loc[0, "label"] = "sport"
    pd.testing.assert_frame_equal(latest, expected)
    assert (summary.version, summary.relabelled, summary.removed, summary.rows) == (4, 1, 1, 36)

    export_version(ws, None, 0, "csv", tmp_path / "v0.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "v0.csv"), original)
    export_version(ws, None, 3, "jsonl", tmp_path / "v3.jsonl")
    v3 = pd.read_json(tmp_path / "v3.jsonl", lines=True)
    assert v3.loc[3, "label"] == "tech" and len(v3) == 36

    changes = diff_versions(ws, None, 0, "latest")
    assert changes.to_dict("records") == [
        {"row_id": "0", "field": "label", "before": "food", "after": "sport"},
        {"row_id": "36", "field": "removed", "before": False, "after": True},
    ]
    assert diff_versions(ws, None, 3, 4).to_dict("records") == [
        {"row_id": "3", "field": "label", "before": "tech", "after": original.loc[3, "label"]}]


def test_cli_log_diff_and_export(audited: tuple, tmp_path: Path) -> None:
    ws, _, result = audited
    record(ws, _dataset(result), row_id="0", action="relabel", new_label="sport", reviewer="ana")
    runner = CliRunner()
    log = runner.invoke(main, ["log", "-w", str(ws.path)])
    assert log.exit_code == 0 and "relabel" in log.output and "ana" in log.output
    diff = runner.invoke(main, ["diff", "0", "latest", "-w", str(ws.path)])
    assert diff.exit_code == 0 and diff.output.splitlines() == ["row_id,field,before,after", "0,label,food,sport"]
    out = tmp_path / "fixed.parquet"
    done = runner.invoke(main, ["export", str(out), "-w", str(ws.path)])
    assert done.exit_code == 0, done.output
    assert "1 relabelled, 0 removed" in done.output
    assert pd.read_parquet(out).loc[0, "label"] == "sport"
    bad = runner.invoke(main, ["export", str(tmp_path / "x.csv"), "--version", "99", "-w", str(ws.path)])
    assert bad.exit_code == 2 and "--version 99 does not exist" in bad.output
    assert not (tmp_path / "x.csv").exists()


def test_re_audit_audits_the_current_version(audited: tuple) -> None:
    ws, source, result = audited
    ds = _dataset(result)
    first = result.findings
    assert "0" in set(first.loc[first["issue"] == "label", "row_id"])
    record(ws, ds, row_id="0", action="relabel", new_label="sport", reviewer="ana")
    record(ws, ds, row_id="36", action="remove", reviewer="ana")
    again = curate.audit(source, label="label", text="text", workspace=ws, embedder=HashedTextEmbedder())
    assert again.params["ledger_version"] == 2
    assert again.dataset.n_rows == 36 and "36" not in set(again.dataset.row_ids)
    assert again.dataset.labels[0] == "sport"
    label_flags = set(again.findings.loc[again.findings["issue"] == "label", "row_id"])
    assert "0" not in label_flags
    # stored positions still name the rows of the stored version
    stored = ws.findings(again.run_id or 0, flagged_only=False)
    rows = ws.version_rows(again.run_id or 0).set_index("position")["row_id"]
    assert (stored["row_id"] == stored["position"].map(rows)).all()
    assert len(ws.versions()) == 1  # the same source: no new data version


def test_apply_keeps_a_table_without_text_tabular(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "title": ["x y z w v"] * 4, "label": ["p", "q", "p", "q"]})
    ds = build_dataset(frame, label="label", text=[])
    assert ds.modality == "tabular" and ds.input_columns == ("a", "title")


def test_reaudit_after_reviewers_leave_a_class_with_one_row(tmp_path: Path) -> None:
    """Regression: removing rows until a class keeps one row made the next audit fail at validation."""
    from curate import audit, ledger
    from curate.features import HashedTextEmbedder
    from curate.review import load_run

    from .conftest import make_text_frame

    frame = make_text_frame()
    ws = Workspace(tmp_path / "ws")
    first = audit(frame, label="label", text="text", id="id", workspace=ws, name="tickets",
                  embedder=HashedTextEmbedder())
    dataset = load_run(ws, first.run_id).dataset
    tech = [str(r) for r in frame.loc[frame["label"] == "tech", "id"]]
    for row_id in tech[1:]:
        ledger.record(ws, dataset, row_id=row_id, action="remove", reviewer="ana")
    again = audit(frame, label="label", text="text", id="id", workspace=ws, name="tickets",
                  embedder=HashedTextEmbedder())
    assert again.dataset.n_rows == len(frame) - 19
    assert again.dataset.classes == ("food", "sport", "tech")
    findings = again.findings
    # no claim about the lone tech row's label: it was never learned out of fold
    assert tech[0] not in set(findings.loc[findings["issue"].isin(["label", "ambiguous"]), "row_id"])
    assert again.notes["label"]["unflagged_small_classes"] == 1
    thin = [w for w in again.warnings if w.code == "thin_classes"]
    assert len(thin) == 1 and thin[0].facts["thin_rows"] == 1 and thin[0].withheld == ()
    assert set(findings.loc[findings["issue"] == "class_imbalance", "row_id"]) == {tech[0]}


def test_findings_after_a_relabel_show_the_given_and_the_current_label(audited: tuple) -> None:
    ws, source, result = audited
    ds = _dataset(result)
    record(ws, ds, row_id="0", action="relabel", new_label="sport", reviewer="ana")  # the planted error, fixed
    record(ws, ds, row_id="3", action="relabel", new_label="tech", reviewer="ana")  # a sport text, now wrong
    again = curate.audit(source, label="label", text="text", workspace=ws, embedder=HashedTextEmbedder())
    label = again.findings[again.findings["issue"] == "label"]
    assert label[["row_id", "given_label", "current_label", "suggested_label"]].values.tolist() == [
        ["3", "sport", "tech", "sport"]]
    assert not (again.findings["suggested_label"] == again.findings["current_label"]).any()
    out = CliRunner().invoke(main, ["findings", "--workspace", str(ws.path), "--issue", "label"])
    assert out.exit_code == 0, out.output
    printed = pd.read_csv(io.StringIO(out.output), dtype=str, keep_default_na=False)
    assert printed.columns.tolist() == ["row_id", "issue", "score", "flagged", "suggested_label", "given_label",
                                        "current_label", "split", "details"]
    assert printed[["row_id", "given_label", "current_label", "suggested_label"]].values.tolist() == [
        ["3", "sport", "tech", "sport"]]
