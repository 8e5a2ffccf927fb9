"""Consensus of a table of annotations, with a model trained on the items' inputs when they are given.

The model is curate's default for the input's modality (the features and classifier an audit
uses: :meth:`curate.modalities.Modality.features` and ``default_classifier``), trained on the
majority-vote labels and cross-validated (:func:`curate.evidence.predictions.cross_val_pred_probs`),
as CROWDLAB trains its model (Goh et al. 2022, arXiv:2210.06812).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.annotators.consensus import WEAK_CONSENSUS_BELOW, ConsensusResult, consensus, majority_vote
from curate.core.config import AuditConfig, EvidenceConfig
from curate.core.progress import ProgressReporter, SilentProgress
from curate.errors import ColumnError, InputError
from curate.evidence.predictions import cross_val_pred_probs
from curate.evidence.trust import evidence_strength
from curate.features import FeatureCache
from curate.ingest.loading import load_data
from curate.modalities import get_modality

__all__ = ["ConsensusTable", "consensus_table", "inputs_per_item", "label_codes", "model_pred_probs"]


def _r(value: Any) -> float | None:
    return None if value is None or value != value else round(float(value), 4)


@dataclass(frozen=True)
class ConsensusTable:
    """A :class:`ConsensusResult` with the names of the table it came from.

    Attributes
    ----------
    result : ConsensusResult
        The estimate, by position.
    labels : pandas.DataFrame
        The annotations read: items x annotators, label text or None.
    classes : list of str
        The class names, sorted; code ``i`` is ``classes[i]``.
    model : dict
        What the model was: ``modality``, ``embedder``, ``classifier``, ``folds``,
        ``oof_accuracy`` (against the majority vote); empty without a model. A model that does not
        beat chance is dropped: then ``dropped`` is True, with ``chance`` and ``p_value``, and
        ``pred_probs`` is None.
    pred_probs : numpy.ndarray or None
        Shape (n_items, K): the model's out-of-fold probabilities; None without a model.
    """

    result: ConsensusResult
    labels: pd.DataFrame
    classes: list[str]
    model: dict[str, Any]
    pred_probs: np.ndarray | None = None

    def items(self) -> pd.DataFrame:
        """One row per item: the consensus, its quality, and every annotator's label.

        Returns
        -------
        pandas.DataFrame
            Columns ``item``, ``consensus_label`` (None where nobody labelled), ``consensus_quality``,
            ``crowdlab_score``, ``agreement``, ``annotations``, ``majority_label``, ``weak``, then one
            column per annotator named ``label_<annotator>``.
        """
        found = self.result
        named = _namer(self.classes)
        table = pd.DataFrame({
            "item": list(self.labels.index), "consensus_label": named(found.label),
            "consensus_quality": found.quality, "crowdlab_score": found.score, "agreement": found.agreement,
            "annotations": found.annotations, "majority_label": named(found.majority), "weak": found.weak})
        for column in self.labels.columns:
            table[f"label_{column}"] = self.labels[column].to_numpy(dtype=object)
        return table

    def annotators(self) -> pd.DataFrame:
        """One row per annotator, best first.

        Returns
        -------
        pandas.DataFrame
            Columns ``annotator``, ``labels``, ``quality``, ``agreement_with_consensus``, ``weight``.
        """
        found = self.result
        table = pd.DataFrame({"annotator": [str(c) for c in self.labels.columns], "labels": found.annotator_labels,
                              "quality": found.annotator_quality,
                              "agreement_with_consensus": found.annotator_agreement,
                              "weight": found.annotator_weights})
        return table.sort_values("quality", ascending=False, kind="stable", na_position="last").reset_index(drop=True)

    def to_dict(self, weak_rows: int = 20) -> dict[str, Any]:
        """JSON-ready figures: the summary, the model, the annotators, the first weak items.

        Parameters
        ----------
        weak_rows : int, default 20
            Weak-consensus items listed (the weakest first); -1 for all.

        Returns
        -------
        dict
            Keys ``summary`` (see :meth:`ConsensusResult.summary`), ``classes``, ``model``,
            ``annotators`` (list of dicts as :meth:`annotators`) and ``weak_items`` (list of dicts:
            ``item``, ``consensus_label``, ``consensus_quality``, ``majority_label``, ``labels`` by annotator).
        """
        weak = self.weak_items()
        if weak_rows >= 0:
            weak = weak.head(weak_rows)
        annotators = [{"annotator": str(row["annotator"]), "labels": int(row["labels"]), "quality": _r(row["quality"]),
                       "agreement_with_consensus": _r(row["agreement_with_consensus"]), "weight": _r(row["weight"])}
                      for row in self.annotators().to_dict("records")]
        label_columns = [c for c in weak.columns if c.startswith("label_")]
        listed = [{"item": _plain(row["item"]), "consensus_label": row["consensus_label"],
                   "consensus_quality": _r(row["consensus_quality"]), "majority_label": row["majority_label"],
                   "labels": {c.removeprefix("label_"): row[c] for c in label_columns}}
                  for _, row in weak.iterrows()]
        return {"summary": self.result.summary(), "classes": self.classes, "model": self.model,
                "annotators": annotators, "weak_items": listed}

    def weak_items(self) -> pd.DataFrame:
        """The items whose consensus is more likely wrong than right, weakest first.

        Returns
        -------
        pandas.DataFrame
            Rows of :meth:`items` with ``weak`` set, by ascending ``consensus_quality``.
        """
        table = self.items()
        return table[table["weak"]].sort_values("consensus_quality", kind="stable")


def _namer(classes: list[str]) -> Any:
    return lambda codes: [classes[c] if c >= 0 else None for c in codes]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def label_codes(labels: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Label text as class codes.

    Parameters
    ----------
    labels : pandas.DataFrame
        Items x annotators, label text or None (as :func:`curate.annotators.reading.items_by_annotators` gives).

    Returns
    -------
    codes : numpy.ndarray
        Shape (n_items, n_annotators), int64; -1 where missing.
    classes : list of str
        The sorted class names.
    """
    cells = labels.to_numpy(dtype=object)
    present = pd.notna(cells)
    classes = sorted({str(v) for v in cells[present]})
    index = {c: i for i, c in enumerate(classes)}
    codes = np.full(cells.shape, -1, dtype=np.int64)
    codes[present] = [index[str(v)] for v in cells[present]]
    return codes, classes


