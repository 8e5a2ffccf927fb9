"""The HTML report in a real browser (Debian's headless Chromium) with the network cut: every chart draws."""

from __future__ import annotations

from pathlib import Path

import pytest

import curate
from curate.ledger import record
from curate.store import Workspace

from ..slices.test_slices import _table

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report.png"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHARTS = ("#issue-chart svg", "#class-chart svg", "#noise-matrix-chart svg", "#data-map-chart img",
          "#slice-chart svg", "#score-histograms svg")


def _two_runs(tmp_path: Path) -> Path:
    """A table with a bad group, audited, its label flags relabelled, audited again; the second report."""
    data = tmp_path / "groups.csv"
    _table(0, bad=0.30).to_csv(data, index=False)
    workspace = tmp_path / "ws"
    first = curate.audit(data, label="label", workspace=workspace, progress=False, sensitive="group")
    flags = first.findings
    label = flags[(flags["issue"] == "label") & flags["flagged"]].head(40)
    ws = Workspace(workspace)
    for row_id, suggested in zip(label["row_id"].astype(str), label["suggested_label"], strict=True):
        record(ws, first.dataset, row_id=row_id, action="relabel", new_label=suggested, reviewer="ana")
    second = curate.audit(data, label="label", workspace=workspace, progress=False, sensitive="group")
    report = tmp_path / "report.html"
    report.write_text(second.to_html(), encoding="utf-8")
    return report


def test_the_report_draws_every_chart_offline(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = _two_runs(tmp_path)
    asked: list[str] = []

    def only_the_file(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file:"):
            route.continue_()
        else:  # nothing may leave the machine: record and refuse it
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(report.as_uri())
    for selector in CHARTS:
        chart = page.locator(selector)
        assert chart.count() == 1, selector
        box = chart.bounding_box()
        assert box is not None and box["width"] > 150 and box["height"] > 80, (selector, box)
    assert page.evaluate("document.querySelector('#data-map-chart img').naturalWidth") > 300  # the PNG decoded
    assert page.locator("#slice-table").inner_text().count("group = east") == 2
    assert page.locator("#comparison-issues").is_visible() and page.locator("#profile-facts").is_visible()
    assert page.locator("#noise-pairs tr").count() > 1
    assert page.locator("script").count() == 0
    assert asked == []
    height = page.evaluate("document.getElementById('noise-matrix').getBoundingClientRect().bottom + window.scrollY")
    page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1400, "height": min(2600, height + 420)},
                    full_page=True)
