"""Weigh the views of the label evidence by how well each explains this dataset's labels.

A plain mean lets the worse view decide half of every row's evidence. On 75 classes of 10 rows the
classifier is right but diffuse and the neighbour vote sharp but often wrong; on NoisyAG-News the two
are about equally good; on long English texts a word-count classifier (an extra view) is far better
than either. So the mix is fitted per dataset: the views' weights and a temperature are chosen to
maximise the likelihood of the given labels under the mixed evidence (temperature scaling, Guo et
al. 2017 [1]_, extended by mixing weights). Every view is out of fold, and two or three numbers are
fitted on every row, so the fit has little room to overfit.

The fitted probabilities model the labels as they are given, noise included; that makes them
honest about how sure the evidence is, which is what the estimated precision of the flags rests on
(:mod:`curate.detectors.label_issues`).

References
----------
.. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of Modern Neural Networks",
   ICML 2017.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["ViewMix", "fit_view_mix", "mix_views", "temper"]

WEIGHT_GRID = np.linspace(0.0, 1.0, 21)  # steps of 0.05: finer moves the likelihood by noise only
# With a third view the weights lie on a triangle: steps of 0.1 keep the fit to 66 points.
EXTRA_VIEW_STEPS = 10
LOG_TEMPERATURE_BOUNDS = (-3.0, 3.0)  # temperatures from 0.05 to 20
PROBABILITY_FLOOR = 1e-12
MAX_FIT_ROWS = 20_000  # the weight and temperature are fitted on at most this many rows (a seeded sample)


@dataclass(frozen=True)
class ViewMix:
    """How the classifier and neighbour views are mixed for one dataset.

    Attributes
    ----------
    classifier_weight : float
        In [0, 1]: the classifier view's share; the neighbour view gets what the others leave.
    temperature : float
        Probabilities are raised to ``1 / temperature`` and renormalised: above 1 softens
        over-confident evidence, below 1 sharpens diffuse evidence.
    log_loss : float
        Mean negative log-likelihood of the given labels under the mixed evidence (nats per row).
    extra_weights : tuple of float, default ()
        The shares of further views (such as a word-count classifier on text), in the order given.
    """

    classifier_weight: float
    temperature: float
    log_loss: float
    extra_weights: tuple[float, ...] = ()

    @property
    def neighbour_weight(self) -> float:
        """The neighbour view's share: what the classifier and the extra views leave.

        Returns
        -------
        float
            In [0, 1].
        """
        return max(0.0, 1.0 - self.classifier_weight - sum(self.extra_weights))


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities raised to ``1 / temperature``, rows renormalised.

    Parameters
    ----------
    probs : numpy.ndarray
        Shape (n_rows, n_classes), rows summing to 1.
    temperature : float
        Positive; 1 leaves ``probs`` unchanged.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_classes), rows summing to 1.
    """
    powered = np.clip(probs, PROBABILITY_FLOOR, None) ** (1.0 / temperature)
    return powered / powered.sum(axis=1, keepdims=True)


def _log_loss(probs: np.ndarray, label_codes: np.ndarray) -> float:
    given = probs[np.arange(len(label_codes)), label_codes]
    return float(-np.mean(np.log(np.clip(given, PROBABILITY_FLOOR, None))))


def mix_views(classifier: np.ndarray, neighbours: np.ndarray, mix: ViewMix,
              extra: Sequence[np.ndarray] = ()) -> np.ndarray:
    """The evidence: the views mixed by ``mix``'s weights, then tempered.

    Parameters
    ----------
    classifier, neighbours : numpy.ndarray
        Shape (n_rows, n_classes) each, rows summing to 1.
    mix : ViewMix
        The fitted weights and temperature.
    extra : sequence of numpy.ndarray, default ()
        Further views, shape (n_rows, n_classes) each, one per ``mix.extra_weights``.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_classes), rows summing to 1.

    Raises
    ------
    ValueError
        When ``extra`` and ``mix.extra_weights`` differ in length.
    """
    if len(extra) != len(mix.extra_weights):
        raise ValueError(f"{len(extra)} extra views for {len(mix.extra_weights)} extra weights")
    return temper(_weighted(classifier, neighbours, extra, mix.classifier_weight, mix.extra_weights), mix.temperature)


