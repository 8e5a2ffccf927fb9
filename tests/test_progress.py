"""Progress: plain lines as work goes where no bar can be drawn, bars on a terminal, none on request."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import curate
from curate.cli.main import main
from curate.core.progress import PlainProgress, RichProgress, SilentProgress, choose_progress

from .conftest import make_text_frame


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_are_written_as_the_work_goes() -> None:
    out = io.StringIO()
    reporter = PlainProgress(out, interval=0.0)
    with reporter.task("embedding", 30) as advance:
        advance(10)
        assert re.fullmatch(r"embedding: 10/30 \(33 %\), \d+\.\d s so far, about \d+\.\d s left\n", out.getvalue())
        advance(10)
        advance(10)
    reporter.message("text features: hashed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r"embedding: 20/30 \(66 %\), .* left", lines[1])
    assert re.fullmatch(r"embedding: 30/30 in \d+\.\d s", lines[2])
    assert lines[3] == "text features: hashed"


def test_a_task_of_few_unlike_items_forecasts_nothing() -> None:
    """Ten checks, one slow: an average of one would promise minutes for what takes a second."""
    out = io.StringIO()
    with PlainProgress(out, interval=0.0).task("checks", 10) as advance:
        advance(1)
    assert re.fullmatch(r"checks: 1/10 \(10 %\), \d+\.\d s so far\n", out.getvalue().splitlines(keepends=True)[0])


def test_a_running_task_writes_no_more_than_one_line_per_interval() -> None:
    out = io.StringIO()
    with PlainProgress(out, interval=3600.0).task("neighbour search", 10_000) as advance:
        for _ in range(10_000):
            advance(1)
    assert re.fullmatch(r"neighbour search: 10,000/10,000 in \d+\.\d s\n", out.getvalue())


def test_the_reporter_is_chosen_by_where_the_output_goes() -> None:
    assert isinstance(choose_progress(False), SilentProgress)
    mine = PlainProgress(io.StringIO())
    assert choose_progress(mine) is mine
    assert isinstance(choose_progress(None, stream=io.StringIO(), notebook=False), PlainProgress)
    assert isinstance(choose_progress(True, stream=_Terminal(), notebook=False), RichProgress)
    widgets = importlib.util.find_spec("ipywidgets") is not None
    assert isinstance(
        choose_progress(None, stream=io.StringIO(), notebook=True), RichProgress if widgets else PlainProgress
    )


def test_the_api_writes_plain_lines_to_a_captured_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    curate.audit(make_text_frame(), label="label", text="text", embedder="hashed")
    lines = capsys.readouterr().err.splitlines()
    stages = [line.split(":")[0] for line in lines if re.search(r": \d+/\d+ in \d+\.\d s$", line)]
    assert stages == ["embedding", "cross-validation", "neighbour search", "label evidence", "checks"]
    assert "cross-validation: 5/5 in" in "\n".join(lines)
    curate.audit(make_text_frame(), label="label", text="text", embedder="hashed", progress=False)
    assert capsys.readouterr().err == ""


def test_the_cli_writes_plain_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    make_text_frame().to_csv(path, index=False)
    done = CliRunner().invoke(main, ["audit", str(path), "-w", str(tmp_path / "ws"), "--no-embed"])
    assert done.exit_code == 0, done.output
    assert re.search(r"^neighbour search: 60/60 in \d+\.\d s$", done.output, flags=re.MULTILINE)