def inputs_per_item(frame: pd.DataFrame, labels: pd.DataFrame, column: str | Sequence[str], *, item: str | None = None,
                    source: str = "the data") -> pd.Series:
    """The input (text or image) of each item of ``labels``, from the file's ``column``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file as read.
    labels : pandas.DataFrame
        Its annotations, items x annotators: by position (wide layout) or by ``item`` (long layout).
    column : str or sequence of str
        The input column, or several text columns: their cells are joined by a newline per row (empty
        cells as ""), as an audit joins several text columns.
    item : str, optional
        The long layout's item column: the item's first row gives its input.
    source : str, default "the data"
        The file's name, for messages.

    Returns
    -------
    pandas.Series
        One input per item, in ``labels``' order.

    Raises
    ------
    ColumnError
        When ``column`` is not in ``frame``.
    """
    columns = [column] if isinstance(column, str) else list(column)
    for name in columns:
        if name not in frame.columns:
            raise ColumnError(f"{source}: no input column {name!r} (columns: {', '.join(map(str, frame.columns))})")
    joined = frame[columns].fillna("").astype(str).agg("\n".join, axis=1) if len(columns) > 1 else None
    values = frame[columns[0]] if joined is None else joined
    if item is None:
        return values.reset_index(drop=True)
    return values.groupby(frame[item], sort=False).first().reindex(labels.index).reset_index(drop=True)


