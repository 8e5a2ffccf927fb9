"""Agreement between annotators: Fleiss' kappa and Krippendorff's alpha against independent computations."""

from __future__ import annotations

import json
from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.annotators import agreement, category_counts, fleiss_kappa
from curate.annotators.reading import items_by_annotators

from ..conftest import run_cli

KLUE = Path(__file__).resolve().parents[3] / "shared" / "data" / "klue-nli" / "dev.json"
SLOTS = ["author", "label2", "label3", "label4", "label5"]


def _fleiss_by_the_book(table: list[list[str]]) -> float:
    """Fleiss 1971 for a constant number of raters, written out from the paper's definitions."""
    categories = sorted({v for row in table for v in row})
    n = len(table[0])
    counts = [[row.count(c) for c in categories] for row in table]
    p_i = [(sum(x * x for x in row) - n) / (n * (n - 1)) for row in counts]
    p_j = [sum(row[j] for row in counts) / (len(table) * n) for j in range(len(categories))]
    p_bar, p_e = sum(p_i) / len(p_i), sum(p * p for p in p_j)
    return (p_bar - p_e) / (1 - p_e)


def _alpha_by_coincidences(table: list[list[str | None]]) -> float:
    """Krippendorff's nominal alpha from the coincidence matrix (Krippendorff 2011, section C)."""
    categories = sorted({v for row in table for v in row if v is not None})
    index = {c: i for i, c in enumerate(categories)}
    o = np.zeros((len(categories), len(categories)))
    for row in table:
        values = [v for v in row if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(range(m), 2):
            o[index[values[a]], index[values[b]]] += 1.0 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    observed = o.sum() - np.trace(o)
    expected = (n * n - (n_c**2).sum()) / (n - 1)
    return float(1.0 - observed / expected)


def test_fleiss_kappa_matches_the_published_example() -> None:
    # Fleiss' kappa worked example (10 items, 14 raters, 5 categories): kappa = 0.210
    counts = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                       [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert round(fleiss_kappa(counts), 3) == 0.210


def test_missing_labels_and_the_long_layout() -> None:
    wide = pd.DataFrame({"a1": ["x", "y", "x", None], "a2": ["x", "y", "y", "x"], "a3": ["x", None, "y", "y"]})
    table = items_by_annotators(wide, annotators=["a1", "a2", "a3"])
    counts, categories = category_counts(table)
    assert categories == ["x", "y"] and counts.tolist() == [[3, 0], [0, 2], [1, 2], [1, 1]]
    rows = [[None if v is None else str(v) for v in r] for r in table.itertuples(index=False)]
    found = agreement(table, rounds=0)
    assert found.krippendorff_alpha == pytest.approx(_alpha_by_coincidences(rows), abs=1e-12)
    long = pd.DataFrame({"item": [1, 1, 1, 2, 2, 3, 3, 3, 4, 4], "who": ["a1", "a2", "a3", "a1", "a2", "a1", "a2",
                                                                        "a3", "a2", "a3"],
                         "label": ["x", "x", "x", "y", "y", "x", "y", "y", "x", "y"]})
    same = agreement(items_by_annotators(long, item="item", annotator="who", label="label"), rounds=0)
    assert (same.fleiss_kappa, same.krippendorff_alpha) == (found.fleiss_kappa, found.krippendorff_alpha)


@pytest.mark.skipif(not KLUE.exists(), reason="../shared/data/klue-nli is not present")
def test_klue_nli_fleiss_and_alpha_match_independent_computations() -> None:
    records = json.loads(KLUE.read_text(encoding="utf-8"))
    table = [[r[s] for s in SLOTS] for r in records]
    result = run_cli(["agreement", KLUE, "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["items"], found["annotators"], found["ratings"]) == (3000, 5, 15000)
    assert round(found["fleiss_kappa"], 3) == round(_fleiss_by_the_book(table), 3) == 0.838
    assert round(found["krippendorff_alpha"], 3) == round(_alpha_by_coincidences(table), 3)
    low, high = found["intervals"]["fleiss_kappa"]
    assert low < found["fleiss_kappa"] < high
    pair = next(p for p in found["pairs"] if (p["first"], p["second"]) == ("author", "label2"))
    assert pair["agreement"] == round(sum(r["author"] == r["label2"] for r in records) / 3000, 4)
    shown = run_cli(["agreement", KLUE])
    assert "fleiss_kappa\t0.838" in shown.stdout and "author\tlabel2\t3000" in shown.stdout


def test_a_file_without_annotator_columns_is_one_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}).to_csv(data, index=False)
    result = run_cli(["agreement", data])
    assert result.exit_code != 0
    assert result.stderr.strip() == ("error: one.csv: name at least two annotator columns with --annotators (columns: "
                                     "text, label), or the long layout with --item, --annotator and --label")
    missing = run_cli(["agreement", data, "--annotators", "text,rater9"])
    assert missing.stderr.strip() == "error: one.csv: no column 'rater9' (columns: text, label)"


def test_unanimous_labels_make_kappa_undefined_without_warnings(tmp_path: Path) -> None:
    path = tmp_path / "same.csv"
    pd.DataFrame({"a": ["x"] * 6, "b": ["x"] * 6, "c": ["x", "x", None, None, None, None]}).to_csv(path, index=False)
    shown = run_cli(["agreement", str(path), "--annotators", "a,b"])
    assert shown.exit_code == 0, shown.output
    assert shown.stderr == ""
    assert "fleiss_kappa" in shown.stdout and "undefined (every label agrees / one category" in shown.stdout
    assert "raw_agreement" in shown.stdout and "raw agreement" not in shown.stdout
    data = json.loads(run_cli(["agreement", str(path), "--annotators", "a,b", "--format", "json"]).stdout)
    assert data["fleiss_kappa"] is None and data["krippendorff_alpha"] is None and data["raw_agreement"] == 1.0
    assert list(data["notes"]) == ["fleiss_kappa", "krippendorff_alpha"]


def test_pairs_sharing_fewer_than_two_items_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "thin.csv"
    pd.DataFrame({"a": ["x", "y", "x", "y"], "b": ["x", "y", "y", "y"],
                  "c": [None, None, None, "y"], "d": [None, None, None, None]}).to_csv(path, index=False)
    data = json.loads(run_cli(["agreement", str(path), "--annotators", "a,b,c", "--format", "json"]).stdout)
    pairs = {(p["first"], p["second"]): (p["items"], p["cohen_kappa"]) for p in data["pairs"]}
    assert pairs[("a", "c")] == (1, None) and pairs[("b", "c")] == (1, None) and pairs[("a", "b")][0] == 4
    shown = run_cli(["agreement", str(path), "--annotators", "a,b,c"])
    assert "2 annotator pairs share fewer than two items: their kappa is undefined" in shown.stdout


def test_whole_numbers_read_as_floats_are_one_class_and_missing_texts_are_missing() -> None:
    frame = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1.0, 2.0, np.nan, 1.0], "c": ["NaN", "n/a", "x", "null"]})
    labels = items_by_annotators(frame, annotators=["a", "b", "c"])
    assert labels.to_numpy().tolist() == [["1", "1", None], ["2", "2", None], ["1", None, "x"], ["2", "1", None]]
    assert category_counts(labels[["a", "b"]])[1] == ["1", "2"]


