"""Run warnings where people see them: the audit result, the stored run, the HTML report, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import curate
from curate.core.warnings import AuditWarning
from curate.store import Workspace

from .conftest import make_tabular_frame, run_cli

# A column name that is also markup: it must reach every page as text, never as HTML.
HOSTILE = "<img src=x onerror=alert(1)>"


def leaked_frame() -> pd.DataFrame:
    """The two-cluster table with a copy of the label under a hostile column name."""
    frame = make_tabular_frame(40)
    frame[HOSTILE] = frame["label"]
    return frame


def test_a_withheld_issue_keeps_its_scores_and_says_why(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    result = curate.audit(leaked_frame(), label="label", workspace=workspace)
    assert [w.code for w in result.warnings] == ["leaked_label_column"]
    label = result.scores[result.scores["issue"] == "label"]
    assert len(label) == 80 and not label["flagged"].any() and label["score"].between(0, 1).all()
    assert result.notes["label"]["withheld"] == ["leaked_label_column"]
    assert result.notes["label"]["withheld_flags"] == 0  # the model agreed with every label: nothing to take back
    # the run stores the warnings and the withheld notes; the stored findings carry no withheld flag
    run = Workspace(workspace).run(result.run_id)
    assert [AuditWarning.from_dict(w) for w in run.metrics["warnings"]] == result.warnings
    assert run.notes["ambiguous"]["withheld"] == ["leaked_label_column"]
    stored = Workspace(workspace).findings(result.run_id, flagged_only=True)
    assert not stored["issue"].isin(["label", "ambiguous"]).any()


def test_the_report_shows_the_warning_escaped_near_the_top() -> None:
    html = curate.audit(leaked_frame(), label="label").to_html()
    assert HOSTILE not in html and "<img src=x" not in html
    assert "input column &#39;&lt;img src=x onerror=alert(1)&gt;&#39; (1.000) predicts the label" in html
    assert html.index('id="warnings"') < html.index('id="health"')
    assert '<li data-code="leaked_label_column"><strong>leaked_label_column</strong>' in html
    assert "flags withheld: label, ambiguous" in html
    assert '<td class="num">0 <span class="withheld">(withheld)</span></td>' in html
    assert "<th>warnings</th>" not in html  # not dumped again among the run's metrics
    assert '<p class="withheld">Flags withheld (0): see the warnings at the top' in html


def test_the_cli_report_of_a_stored_run_shows_the_warning(tmp_path: Path) -> None:
    data = tmp_path / "leaky.csv"
    leaked_frame().to_csv(data, index=False)
    workspace = tmp_path / "ws"
    audit = run_cli(["audit", data, "--label", "label", "-w", workspace])
    assert audit.exit_code == 0, audit.output
    out = " ".join(audit.stdout.split())
    assert "warning: [leaked_label_column] input column '<img src=x onerror=alert(1)>' (1.000) predicts" in out
    assert "[withheld: label, ambiguous]" in out and "│ label │ 0 (withheld) │" in out
    report = run_cli(["report", "-o", tmp_path / "again.html", "-w", workspace])
    assert report.exit_code == 0, report.output
    html = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    runs = run_cli(["runs", "--verbose", "-w", workspace])
    assert "warning: [leaked_label_column]" in runs.stdout


def test_a_run_without_warnings_stores_an_empty_list(tmp_path: Path) -> None:
    result = curate.audit(make_tabular_frame(), label="label", workspace=tmp_path / "ws")
    assert result.warnings == [] and result.metrics["warnings"] == []
    assert all("withheld" not in n for n in result.notes.values())
    assert 'id="warnings"' not in result.to_html()
    assert json.dumps(result.metrics["warnings"]) == "[]"
