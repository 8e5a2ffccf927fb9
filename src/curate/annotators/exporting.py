"""Consensus labels of an annotation dataset: one row per item, for export and for the admin page.

The labels are the ledger's ``annotate`` entries (:func:`curate.annotators.tasks.annotation_labels`);
the consensus is CROWDLAB's (:func:`curate.annotators.consensus.consensus`, Goh et al. 2022,
arXiv:2210.06812), with out-of-fold probabilities of a model trained on the items' texts
(:func:`curate.annotators.modelled.model_pred_probs`) when the labels allow one, and the
annotators alone otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.annotators.consensus import consensus, majority_vote
from curate.annotators.modelled import ConsensusTable, label_codes, model_pred_probs
from curate.annotators.tasks import AnnotationView, annotation_labels
from curate.core.files import write_table
from curate.errors import InputError
from curate.features import FeatureCache

__all__ = ["EXPORT_FORMATS", "MIN_ITEMS_PER_CLASS", "AnnotationExport", "annotation_consensus", "export_annotations",
           "export_format", "item_inputs", "model_refusal", "write_export"]

# A model joins the annotators only when at least two classes each win the majority vote of this many items.
MIN_ITEMS_PER_CLASS = 5
EXPORT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}
_ID = "id"
_OUTPUTS = ("consensus_label", "consensus_quality", "weak_consensus", "n_labels")


def item_inputs(view: AnnotationView) -> pd.DataFrame:
    """The items' input columns as imported, one row per item in position order.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`curate.annotators.tasks.load_view`.

    Returns
    -------
    pandas.DataFrame
        Shape (n_items, n_input_columns): the text of each input column.
    """
    rows = [json.loads(f) for f in view.items["fields"]]
    columns = list(dict.fromkeys(c for row in rows for c in row))
    return pd.DataFrame(rows, columns=columns, dtype=object).reset_index(drop=True)


def model_refusal(codes: np.ndarray, n_classes: int) -> str | None:
    """Why the labels cannot train a model for the consensus, or None when they can.

    Parameters
    ----------
    codes : numpy.ndarray
        Shape (n_items, n_annotators), int: class codes, -1 for missing.
    n_classes : int
        K: the number of classes.

    Returns
    -------
    str or None
        One line naming the reason; None when at least two classes each win the majority vote of
        ``MIN_ITEMS_PER_CLASS`` items or more.
    """
    majority = majority_vote(codes, n_classes=n_classes)
    wins = np.bincount(majority[majority >= 0], minlength=n_classes)
    enough = int(np.count_nonzero(wins >= MIN_ITEMS_PER_CLASS))
    if enough >= 2:
        return None
    return (f"only {enough} class(es) win the majority vote of {MIN_ITEMS_PER_CLASS} or more items; a model needs two, "
            f"so the annotators alone decide")


@dataclass(frozen=True)
class AnnotationExport:
    """The consensus of an annotation dataset, one row per item, and how it was reached.

    Attributes
    ----------
    table : pandas.DataFrame
        ``id``, the input columns, ``consensus_label`` (None where nobody labelled),
        ``consensus_quality``, ``weak_consensus``, ``n_labels``, and with annotator labels one
        ``label_<annotator>`` column per annotator (account or imported slot). An input column
        whose name is one of these is written as ``input_<name>``.
    found : ConsensusTable or None
        The consensus with its annotators' quality; None when no item has a label.
    how : str
        One line: ``annotators and a model (...)`` or ``annotators only`` and why.
    """

    table: pd.DataFrame
    found: ConsensusTable | None
    how: str

    def summary_line(self) -> str:
        """One line for people: items, labelled, weak, unlabelled and how the consensus was reached.

        Returns
        -------
        str
            The line.
        """
        t = self.table
        unlabelled = int((t["n_labels"] == 0).sum())
        return (f"{len(t):,} items: {len(t) - unlabelled:,} with a consensus label, "
                f"{int(t['weak_consensus'].sum()):,} weak (more likely wrong than right), "
                f"{unlabelled:,} with no label and no consensus; {self.how}")


def annotation_consensus(view: AnnotationView, *, model: bool = True, cache: FeatureCache | None = None,
                         ) -> tuple[ConsensusTable | None, str]:
    """The consensus of the dataset's labels: with a model on the items' texts when asked and possible.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`curate.annotators.tasks.load_view`.
    model : bool, default True
        Train a model on the items' texts (joined by a new line) for CROWDLAB; False: annotators only.
    cache : FeatureCache, optional
        The embedding cache for the model's text features.

    Returns
    -------
    found : ConsensusTable or None
        The consensus; None when no item has a label.
    how : str
        One line: how the consensus was reached, and why without a model when ``model`` was asked.
    """
    labels = annotation_labels(view)
    codes, classes = label_codes(labels)
    if not classes:
        return None, "no labels yet, so no consensus"
    probs: np.ndarray | None = None
    described: dict[str, Any] = {}
    reason = None if model else "annotators only (--no-model)"
    if model:
        refused = model_refusal(codes, len(classes))
        if refused is not None:
            reason = f"annotators only: {refused}"
        else:
            texts = item_inputs(view).fillna("").astype(str).agg("\n".join, axis=1)
            probs, described = model_pred_probs(texts, codes, len(classes), cache=cache)
    found = ConsensusTable(consensus(codes, probs, n_classes=len(classes)), labels, classes, described, probs)
    if reason is not None:
        return found, reason
    return found, (f"annotators and a model ({described['embedder']} + {described['classifier']}, "
                   f"{described['folds']}-fold out-of-fold probabilities; CROWDLAB)")


def export_annotations(view: AnnotationView, *, annotator_labels: bool = False, model: bool = True,
                       cache: FeatureCache | None = None) -> AnnotationExport:
    """One row per item: its id, input columns, consensus label and quality, weak flag and label count.

    Parameters
    ----------
    view : AnnotationView
        The dataset, as read by :func:`curate.annotators.tasks.load_view`.
    annotator_labels : bool, default False
        Add one ``label_<annotator>`` column per annotator with their label (None where none).
    model : bool, default True
        Let a model on the items' texts join the annotators when the labels allow one (see
        :func:`annotation_consensus`).
    cache : FeatureCache, optional
        The embedding cache for the model's text features.

    Returns
    -------
    AnnotationExport
        The table, the consensus and how it was reached.
    """
    found, how = annotation_consensus(view, model=model, cache=cache)
    labels = annotation_labels(view)
    inputs = item_inputs(view)
    taken = {_ID, *_OUTPUTS, *(f"label_{who}" for who in labels.columns if annotator_labels)}
    inputs.columns = [f"input_{c}" if c in taken else c for c in inputs.columns]
    table = pd.concat([pd.DataFrame({_ID: view.items["row_id"].astype(str).to_numpy()}), inputs], axis=1)
    n = len(table)
    if found is None:
        table["consensus_label"] = pd.Series([None] * n, dtype=object)
        table["consensus_quality"] = np.full(n, np.nan)
        table["weak_consensus"] = np.zeros(n, dtype=bool)
        table["n_labels"] = np.zeros(n, dtype=np.int64)
    else:
        per_item = found.items()
        table["consensus_label"] = per_item["consensus_label"].to_numpy(dtype=object)
        table["consensus_quality"] = per_item["consensus_quality"].to_numpy(dtype=np.float64)
        table["weak_consensus"] = per_item["weak"].to_numpy(dtype=bool)
        table["n_labels"] = per_item["annotations"].to_numpy(dtype=np.int64)
    if annotator_labels:
        for who in labels.columns:
            table[f"label_{who}"] = labels[who].to_numpy(dtype=object)
    return AnnotationExport(table, found, how)


def export_format(out: Path) -> str:
    """The table format that ``out``'s extension names (check it before the work).

    Parameters
    ----------
    out : pathlib.Path
        The output file.

    Returns
    -------
    str
        ``csv``, ``parquet`` or ``jsonl``.

    Raises
    ------
    InputError
        When the extension is none of ``.csv``, ``.parquet``, ``.jsonl``.
    """
    fmt = EXPORT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"--out {out}: unknown extension {out.suffix or '(none)'!r}; "
                         f"write {', '.join(EXPORT_FORMATS)}")
    return fmt


def write_export(exported: AnnotationExport, out: Path) -> Path:
    """Write the export's table to ``out`` atomically, in the format its extension names.

    Parameters
    ----------
    exported : AnnotationExport
        From :func:`export_annotations`.
    out : pathlib.Path
        ``.csv``, ``.parquet`` or ``.jsonl``.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    InputError
        When the extension is unknown or the file cannot be written.
    """
    try:
        return write_table(exported.table, out, export_format(out))
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write it ({exc.strerror or exc}); choose a writable folder") from None
