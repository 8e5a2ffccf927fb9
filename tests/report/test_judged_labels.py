"""The report speaks of the label each run judged: reviewers' relabels applied, the source's label beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.report import from_workspace, render
from curate.report.render import shown_label
from curate.store import Workspace
from curate.testing import topic_texts


def _label_check(data: Path | pd.DataFrame, ws: Workspace | None = None) -> curate.AuditResult:
    return curate.audit(
        data,
        label="label",
        text="text",
        workspace=ws,
        embedder=HashedTextEmbedder(),
        detectors=["label"],
        progress=False,
    )


@pytest.fixture()
def reaudited(tmp_path: Path) -> tuple[Workspace, curate.AuditResult]:
    """Row 0's planted error fixed, sport row 3 wrongly relabelled tech, row 35 removed; then re-audited."""
    texts, labels = topic_texts()
    labels[0] = "food"  # planted: row 0 is about sport
    source = tmp_path / "news.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(source, index=False)
    ws = Workspace(tmp_path / "ws")
    first = _label_check(source, ws)
    record(ws, first.dataset, row_id="0", action="relabel", new_label="sport", reviewer="ana")
    record(ws, first.dataset, row_id="3", action="relabel", new_label="tech", reviewer="ana")
    record(ws, first.dataset, row_id="35", action="remove", reviewer="ana")
    again = _label_check(source, ws)
    return ws, again


def test_a_relabelled_row_counts_under_its_new_class_and_shows_both_labels(reaudited: tuple) -> None:
    ws, again = reaudited
    flags = again.findings[["row_id", "given_label", "current_label"]].values.tolist()
    assert flags == [["3", "sport", "tech"]]
    for html in (again.to_html(), render(from_workspace(ws, again.run_id))):
        assert "35 rows · 3 classes" in html  # row 35, removed, was not audited
        # the flag on row 3 counts under tech, the label the run judged, not sport from the file
        assert (
            "<tr><th>issue</th><th>tech</th><th>food</th><th>sport</th></tr>\n\n"
            '<tr><td>label</td><td class="num">1</td><td class="num">0</td><td class="num">0</td></tr>'
        ) in html
        assert (
            '<p class="muted" id="relabelled">Classes are the labels this run judged: 2 row(s) carry a '
            "reviewer's relabel and count under their new class; the worst rows show both labels.</p>"
        ) in html
        assert re.search(
            r'<tr><td>3</td><td class="num">0\.\d{3}</td><td>given sport, now tech</td>\n<td>sport</td>', html
        )


def test_the_stored_report_counts_classes_as_the_run_judged_them(reaudited: tuple) -> None:
    ws, again = reaudited
    data = from_workspace(ws, again.run_id)
    assert data.labels.value_counts().to_dict() == {"food": 12, "tech": 12, "sport": 11}  # row 35 was tech
    assert data.labels.tolist() == pd.Series(again.dataset.labels).tolist()
    assert data.scores.loc[data.scores["row_id"] == "0", ["given_label", "current_label"]].values.tolist() == [
        ["food", "sport"]
    ]


def test_a_report_without_relabels_shows_one_label_and_no_note(tmp_path: Path) -> None:
    texts, labels = topic_texts()
    labels[0] = "food"
    result = _label_check(pd.DataFrame({"text": texts, "label": labels}))
    html = result.to_html()
    assert 'id="relabelled"' not in html
    assert '<tr><td>0</td><td class="num">' in html and "</td><td>food</td>\n<td>sport</td>" in html


def test_shown_label() -> None:
    assert shown_label("food", "food") == "food"
    assert shown_label("food", "sport") == "given food, now sport"
    assert shown_label(1, "1") == "1"
