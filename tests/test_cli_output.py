"""What the CLI and the API say while they work: notes first, every stage named, lines whole."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import curate
from curate.cli.main import main
from curate.core.progress import PlainProgress, RichProgress
from curate.detectors import available_detectors

from .conftest import make_text_frame, run_cli

NOTES = [
    "encoding: utf-8 (detected; override with --encoding)",
    "label column: 'label' (detected; override with --label)",
    "text column: 'text' (detected; override with --text)",
]
STAGE_DONE = re.compile(r"[a-z ]+: \d+/\d+ in \d+\.\d s")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    make_text_frame().drop(columns="id").to_csv(path, index=False)
    return path


def test_the_cli_names_the_detected_columns_before_the_first_stage(data: Path, tmp_path: Path) -> None:
    result = run_cli(["audit", data, "-w", tmp_path / "ws", "--no-embed"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:3] == NOTES
    first_stage = next(i for i, line in enumerate(lines) if STAGE_DONE.fullmatch(line))
    assert first_stage > 2
    assert [line for line in lines if line in NOTES] == NOTES  # said once, not again at the end


def test_the_api_names_the_detected_columns_before_the_first_stage(data: Path) -> None:
    out = io.StringIO()
    curate.audit(data, embedder="hashed", progress=PlainProgress(out))
    lines = out.getvalue().splitlines()
    assert lines[:3] == NOTES
    assert STAGE_DONE.fullmatch(lines[-1])


def test_the_checks_are_a_progress_stage(data: Path, tmp_path: Path) -> None:
    n = len(available_detectors())
    result = run_cli(["audit", data, "-w", tmp_path / "ws", "--no-embed"])
    assert result.exit_code == 0, result.output
    done = [line.split(":")[0] for line in result.stderr.splitlines() if STAGE_DONE.fullmatch(line)]
    assert done[-1] == "checks"
    assert re.search(rf"^checks: {n}/{n} in \d+\.\d s$", result.stderr, flags=re.MULTILINE)


def test_a_long_check_gets_the_periodic_line(data: Path) -> None:
    n = len(available_detectors())
    out = io.StringIO()
    curate.audit(data, embedder="hashed", progress=PlainProgress(out, interval=0.0))
    lines = out.getvalue().splitlines()
    running = [line for line in lines if line.startswith("checks: ") and "so far" in line]
    assert [line.split(" (")[0] for line in running] == [f"checks: {i}/{n}" for i in range(1, n)]


def test_bars_of_a_stage_inside_the_checks_join_the_checks_display() -> None:
    reporter = RichProgress()
    reporter.console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with reporter.task("checks", 2) as outer:
        with reporter.task("embedding", 3) as inner:
            inner(3)
        outer(1)
        with reporter.task("neighbour search", 1) as inner:
            inner(1)
        outer(1)
    shown = reporter.console.file.getvalue()
    assert all(name in shown for name in ("checks", "embedding", "neighbour search"))


def test_the_summary_lines_are_whole_when_piped(data: Path, tmp_path: Path) -> None:
    # COLUMNS is what rich falls back on off a terminal; 40 would fold every line.
    result = CliRunner().invoke(
        main, ["audit", str(data), "-w", str(tmp_path / "ws"), "--no-embed"], env={"COLUMNS": "40"}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    facts = [line for line in lines if line.startswith("rows with any issue:")]
    assert len(facts) == 1
    assert re.fullmatch(
        r"rows with any issue: \d+ · out-of-fold accuracy: classifier \d\.\d{3}, label evidence \d\.\d{3} "
        r"\(5 folds\) · time: \d+\.\d s", facts[0]
    )
    conflicting = [line for line in lines if "conflicting_labels" in line]
    assert len(conflicting) == 1 and "copies of this input carry different labels" in conflicting[0]
    assert lines[-1] == f"report: {tmp_path / 'ws' / 'reports' / 'run-1.html'}"


def test_a_reader_that_stops_reading_ends_a_command_quietly() -> None:
    """`curate runs | head -1`: the closed pipe is no error, and nothing is printed about it."""
    import subprocess
    import sys

    script = ("from curate.cli.errors import errors_as_messages\n"
              "@errors_as_messages()\n"
              "def command():\n"
              "    for i in range(200000):\n"
              "        print('run', i)\n"
              "command()\n")
    done = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" -c "$1" | head -1', sys.executable, script],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "run 0\n", "")


def test_control_characters_from_the_data_are_shown_as_escapes_on_a_terminal() -> None:
    from curate.cli.main import terminal_safe

    assert terminal_safe("id\tinput\nr1\t\x1b[31mred\x1b[0m bell\x07 \u0085\r\n") == (
        "id\tinput\nr1\t\\x1b[31mred\\x1b[0m bell\\x07 \\x85\\r\n")
    assert terminal_safe("정상 텍스트\n") == "정상 텍스트\n"