def test_list_labels_are_refused_as_multi_label(tmp_path: Path) -> None:
    from ..conftest import assert_one_line_error

    frame = pd.DataFrame({"text": ["a", "b"], "r1": [["x", "y"], ["x"]], "r2": ["x", "y"]})
    path = tmp_path / "multi.jsonl"
    frame.to_json(path, orient="records", lines=True)
    shown = run_cli(["consensus", str(path), "--annotators", "r1,r2"])
    assert_one_line_error(shown, "error: multi.jsonl: the label column 'r1' holds lists (e.g. ['x', 'y']): "
                                 "multi-label data is not supported yet; give one label per row")
    queued = run_cli(["queue", str(path), "--text", "text", "--label", "r1"])
    assert_one_line_error(queued, "multi-label data is not supported yet")


def test_an_item_labelled_once_moves_neither_the_figures_nor_their_intervals() -> None:
    # A user trial: adding an item with a single label left the figures as they were but moved raw
    # agreement's interval from 0.286-0.728 to 0.323-0.760; such an item carries no pair of labels.
    wide = pd.DataFrame({"a1": ["x", "y", "x", "y", "x", "y", "x", "x"],
                         "a2": ["x", "y", "y", "y", "x", "x", "x", "y"],
                         "a3": ["x", None, "y", "y", "y", "x", "x", "x"]})
    before = agreement(items_by_annotators(wide, annotators=["a1", "a2", "a3"]))
    once = pd.concat([wide, pd.DataFrame({"a1": ["y"], "a2": [None], "a3": [None]})], ignore_index=True)
    after = agreement(items_by_annotators(once, annotators=["a1", "a2", "a3"]))
    assert after.items == before.items + 1 and after.ratings == before.ratings + 1
    assert (after.raw_agreement, after.fleiss_kappa, after.krippendorff_alpha) == (
        before.raw_agreement, before.fleiss_kappa, before.krippendorff_alpha)
    assert after.intervals == before.intervals


def test_the_long_layout_is_said_as_annotators_not_columns(tmp_path: Path) -> None:
    data = tmp_path / "votes.csv"
    pd.DataFrame({"item": [1, 1, 2, 2, 3, 3], "who": ["민지", "ana", "민지", "ana", "민지", "ana"],
                  "label": ["x", "x", "y", "x", "y", "y"]}).to_csv(data, index=False)
    shown = run_cli(["agreement", data, "--item", "item", "--annotator", "who", "--label", "label"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("3 items, 6 labels from 2 annotators (")
    wide = run_cli(["agreement", KLUE]) if KLUE.exists() else None
    assert wide is None or " annotator columns (" in wide.stdout.splitlines()[0]
