"""The label evidence: neighbour votes, the two-pass classifier, the flag rule and ambiguity."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from curate.core.config import EvidenceConfig
from curate.core.predictions import PredProbs
from curate.evidence.label_evidence import (
    ambiguous_rows,
    label_evidence,
    neighbour_votes,
    vote_neighbours,
)
from curate.evidence.predictions import cross_val_pred_probs
from curate.ingest.building import build_dataset
from curate.neighbors import build_neighbor_graph

from .detectors.helpers import TOPICS, blobs, flagged_ids, run, text_dataset

MIN_TRUSTED_PER_CLASS = EvidenceConfig().min_trusted_per_class


@pytest.mark.parametrize(("sizes", "k"), [((1000, 1000), 50), ((200, 30), 15), ((4, 4), 5), ((2, 2), 3)])
def test_vote_neighbours_stays_within_half_the_smallest_class(sizes: tuple[int, int], k: int) -> None:
    codes = np.repeat(np.arange(len(sizes)), sizes)
    assert vote_neighbours(codes) == k


def test_neighbour_votes_weigh_near_neighbours_by_similarity_cubed() -> None:
    # row 0 has neighbours at cosine 1.0 (class 1) and 0.8 (class 0): votes 1.0 and 0.512, plus smoothing
    features = np.array([[1.0, 0.0], [1.0, 0.0], [0.8, 0.6], [-1.0, 0.0]])
    codes = np.array([0, 1, 0, 1])
    votes = neighbour_votes(build_neighbor_graph(features, k=3), codes, 2, k=2)
    expected = np.array([0.512 + 1e-3, 1.0 + 1e-3]) / (1.512 + 2e-3)
    assert votes[0] == pytest.approx(expected, rel=1e-5)
    assert votes.sum(axis=1) == pytest.approx(np.ones(4))


def test_masked_rows_are_predicted_but_never_learned_from() -> None:
    frame = blobs(40, n_classes=2)
    dataset = build_dataset(frame, label="label", id="id")
    X = frame[[c for c in frame.columns if c.startswith("x")]].to_numpy()
    codes = dataset.label_codes.copy()
    codes[:5] = 1  # five rows of class 0's cluster labelled 1
    keep = np.ones(len(codes), dtype=bool)
    keep[:5] = False
    plain = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression(), folds=4)
    masked = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression(), folds=4, train_mask=keep)
    assert masked.probs.shape == (80, 2) and np.allclose(masked.probs.sum(axis=1), 1.0)
    # without the mislabelled rows in training, the model is surer those rows belong to class 0
    assert (masked.probs[:5, 0] > plain.probs[:5, 0]).all()


def test_a_mask_that_would_empty_a_class_keeps_that_class() -> None:
    X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]
    codes = np.repeat([0, 1], 10)
    keep = codes == 0  # would leave class 1 with no training rows at all
    out = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression(), folds=2, train_mask=keep)
    assert (out.probs.argmax(axis=1) == codes).all()


def _two_clusters(n: int, flipped: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal([5, 0], 1.0, (n, 2)), rng.normal([0, 5], 1.0, (n, 2))]
    codes = np.repeat([0, 1], n)
    codes[:flipped] = 1
    return X, codes


def test_the_refit_leaves_out_suspects_when_every_class_keeps_enough_rows() -> None:
    X, codes = _two_clusters(MIN_TRUSTED_PER_CLASS + 20, flipped=6)
    first = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression())
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    evidence = label_evidence(X, codes, 2, first, classifier=LogisticRegression(), graph=build_neighbor_graph(unit, 50))
    assert evidence.pruned_rows == 6 and evidence.vote_neighbours == 32
    assert evidence.neighbours is not None
    from curate.evidence.calibration import mix_views

    assert evidence.mix is not None
    assert np.allclose(evidence.probs, mix_views(evidence.classifier, evidence.neighbours, evidence.mix))
    assert (evidence.probs[:6].argmax(axis=1) == 0).all()


def test_no_refit_on_small_classes_and_none_for_the_users_probabilities() -> None:
    X, codes = _two_clusters(MIN_TRUSTED_PER_CLASS - 10, flipped=3)
    first = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression())
    small = label_evidence(X, codes, 2, first, classifier=LogisticRegression(), graph=build_neighbor_graph(X, 50))
    assert small.pruned_rows == 0 and np.array_equal(small.classifier, first.probs)
    users = PredProbs(first.probs, source="mine.npy")
    given = label_evidence(None, codes, 2, users, classifier=None)
    assert given.neighbours is None and given.classifier_source == "mine.npy"
    assert np.array_equal(given.probs, first.probs)


def test_ambiguous_rows_need_a_near_tie_that_includes_the_given_label() -> None:
    probs = np.array([[0.45, 0.44, 0.11],   # tie of 0 and 1, given 1: ambiguous
                      [0.45, 0.44, 0.11],   # same tie, given 2: not ambiguous (an error, if anything)
                      [0.60, 0.30, 0.10],   # runner-up at half the top: a clear preference
                      [0.40, 0.35, 0.25]])  # the top two hold only 0.75: uncertain, not a two-way tie
    mask, top_two = ambiguous_rows(probs, np.array([1, 2, 1, 1]))
    assert mask.tolist() == [True, False, False, False]
    assert top_two[0].tolist() == [0, 1]


def test_texts_between_two_topics_are_ambiguous_and_name_both() -> None:
    texts, labels = [], []
    for offset in (1, 2, 3):
        for topic, sentences in TOPICS.items():
            for i, sentence in enumerate(sentences):
                texts.append(f"{sentence} while {sentences[(i + offset) % len(sentences)]}")
                labels.append(topic)
    clean = len(texts)
    # each of these joins a food sentence and a sport sentence; they are labelled food and sport in turn
    food, sport = TOPICS["food"], TOPICS["sport"]
    mixed = ([f"{food[i]} while {sport[(i + 1) % len(sport)]}" for i in range(len(food))]
             + [f"{sport[i]} while {food[(i + 2) % len(food)]}" for i in range(len(sport))])
    texts += mixed
    labels += ["food", "sport"] * (len(mixed) // 2)
    dataset = text_dataset(texts, labels)
    ambiguous = run(dataset, "ambiguous")
    label = run(dataset, "label")
    mixed_ids = {str(i) for i in range(clean, len(texts))}
    # the hashed features see these rows as between the topics: only they are flagged, by either check
    assert flagged_ids(dataset, ambiguous) and flagged_ids(dataset, ambiguous) <= mixed_ids
    assert flagged_ids(dataset, label) <= mixed_ids
    assert not (flagged_ids(dataset, ambiguous) & flagged_ids(dataset, label))
    assert ambiguous.details is not None
    for i in np.flatnonzero(ambiguous.flagged):
        assert sorted(c for c, _ in ambiguous.details[i]["competing"]) == ["food", "sport"]
    assert ambiguous.notes["pairs"] == {"food / sport": int(ambiguous.flagged.sum())}


def test_the_vote_reads_the_shared_graph_and_refuses_one_too_small() -> None:
    X, codes = _two_clusters(20, flipped=2)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    first = cross_val_pred_probs(X, codes, 2, classifier=LogisticRegression())
    k = vote_neighbours(codes)
    wide = label_evidence(X, codes, 2, first, classifier=LogisticRegression(), graph=build_neighbor_graph(unit, 30))
    exact = label_evidence(X, codes, 2, first, classifier=LogisticRegression(), graph=build_neighbor_graph(unit, k))
    # a graph with more neighbours than the vote reads gives exactly the votes of one with just enough
    assert wide.neighbours is not None and exact.neighbours is not None
    assert np.array_equal(wide.neighbours, exact.neighbours)
    with pytest.raises(ValueError, match=f"the vote needs {k}"):
        label_evidence(X, codes, 2, first, classifier=LogisticRegression(), graph=build_neighbor_graph(unit, k - 1))


class _CountingClassifier(LogisticRegression):
    """Logistic regression that records how many rows, of which classes, each fit saw."""

    fits: ClassVar[list[np.ndarray]] = []

    def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
        _CountingClassifier.fits.append(np.asarray(y).copy())
        return super().fit(X, y, sample_weight)


def test_large_folds_learn_from_a_bounded_stratified_sample_and_every_row_is_predicted() -> None:
    rng = np.random.default_rng(0)
    codes = np.r_[np.zeros(900, int), np.ones(90, int), np.full(10, 2)]
    features = rng.normal(size=(1000, 4)) + codes[:, None]
    _CountingClassifier.fits = []
    result = cross_val_pred_probs(features, codes, 3, classifier=_CountingClassifier(), folds=5, max_train_rows=200)
    assert len(_CountingClassifier.fits) == 5
    for seen in _CountingClassifier.fits:
        assert 198 <= len(seen) <= 202  # 800 training rows per fold, sampled down to about 200
        assert np.bincount(seen, minlength=3).tolist()[2] >= 2  # the smallest class keeps its rows' share, >= 2
        assert abs(np.bincount(seen, minlength=3)[0] / len(seen) - 0.9) < 0.02
    assert result.probs.shape == (1000, 3) and np.allclose(result.probs.sum(axis=1), 1.0)
    # Seeded: the same sample each time
    again = cross_val_pred_probs(features, codes, 3, classifier=LogisticRegression(), folds=5, max_train_rows=200)
    np.testing.assert_allclose(again.probs, result.probs)
    # Unbounded: each fold sees all of its 800 training rows
    _CountingClassifier.fits = []
    cross_val_pred_probs(features, codes, 3, classifier=_CountingClassifier(), folds=5, max_train_rows=None)
    assert [len(seen) for seen in _CountingClassifier.fits] == [800] * 5


def test_the_vote_added_block_by_block_is_the_vote_added_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from curate.evidence import label_evidence as evidence_module

    rng = np.random.default_rng(0)
    features = rng.normal(size=(3_000, 16)).astype(np.float32)
    features /= np.linalg.norm(features, axis=1, keepdims=True)
    labels = rng.integers(0, 5, size=3_000)
    graph = build_neighbor_graph(features, k=20)
    whole = neighbour_votes(graph, labels, 5, k=20)
    monkeypatch.setattr(evidence_module, "_VOTE_BLOCK_ROWS", 7)  # 429 blocks, the last one short
    np.testing.assert_array_equal(neighbour_votes(graph, labels, 5, k=20), whole)
    assert np.allclose(whole.sum(axis=1), 1.0)


def test_after_the_vote_the_run_keeps_only_the_neighbours_its_checks_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from curate.audit import audit_dataset
    from curate.audit import run as run_module

    frame = blobs(n_per_class=150, n_classes=3, dim=6, seed=4)
    frame.loc[:5, "label"] = "c1"  # a few planted errors, so that the label check flags something
    dataset = build_dataset(frame, label="label", id="id")
    trimmed, needs = audit_dataset(dataset)
    kept = needs.computed("neighbors")
    assert needs.metrics["neighbours_per_row"] == 50 and kept.k == 10  # the vote read 50, the checks read 10
    assert kept.indices.flags["C_CONTIGUOUS"]  # a copy: the far neighbours' memory is let go
    # Without the trim (the checks' neighbours unknown) every finding is the same.
    monkeypatch.setattr(run_module, "graph_neighbours",
                        lambda chosen, vote: 50 if vote is not None else None)  # type: ignore[arg-type]
    whole, whole_needs = audit_dataset(dataset)
    assert whole_needs.computed("neighbors").k == 50
    assert [r.issue for r in trimmed] == [r.issue for r in whole]
    for a, b in zip(trimmed, whole, strict=True):
        np.testing.assert_array_equal(a.flagged, b.flagged)
        np.testing.assert_array_equal(a.scores, b.scores)
        assert list(a.details or []) == list(b.details or []) and a.notes == b.notes