def model_pred_probs(inputs: pd.Series, codes: np.ndarray, n_classes: int, *, image: bool = False,
                     cache: FeatureCache | None = None, progress: ProgressReporter | None = None,
                     config: AuditConfig | None = None, root: str | None = None,
                     ) -> tuple[np.ndarray, dict[str, Any]]:
    """Out-of-fold probabilities of curate's default model, trained on the majority-vote labels.

    Parameters
    ----------
    inputs : pandas.Series
        One text (or, with ``image``, one picture: encoded bytes or a path) per item.
    codes : numpy.ndarray
        Shape (n_items, n_annotators), int: class codes, -1 for missing.
    n_classes : int
        K: columns of the result.
    image : bool, default False
        The inputs are pictures (EfficientNet-Lite0 features) rather than texts.
    cache : FeatureCache, optional
        The embedding cache (by content hash and model).
    progress : ProgressReporter, optional
        Where progress goes (default: nowhere).
    config : AuditConfig, optional
        Folds and seed, as an audit reads them (default: the defaults).
    root : str, optional
        The folder that relative picture paths are inside.

    Returns
    -------
    pred_probs : numpy.ndarray
        Shape (n_items, K), float64; items nobody labelled get the mean of the others' rows.
    model : dict
        ``modality``, ``embedder``, ``classifier``, ``folds`` and ``oof_accuracy`` (against the majority vote).

    Raises
    ------
    InputError
        When fewer than two classes win the majority vote of two or more items (nothing to learn).
    """
    config = config or AuditConfig()
    progress = progress or SilentProgress()
    majority = majority_vote(codes, n_classes=n_classes)
    labelled = np.flatnonzero(majority >= 0)
    frame = pd.DataFrame({"input": inputs.to_numpy(dtype=object)[labelled],
                          "label": [f"c{c:06d}" for c in majority[labelled]]})
    loaded = load_data(frame, label="label", text=[] if image else ["input"], image="input" if image else None,
                       modality="image" if image else "text", root=root)
    dataset = loaded.dataset
    modality = get_modality(dataset.modality)
    made = modality.features(dataset, embedder=None, cache=cache, progress=progress)
    trained = np.array([int(name[1:]) for name in dataset.classes], dtype=np.int64)
    counts = np.bincount(dataset.label_codes, minlength=len(trained))
    if np.count_nonzero(counts >= 2) < 2:
        raise InputError("the model needs two classes that each win the majority vote of two or more items; "
                         "leave out --text/--image to use the annotators alone")
    classifier = modality.default_classifier(config.seed, int(counts[counts > 0].min()))
    with progress.task("cross-validation", config.folds) as advance:
        found = cross_val_pred_probs(np.asarray(made.vectors), dataset.label_codes, len(trained),
                                     classifier=classifier, folds=config.folds, seed=config.seed, progress=advance)
    probs = np.zeros((len(codes), n_classes))
    probs[np.ix_(labelled, trained)] = found.probs
    probs[majority < 0] = probs[labelled].mean(axis=0)
    model = {"modality": dataset.modality, "embedder": made.metrics.get("embedder"),
             "classifier": type(classifier).__name__, "folds": found.folds, "oof_accuracy": _r(found.accuracy)}
    return probs, model


def _kept_if_skilled(probs: np.ndarray, codes: np.ndarray, model: dict[str, Any],
                     ) -> tuple[np.ndarray | None, dict[str, Any]]:
    """The model's probabilities, or None when they do not beat always saying the commonest majority label.

    The test is the audits' (:func:`curate.evidence.trust.evidence_strength`: a one-sided exact binomial
    test of the out-of-fold accuracy against the commonest class's share, at ``EvidenceConfig.max_p_value``)
    on the items with a majority vote. A dropped model leaves ``model`` with ``dropped`` set, its
    ``oof_accuracy`` and the ``chance`` it failed to beat, so the annotators alone decide.
    """
    majority = majority_vote(codes, n_classes=probs.shape[1])
    labelled = majority >= 0
    strength = evidence_strength(probs[labelled], majority[labelled])
    if strength.p_value < EvidenceConfig().max_p_value and strength.accuracy > strength.majority_rate:
        return probs, model
    return None, {**model, "dropped": True, "oof_accuracy": _r(strength.accuracy),
                  "chance": _r(strength.majority_rate), "p_value": _r(strength.p_value)}


def consensus_table(labels: pd.DataFrame, inputs: pd.Series | None = None, *, image: bool = False,
                    cache: FeatureCache | None = None, progress: ProgressReporter | None = None,
                    weak_below: float = WEAK_CONSENSUS_BELOW, root: str | None = None) -> ConsensusTable:
    """Consensus labels and annotator quality of a table of annotations (CROWDLAB with a model when inputs are given).

    Parameters
    ----------
    labels : pandas.DataFrame
        Items x annotators, label text or None.
    inputs : pandas.Series, optional
        One input per item (see :func:`inputs_per_item`); without it, the annotators alone decide.
    image : bool, default False
        ``inputs`` are pictures.
    cache : FeatureCache, optional
        The embedding cache.
    progress : ProgressReporter, optional
        Where progress goes.
    weak_below : float, default 0.5
        Consensus quality below which an item is flagged weak.
    root : str, optional
        The folder that relative picture paths are inside.

    Returns
    -------
    ConsensusTable
        The result with the table's names.

    Raises
    ------
    InputError
        With fewer than two annotator columns, or no label at all.
    """
    if labels.shape[1] < 2:
        raise InputError(f"consensus needs at least two annotators; got {labels.shape[1]} "
                         f"({', '.join(map(str, labels.columns))})")
    codes, classes = label_codes(labels)
    if not classes:
        raise InputError("no labels at all: every annotator cell is empty")
    probs, model = (None, {}) if inputs is None else model_pred_probs(
        inputs, codes, len(classes), image=image, cache=cache, progress=progress, root=root)
    if probs is not None:
        probs, model = _kept_if_skilled(probs, codes, model)
    result = consensus(codes, probs, n_classes=len(classes), weak_below=weak_below)
    return ConsensusTable(result, labels, classes, model, probs)
