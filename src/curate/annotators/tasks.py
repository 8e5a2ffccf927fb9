"""Annotation mode over the ledger: an annotator's next item, the labels of an item, the admin's summary.

The labels are the ledger's ``annotate`` entries (see :mod:`curate.store.annotations`). Blind
labelling is enforced here, not in templates: :func:`next_item` returns no label of anyone, and
:func:`labels_of_item` answers only someone who has labelled (or skipped) the item already.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.annotators.agreement import agreement
from curate.annotators.queue import REASONS, annotation_order, open_items
from curate.errors import InputError
from curate.store import Workspace
from curate.store.annotations import ANNOTATE, SettingsRecord, items_of, settings_history
from curate.store.decisions import DecisionRecord, read_decisions

__all__ = ["AnnotationView", "annotation_labels", "annotation_summary", "labels_of_item", "load_view", "next_item"]


@dataclass(frozen=True)
class AnnotationView:
    """One read of an annotation dataset: its items, settings in force and annotation entries.

    Attributes
    ----------
    dataset : str
        The dataset's name.
    items : pandas.DataFrame
        ``position``, ``row_id``, ``fields`` (JSON text), ``content_hash``.
    settings : SettingsRecord
        The settings in force.
    entries : list of DecisionRecord
        The ``annotate`` and ``skip`` entries, in ledger order.
    """

    dataset: str
    items: pd.DataFrame
    settings: SettingsRecord
    entries: list[DecisionRecord]


def load_view(workspace: Workspace, dataset: str) -> AnnotationView:
    """Read an annotation dataset's items, settings and annotation entries.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str
        The annotation dataset's name.

    Returns
    -------
    AnnotationView
        The items, the settings in force and the entries.

    Raises
    ------
    NotFoundError
        When there is no such dataset.
    InputError
        When the dataset was not imported for annotation.
    """
    history = settings_history(workspace, dataset)
    if not history:
        raise InputError(f"{dataset!r} is not an annotation dataset; import one with 'curate annotate import'")
    entries = [e for e in read_decisions(workspace, dataset) if e.action in (ANNOTATE, "skip")]
    return AnnotationView(dataset, items_of(workspace, dataset), history[-1], entries)


def _counts(view: AnnotationView, annotator: str) -> tuple[np.ndarray, np.ndarray]:
    position = dict(zip(view.items["row_id"], view.items["position"], strict=True))
    n = len(view.items)
    labellers: list[set[str]] = [set() for _ in range(n)]
    mine = np.zeros(n, dtype=bool)
    for e in view.entries:
        p = position.get(e.row_id)
        if p is None:
            continue
        if e.action == ANNOTATE:
            labellers[p].add(e.reviewer)
        if e.reviewer == annotator:
            mine[p] = True
    return np.array([len(s) for s in labellers], dtype=np.int64), mine


def _item(view: AnnotationView, position: int) -> dict[str, Any]:
    row = view.items.iloc[position]
    return {"position": int(row["position"]), "row_id": str(row["row_id"]), "fields": json.loads(row["fields"])}


def next_item(view: AnnotationView, annotator: str, ranking: Sequence[int] = (),
              reasons: Mapping[int, str] | None = None) -> dict[str, Any]:
    """What ``annotator`` sees next: an item, with nobody's labels, and their progress.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`load_view`.
    annotator : str
        The account name.
    ranking : sequence of int, default ()
        The model's ranking of positions (see :func:`curate.annotators.queue.annotation_order`).
    reasons : mapping of int to str, optional
        Each ranked position's reason, a key of :data:`curate.annotators.queue.REASONS`.

    Returns
    -------
    dict
        ``item`` (``position``, ``row_id``, ``fields``; None when the queue is empty),
        ``classes``, ``guidelines``, ``per_item``, ``remaining`` (open items for this annotator)
        ``done`` (items this annotator labelled), ``reason`` (why the item is next: a key of
        :data:`~curate.annotators.queue.REASONS`; None without an item) and ``why`` (its text).
        No label of anyone.
    """
    counts, mine = _counts(view, annotator)
    queue = annotation_order(open_items(counts, mine, view.settings.per_item), counts, ranking)
    done = sum(1 for e in view.entries if e.action == ANNOTATE and e.reviewer == annotator)
    reason = (reasons or {}).get(int(queue[0]), "order") if len(queue) else None
    if reason == "disagreement":
        # Blind labelling: that the others disagree is itself news about their labels.
        reason = "more_labels"
    return {"item": _item(view, int(queue[0])) if len(queue) else None, "classes": view.settings.classes,
            "guidelines": view.settings.guidelines, "per_item": view.settings.per_item,
            "remaining": len(queue), "done": done, "reason": reason,
            "why": None if reason is None else REASONS[reason]}


def labels_of_item(view: AnnotationView, row_id: str, annotator: str) -> dict[str, Any]:
    """How everyone labelled one item, for an annotator who has labelled or skipped it.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`load_view`.
    row_id : str
        The item.
    annotator : str
        Who asks.

    Returns
    -------
    dict
        ``item``, ``mine`` (the asker's label, None after a skip) and ``others``: a list of
        ``{"annotator", "label"}`` in ledger order.

    Raises
    ------
    PermissionError
        When ``annotator`` has neither labelled nor skipped the item: labelling is blind.
    NotFoundError
        When there is no such item.
    """
    from curate.errors import NotFoundError

    found = view.items.index[view.items["row_id"] == row_id]
    if len(found) == 0:
        raise NotFoundError(f"{view.dataset!r} has no item {row_id!r}")
    about = [e for e in view.entries if e.row_id == row_id]
    if not any(e.reviewer == annotator for e in about):
        raise PermissionError("labelling is blind: give your own label first")
    mine = next((e.new_value for e in about if e.reviewer == annotator and e.action == ANNOTATE), None)
    others = [{"annotator": e.reviewer, "label": e.new_value} for e in about
              if e.action == ANNOTATE and e.reviewer != annotator]
    return {"item": _item(view, int(found[0])), "mine": mine, "others": others}


def annotation_labels(view: AnnotationView) -> pd.DataFrame:
    """Items by annotators: each annotator's label of each item (None where none), from the ledger.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`load_view`.

    Returns
    -------
    pandas.DataFrame
        Indexed by row id in position order, one column per annotator in order of first label.
    """
    latest: dict[tuple[str, str], str | None] = {}
    for e in view.entries:
        if e.action == ANNOTATE:
            latest[(e.row_id, e.reviewer)] = e.new_value
    names = list(dict.fromkeys(who for _, who in latest))
    table = pd.DataFrame(None, index=pd.Index(view.items["row_id"], name="row_id"), columns=names, dtype=object)
    for (row_id, who), value in latest.items():
        table.at[row_id, who] = value
    return table


def annotation_summary(view: AnnotationView) -> dict[str, Any]:
    """The admin's figures: progress, labels per annotator, and agreement on the labels so far.

    Agreement uses :func:`curate.annotators.agreement` on the ledger's annotations, without
    bootstrap intervals, so the page stays quick as labels come in.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`load_view`.

    Returns
    -------
    dict
        ``dataset``, ``items``, ``per_item``, ``complete`` (items with at least K labels),
        ``labelled`` (items with any), ``labels``, ``skips``, ``annotators`` (name to counts of
        ``labels`` and ``skips``), ``agreement`` (``Agreement.to_dict()``; None with fewer than
        two labels on any item) and ``settings`` (the one in force).
    """
    table = annotation_labels(view)
    per_item = table.notna().sum(axis=1).to_numpy() if table.shape[1] else np.zeros(len(table), dtype=np.int64)
    counts: dict[str, dict[str, int]] = {}
    for e in view.entries:
        slot = counts.setdefault(e.reviewer, {"labels": 0, "skips": 0})
        slot["labels" if e.action == ANNOTATE else "skips"] += 1
    figures = agreement(table, rounds=0).to_dict() if (per_item >= 2).any() else None
    s = view.settings
    return {"dataset": view.dataset, "items": len(table), "per_item": s.per_item,
            "complete": int((per_item >= s.per_item).sum()), "labelled": int((per_item > 0).sum()),
            "labels": int(per_item.sum()), "skips": sum(c["skips"] for c in counts.values()),
            "annotators": counts, "agreement": figures,
            "settings": {"per_item": s.per_item, "guidelines": s.guidelines, "classes": s.classes,
                         "changed_by": s.changed_by, "created_at": s.created_at}}
