"""Consensus labels and annotator quality (CROWDLAB) on simulated annotators whose accuracy is known."""

from __future__ import annotations

import numpy as np
import pytest

from curate.annotators import consensus, majority_vote
from curate.errors import InputError

ACCURACY = (0.60, 0.70, 0.80, 0.90, 0.95)
CLASSES = 5


def simulate(seed: int = 0, items: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth, labels (items x 5 annotators, -1 missing) and model probabilities (about 80 % accurate).

    Each annotator labels an item with probability 0.5, and one annotator drawn at random always
    does, so every item has a label and many have exactly one. The model's probabilities are the
    softmax of its scores, softer than the calibrated ones (the softmax of twice the scores), as a
    model trained on noisy labels tends to be.
    """
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, CLASSES, items)
    labels = np.full((items, len(ACCURACY)), -1)
    forced = rng.integers(0, len(ACCURACY), items)
    for j, accuracy in enumerate(ACCURACY):
        gives = (rng.random(items) < 0.5) | (forced == j)
        wrong = (truth + rng.integers(1, CLASSES, items)) % CLASSES
        labels[:, j] = np.where(gives, np.where(rng.random(items) < accuracy, truth, wrong), -1)
    logits = rng.normal(0.0, 1.0, (items, CLASSES))
    logits[np.arange(items), truth] += 2.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return truth, labels, probs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_annotator_quality_ranks_the_annotators_by_their_accuracy(seed: int) -> None:
    _truth, labels, probs = simulate(seed)
    found = consensus(labels, probs)
    assert found.method == "crowdlab"
    assert list(np.argsort(found.annotator_quality)) == [0, 1, 2, 3, 4]
    assert list(np.argsort(found.annotator_weights)) == [0, 1, 2, 3, 4]
    assert found.annotator_labels.sum() == (labels >= 0).sum()
    assert found.model_weight > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_consensus_beats_the_majority_vote(seed: int) -> None:
    truth, labels, probs = simulate(seed)
    found = consensus(labels, probs)
    by_model_ties = majority_vote(labels, probs)
    plain = majority_vote(labels)
    assert np.array_equal(found.majority, by_model_ties)
    accuracy = float(np.mean(found.label == truth))
    assert accuracy > float(np.mean(by_model_ties == truth)) + 0.01
    assert accuracy > float(np.mean(plain == truth)) + 0.01


def test_shapes_and_ranges() -> None:
    _truth, labels, probs = simulate(0)
    found = consensus(labels, probs)
    n, m = labels.shape
    assert found.label.shape == found.quality.shape == found.score.shape == found.agreement.shape == (n,)
    assert found.probabilities.shape == (n, CLASSES)
    assert np.allclose(found.probabilities.sum(axis=1), 1.0)
    assert found.label_quality.shape == (n, m)
    assert np.array_equal(np.isnan(found.label_quality), labels < 0)
    assert ((found.quality >= 0) & (found.quality <= 1)).all()
    assert np.array_equal(found.annotations, (labels >= 0).sum(axis=1))
    assert np.array_equal(found.weak, found.quality < 0.5)
    summary = found.summary()
    assert summary["items"] == n and summary["labelled_items"] == n and summary["unlabelled_items"] == 0
    assert summary["weak_items"] == int(found.weak.sum())


def test_weak_consensus_flags_point_at_wrong_consensus_labels() -> None:
    truth, labels, probs = simulate(0)
    found = consensus(labels, probs)
    wrong = found.label != truth
    assert found.weak.sum() >= 3
    # Flagged consensus labels are wrong several times as often as the rest.
    assert wrong[found.weak].mean() > 5 * wrong[~found.weak].mean()
    assert 0.5 < found.expected_wrong_share <= 1.0


def test_an_overconfident_model_does_not_outvote_agreeing_annotators() -> None:
    # A user trial: items voted World, Sci/Tech, World got the consensus Sports (the model's class), its
    # own quality 0.05. A model 0.93 sure where it is right 85 % of the time outweighed two votes.
    rng = np.random.default_rng(0)
    n, k = 300, 4
    truth = rng.integers(0, k, n)
    labels = np.stack([np.where(rng.random(n) < a, truth, (truth + rng.integers(1, k, n)) % k)
                       for a in (0.8, 0.75, 0.7)], axis=1)
    predicted = np.where(rng.random(n) < 0.85, truth, (truth + rng.integers(1, k, n)) % k)
    logits = rng.normal(size=(n, k)) + 4.0 * np.eye(k)[predicted]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    found = consensus(labels, probs)
    assert found.model_temperature > 1.3  # softened to the annotators' majorities
    assert float(np.mean(found.label == truth)) >= float(np.mean(majority_vote(labels, probs) == truth))
    # no consensus its own posterior calls more likely wrong while another class is more likely right
    rows = np.arange(n)
    assert not ((found.posterior[rows, found.label] < 0.5) & (found.posterior.max(axis=1) > 0.5)).any()
    assert found.summary()["model_temperature"] == round(found.model_temperature, 4)


def test_an_item_with_one_label_can_be_overruled_by_a_sure_model() -> None:
    labels = np.array([[0, 0, -1], [1, 1, 1], [0, 0, 0], [1, 1, -1], [0, -1, -1], [-1, -1, 1]])
    probs = np.array([[0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.1, 0.9], [0.02, 0.98], [0.5, 0.5]])
    found = consensus(labels, probs)
    assert found.label.tolist() == [0, 1, 0, 1, 1, 1]
    assert found.majority.tolist() == [0, 1, 0, 1, 0, 1]


def test_a_tie_goes_to_the_model_whatever_the_column_order() -> None:
    probs = np.array([[0.3, 0.7], [0.8, 0.2]])
    for labels in (np.array([[0, 1], [0, 1]]), np.array([[1, 0], [1, 0]])):
        assert majority_vote(labels, probs).tolist() == [1, 0]


def test_without_a_model_the_weighted_vote_still_ranks_the_annotators() -> None:
    truth, labels, _ = simulate(0)
    found = consensus(labels)
    assert found.method == "weighted_vote" and found.model_weight == 0.0
    assert list(np.argsort(found.annotator_quality)) == [0, 1, 2, 3, 4]
    assert float(np.mean(found.label == truth)) > float(np.mean(majority_vote(labels) == truth)) + 0.03
    assert found.probabilities.shape == (len(truth), CLASSES)


def test_an_annotator_with_one_label_an_unlabelled_item_and_an_unused_class() -> None:
    truth, labels, probs = simulate(0, items=300)
    lonely = np.full((300, 1), -1)
    lonely[7, 0] = truth[7]
    labels = np.hstack([labels, lonely])
    labels[11] = -1  # nobody labelled item 11
    probs = np.hstack([probs * 0.99, np.full((300, 1), 0.01)])  # a sixth class no one used
    found = consensus(labels, probs)
    assert found.annotator_labels[-1] == 1
    assert 0.0 <= found.annotator_quality[-1] <= 1.0
    assert found.unlabelled.tolist() == [11]
    assert found.label[11] == -1 and np.isnan(found.quality[11]) and not found.weak[11]
    assert found.majority[11] == -1
    assert found.probabilities.shape == (300, 6)
    assert not (found.label == 5).any()
    assert found.summary()["unlabelled_items"] == 1


def test_an_annotator_with_no_label_gets_no_quality() -> None:
    labels = np.array([[0, 0, -1], [1, 1, -1], [0, 1, -1]])
    found = consensus(labels)
    assert found.annotator_labels.tolist() == [3, 3, 0]
    assert np.isnan(found.annotator_quality[2]) and np.isnan(found.annotator_agreement[2])


def test_bad_input_is_one_clear_error() -> None:
    with pytest.raises(InputError, match="2-D"):
        consensus(np.array([0, 1, 1]))
    with pytest.raises(InputError, match="no labels at all"):
        consensus(np.full((3, 2), -1))
    with pytest.raises(InputError, match=r"pred_probs must have shape \(n_items, n_classes\) = \(2, K\); got \(3, 2\)"):
        consensus(np.array([[0, 1], [1, 1]]), np.ones((3, 2)) / 2)
    with pytest.raises(InputError, match="integer class codes"):
        consensus(np.array([[0.5, 1.0]]))
    with pytest.raises(InputError, match="below -1"):
        consensus(np.array([[0, -2]]))


def test_an_annotator_who_made_the_consensus_cannot_certify_a_split_vote() -> None:
    # Annotator 0 always sides with the majority of all five (as KLUE-NLI's author equals its gold label).
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 600)
    others = np.where(rng.random((600, 4)) < 0.8, truth[:, None], (truth[:, None] + rng.integers(1, 3, (600, 4))) % 3)
    votes = np.stack([np.bincount(row, minlength=3) for row in others])
    author = np.argmax(votes + 0.1 * np.eye(3)[truth], axis=1)
    labels = np.column_stack([author, others])
    found = consensus(labels)
    split = np.sort(np.stack([np.bincount(row, minlength=3) for row in labels]), axis=1)[:, -2:].tolist()
    three_two = np.array([s == [2, 3] for s in split])
    assert three_two.sum() > 20
    assert found.quality[three_two].max() < 0.99
    # Without the author, 2-2 ties are coin flips and their quality says so.
    ties = consensus(labels[:, 1:])
    tied = np.array([np.sort(np.bincount(row, minlength=3))[-2:].tolist() == [2, 2] for row in labels[:, 1:]])
    assert abs(float(ties.quality[tied].mean()) - 0.5) < 0.05


def test_a_lone_label_in_a_tiny_table_is_no_certainty() -> None:
    found = consensus(np.array([[0, -1], [1, 1], [0, 0], [1, 0]]))
    assert found.quality[0] < 0.7


def test_a_tie_without_a_model_goes_to_the_better_annotators_or_is_reported() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 400)
    accuracy = (0.95, 0.9, 0.6, 0.55)
    labels = np.column_stack([np.where(rng.random(400) < a, truth, (truth + rng.integers(1, 3, 400)) % 3)
                              for a in accuracy])
    labels[:3] = [[0, 0, 1, 1], [1, 1, 0, 0], [2, 2, 0, 0]]  # the good pair against the weak pair
    for order in ([0, 1, 2, 3], [3, 2, 1, 0]):
        found = consensus(labels[:, order])
        assert found.majority[:3].tolist() == [0, 1, 2] and not found.tied[:3].any()
    # Two equally good annotators who disagree: a tie, weak, and not a change from the majority vote.
    even = consensus(np.array([[0, 1], [0, 0], [1, 1], [1, 0], [0, 0], [1, 1]]))
    assert even.tied.tolist() == [True, False, False, True, False, False]
    assert even.weak[even.tied].all()
    assert even.summary()["majority_ties"] == 2 and even.summary()["changed_from_majority"] == 0
