"""The admin page's consensus figures: annotator quality, agreement with the consensus, weak items.

The page uses the annotators alone (:func:`curate.annotators.exporting.annotation_consensus` with
``model=False``): a weighted vote over the labels takes milliseconds even on thousands of items,
where training a model on the texts would take a while on every new label. The figures are cached
by the ledger's newest annotation entry, so a page reload without a new label costs nothing.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from curate.annotators.exporting import annotation_consensus
from curate.annotators.tasks import AnnotationView

__all__ = ["PREVIEW_CHARS", "ConsensusCache", "consensus_standing"]

PREVIEW_CHARS = 120
_WEAK_LISTED = 20


def _preview(fields: str) -> str:
    text = " / ".join(str(v) for v in json.loads(fields).values())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


def consensus_standing(view: AnnotationView, *, listed: int = _WEAK_LISTED) -> dict[str, Any]:
    """Annotator quality and the weak-consensus items of an annotation dataset, annotators only.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`curate.annotators.tasks.load_view`.
    listed : int, default 20
        How many weak-consensus items to list, weakest first.

    Returns
    -------
    dict
        ``method`` (``weighted_vote``; None without labels), ``how`` (one line), ``annotators``
        (list of ``annotator``, ``labels``, ``quality``, ``agreement_with_consensus``, best first),
        ``weak_items`` (count), ``weak_below``, ``unlabelled_items`` and ``weak`` (list of ``item``,
        ``preview`` of its text, ``consensus_label``, ``consensus_quality``, ``labels`` by annotator).
    """
    found, _ = annotation_consensus(view, model=False)
    if found is None:
        return {"method": None, "how": "No labels yet, so no consensus.", "annotators": [], "weak_items": 0,
                "weak_below": None, "unlabelled_items": len(view.items), "weak": []}
    figures = found.to_dict(weak_rows=listed)
    summary = figures["summary"]
    fields = dict(zip(view.items["row_id"].astype(str), view.items["fields"], strict=True))
    weak = [{"item": str(w["item"]), "preview": _preview(fields[str(w["item"])]),
             "consensus_label": w["consensus_label"], "consensus_quality": w["consensus_quality"],
             "labels": {k: v for k, v in w["labels"].items() if v is not None}} for w in figures["weak_items"]]
    annotators = [{k: a[k] for k in ("annotator", "labels", "quality", "agreement_with_consensus")}
                  for a in figures["annotators"]]
    return {"method": summary["method"], "how": "Consensus from the annotators alone (weighted vote), without the "
            "model, so the page stays quick; 'curate annotate export' adds the model.", "annotators": annotators,
            "weak_items": summary["weak_items"], "weak_below": summary["weak_below"],
            "unlabelled_items": summary["unlabelled_items"], "weak": weak}


class ConsensusCache:
    """The last :func:`consensus_standing`, kept until a new annotation entry arrives.

    Thread-safe: the web server answers requests from several threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None
        self._value: dict[str, Any] | None = None

    def get(self, view: AnnotationView) -> dict[str, Any]:
        """The standing of ``view``, computed again only when its newest entry changed.

        Parameters
        ----------
        view : AnnotationView
            The dataset, as read by :func:`curate.annotators.tasks.load_view`.

        Returns
        -------
        dict
            See :func:`consensus_standing`.
        """
        key = (view.dataset, max((e.id for e in view.entries), default=0))
        with self._lock:
            if self._key == key and self._value is not None:
                return self._value
        value = consensus_standing(view)
        with self._lock:
            self._key, self._value = key, value
        return value
