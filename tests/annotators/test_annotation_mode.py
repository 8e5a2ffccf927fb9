"""Annotation mode's store and import: accounts, settings history, annotate entries, wide/long/nested files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from curate.annotators.queue import annotation_order, open_items
from curate.annotators.tasks import annotation_labels, annotation_summary, labels_of_item, load_view, next_item
from curate.errors import ConflictError, InputError, NotFoundError
from curate.ledger import replay
from curate.review.accounts import authenticate, create_account
from curate.store import Workspace
from curate.store.accounts import list_accounts, set_disabled
from curate.store.annotations import append_annotation, append_settings, items_of, settings_history
from curate.store.decisions import read_decisions

from ..conftest import assert_one_line_error, run_cli, snapshot

KLUE = Path(__file__).resolve().parents[3] / "shared" / "data" / "klue-nli" / "dev.json"
# A KLUE-like wide file: Korean premise/hypothesis pairs, slot columns author, label2, label3; the last row unlabelled.
WIDE = [
    {"guid": "g0", "premise": "흡연은 발코니에서 가능합니다.", "hypothesis": "흡연은 금지됩니다.",
     "author": "contradiction", "label2": "contradiction", "label3": "neutral"},
    {"guid": "g1", "premise": "방이 넓고 깨끗했다.", "hypothesis": "방이 깨끗했다.",
     "author": "entailment", "label2": "entailment", "label3": "entailment"},
    {"guid": "g2", "premise": "<script>alert(1)</script> 조식이 맛있다", "hypothesis": "조식이 있다.",
     "author": "entailment", "label2": None, "label3": "neutral"},
    {"guid": "g3", "premise": "아직 아무도 안 본 문장", "hypothesis": "라벨 없음",
     "author": None, "label2": None, "label3": None},
]
CLASSES = ["contradiction", "entailment", "neutral"]


@pytest.fixture
def wide_json(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(WIDE, ensure_ascii=False), encoding="utf-8")
    return path


def _import(ws: Path, path: Path, *extra: str) -> None:
    result = run_cli(["annotate", "import", path, "--text", "premise", "--text", "hypothesis", "-w", ws, *extra])
    assert result.exit_code == 0, result.output


def test_accounts_store_only_argon2_hashes_that_verify(workspace: Path) -> None:
    ws = Workspace(workspace)
    ana = create_account(ws, "ana", "annotator", "correct horse battery")
    create_account(ws, "boss", "admin", "staple-staple-9")
    assert (ana.name, ana.role, ana.disabled) == ("ana", "annotator", False)
    assert ana.password_hash.startswith("$argon2id$") and "correct horse" not in repr(ana)
    assert authenticate(ws, "ana", "correct horse battery") == ana
    assert authenticate(ws, "ana", "wrong password") is None
    assert authenticate(ws, "nobody", "correct horse battery") is None
    con = sqlite3.connect(ws.db_path)
    stored = con.execute("SELECT name, role, password_hash, disabled FROM accounts").fetchall()
    con.close()
    assert [(n, r, d) for n, r, _, d in stored] == [("ana", "annotator", 0), ("boss", "admin", 0)]
    assert all(h.startswith("$argon2id$") for _, _, h, _ in stored)
    assert b"correct horse" not in ws.db_path.read_bytes()
    with pytest.raises(InputError, match="exists already"):
        create_account(ws, "ana", "admin", "another-password")
    with pytest.raises(InputError, match="at least 8"):
        create_account(ws, "bo", "annotator", "short")
    with pytest.raises(InputError, match="admin or annotator"):
        create_account(ws, "bo", "owner", "long enough pw")
    assert set_disabled(ws, "ana").disabled
    assert authenticate(ws, "ana", "correct horse battery") is None  # disabled: refused like a wrong password
    assert [(a.name, a.disabled) for a in list_accounts(ws)] == [("ana", True), ("boss", False)]
    with pytest.raises(NotFoundError, match="no account named 'zed'"):
        set_disabled(ws, "zed")


def test_wide_import_round_trip(workspace: Path, wide_json: Path) -> None:
    _import(workspace, wide_json, "--id", "guid", "--per-item", "4")
    ws = Workspace(workspace)
    items = items_of(ws, "pairs")
    assert items["row_id"].tolist() == ["g0", "g1", "g2", "g3"]
    assert json.loads(items["fields"][0]) == {"premise": WIDE[0]["premise"], "hypothesis": WIDE[0]["hypothesis"]}
    entries = read_decisions(ws, "pairs")
    assert [(e.row_id, e.reviewer, e.new_value) for e in entries] == [
        ("g0", "author", "contradiction"), ("g0", "label2", "contradiction"), ("g0", "label3", "neutral"),
        ("g1", "author", "entailment"), ("g1", "label2", "entailment"), ("g1", "label3", "entailment"),
        ("g2", "author", "entailment"), ("g2", "label3", "neutral")]
    assert {(e.action, e.field, e.reason) for e in entries} == {("annotate", "label", "imported from pairs.json")}
    [settings] = settings_history(ws, "pairs")
    assert (settings.per_item, settings.classes, settings.guidelines) == (4, CLASSES, "")
    view = load_view(ws, "pairs")
    table = annotation_labels(view)
    assert table.loc["g3"].isna().all() and table.loc["g2", "label3"] == "neutral"
    # an annotate entry never becomes the dataset's label when the ledger is replayed
    states = replay({"g0": "entailment"}, entries)
    assert (states["g0"].label, states["g0"].history, states["g0"].decided_hash) == ("entailment", [], None)


def test_settings_are_appended_with_history(workspace: Path, wide_json: Path, tmp_path: Path) -> None:
    _import(workspace, wide_json, "--id", "guid")
    ws = Workspace(workspace)
    append_settings(ws, "pairs", guidelines="# Rules\n<b>not html</b>", changed_by="boss")
    append_settings(ws, "pairs", per_item=5, changed_by="cy")
    history = settings_history(ws, "pairs")
    assert [(s.per_item, s.guidelines, s.changed_by) for s in history] == [
        (3, "", "import"), (3, "# Rules\n<b>not html</b>", "boss"), (5, "# Rules\n<b>not html</b>", "cy")]
    con = sqlite3.connect(ws.db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never updated"):
            con.execute("UPDATE annotation_settings SET per_item = 9")
    finally:
        con.close()
    with pytest.raises(InputError, match="between 1 and 100"):
        append_settings(ws, "pairs", per_item=0, changed_by="boss")
    guide = tmp_path / "guide.md"
    guide.write_text("항상 가설을 먼저 읽으세요", encoding="utf-8")
    result = run_cli(["annotate", "settings", "--per-item", "2", "--guidelines", guide, "--by", "boss",
                      "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "pairs: 2 annotators per item" in result.stdout and "4 version(s)" in result.stdout
    assert settings_history(ws, "pairs")[-1].guidelines == "항상 가설을 먼저 읽으세요"


def test_queue_limits_and_blindness(workspace: Path, wide_json: Path) -> None:
    _import(workspace, wide_json, "--id", "guid", "--per-item", "3")
    ws = Workspace(workspace)
    view = load_view(ws, "pairs")
    task = next_item(view, "ana")
    # g0, g1 have 3 labels (full); g2 has 2; g3 none: fewest labels first
    assert (task["item"]["row_id"], task["remaining"], task["done"]) == ("g3", 2, 0)
    assert "others" not in task and "author" not in json.dumps(task, ensure_ascii=False)
    # an item ranked first for the annotators' disagreement is not announced as such: that would not be blind
    ranked = next_item(view, "ana", ranking=[2], reasons={2: "disagreement"})
    assert (ranked["item"]["row_id"], ranked["reason"]) == ("g2", "more_labels")
    assert "disagree" not in ranked["why"]
    with pytest.raises(PermissionError, match="blind"):
        labels_of_item(view, "g2", "ana")
    append_annotation(ws, "pairs", row_id="g2", annotator="ana", action="annotate", label="neutral")
    seen = labels_of_item(load_view(ws, "pairs"), "g2", "ana")
    assert seen["mine"] == "neutral" and seen["others"] == [
        {"annotator": "author", "label": "entailment"}, {"annotator": "label3", "label": "neutral"}]
    with pytest.raises(ConflictError, match="already"):
        append_annotation(ws, "pairs", row_id="g2", annotator="ana", action="annotate", label="neutral")
    with pytest.raises(ConflictError, match="has its 3 labels"):
        append_annotation(ws, "pairs", row_id="g2", annotator="bo", action="annotate", label="neutral")
    with pytest.raises(InputError, match="not one of the classes"):
        append_annotation(ws, "pairs", row_id="g3", annotator="bo", action="annotate", label="maybe")
    append_annotation(ws, "pairs", row_id="g3", annotator="ana", action="skip")
    assert next_item(load_view(ws, "pairs"), "ana")["item"] is None
    assert next_item(load_view(ws, "pairs"), "bo")["item"]["row_id"] == "g3"
    summary = annotation_summary(load_view(ws, "pairs"))
    assert (summary["items"], summary["complete"], summary["labelled"], summary["labels"], summary["skips"]) == (
        4, 3, 3, 9, 1)
    assert summary["annotators"]["ana"] == {"labels": 1, "skips": 1}
    assert summary["agreement"]["items"] == 4 and summary["agreement"]["ratings"] == 9


def test_the_ordering_seam() -> None:
    counts = pd.Series([2, 0, 1, 0]).to_numpy()
    mine = pd.Series([False, False, False, True]).to_numpy()
    open_now = open_items(counts, mine, per_item=2)
    assert open_now.tolist() == [1, 2]
    assert annotation_order(open_now, counts).tolist() == [1, 2]
    assert annotation_order(pd.Series([0, 1, 2, 3]).to_numpy(), pd.Series([1, 0, 1, 0]).to_numpy()).tolist() == [
        1, 3, 0, 2]


def test_long_and_nested_layouts(workspace: Path, tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    pd.DataFrame({"item": ["a", "a", "b", "b", "c", "a"],
                  "text": ["좋아요", "좋아요", "별로", "별로", "그냥", "좋아요"],
                  "who": ["kim", "lee", "kim", "lee", "kim", "kim"],
                  "label": ["pos", "pos", "neg", "pos", None, "neg"]}).to_csv(long, index=False)
    result = run_cli(["annotate", "import", long, "--text", "text", "--item", "item", "--annotator", "who",
                      "--label", "label", "--labels", "pos,neg", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "3 items (2 labelled), 4 labels from kim, lee" in result.stdout
    ws = Workspace(workspace)
    assert [(e.row_id, e.reviewer, e.new_value) for e in read_decisions(ws, "long")] == [
        ("a", "kim", "neg"), ("a", "lee", "pos"), ("b", "kim", "neg"), ("b", "lee", "pos")]
    assert settings_history(ws, "long")[0].classes == ["pos", "neg"]

    nested = tmp_path / "nested.jsonl"
    nested.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"text": "하나", "labels": ["x", "y", "x"]}, {"text": "둘", "labels": []}, {"text": "셋", "labels": ["y"]}]),
        encoding="utf-8")
    result = run_cli(["annotate", "import", nested, "--text", "text", "--annotators", "labels", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert [(e.row_id, e.reviewer, e.new_value) for e in read_decisions(ws, "nested")] == [
        ("0", "labels#1", "x"), ("0", "labels#2", "y"), ("0", "labels#3", "x"), ("2", "labels#1", "y")]


def test_importing_the_same_file_again_is_a_no_op_and_another_is_refused(workspace: Path, tmp_path: Path) -> None:
    # A user trial: the same file imported twice was refused ("pass another --name") where the README
    # says importing twice is a no-op, as it is for an audited file.
    votes = tmp_path / "votes.csv"
    pd.DataFrame({"id": ["a", "b"], "text": ["좋아요", "별로"], "r1": ["pos", "neg"], "r2": ["pos", None]}).to_csv(
        votes, index=False)
    command = ["annotate", "import", votes, "--text", "text", "--id", "id", "--annotators", "r1,r2", "-w", workspace]
    assert run_cli(command).exit_code == 0
    ws = Workspace(workspace)
    append_annotation(ws, "votes", row_id="b", annotator="ana", action="annotate", label="neg")  # given since
    before = snapshot(workspace)
    again = run_cli(command)
    assert again.exit_code == 0, again.output
    assert again.stdout == f"{votes} is imported already as votes (2 items, 3 labels): nothing to do\n"
    assert snapshot(workspace) == before
    other_k = run_cli([*command, "--per-item", "5"])  # the same file with another K: said, not applied
    assert other_k.exit_code == 0 and other_k.stderr == (
        "note: --per-item 5 was not applied (3 stays); change it with "
        "'curate annotate settings --name votes --per-item 5'\n")
    assert snapshot(workspace) == before
    pd.DataFrame({"id": ["a", "b"], "text": ["좋아요", "별로"], "r1": ["pos", "pos"], "r2": ["pos", None]}).to_csv(
        votes, index=False)
    changed = run_cli(command)
    assert_one_line_error(changed, "dataset 'votes' already, with other items or labels", "--name")
    assert snapshot(workspace) == before


def test_unlabelled_items_only(workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "fresh.csv"
    pd.DataFrame({"text": ["one", "two"]}).to_csv(path, index=False)
    failed = run_cli(["annotate", "import", path, "--text", "text", "-w", workspace])
    assert_one_line_error(failed, "fresh.csv", "--labels")
    result = run_cli(["annotate", "import", path, "--text", "text", "--labels", "a,b", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "2 items (0 labelled), no labels yet; classes a, b" in result.stdout


@pytest.mark.parametrize(("rows", "extra", "keywords"), [
    ([{"text": "a", "r1": "x", "r2": "z"}, {"text": "b", "r1": "x", "r2": "q"}], ["--labels", "x,z"],
     ["bad.csv", "line 3", "'r2'", "'q'", "--labels"]),
    ([{"text": "a", "r1": "x", "r2": "x"}, {"text": None, "r1": "x", "r2": "x"}], [],
     ["bad.csv", "line 3", "'text'", "no text"]),
    ([{"text": "a", "r1": "[x", "r2": "x"}], [], ["bad.csv", "line 2", "'r1'", "JSON list"]),
    ([{"text": "a", "r1": "x", "r2": "x"}], ["--annotators", "r1,zz"], ["bad.csv", "no column 'zz'"]),
    ([{"id": 1, "text": "a", "r1": "x", "r2": "x"}, {"id": 2, "text": "b", "r1": "x", "r2": "x"},
      {"id": 1, "text": "c", "r1": "x", "r2": "x"}], ["--id", "id"],
     ["bad.csv", "line 4, column 'id': the id '1' repeats that of line 2"]),
])
def test_bad_input_leaves_the_workspace_as_it_was(workspace: Path, wide_json: Path, tmp_path: Path,
                                                  rows: list[dict], extra: list[str], keywords: list[str]) -> None:
    _import(workspace, wide_json, "--id", "guid")
    before = snapshot(workspace)
    bad = tmp_path / "bad.csv"
    pd.DataFrame(rows).to_csv(bad, index=False)
    result = run_cli(["annotate", "import", bad, "--text", "text", "--annotators", "r1,r2", "-w", workspace, *extra]
                     if "--annotators" not in extra else
                     ["annotate", "import", bad, "--text", "text", "-w", workspace, *extra])
    assert_one_line_error(result, *keywords)
    assert snapshot(workspace) == before


def test_a_failed_first_import_leaves_no_workspace(workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["a", "b"], "id": ["1", "1"], "r1": ["x", "y"], "r2": ["x", "y"]}).to_csv(bad, index=False)
    result = run_cli(["annotate", "import", bad, "--text", "text", "--id", "id", "-w", workspace])
    assert_one_line_error(result, "bad.csv", "'id'", "repeats")
    assert not workspace.exists()


@pytest.mark.slow
@pytest.mark.skipif(not KLUE.exists(), reason="../shared/data/klue-nli is not present")
def test_klue_nli_dev_imports(workspace: Path) -> None:
    result = run_cli(["annotate", "import", KLUE, "--text", "premise", "--text", "hypothesis", "--id", "guid",
                      "--per-item", "6", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "3,000 items (3,000 labelled), 15,000 labels from author, label2, label3, label4, label5" in result.stdout
    ws = Workspace(workspace)
    entries = read_decisions(ws, "dev")
    assert len(entries) == 15_000 and {e.action for e in entries} == {"annotate"}
    records = json.loads(KLUE.read_text(encoding="utf-8"))
    assert [(e.reviewer, e.new_value) for e in entries[:5]] == [(s, records[0][s]) for s in
                                                                ("author", "label2", "label3", "label4", "label5")]
    view = load_view(ws, "dev")
    summary = annotation_summary(view)
    # the same figures as 'curate agreement' on the file
    found = json.loads(run_cli(["agreement", KLUE, "--format", "json"]).stdout)
    assert summary["agreement"]["fleiss_kappa"] == found["fleiss_kappa"]
    assert summary["agreement"]["krippendorff_alpha"] == found["krippendorff_alpha"]
    assert next_item(view, "ana")["item"]["row_id"] == records[0]["guid"]  # all at 5 labels: position order


def test_accounts_cli(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("file-password-1\n", encoding="utf-8")
    added = run_cli(["annotate", "user", "add", "mina", "--role", "admin", "--password-file", secret, "-w", workspace])
    assert (added.exit_code, added.stdout) == (0, "added admin 'mina'\n")
    monkeypatch.setenv("CURATE_ANNOTATE_PASSWORD", "env-password-12")
    added = run_cli(["annotate", "user", "add", "jun", "-w", workspace])
    assert (added.exit_code, added.stdout) == (0, "added annotator 'jun'\n")
    ws = Workspace(workspace)
    assert authenticate(ws, "mina", "file-password-1") is not None
    assert authenticate(ws, "jun", "env-password-12") is not None
    listed = run_cli(["annotate", "user", "list", "-w", workspace])
    assert [line.split("\t")[:3] for line in listed.stdout.splitlines()] == [
        ["mina", "admin", "active"], ["jun", "annotator", "active"]]
    assert "password" not in listed.stdout and "argon2" not in listed.stdout
    assert run_cli(["annotate", "user", "disable", "jun", "-w", workspace]).stdout == "'jun' is disabled\n"
    assert authenticate(ws, "jun", "env-password-12") is None
    assert_one_line_error(run_cli(["annotate", "user", "add", "jun", "-w", workspace]), "'jun'", "exists already")
    assert_one_line_error(run_cli(["annotate", "user", "disable", "zed", "-w", workspace]), "no account named 'zed'")
    monkeypatch.setenv("CURATE_ANNOTATE_PASSWORD", "short")
    assert_one_line_error(run_cli(["annotate", "user", "add", "kim", "-w", workspace]), "at least 8")


def test_serve_refuses_other_hosts_without_a_token_and_missing_datasets(workspace: Path, wide_json: Path) -> None:
    assert_one_line_error(run_cli(["annotate", "serve", "--host", "0.0.0.0", "-w", workspace]), "--token")
    assert_one_line_error(run_cli(["annotate", "serve", "-w", workspace]), "no annotation dataset",
                          "curate annotate import")
    _import(workspace, wide_json, "--id", "guid")
    assert_one_line_error(run_cli(["annotate", "serve", "--name", "other", "-w", workspace]),
                          "no annotation dataset 'other'", "pairs")
