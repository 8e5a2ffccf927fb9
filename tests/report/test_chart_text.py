"""The words and numbers on the report's charts reach the reader as plain text: no TeX, no missing glyphs."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

import curate
from curate.report import plots

from ..conftest import make_text_frame

_KOREAN = {"food": "긍정", "sport": "부정", "tech": "<b>중립</b>"}


def _texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]*)</text>", svg)


def _figure(html: str, figure_id: str) -> str:
    found = re.search(rf'<figure class="chart" id="{figure_id}">(.*?)</figure>', html, re.DOTALL)
    assert found is not None, figure_id
    return found.group(1)


class _Legend(HTMLParser):
    """The map legend's items as (swatch class, swatch style, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "ul" and found.get("class") == "legend":
            self._inside = True
        elif self._inside and tag == "li":
            self.items.append(["", "", ""])
        elif self._inside and tag == "span":
            self.items[-1][:2] = [found["class"], found["style"]]

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.items:
            self.items[-1][2] += data


@pytest.fixture(scope="module")
def korean_report() -> str:
    """The report of a 60-row text audit whose classes are Korean (one with markup in its name)."""
    frame = make_text_frame()
    frame["label"] = frame["label"].map(_KOREAN)
    return curate.audit(frame, label="label", text="text", embedder="hashed", progress=False).to_html()


def test_log_axes_are_labelled_with_plain_numbers_not_tex() -> None:
    scores = np.concatenate([np.full(2000, 0.95), np.full(30, 0.5), [0.05, 0.1, 0.1]])
    flagged = scores < 0.2
    svg = plots.histograms({"outlier": (scores, flagged)}, title="t")
    assert "mathdefault" not in svg and "$" not in svg
    # matplotlib labels every third decade on an axis this short: 10^0 and 10^3, written plainly
    assert _texts(svg) == ["0.0", "0.5", "1.0", "1", "1,000", "outlier (3 flagged)", "not flagged", "flagged",
                           "score (lower is worse)", "rows (log scale)"]


def test_any_log_axis_a_chart_draws_gets_plain_numbers() -> None:
    # Not only the histograms: every axis made logarithmic is labelled plainly when the chart is saved.
    with plots._figure(4, 3) as (fig, ax):
        ax.plot([0.01, 10_000], [3, 7])
        ax.set_xscale("log")
        ax.set_xlim(0.01, 10_000)
        svg = plots._svg(fig, "t")
    assert "mathdefault" not in svg and "$" not in svg
    assert _texts(svg)[:7] == ["0.01", "0.1", "1", "10", "100", "1,000", "10,000"]


def test_a_report_has_no_tex_in_its_charts(korean_report: str) -> None:
    assert "mathdefault" not in korean_report
    svgs = re.findall(r"<svg .*?</svg>", korean_report, re.DOTALL)
    assert len(svgs) >= 3 and not any("$" in svg for svg in svgs)
    assert _texts(_figure(korean_report, "score-histograms"))[3:5] == ["1", "10"]  # the log axis's ticks


def test_the_map_legend_is_html_text_in_the_map_colours(korean_report: str) -> None:
    chart = _figure(korean_report, "data-map-chart")
    legend = _Legend()
    legend.feed(chart)
    # Every class by name, drawn by the browser (the class named with markup escaped), largest first
    # (all three have 20 rows: in sorted order), then the ring of the flagged rows.
    assert [(kind, text) for kind, _, text in legend.items] == [
        ("swatch", "<b>중립</b>"), ("swatch", "긍정"), ("swatch", "부정"), ("swatch ring", "flagged")]
    assert "&lt;b&gt;중립&lt;/b&gt;</li>" in chart and "<b>중립" not in korean_report
    colours = [re.fullmatch(r"--swatch: #([0-9a-f]{6})", style).group(1) for _, style, _ in legend.items]
    assert colours == ["1f77b4", "ff7f0e", "2ca02c", "000000"]
    # each class's colour is drawn in the picture
    uri = re.search(r'src="data:image/png;base64,([^"]+)"', chart).group(1)
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))).convert("RGB")).reshape(-1, 3)
    drawn = {f"{r:02x}{g:02x}{b:02x}" for r, g, b in pixels}
    assert set(colours[:3]) <= drawn


def test_other_classes_have_a_grey_legend_entry() -> None:
    labels = ["가"] * 5 + ["나"] * 3 + ["다"] * 1
    html = plots.scatter_map(np.arange(18.0).reshape(9, 2), labels, np.zeros(9, dtype=bool), title="m",
                             max_classes=2)
    legend = _Legend()
    legend.feed(html)
    assert [(kind, style, text) for kind, style, text in legend.items] == [
        ("swatch", "--swatch: #1f77b4", "가"), ("swatch", "--swatch: #ff7f0e", "나"),
        ("swatch", f"--swatch: {plots.GREY}", "other classes")]
