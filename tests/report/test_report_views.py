"""The report's views: the noise matrix, label quality per class, score histograms, details in words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.report import plots
from curate.report.views import class_quality, describe_details, noise_matrix, score_series

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
NOISYAG = DATA / "noisyag-news" / "noisy_10k.csv"


def _scores(rows: list[tuple[str, str, bool, str | None, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["issue", "current_label", "flagged", "suggested_label", "score"])


def test_noise_matrix_lists_the_largest_off_diagonal_cells_with_their_flags() -> None:
    notes = {"flagged_per_class": {"a": 1, "b": 1, "c": 0},
             "confident_joint": [[50, 7, 1], [2, 40, 0], [12, 0, 30]]}
    scores = _scores([("label", "a", True, "b", 0.1), ("label", "c", True, "a", 0.2),
                      ("label", "c", True, "a", 0.2), ("label", "b", False, None, 0.9),
                      ("outlier", "a", True, None, 0.1)])
    matrix = noise_matrix(notes, scores)
    assert matrix is not None
    assert matrix.top_pairs[:3] == [("c", "a", 12.0), ("a", "b", 7.0), ("b", "a", 2.0)]
    assert matrix.highlighted == [(2, 0), (0, 1), (1, 0)]
    assert matrix.flagged.tolist() == [[0, 1, 0], [0, 0, 0], [2, 0, 0]]
    assert noise_matrix({}, scores) is None  # no label check, no matrix


def test_a_large_matrix_keeps_the_classes_most_involved_in_the_noise() -> None:
    n = 30
    joint = np.eye(n) * 100
    joint[3, 17] = joint[17, 3] = 40
    notes = {"flagged_per_class": {f"c{i:02d}": 0 for i in range(n)}, "confident_joint": joint.tolist()}
    matrix = noise_matrix(notes, _scores([]))
    assert matrix is not None and len(matrix.classes) == 20 and matrix.total_classes == 30
    assert {"c03", "c17"} <= set(matrix.classes) and matrix.classes == sorted(matrix.classes)


def test_class_quality_orders_classes_by_estimated_noise() -> None:
    labels = pd.Series(["a"] * 4 + ["b"] * 2)
    scores = _scores([("label", "a", True, "b", 0.2), ("label", "a", False, None, 0.8),
                      ("label", "a", False, None, 1.0), ("label", "a", False, None, 1.0),
                      ("label", "b", False, None, 0.9), ("label", "b", False, None, 0.7)])
    quality = class_quality(labels, scores, {"class_noise_rates": {"a": 0.05, "b": 0.2}})
    assert [(c.label, c.rows, c.flagged, c.noise_rate) for c in quality] == [("b", 2, 0, 0.2), ("a", 4, 1, 0.05)]
    assert quality[1].mean_score == pytest.approx(0.75)


def test_histograms_show_only_issues_that_flagged_rows_in_the_order_given() -> None:
    scores = _scores([("outlier", "a", False, None, 0.9), ("label", "a", True, "b", 0.1),
                      ("label", "a", False, None, 0.9), ("shouting", "a", False, None, 1.0)])
    series = score_series(scores, ["shouting", "label", "outlier"])
    assert list(series) == ["label"]
    assert series["label"][0].tolist() == [0.1, 0.9] and series["label"][1].tolist() == [True, False]


def test_details_are_written_for_people_not_as_json() -> None:
    line = describe_details({"error_prob": 0.91234, "given_prob": 0.03, "suggested_prob": None,
                             "top_classes": [["Business", 0.9123], ["World", 0.05]], "copies": ["r1", "r2"]})
    assert line == ("chance the label is wrong 0.912 · probability of the given label 0.030 · "
                    "most probable classes Business 0.912, World 0.050 · copies r1, r2")
    assert describe_details('{"size": 3, "labels": {"a": 2, "b": 1}}') == "size 3 · labels a 2, b 1"
    assert describe_details(None) == "" and "{" not in describe_details({"x": {"y": 1}})


def test_chart_labels_are_escaped_text_and_korean_stays_text() -> None:
    svg = plots.heatmap(np.array([[3.0, 1.0], [0.0, 2.0]]), ["<script>alert(1)</script>", "스포츠"],
                        ["<script>alert(1)</script>", "스포츠"], title="m", xlabel="true", ylabel="given")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert ">스포츠</text>" in svg  # drawn by the browser's fonts, not turned into paths
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert plots.heatmap(np.eye(2), ["a", "b"], ["a", "b"], title="m", xlabel="x", ylabel="y") == \
        plots.heatmap(np.eye(2), ["a", "b"], ["a", "b"], title="m", xlabel="x", ylabel="y")  # same input, same bytes


def test_dollar_signs_in_labels_are_drawn_as_text_not_parsed_as_tex() -> None:
    labels = ["100% $ #1 $", "$\\frac{1}{0}$", "$$ budget $$"]
    svg = plots.heatmap(np.eye(3), labels, labels, title="$ price", xlabel="$x", ylabel="y$")
    for label in labels:
        assert f">{label}</text>" in svg
    assert ">A$%$B</text>" in plots.bars(["A$%$B", "US$ and CA$"], [3, 1], title="t")


def test_a_dollar_class_name_does_not_cost_the_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    import curate

    words = {"100% $ #1 $": "price cost money pay bill fee", "sport": "game team goal score play win"}
    rng = np.random.default_rng(0)
    frame = pd.DataFrame([{"text": " ".join(rng.choice(w.split(), 6)), "label": label}
                          for label, w in words.items() for _ in range(40)])
    result = curate.audit(frame, label="label", text="text", embedder="hashed", progress=False)
    html = result.to_html()
    assert "100% $ #1 $" in html


class _Table(HTMLParser):
    """The cells of the table with a given id, row by row."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


@pytest.mark.slow
@pytest.mark.skipif(not NOISYAG.exists(), reason="../shared/data/noisyag-news is not present")
def test_noisyag_report_noise_matrix_names_the_three_largest_true_noise_pairs(tmp_path: Path) -> None:
    frame = pd.read_csv(NOISYAG)
    wrong = frame[frame["label"] != frame["true_label"]]
    truth = wrong.groupby(["label", "true_label"]).size().sort_values(ascending=False)
    assert truth.head(4).tolist() == [493, 465, 440, 161]
    top_true = set(truth.head(3).index)

    result = curate.audit(NOISYAG, label="label", text="text", workspace=tmp_path / "ws")
    html = result.to_html()
    table = _Table("noise-pairs")
    table.feed(html)
    header, *rows = table.rows
    assert header[:3] == ["given label", "likely true label", "estimated rows"]
    assert {(given, likely) for given, likely, *_ in rows[:3]} == top_true
    assert 'id="noise-matrix-chart"' in html and re.search(r'<svg role="img" aria-label="estimated noise matrix', html)
