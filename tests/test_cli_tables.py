"""``curate runs`` and ``curate log`` print whole values when their output is not a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from rich.console import Console

import curate
from curate.cli.present import print_table
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.store import Workspace

from .conftest import run_cli

LONG_NAME = "customer-support-tickets-" + "x" * 90 + "-final"  # 121 characters
LONG_ID = "ticket/2026/11/" + "0123456789" * 9  # 105 characters
LONG_REVIEWER = "Ana Lucia Fernandez-Ortega (support quality team, night shift, second pass over the backlog)"


def _audited(tmp_path: Path) -> tuple[Workspace, curate.AuditResult]:
    texts = [f"{topic} story {i} about the {topic} desk" for i in range(12) for topic in ("sport", "tech")]
    frame = pd.DataFrame({"id": [LONG_ID if i == 0 else f"t{i}" for i in range(24)], "text": texts,
                          "label": [t.split()[0] for t in texts]})
    ws = Workspace(tmp_path / "ws")
    result = curate.audit(frame, label="label", text="text", id="id", workspace=ws, name=LONG_NAME,
                          embedder=HashedTextEmbedder(), detectors=["exact_duplicate"])
    return ws, result


def test_runs_piped_are_tab_separated_lines_with_whole_values(tmp_path: Path) -> None:
    ws, _ = _audited(tmp_path)
    out = run_cli(["runs", "-w", ws.path])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split("\t") == ["run", "dataset", "version", "finished", "rows", "flagged", "oof acc.", "time",
                                    "CPU", "peak memory", "features", "classifier"]
    assert len(lines) == 2
    cells = lines[1].split("\t")
    assert cells[:3] == ["1", LONG_NAME, "1"] and cells[4:7] == ["24", "0", "-"]
    # exact copies need no features, so the run made none
    assert cells[8].endswith(" s") and cells[9].endswith(" MiB") and cells[10:] == ["-", "-"]
    assert max(len(line) for line in lines) > 80  # nothing folded to the 80 columns of a pipe


def test_log_piped_keeps_long_ids_and_names_whole(tmp_path: Path) -> None:
    ws, result = _audited(tmp_path)
    record(ws, result.dataset, row_id=LONG_ID, action="relabel", new_label="tech", reviewer=LONG_REVIEWER,
           issue="label", score=0.0123)
    out = run_cli(["log", "-w", ws.path])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "version\ttime\treviewer\taction\trow\told\tnew\tprompted by"
    cells = lines[1].split("\t")
    assert len(lines) == 2 and len(cells) == 8
    assert [cells[0], *cells[2:]] == ["1", LONG_REVIEWER, "relabel", LONG_ID, "sport", "tech", "label 0.012"]


def test_a_terminal_gets_a_drawn_table_and_cells_stay_on_one_line_when_piped() -> None:
    drawn = io.StringIO()
    print_table(Console(file=drawn, force_terminal=True, width=100), ["a", "b"], [["1", "two"]])
    assert "│ 1 │ two │" in drawn.getvalue()
    piped = io.StringIO()
    print_table(Console(file=piped, width=80), ["a", "b"], [["tab\there", "two\nlines"]])
    assert piped.getvalue() == "a\tb\ntab here\ttwo lines\n"


def test_runs_and_compare_name_the_ledger_entries_a_run_audited(tmp_path: Path) -> None:
    # A user trial: run 3 audited "ledger entries 1..5 applied" (601 rows) and showed version 1 like
    # run 2 (602 rows); `compare 1 2` printed "v1 -> v1", as if both had seen the same data.
    ws, result = _audited(tmp_path)
    record(ws, result.dataset, row_id="t1", action="relabel", new_label="tech", reviewer="ana", issue=None)
    record(ws, result.dataset, row_id="t2", action="remove", reviewer="ana", issue=None)
    texts = [f"{topic} story {i} about the {topic} desk" for i in range(12) for topic in ("sport", "tech")]
    frame = pd.DataFrame({"id": [LONG_ID if i == 0 else f"t{i}" for i in range(24)], "text": texts,
                          "label": [t.split()[0] for t in texts]})
    again = curate.audit(frame, label="label", text="text", id="id", workspace=ws, name=LONG_NAME,
                         embedder=HashedTextEmbedder(), detectors=["exact_duplicate"])
    out = run_cli(["runs", "-w", ws.path])
    assert [line.split("\t")[:3] for line in out.stdout.splitlines()[1:]] == [
        ["1", LONG_NAME, "1"], [str(again.run_id), LONG_NAME, "1+2"]]
    shown = run_cli(["compare", "1", "-w", ws.path])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(f"run 1 ({LONG_NAME} v1, ")
    assert f"-> run {again.run_id} ({LONG_NAME} v1, ledger 1..2, " in shown.stdout
