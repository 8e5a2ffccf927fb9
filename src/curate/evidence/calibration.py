"""Weigh the two views of the label evidence by how well each explains this dataset's labels.

A plain mean lets the worse view decide half of every row's evidence. On 75 classes of 10 rows the
classifier is right but diffuse and the neighbour vote sharp but often wrong; on NoisyAG-News the two
are about equally good. So the mix is fitted per dataset: the weight of the classifier view and a
temperature are chosen to maximise the likelihood of the given labels under the mixed evidence
(temperature scaling, Guo et al. 2017 [1]_, extended by one mixing weight). Both views are out of
fold, two numbers are fitted on every row, so the fit has little room to overfit.

The fitted probabilities model the labels as they are given, noise included; that makes them
honest about how sure the evidence is, which is what the estimated precision of the flags rests on
(:mod:`curate.detectors.label_issues`).

References
----------
.. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of Modern Neural Networks",
   ICML 2017.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["ViewMix", "fit_view_mix", "mix_views", "temper"]

WEIGHT_GRID = np.linspace(0.0, 1.0, 21)  # steps of 0.05: finer moves the likelihood by noise only
LOG_TEMPERATURE_BOUNDS = (-3.0, 3.0)  # temperatures from 0.05 to 20
PROBABILITY_FLOOR = 1e-12
MAX_FIT_ROWS = 20_000  # the weight and temperature are fitted on at most this many rows (a seeded sample)


@dataclass(frozen=True)
class ViewMix:
    """How the classifier and neighbour views are mixed for one dataset.

    Attributes
    ----------
    classifier_weight : float
        In [0, 1]: the classifier view's share; the neighbour view gets the rest.
    temperature : float
        Probabilities are raised to ``1 / temperature`` and renormalised: above 1 softens
        over-confident evidence, below 1 sharpens diffuse evidence.
    log_loss : float
        Mean negative log-likelihood of the given labels under the mixed evidence (nats per row).
    """

    classifier_weight: float
    temperature: float
    log_loss: float


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


def mix_views(classifier: np.ndarray, neighbours: np.ndarray, mix: ViewMix) -> np.ndarray:
    """The evidence: the two views mixed by ``mix``'s weight, then tempered.

    Parameters
    ----------
    classifier, neighbours : numpy.ndarray
        Shape (n_rows, n_classes) each, rows summing to 1.
    mix : ViewMix
        The fitted weight and temperature.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows, n_classes), rows summing to 1.
    """
    weight = mix.classifier_weight
    return temper(weight * classifier + (1.0 - weight) * neighbours, mix.temperature)


def fit_view_mix(classifier: np.ndarray, neighbours: np.ndarray, label_codes: np.ndarray) -> ViewMix:
    """The classifier weight and temperature that make the given labels most likely.

    For each weight on a grid of 0.05 steps the best temperature is found by bounded scalar
    minimisation of the log loss; the pair with the lowest loss wins (ties: the first, so the
    neighbour-heavier mix). Beyond ``MAX_FIT_ROWS`` rows the fit reads a seeded sample of that many.

    Parameters
    ----------
    classifier, neighbours : numpy.ndarray
        Shape (n_rows, n_classes) each: out-of-fold class probabilities from the two views.
    label_codes : numpy.ndarray
        Shape (n_rows,), int: the given labels.

    Returns
    -------
    ViewMix
        The fitted weight, temperature and the log loss they reach. With no rows, an even mix at
        temperature 1.

    Raises
    ------
    ValueError
        When the two views' shapes differ or do not match ``label_codes``.
    """
    if classifier.shape != neighbours.shape or classifier.shape[0] != len(label_codes):
        raise ValueError(f"views of shapes {classifier.shape} and {neighbours.shape} do not match "
                         f"{len(label_codes)} labels")
    if len(label_codes) == 0:
        return ViewMix(0.5, 1.0, 0.0)
    if len(label_codes) > MAX_FIT_ROWS:
        # Two numbers need few rows; 21 weights x ~30 loss evaluations over every row would make this
        # the slowest step of a million-row audit. A seeded sample keeps the fit deterministic.
        keep = np.sort(np.random.default_rng(0).choice(len(label_codes), MAX_FIT_ROWS, replace=False))
        classifier, neighbours, label_codes = classifier[keep], neighbours[keep], label_codes[keep]
    best = ViewMix(0.5, 1.0, np.inf)
    for weight in WEIGHT_GRID:
        mixed = weight * classifier + (1.0 - weight) * neighbours
        fitted = minimize_scalar(lambda log_t, m=mixed: _log_loss(temper(m, float(np.exp(log_t))), label_codes),
                                 bounds=LOG_TEMPERATURE_BOUNDS, method="bounded")
        if float(fitted.fun) < best.log_loss - 1e-12:
            best = ViewMix(float(weight), float(np.exp(fitted.x)), float(fitted.fun))
    return best
