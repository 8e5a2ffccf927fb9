"""The admin's view of active learning in annotation mode: the model's state and its learning curve.

The curve is drawn on the server by :func:`curate.report.plots.line_chart` and shown as an
``<img>`` of a ``data:`` URI: the app's CSP (``style-src 'self'``) would strip the styles of an
inline ``<svg>``, while an SVG image keeps its own and runs no script.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from curate.annotators.live import Trainer
from curate.report.plots import line_chart

__all__ = ["learning_chart", "learning_data"]

_TITLE = "Out-of-fold accuracy against the number of labels"


def learning_data(trainer: Trainer | None) -> dict[str, Any]:
    """The admin JSON's active-learning keys.

    Parameters
    ----------
    trainer : Trainer or None
        The app's trainer; None when the app serves without a model.

    Returns
    -------
    dict
        ``learning_curve``: the points, oldest first (``labels``, ``labelled_items``,
        ``oof_accuracy``, ``at``, ``fitted_at``), and ``model``: the state (see
        :meth:`curate.annotators.live.Trainer.status`), ``{"state": "off"}`` without a trainer.
    """
    if trainer is None:
        return {"learning_curve": [], "model": {"state": "off"}}
    return {"learning_curve": [asdict(p) for p in trainer.curve()], "model": trainer.status()}


def learning_chart(points: list[dict[str, Any]]) -> str | None:
    """The learning curve as a ``data:`` URI of an SVG image, or None without a measured point.

    Parameters
    ----------
    points : list of dict
        The ``learning_curve`` of :func:`learning_data`.

    Returns
    -------
    str or None
        ``data:image/svg+xml;base64,...``.
    """
    if not any(p["oof_accuracy"] is not None for p in points):
        return None
    svg = line_chart([p["labels"] for p in points], [p["oof_accuracy"] for p in points], title=_TITLE,
                     xlabel="labels given", ylabel="out-of-fold accuracy", ylim=(0.0, 1.0))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