def _weighted(classifier: np.ndarray, neighbours: np.ndarray, extra: Sequence[np.ndarray], classifier_weight: float,
              extra_weights: Sequence[float]) -> np.ndarray:
    mixed = classifier_weight * classifier + max(0.0, 1.0 - classifier_weight - sum(extra_weights)) * neighbours
    for weight, view in zip(extra_weights, extra, strict=True):
        mixed = mixed + weight * view
    return mixed


def _weight_grid(n_extra: int) -> list[tuple[float, tuple[float, ...]]]:
    """(classifier weight, extra weights) pairs to try; the neighbour view takes the rest."""
    if n_extra == 0:
        return [(float(w), ()) for w in WEIGHT_GRID]
    steps = EXTRA_VIEW_STEPS
    grid: list[tuple[float, tuple[float, ...]]] = []
    for shares in itertools.product(range(steps + 1), repeat=n_extra + 1):
        if sum(shares) <= steps:
            grid.append((shares[0] / steps, tuple(s / steps for s in shares[1:])))
    return grid


def fit_view_mix(classifier: np.ndarray, neighbours: np.ndarray, label_codes: np.ndarray,
                 extra: Sequence[np.ndarray] = ()) -> ViewMix:
    """The view weights and temperature that make the given labels most likely.

    For each weighting on a grid (steps of 0.05 for the classifier's share with two views; with
    ``extra`` views, every split of the weight in steps of 0.1) the best temperature is found by
    bounded scalar minimisation of the log loss; the weighting with the lowest loss wins (ties: the
    first, so the neighbour-heavier mix). Beyond ``MAX_FIT_ROWS`` rows the fit reads a seeded sample
    of that many.

    Parameters
    ----------
    classifier, neighbours : numpy.ndarray
        Shape (n_rows, n_classes) each: out-of-fold class probabilities from the two views.
    label_codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.
    extra : sequence of numpy.ndarray, default ()
        Further out-of-fold views of the same shape (e.g. a classifier on other features).

    Returns
    -------
    ViewMix
        The fitted weights, temperature and the log loss they reach. With no rows, an even mix of
        the classifier and neighbour views at temperature 1.

    Raises
    ------
    ValueError
        When the views' shapes differ or do not match ``label_codes``.
    """
    for view in (neighbours, *extra):
        if view.shape != classifier.shape or classifier.shape[0] != len(label_codes):
            raise ValueError(f"views of shapes {classifier.shape} and {view.shape} do not match "
                             f"{len(label_codes)} labels")
    if len(label_codes) == 0:
        return ViewMix(0.5, 1.0, 0.0, tuple(0.0 for _ in extra))
    if len(label_codes) > MAX_FIT_ROWS:
        # A few numbers need few rows; dozens of weightings x ~30 loss evaluations over every row would
        # make this the slowest step of a million-row audit. A seeded sample keeps the fit deterministic.
        keep = np.sort(np.random.default_rng(0).choice(len(label_codes), MAX_FIT_ROWS, replace=False))
        classifier, neighbours, label_codes = classifier[keep], neighbours[keep], label_codes[keep]
        extra = [view[keep] for view in extra]
    best = ViewMix(0.5, 1.0, np.inf, tuple(0.0 for _ in extra))
    for weight, extra_weights in _weight_grid(len(extra)):
        mixed = _weighted(classifier, neighbours, extra, weight, extra_weights)
        fitted = minimize_scalar(lambda log_t, m=mixed: _log_loss(temper(m, float(np.exp(log_t))), label_codes),
                                 bounds=LOG_TEMPERATURE_BOUNDS, method="bounded")
        if float(fitted.fun) < best.log_loss - 1e-12:
            best = ViewMix(float(weight), float(np.exp(fitted.x)), float(fitted.fun), extra_weights)
    return best
