"""How probable each class is for each row, from views of the data that never saw the row's label.

Label-error detection rests on these probabilities. Two views, chosen by the NoisyAG-News benchmark
(bench/label_errors.py) and checked on CIFAR-10N, which they were not tuned on (bench/cifar10n.py):

- **The classifier view**: out-of-fold probabilities of the default classifier, fitted twice. The
  first fit learns from every label, so it partly learns the label errors too; the second fit, per
  fold, leaves out the training rows the first round of evidence disagreed with, so noisy labels do
  not teach the model their own mistakes (each held-out row is still predicted by a model that never
  saw it).
- **The neighbour view**: the labels of each row's ``k`` most similar rows, read from the run's one
  neighbour graph (cosine similarity for normalised features, a distance kernel otherwise), each
  vote weighted by similarity cubed so that near neighbours count most. It needs no model and
  catches errors a linear model smooths over.
- **Extra views** a modality adds (:meth:`curate.modalities.base.Modality.extra_views`): on text read by
  the sentence model, a linear classifier on word TF-IDF, which reads every word of a long text. On the
  20 Newsgroups test set it lifted the evidence's accuracy from 0.851 to 0.923 and cut the rows flagged
  from 11.0 % to about 6 %; on NoisyAG-News it changed nothing (F1 0.515, its weight 0.3).

The suspects the refit leaves out are chosen by the plain mean of the classifier and neighbour views.
The final evidence mixes all views by how well each explains this dataset's labels, with fitted
weights and a temperature
(:mod:`curate.evidence.calibration`): a plain mean lets the worse view decide, which on 75 classes of
10 rows flagged 8.7 % of correctly labelled rows. Alone, the neighbour view ranked NoisyAG-News
errors with AUPRC 0.650, the one-pass classifier with 0.572, and the two-pass combination with 0.653;
on CIFAR-10N the combination ranked better than either view alone.

Whether the evidence is strong enough to flag anything at all is measured with it
(:mod:`curate.evidence.trust`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import ClassifierMixin

from curate.core.config import EvidenceConfig
from curate.core.predictions import PredProbs
from curate.core.progress import ProgressCallback
from curate.evidence.calibration import ViewMix, fit_view_mix, mix_views
from curate.evidence.predictions import cross_val_pred_probs
from curate.evidence.trust import EvidenceStrength, evidence_strength
from curate.modalities.base import ExtraView
from curate.neighbors import NeighborGraph

__all__ = [
    "LabelEvidence",
    "ambiguous_rows",
    "combine_views",
    "label_evidence",
    "neighbour_votes",
    "vote_neighbours",
]

VOTE_SMOOTHING = 1e-3  # keeps every class possible when no neighbour votes for it
_VOTE_BLOCK_ROWS = 65_536  # rows whose votes are added at once


@dataclass(frozen=True)
class LabelEvidence:
    """Each row's class probabilities, the two views they combine, and which rows are ambiguous.

    Attributes
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes): the combined evidence; rows sum to 1.
    classifier : numpy.ndarray
        Shape (n_rows, n_classes): the classifier view (refitted when there was a refit).
    neighbours : numpy.ndarray or None
        Shape (n_rows, n_classes): the neighbour view; None when the user's probabilities are
        used as given.
    vote_neighbours : int
        How many neighbours voted (0 without a neighbour view).
    pruned_rows : int
        Training rows the second classifier fit left out (0 when there was no refit).
    classifier_source : str
        Where the first-pass probabilities came from.
    accuracy : float
        How often the combined evidence's top class is the given label.
    ambiguous : numpy.ndarray
        Shape (n_rows,), bool: the given label is one of two about equally plausible classes.
    top_two : numpy.ndarray
        Shape (n_rows, 2), int: each row's two most probable class codes, most probable first.
    ambiguity_ratio, ambiguity_mass : float
        The competition rule ``ambiguous`` was found with (see :func:`ambiguous_rows`).
    strength : EvidenceStrength or None
        Skill over guessing and rows per class (see :mod:`curate.evidence.trust`).
    mix : ViewMix or None
        The fitted view weights and temperature; None when the user's probabilities are used
        as given.
    extra : dict of str to numpy.ndarray
        Further views by name (e.g. ``words`` on text), each of shape (n_rows, n_classes), out of
        fold; empty when there are none.
    unread : numpy.ndarray or None
        Shape (n_rows,), bool: rows whose input could not be read, on which no label claim is
        made (never ambiguous, never label errors); None when every input was read.
    """

    probs: np.ndarray
    classifier: np.ndarray
    neighbours: np.ndarray | None
    vote_neighbours: int
    pruned_rows: int
    classifier_source: str
    accuracy: float
    ambiguous: np.ndarray
    top_two: np.ndarray
    ambiguity_ratio: float = 0.8
    ambiguity_mass: float = 0.8
    strength: EvidenceStrength | None = None
    mix: ViewMix | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    unread: np.ndarray | None = None


def vote_neighbours(label_codes: np.ndarray, config: EvidenceConfig | None = None) -> int:
    """How many neighbours vote: 50, or half the smallest class's size when that is smaller (at least 5).

    With more voters than a class has rows, even a perfectly labelled small class would be outvoted
    by its neighbours from other classes; at half its size, its own rows can fill every vote.

    Parameters
    ----------
    label_codes : numpy.ndarray
        Shape (n_rows,), int: each row's class code.
    config : EvidenceConfig, optional
        Where the bounds (50 and 5 by default) come from.

    Returns
    -------
    int
        Between 1 and ``n_rows - 1``.
    """
    config = config or EvidenceConfig()
    counts = np.bincount(label_codes)
    smallest = int(counts[counts > 0].min()) if counts.size else 0
    k = min(config.max_vote_neighbours, max(config.min_vote_neighbours, smallest // 2))
    return max(1, min(k, len(label_codes) - 1))


def neighbour_votes(graph: NeighborGraph, label_codes: np.ndarray, n_classes: int, k: int,
                    power: float = 3.0) -> np.ndarray:
    """Each row's class shares among its ``k`` nearest rows, each vote weighted by similarity**power.

    Parameters
    ----------
    graph : NeighborGraph
        The run's neighbour graph, with at least ``k`` neighbours per row.
    label_codes : numpy.ndarray
        Shape (n_rows,), int.
    n_classes : int
        Number of classes (columns of the result).
    k : int
        How many of each row's nearest neighbours vote.
    power : float, default 3.0
        Exponent of the similarity weight.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_classes); rows sum to 1.

    Examples
    --------
    >>> from curate.neighbors import build_neighbor_graph
    >>> X = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    >>> X /= np.linalg.norm(X, axis=1, keepdims=True)
    >>> neighbour_votes(build_neighbor_graph(X, k=1), np.array([0, 0, 1, 1]), 2, k=1).argmax(axis=1).tolist()
    [0, 0, 1, 1]
    """
    nearest = graph.first(k)
    votes = np.full((len(label_codes), n_classes), VOTE_SMOOTHING)
    # Block by block: a million rows' 50 votes would otherwise hold four 400 MB arrays at once.
    for start in range(0, len(label_codes), _VOTE_BLOCK_ROWS):
        block = NeighborGraph(nearest.indices[start:start + _VOTE_BLOCK_ROWS],
                              nearest.distances[start:start + _VOTE_BLOCK_ROWS], nearest.normalized, nearest.scale,
                              nearest.method)
        weights = np.clip(block.similarities(), 0.0, None) ** power
        rows = np.repeat(np.arange(start, start + len(block.indices)), block.k)
        np.add.at(votes, (rows, label_codes[block.indices].ravel()), weights.ravel())
    return votes / votes.sum(axis=1, keepdims=True)


def combine_views(classifier: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """The plain mean of the two views' probabilities, which picks the suspects the refit leaves out.

    Parameters
    ----------
    classifier, neighbours : numpy.ndarray
        Shape (n_rows, n_classes) each.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_classes).
    """
    return (classifier + neighbours) / 2.0


def label_evidence(
    features: np.ndarray | None,
    label_codes: np.ndarray,
    n_classes: int,
    first_pass: PredProbs,
    *,
    classifier: ClassifierMixin | None,
    graph: NeighborGraph | None = None,
    config: EvidenceConfig | None = None,
    folds: int = 5,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    extra: Sequence[ExtraView] = (),
) -> LabelEvidence:
    """Combine the classifier and neighbour views; refit the classifier without suspect rows.

    ``first_pass`` is the out-of-fold prediction from every label. With ``classifier`` None it is the
    user's own probabilities, used as given: the user's model is usually better than a neighbour
    vote on generic features, and needs no features at all. There is no refit either when some
    class would keep fewer than ``config.min_trusted_per_class`` trusted rows: on small data the
    refit learns from too little and gets worse, not cleaner (on a 44-row test set its accuracy
    fell from 0.55 to 0.36).

    Parameters
    ----------
    features : numpy.ndarray or None
        Shape (n_rows, dim); None with the user's probabilities.
    label_codes : numpy.ndarray
        Shape (n_rows,), int.
    n_classes : int
        Number of classes.
    first_pass : PredProbs
        Out-of-fold probabilities, shape (n_rows, n_classes).
    classifier : sklearn classifier or None
        The classifier to refit; None to use ``first_pass`` as given.
    graph : NeighborGraph, optional
        The run's neighbour graph (needed with a classifier), with at least
        :func:`vote_neighbours` neighbours per row.
    config : EvidenceConfig, optional
        Vote and ambiguity settings (defaults when None).
    folds, seed : int
        Cross-validation of the refit.
    progress : callable, optional
        Called with the number of refit folds done (``folds`` per view).
    extra : sequence of ExtraView, default ()
        Further readings of the rows (other features, their classifier): each is cross-validated on
        every label and mixed in with a fitted weight. Not refitted without the suspects: those are
        chosen by the other views, and leaving them out cost the word view on IMDB reviews (0.872
        accuracy against 0.889, 10.6 % of rows flagged against 9.2 %).

    Returns
    -------
    LabelEvidence
        The mixed probabilities, both views, the fitted mix, the rows found ambiguous, the
        evidence's strength and facts about the refit.

    Raises
    ------
    ValueError
        When a classifier is given without features or graph, or the graph has too few neighbours.
    """
    config = config or EvidenceConfig()
    if classifier is None or features is None:
        return _evidence(first_pass.probs, first_pass.probs, None, 0, 0, first_pass.source, label_codes, config)
    if graph is None:
        raise ValueError("label_evidence needs the run's neighbour graph to take the neighbour vote")
    k = vote_neighbours(label_codes, config)
    if graph.k < k:
        raise ValueError(f"the neighbour graph has {graph.k} neighbours per row; the vote needs {k}")
    neighbours = neighbour_votes(graph, label_codes, n_classes, k, config.vote_power)
    classifier_view = first_pass.probs
    pruned = 0
    trusted = combine_views(first_pass.probs, neighbours).argmax(axis=1) == label_codes
    present = np.bincount(label_codes, minlength=n_classes) > 0
    trusted_per_class = np.bincount(label_codes[trusted], minlength=n_classes)[present]
    if trusted_per_class.size and int(trusted_per_class.min()) >= config.min_trusted_per_class:
        pruned = int((~trusted).sum())
        second = cross_val_pred_probs(features, label_codes, n_classes, classifier=classifier, folds=folds,
                                      seed=seed, train_mask=trusted, progress=progress)
        classifier_view = second.probs
    extra_views = {view.name: cross_val_pred_probs(view.features, label_codes, n_classes, classifier=view.classifier,
                                                   folds=folds, seed=seed,
                                                   progress=progress).probs
                   for view in extra}
    mix = fit_view_mix(classifier_view, neighbours, label_codes, list(extra_views.values()))
    probs = mix_views(classifier_view, neighbours, mix, list(extra_views.values()))
    return _evidence(probs, classifier_view, neighbours, k, pruned, first_pass.source, label_codes, config, mix,
                     extra_views)


def _evidence(probs: np.ndarray, classifier: np.ndarray, neighbours: np.ndarray | None, k: int, pruned: int,
              source: str, label_codes: np.ndarray, config: EvidenceConfig,
              mix: ViewMix | None = None, extra: dict[str, np.ndarray] | None = None) -> LabelEvidence:
    ambiguous, top_two = ambiguous_rows(probs, label_codes, config.ambiguity_ratio, config.ambiguity_mass)
    strength = evidence_strength(probs, label_codes, config.min_class_rows)
    return LabelEvidence(probs, classifier, neighbours, k, pruned, source, strength.accuracy, ambiguous, top_two,
                         config.ambiguity_ratio, config.ambiguity_mass, strength, mix, extra or {})


def ambiguous_rows(probs: np.ndarray, label_codes: np.ndarray, ratio: float = 0.8,
                   mass: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose given label is one of two about equally plausible classes, and those two classes.

    Two classes compete when the runner-up has at least ``ratio`` of the top class's probability
    and together they hold at least ``mass`` of it; the row is ambiguous when its given label is
    one of them. Such a row is not called a label error: either label is defensible.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes).
    label_codes : numpy.ndarray
        Shape (n_rows,), int.
    ratio, mass : float, default 0.8
        The competition rule's two bars.

    Returns
    -------
    ambiguous : numpy.ndarray
        Shape (n_rows,), bool.
    top_two : numpy.ndarray
        Shape (n_rows, 2), int: the top two class codes, most probable first.
    """
    if probs.shape[1] < 2:
        return np.zeros(len(probs), dtype=bool), np.zeros((len(probs), 2), dtype=np.int64)
    top_two = np.argsort(-probs, axis=1, kind="stable")[:, :2]
    rows = np.arange(len(probs))
    first, second = probs[rows, top_two[:, 0]], probs[rows, top_two[:, 1]]
    competing = (second >= ratio * first) & (first + second >= mass)
    given_among = (top_two == label_codes[:, None]).any(axis=1)
    return competing & given_among, top_two
