"""Active learning: acquisition scores, the queue's order and reasons, cold start, retraining, ``curate queue``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.annotators import (
    STRATEGIES,
    entropy_uncertainty,
    k_center_greedy,
    margin_uncertainty,
    next_items,
    retrain,
    vote_entropy,
)

from ..conftest import assert_one_line_error, run_cli
from ..korean_data import korean_reviews


def _line(n: int) -> np.ndarray:
    """``n`` items on a line, one unit apart: distinct, none a near copy of another."""
    return np.arange(n, dtype=np.float64)[:, None]


def test_margin_and_entropy_scores() -> None:
    probs = np.array([[0.5, 0.5, 0.0], [0.7, 0.2, 0.1], [1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    assert margin_uncertainty(probs).tolist() == pytest.approx([1.0, 0.5, 0.0, 1.0])
    assert entropy_uncertainty(probs) == pytest.approx([np.log(2) / np.log(3), 0.7298466, 0.0, 1.0], abs=1e-6)
    with pytest.raises(ValueError, match="n_classes >= 2"):
        margin_uncertainty(np.ones((3, 1)))


def test_the_most_uncertain_item_comes_first() -> None:
    probs = np.array([[0.9, 0.1], [0.55, 0.45], [0.8, 0.2], [0.5, 0.5], [0.6, 0.4], [0.99, 0.01]])
    labels = np.array([0, -1, -1, -1, -1, 1])
    for strategy in ("margin", "entropy", "combined"):
        queue = next_items(_line(6), labels, probs=probs, batch=3, strategy=strategy)
        assert queue.positions == [3, 1, 4], strategy
        assert [item.reason for item in queue.items] == ["uncertainty"] * 3
        assert not queue.cold_start
    first = next_items(_line(6), labels, probs=probs, batch=1, strategy="margin").items[0]
    assert (first.position, first.uncertainty, first.predicted, first.diversity) == (3, 1.0, 0, 2.0)


def test_disagreement_ranks_disputed_items() -> None:
    counts = np.array([[3, 0, 0], [1, 1, 1], [2, 1, 0], [1, 0, 0], [0, 2, 2], [2, 1, 0]])
    queue = next_items(_line(6), np.zeros(6, dtype=int), batch=10, strategy="disagreement", vote_counts=counts)
    assert queue.positions == [1, 4, 2, 5]
    assert [item.reason for item in queue.items] == ["disagreement"] * 4
    assert queue.items[0].disagreement == 1.0
    assert queue.items[1].disagreement == pytest.approx(np.log(2) / np.log(3), abs=1e-6)
    assert vote_entropy(counts)[[0, 3]].tolist() == [0.0, 0.0]
    assert queue.note == "4 of 4 items whose annotators disagree, most disputed first"
    with pytest.raises(ValueError, match="vote_counts"):
        next_items(_line(6), np.zeros(6, dtype=int), strategy="disagreement")


def test_a_batch_holds_one_of_two_near_copies() -> None:
    # Items 0 and 1 are near copies and the two most uncertain; 2..11 are spread out and less uncertain.
    features = np.r_[[[10.0, 0.0], [10.0, 0.001]], np.c_[np.arange(10.0), np.full(10, 5.0)], [[0.0, -5.0]]]
    probs = np.r_[[[0.5, 0.5], [0.5, 0.5]], np.c_[np.linspace(0.6, 0.69, 10), 1 - np.linspace(0.6, 0.69, 10)],
                  [[0.99, 0.01]]]
    labels = np.r_[np.full(12, -1), 0]
    labels[11] = 1
    margin = next_items(features, labels, probs=probs, batch=3, strategy="margin")
    assert margin.positions[:2] == [0, 1]  # uncertainty alone spends two labels on one text
    combined = next_items(features, labels, probs=probs, batch=3, strategy="combined")
    assert combined.positions[0] == 0 and 1 not in combined.positions
    assert all(item.diversity is not None and item.diversity > 0.5 for item in combined.items)
    diverse = next_items(features, labels, probs=probs, batch=4, strategy="diversity")
    assert not {0, 1} <= set(diverse.positions)


def test_k_center_greedy_picks_the_farthest() -> None:
    features = np.array([[0.0], [0.1], [5.0], [10.0], [10.05]])
    picked, distances = k_center_greedy(features, np.array([1, 2, 3, 4]), np.array([0]), 3)
    assert picked.tolist() == [4, 2, 1]
    assert distances == pytest.approx([10.05, 5.0, 0.1])
    first, _ = k_center_greedy(features, np.arange(5), np.array([], dtype=int), 1)
    assert first.tolist() == [2]  # no centers: the item nearest the mean


def test_cold_start_is_diverse_and_says_so() -> None:
    features = _line(10)
    probs = np.full((10, 3), 1 / 3)
    few = next_items(features, np.r_[0, 1, np.full(8, -1)], probs=probs, batch=2)
    assert few.cold_start and few.positions == [9, 5]
    assert [item.reason for item in few.items] == ["diversity", "diversity"]
    assert few.note.startswith("cold start: only 2 labelled items for 3 classes")
    missing = next_items(features, np.r_[0, 1, 0, 1, np.full(6, -1)], probs=probs, batch=2)
    assert missing.cold_start and missing.note.startswith("cold start: 1 of 3 classes have no label yet (codes 2)")
    assert missing.positions == [9, 6]
    untrained = next_items(features, np.r_[0, 1, 2, 0, 1, 2, np.full(4, -1)], batch=1)
    assert untrained.cold_start and "no model has been trained yet" in untrained.note
    assert next_items(features, np.zeros(10, dtype=int), probs=probs).note == "every item is labelled"


def test_the_same_seed_gives_the_same_queue() -> None:
    rng = np.random.default_rng(3)
    features = rng.normal(size=(300, 5))
    probs = rng.dirichlet(np.ones(4), size=300)
    labels = np.r_[np.arange(4).repeat(5), np.full(280, -1)]
    for strategy in ("combined", "random"):
        first = next_items(features, labels, probs=probs, batch=10, strategy=strategy, seed=7)
        again = next_items(features, labels, probs=probs, batch=10, strategy=strategy, seed=7)
        assert first == again and len(set(first.positions)) == 10
        assert all(labels[p] == -1 for p in first.positions)
    drawn = [next_items(features, labels, batch=10, strategy="random", seed=s).positions for s in (1, 2)]
    assert drawn[0] != drawn[1]
    with pytest.raises(ValueError, match="strategy 'best' is unknown"):
        next_items(features, labels, probs=probs, strategy="best")
    with pytest.raises(ValueError, match="at least 1 item"):
        next_items(features, labels, probs=probs, batch=0)
    assert STRATEGIES[0] == "combined"


def test_retrain_record() -> None:
    features = np.r_[np.c_[np.linspace(0, 1, 10), np.zeros(10)], np.c_[np.linspace(5, 6, 10), np.ones(10)]]
    labels = np.r_[0, 0, 0, 0, 0, 0, np.full(4, -1), 1, 1, 1, 1, 1, 1, np.full(4, -1)]
    found = retrain(features, labels, 3)
    assert found.record.n_labels == 12
    assert found.record.oof_accuracy == 1.0
    when = dt.datetime.fromisoformat(found.record.fitted_at)
    assert when.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=5)
    assert found.probs.shape == (20, 3) and found.probs[:, 2].tolist() == [0.0] * 20
    assert found.probs.argmax(axis=1).tolist() == [0] * 10 + [1] * 10
    assert retrain(features, labels, 3, folds=0).record.oof_accuracy is None
    one_class = retrain(features, np.r_[0, 0, np.full(18, -1)], 2)
    assert one_class.record.n_labels == 2 and one_class.record.oof_accuracy is None
    assert np.all(one_class.probs == 0.5)
    with pytest.raises(ValueError, match="range"):
        retrain(features, np.full(20, 3), 3)


def _labels_to_reach(order: str, target: float, features: np.ndarray, codes: np.ndarray, test: np.ndarray,
                     test_codes: np.ndarray) -> int:
    """Reveal 8 labels a round (seed 0) until held-out accuracy reaches ``target``; the labels it took."""
    n = len(codes)
    labels = np.full(n + len(test), -1)
    shuffled = np.random.default_rng(0).permutation(n)
    labels[shuffled[:8]] = codes[shuffled[:8]]
    rest = iter(shuffled[8:])
    everything = np.r_[features, test]
    while True:
        fitted = retrain(everything, labels, 4, folds=0)
        if np.mean(fitted.probs[n:].argmax(axis=1) == test_codes) >= target:
            return int((labels >= 0).sum())
        if order == "random":
            chosen = [next(rest) for _ in range(8)]
        else:
            chosen = next_items(features, labels[:n], probs=fitted.probs[:n], n_classes=4, batch=8).positions
        labels[chosen] = codes[chosen]


def test_active_order_needs_fewer_labels_than_random() -> None:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(4, 8)) * 1.5
    codes = np.repeat(np.arange(4), 150)
    features = centers[codes] + rng.normal(size=(600, 8))
    mixed = rng.permutation(600)
    features, codes = features[mixed], codes[mixed]
    pool, pool_codes, test, test_codes = features[:400], codes[:400], features[400:], codes[400:]
    full = retrain(np.r_[pool, test], np.r_[pool_codes, np.full(200, -1)], 4, folds=0).probs[400:]
    target = 0.95 * float(np.mean(full.argmax(axis=1) == test_codes))
    assert _labels_to_reach("random", target, pool, pool_codes, test, test_codes) == 32
    assert _labels_to_reach("active", target, pool, pool_codes, test, test_codes) == 16


# --- curate queue ---------------------------------------------------------------------------------


def _reviews_file(tmp_path: Path) -> Path:
    """40 Korean reviews, the first 6 labelled (Korean gets n-gram features: no model to distil in a test)."""
    frame = korean_reviews(15)[["text", "label"]].head(40)
    frame.loc[frame.index[6:], "label"] = None
    path = tmp_path / "items.csv"
    frame.to_csv(path, index=False)
    return path


def test_queue_json(tmp_path: Path) -> None:
    path = _reviews_file(tmp_path)
    result = run_cli(["queue", path, "--text", "text", "--label", "label", "--batch", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["strategy", "cold_start", "note", "features", "classes", "labelled", "unlabelled", "model",
                          "items"]
    assert data["classes"] == ["negative", "positive"]
    assert (data["labelled"], data["unlabelled"], data["cold_start"]) == (6, 34, False)
    assert data["model"]["n_labels"] == 6
    assert [item["rank"] for item in data["items"]] == [1, 2, 3, 4]
    assert list(data["items"][0]) == ["rank", "position", "reason", "uncertainty", "disagreement", "diversity",
                                      "predicted", "text"]
    assert all(item["position"] >= 6 and item["reason"] == "uncertainty" for item in data["items"])
    uncertainties = [item["uncertainty"] for item in data["items"]]
    assert uncertainties == sorted(uncertainties, reverse=True)
    frame = pd.read_csv(path)
    assert all(item["text"] == frame["text"][item["position"]] for item in data["items"])
    again = run_cli(["queue", path, "--text", "text", "--label", "label", "--batch", "4", "--format", "json"])
    repeated = json.loads(again.stdout)
    for found in (repeated, data):  # the fit's time is the one thing a second run may change
        found["model"].pop("fitted_at")
    assert repeated == data


def test_queue_table_shows_korean_and_escapes_controls(tmp_path: Path) -> None:
    frame = pd.read_csv(_reviews_file(tmp_path))
    frame.loc[4:5, "label"] = None
    frame.loc[frame.index[10], "text"] = "좋아요\x1b[31m [bold]빨강[/bold]\u202e"
    path = tmp_path / "ko.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "queue.txt"
    result = run_cli(["queue", path, "--text", "text", "--label", "label", "--batch", "40", "--out", out])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote {out}"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("4 labelled, 36 unlabelled; model: logistic regression on 4 labels")
    assert lines[1] == "rank\trow\twhy\tpredicted\ttext"
    rows = [line.split("\t") for line in lines[2:-1]]
    assert [r[0] for r in rows] == [str(i) for i in range(1, 37)]
    assert sorted(int(r[1]) for r in rows) == list(range(4, 40))
    shown = {int(r[1]): r[4] for r in rows}
    assert shown[10] == "좋아요\\x1b[31m [bold]빨강[/bold]\\u202e"
    assert shown[11] == frame["text"][11]
    assert lines[-1].startswith("how: ")
    cold = run_cli(["queue", path, "--text", "text", "--batch", "2"])
    assert cold.exit_code == 0, cold.output
    assert cold.stdout.splitlines()[-1].startswith("cold start: no model has been trained yet")


@pytest.mark.parametrize(("args", "keywords"), [
    (["--text", "body"], ["items.csv", "no column 'body'"]),
    (["--text", "text", "--label", "gold"], ["no column 'gold'"]),
    (["--text", "text", "--strategy", "best"], ["strategy 'best' is unknown", "combined"]),
    (["--text", "text", "--batch", "0"], ["--batch must be at least 1"]),
    (["--text", "text", "--strategy", "disagreement"], ["--annotators"]),
])
def test_queue_errors_are_one_line(tmp_path: Path, args: list[str], keywords: list[str]) -> None:
    result = run_cli(["queue", _reviews_file(tmp_path), *args])
    assert_one_line_error(result, *keywords)


def test_queue_disagreement_from_annotator_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a cat", "a dog", "a bird", "a fish"],
                          "a1": ["x", "x", "y", "x"], "a2": ["x", "y", "y", "y"], "a3": ["x", "z", "y", None]})
    path = tmp_path / "votes.csv"
    frame.to_csv(path, index=False)
    result = run_cli(["queue", path, "--text", "text", "--annotators", "a1,a2,a3", "--strategy", "disagreement",
                      "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [(i["position"], i["reason"]) for i in items] == [(1, "disagreement"), (3, "disagreement")]


def test_combined_with_many_copies_fills_the_batch() -> None:
    # 30 unlabelled items but only 3 distinct texts: k-means finds fewer groups than the batch.
    features = np.r_[np.repeat([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], 10, axis=0), [[5.0, 5.0], [6.0, 6.0]]]
    probs = np.r_[np.tile([[0.5, 0.5], [0.6, 0.4], [0.7, 0.3]], (10, 1)), [[1.0, 0.0], [0.0, 1.0]]]
    queue = next_items(features, np.r_[np.full(30, -1), 0, 1], probs=probs, batch=5)
    assert len(queue.positions) == 5 and len(set(queue.positions)) == 5
    assert queue.positions[0] == 0


def _queue_with_column(tmp_path: Path, name: str, prefix: str, *args: str) -> tuple[pd.DataFrame, Path, list[dict]]:
    """The reviews file with one more column ``name`` (``prefix`` + row number), and the queue's JSON items."""
    frame = pd.read_csv(_reviews_file(tmp_path))
    frame[name] = [f"{prefix}{i}" for i in range(len(frame))]
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    result = run_cli(["queue", str(path), *args, "--label", "label", "--batch", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    return frame, path, json.loads(result.stdout)["items"]


def test_queue_joins_repeated_text_columns(tmp_path: Path) -> None:
    frame, _, items = _queue_with_column(tmp_path, "title", "title ", "--text", "title", "--text", "text")
    assert all(item["text"] == f"title {item['position']}\n{frame['text'][item['position']]}" for item in items)


def test_queue_items_carry_the_files_ids(tmp_path: Path) -> None:
    _, path, items = _queue_with_column(tmp_path, "uid", "r", "--text", "text", "--id", "uid")
    assert [item["id"] for item in items] == [f"r{item['position']}" for item in items]
    shown = run_cli(["queue", str(path), "--text", "text", "--label", "label", "--id", "uid", "--batch", "3"])
    assert shown.exit_code == 0 and f"r{items[0]['position']}" in shown.stdout


def test_queue_reads_nan_label_text_as_missing(tmp_path: Path) -> None:
    frame = pd.read_csv(_reviews_file(tmp_path))
    frame["label"] = frame["label"].astype(object)
    frame.loc[0:3, "label"] = ["NaN", "NA", "null", "N/A"]
    path = tmp_path / "nan_text.csv"
    frame.to_csv(path, index=False, na_rep="")
    result = run_cli(["queue", str(path), "--text", "text", "--label", "label", "--batch", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["classes"] == ["negative", "positive"] and data["labelled"] == 2


def test_queue_disagreement_embeds_nothing_and_counts_the_votes(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import curate.annotators.queueing as queueing

    def no_embedding(*_: object, **__: object) -> None:
        raise AssertionError("vote entropy must not embed the texts")

    monkeypatch.setattr(queueing, "text_vectors", no_embedding)
    frame = pd.DataFrame({"text": ["a cat", "a dog", "a bird", "a fish"],
                          "a1": ["x", "x", "y", "x"], "a2": ["x", "y", "y", "y"], "a3": ["x", "z", "y", None]})
    path = tmp_path / "votes.csv"
    frame.to_csv(path, index=False)
    args = ["queue", str(path), "--text", "text", "--annotators", "a1,a2,a3", "--strategy", "disagreement"]
    data = json.loads(run_cli([*args, "--format", "json"]).stdout)
    assert data["annotator_labels"] == 11 and data["model"] is None
    shown = run_cli(args)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0].startswith("4 items, 11 annotator labels (2.8 per item); no model (vote "
                                                   "entropy needs none)")
