"""``curate annotate export``: consensus labels of an annotation dataset, one row per item, round trips and errors."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pandas as pd
import pytest

from curate.annotators.exporting import MIN_ITEMS_PER_CLASS, export_annotations, model_refusal
from curate.annotators.modelled import label_codes
from curate.annotators.tasks import annotation_labels, load_view
from curate.store import Workspace

from ..conftest import assert_one_line_error, run_cli

KLUE = Path(__file__).resolve().parents[3] / "shared" / "data" / "klue-nli" / "dev.json"
# Planted: r0-r3 unanimous, r4 two of three say neg, r5 a three-way split (weak), r6 unlabelled; r5 holds markup.
ROWS = [
    {"rid": "r0", "text": "정말 좋아요", "s1": "pos", "s2": "pos", "s3": "pos"},
    {"rid": "r1", "text": "최고였어요", "s1": "pos", "s2": "pos", "s3": "pos"},
    {"rid": "r2", "text": "너무 별로", "s1": "neg", "s2": "neg", "s3": "neg"},
    {"rid": "r3", "text": "싫어요", "s1": "neg", "s2": "neg", "s3": "neg"},
    {"rid": "r4", "text": "그저 그래요", "s1": "pos", "s2": "neg", "s3": "neg"},
    {"rid": "r5", "text": "<b>애매</b> & 모호", "s1": "pos", "s2": "neg", "s3": "meh"},
    {"rid": "r6", "text": "아직 아무도", "s1": None, "s2": None, "s3": None},
]
EXPECTED = {"r0": "pos", "r1": "pos", "r2": "neg", "r3": "neg", "r4": "neg", "r5": "meh", "r6": None}


def _imported(workspace: Path, tmp_path: Path, rows: list[dict[str, str | None]] = ROWS, *extra: str) -> Path:
    source = tmp_path / "items.json"
    source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = run_cli(["annotate", "import", source, "--text", "text", "--id", "rid", "--annotators", "s1,s2,s3",
                      "--name", "planted", "-w", workspace, *extra])
    assert result.exit_code == 0, result.output
    return workspace


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_export_round_trips_planted_consensus(workspace: Path, tmp_path: Path, suffix: str) -> None:
    _imported(workspace, tmp_path)
    out = tmp_path / f"consensus{suffix}"
    result = run_cli(["annotate", "export", "planted", "--out", out, "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"wrote {out}: 7 items: 6 with a consensus label, 1 weak (more likely wrong than "
                             "right), 1 with no label and no consensus; annotators only: only 0 class(es) win the "
                             f"majority vote of {MIN_ITEMS_PER_CLASS} or more items; a model needs two, so the "
                             "annotators alone decide\n")
    back = (pd.read_csv(out, keep_default_na=False, na_values=[""]) if suffix == ".csv"
            else pd.read_parquet(out) if suffix == ".parquet" else pd.read_json(out, lines=True, dtype=False))
    assert list(back.columns) == ["id", "text", "consensus_label", "consensus_quality", "weak_consensus", "n_labels"]
    assert back["id"].astype(str).tolist() == list(EXPECTED)
    assert back["text"].tolist() == [r["text"] for r in ROWS]
    got = [None if pd.isna(v) else v for v in back["consensus_label"]]
    assert dict(zip(EXPECTED, got, strict=True)) == EXPECTED
    assert back["weak_consensus"].astype(bool).tolist() == [False] * 5 + [True, False]
    assert back["n_labels"].tolist() == [3, 3, 3, 3, 3, 3, 0]
    assert pd.isna(back["consensus_quality"].iloc[6]) and (back["consensus_quality"].iloc[:5] > 0.9).all()
    assert back["consensus_quality"].iloc[5] < 0.5
    assert not list(tmp_path.glob("*.partial"))


def test_annotator_label_columns_follow_the_ledger(workspace: Path, tmp_path: Path) -> None:
    _imported(workspace, tmp_path)
    out = tmp_path / "with-labels.parquet"
    result = run_cli(["annotate", "export", "--out", out, "--annotator-labels", "--no-model", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("annotators only (--no-model)")
    back = pd.read_parquet(out)
    assert [c for c in back.columns if c.startswith("label_")] == ["label_s1", "label_s2", "label_s3"]
    for row in ROWS:
        got = back.loc[back["id"] == row["rid"], ["label_s1", "label_s2", "label_s3"]].iloc[0].tolist()
        assert got == [row["s1"], row["s2"], row["s3"]]


def test_export_errors_are_one_line_and_write_nothing(workspace: Path, tmp_path: Path) -> None:
    _imported(workspace, tmp_path)
    assert_one_line_error(run_cli(["annotate", "export", "nope", "--out", tmp_path / "x.csv", "-w", workspace]),
                          "no annotation dataset 'nope'", "planted")
    assert_one_line_error(run_cli(["annotate", "export", "--out", tmp_path / "x.txt", "-w", workspace]),
                          "unknown extension '.txt'", ".csv, .parquet, .jsonl")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert_one_line_error(run_cli(["annotate", "export", "--out", blocker / "x.csv", "-w", workspace]),
                          f"error: {blocker / 'x.csv'}: {blocker} is a file, not a folder; choose another path "
                          "(nothing was written)")
    assert_one_line_error(run_cli(["annotate", "export", "--out", tmp_path / "x.csv", "-w", tmp_path / "empty"]),
                          "no annotation dataset")
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.txt").exists()


def test_a_model_joins_when_every_class_has_enough_items(workspace: Path, tmp_path: Path) -> None:
    good = ["정말 좋아요 최고", "좋아요 추천해요", "최고의 선택 좋아요", "아주 좋아요", "좋아요 또 올게요",
            "최고 좋아요 만족"]
    bad = ["너무 별로 싫어요", "별로예요 싫어요", "다시는 안 가요 별로", "싫어요 최악", "별로 실망 싫어요",
           "최악 별로예요"]
    rows: list[dict[str, str | None]] = [
        {"rid": f"g{i}", "text": t, "s1": "pos", "s2": "pos", "s3": "pos"} for i, t in enumerate(good)]
    rows += [{"rid": f"b{i}", "text": t, "s1": "neg", "s2": "neg", "s3": "neg"} for i, t in enumerate(bad)]
    rows.append({"rid": "lone", "text": "좋아요 최고 추천", "s1": "neg", "s2": None, "s3": None})
    _imported(workspace, tmp_path, rows)
    view = load_view(Workspace(workspace), "planted")
    codes, classes = label_codes(annotation_labels(view))
    assert model_refusal(codes, len(classes)) is None
    exported = export_annotations(view)
    assert exported.how.startswith("annotators and a model (") and exported.how.endswith("; CROWDLAB)")
    assert exported.found is not None and exported.found.result.method == "crowdlab"
    table = exported.table.set_index("id")
    assert (table.loc[[f"g{i}" for i in range(6)], "consensus_label"] == "pos").all()
    assert (table.loc[[f"b{i}" for i in range(6)], "consensus_label"] == "neg").all()
    without = export_annotations(view, model=False)
    assert without.found is not None and without.found.result.method == "weighted_vote"
    assert without.how == "annotators only (--no-model)"


def test_too_few_items_per_class_fall_back_with_the_reason(workspace: Path, tmp_path: Path) -> None:
    _imported(workspace, tmp_path)
    view = load_view(Workspace(workspace), "planted")
    codes, classes = label_codes(annotation_labels(view))
    assert model_refusal(codes, len(classes)) == (
        f"only 0 class(es) win the majority vote of {MIN_ITEMS_PER_CLASS} or more items; a model needs two, "
        "so the annotators alone decide")
    exported = export_annotations(view)
    assert exported.found is not None and exported.found.result.method == "weighted_vote"
    assert exported.how.startswith("annotators only: only 0 class(es)")


def test_a_dataset_without_labels_exports_empty_consensus(workspace: Path, tmp_path: Path) -> None:
    _imported(workspace, tmp_path, [dict(ROWS[6]), {**ROWS[6], "rid": "r7"}], "--labels", "pos,neg")
    exported = export_annotations(load_view(Workspace(workspace), "planted"), annotator_labels=True)
    assert exported.found is None and exported.how == "no labels yet, so no consensus"
    assert exported.table["consensus_label"].isna().all() and exported.table["n_labels"].tolist() == [0, 0]
    assert exported.summary_line().startswith("2 items: 0 with a consensus label, 0 weak")


@pytest.mark.slow
@pytest.mark.skipif(not KLUE.exists(), reason="../shared/data/klue-nli is not present")
def test_klue_nli_consensus_equals_gold_where_it_is_a_strict_majority(workspace: Path, tmp_path: Path) -> None:
    result = run_cli(["annotate", "import", KLUE, "--text", "premise", "--text", "hypothesis", "--id", "guid",
                      "--per-item", "5", "-w", workspace])
    assert result.exit_code == 0, result.output
    out = tmp_path / "klue.parquet"
    result = run_cli(["annotate", "export", "--out", out, "--annotator-labels", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "annotators and a model" in result.stdout
    gold = pd.DataFrame(json.loads(KLUE.read_text(encoding="utf-8")))[["guid", "gold_label"]]
    table = pd.read_parquet(out).merge(gold, left_on="id", right_on="guid", validate="one_to_one")
    slots = [c for c in table.columns if c.startswith("label_")]
    assert len(table) == 3000 and len(slots) == 5

    def strict_majority(row: pd.Series) -> bool:
        counts = collections.Counter(v for v in row[slots] if v is not None)
        top, n = counts.most_common(1)[0]
        return bool(top == row["gold_label"] and 2 * n > sum(counts.values()))

    strict = table.apply(strict_majority, axis=1)
    same = table["consensus_label"] == table["gold_label"]
    assert same[strict].all()
    # measured: all 3,000 dev items have gold_label as a strict majority, so nothing is left to differ
    assert int(strict.sum()) == 3000 and int((~same[~strict]).sum()) == 0


def test_input_columns_named_like_outputs_are_renamed(workspace: Path, tmp_path: Path) -> None:
    rows = [{"rid": "a", "id": "x", "n_labels": "7", "s1": "pos", "s2": None, "s3": None},
            {"rid": "b", "id": "y", "n_labels": "8", "s1": "neg", "s2": None, "s3": None}]
    source = tmp_path / "clash.json"
    source.write_text(json.dumps(rows), encoding="utf-8")
    result = run_cli(["annotate", "import", source, "--text", "id", "--text", "n_labels", "--id", "rid",
                      "--annotators", "s1,s2,s3", "-w", workspace])
    assert result.exit_code == 0, result.output
    table = export_annotations(load_view(Workspace(workspace), "clash"), annotator_labels=True).table
    assert list(table.columns) == ["id", "input_id", "input_n_labels", "consensus_label", "consensus_quality",
                                   "weak_consensus", "n_labels", "label_s1"]
    assert table[["id", "input_id", "consensus_label", "n_labels"]].values.tolist() == [
        ["a", "x", "pos", 1], ["b", "y", "neg", 1]]


def test_log_lists_an_annotation_projects_labels(workspace: Path, tmp_path: Path) -> None:
    # A user trial: after `annotate import`, `curate log` said the workspace had no dataset, though its
    # ledger held every imported label.
    _imported(workspace, tmp_path)
    for args in ([], ["--dataset", "planted"]):
        shown = run_cli(["log", "-w", workspace, *args])
        assert shown.exit_code == 0, shown.output
        lines = shown.stdout.splitlines()
        labels = sum(1 for row in ROWS for slot in ("s1", "s2", "s3") if row[slot] is not None)
        assert lines[0].split("\t")[:5] == ["version", "time", "reviewer", "action", "row"]
        assert len(lines) == 1 + labels and all(line.split("\t")[3] == "annotate" for line in lines[1:])
        assert lines[1].split("\t")[2] == "s1" and lines[1].split("\t")[4] == "r0"
    assert_one_line_error(run_cli(["log", "-w", workspace, "--dataset", "other"]), "no dataset 'other'")
