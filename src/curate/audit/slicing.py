"""The run's slices and a sensitive attribute's disparities, from what the audit computed.

The measures come from the run itself: the label check's flags (after warnings withheld any) and
the label evidence's out-of-fold predictions. Groupings are the file's columns that are not read
as input (``Dataset.metadata``: a source, a split, an annotator) and a table's categorical inputs
(its numeric inputs are not cut into ranges); with none, clusters of the run's features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from curate.audit.needs import AuditNeeds
from curate.core.dataset import Dataset
from curate.errors import ColumnError
from curate.modalities import get_modality
from curate.slices import MEASURES, Grouping, cluster_grouping, column_groupings, find_slices, group_disparities
from curate.slices.candidates import MAX_LEVELS, factorize_groups

__all__ = ["check_sensitive", "run_slices"]


def check_sensitive(dataset: Dataset, sensitive: Sequence[str]) -> None:
    """Refuse, before any long stage, a sensitive attribute that is not a column of groups.

    Parameters
    ----------
    dataset : Dataset
        The audited rows.
    sensitive : sequence of str
        Column names.

    Raises
    ------
    ColumnError
        When a name is not a column, or the column does not hold 2 to 50 groups.
    """
    for name in sensitive:
        column = _column(dataset, name)
        if column is None and name in (dataset.label_column, dataset.id_column):
            role = "label" if name == dataset.label_column else "id"
            raise ColumnError(f"--sensitive: {name!r} is the {role} column; name a column of groups such as a "
                              "source, a region or an annotator")
        if column is None:
            names = [*map(str, dataset.frame.columns), *([] if dataset.metadata is None else dataset.metadata.columns)]
            raise ColumnError(f"--sensitive: no column {name!r} (columns: {', '.join(map(str, names))})")
        distinct = column.nunique(dropna=True)
        if not 2 <= distinct <= MAX_LEVELS:
            values = "value" if distinct == 1 else "values"
            raise ColumnError(f"--sensitive: column {name!r} has {distinct} distinct {values}; a sensitive "
                              f"attribute needs 2 to {MAX_LEVELS} groups")


def _column(dataset: Dataset, name: str) -> pd.Series | None:
    """Column ``name`` of the dataset's inputs or metadata, one value per row; None when it has none."""
    for frame in (dataset.frame, dataset.metadata):
        if frame is not None and name in map(str, frame.columns):
            return frame[name]
    return None


def _measures(dataset: Dataset, needs: AuditNeeds, scores: pd.DataFrame,
              model_trusted: bool = True) -> dict[str, np.ndarray]:
    """Rows flagged as label errors and rows the out-of-fold evidence misclassifies, by dataset position.

    Where a warning withheld the label flags (a model near chance, a leaked label column), the
    model's errors say nothing about the data: a model that answers one class for every row makes
    every slice of the other class "90 % errors". They are then no measure.
    """
    out: dict[str, np.ndarray] = {}
    label = scores[scores["issue"] == "label"]
    if not label.empty:
        flagged = np.zeros(dataset.n_rows, dtype=bool)
        flagged[label.loc[label["flagged"].astype(bool), "position"].to_numpy(dtype=np.int64)] = True
        out["label_error_rate"] = flagged
    evidence = needs.computed("label_evidence")
    probs = evidence.probs if evidence is not None else getattr(needs.computed("pred_probs"), "probs", None)
    if probs is not None and model_trusted:
        out["oof_error_rate"] = np.asarray(probs).argmax(axis=1) != dataset.label_codes
    return {m: out[m] for m in MEASURES if m in out}


def run_slices(dataset: Dataset, needs: AuditNeeds, scores: pd.DataFrame,
               sensitive: Sequence[str] = (), model_trusted: bool = True) -> dict[str, Any]:
    """The run's slice report and, per sensitive attribute, its groups' disparities.

    Parameters
    ----------
    dataset : Dataset
        The audited rows.
    needs : AuditNeeds
        What the audit computed (label evidence, features).
    scores : pandas.DataFrame
        The run's scores with ``position`` in ``dataset``'s rows, after flags were withheld.
    sensitive : sequence of str, default ()
        Columns to report group by group.
    model_trusted : bool, default True
        False when a run warning withheld the label flags: out-of-fold errors are then not a
        measure of slices, nor of groups' accuracy.

    Returns
    -------
    dict
        ``slices`` (:meth:`curate.slices.SliceReport.to_dict`, or None without measures) and
        ``disparities`` (one entry per sensitive column).
    """
    measures = _measures(dataset, needs, scores, model_trusted)
    if not measures:
        return {"slices": None, "disparities": []}
    groupings = [] if dataset.metadata is None else column_groupings(dataset.metadata, set())
    if dataset.input_columns and not get_modality(dataset.modality).reads_images:
        # A table's categorical inputs are groups too; its numeric inputs are not cut (see column_groupings).
        groupings += column_groupings(dataset.frame, set(), {str(c) for c in dataset.input_columns})
    if not groupings:
        features = needs.computed("features")
        clusters = None if features is None else cluster_grouping(features, dataset.label_codes,
                                                                  [str(c) for c in dataset.classes])
        groupings = [clusters] if clusters is not None else []
    report = find_slices(groupings, measures)
    flagged = measures.get("label_error_rate", np.zeros(dataset.n_rows, dtype=bool))
    correct = ~measures["oof_error_rate"] if "oof_error_rate" in measures else np.ones(dataset.n_rows, dtype=bool)
    disparities = []
    for name in sensitive:
        column = _column(dataset, name)
        if column is None:  # check_sensitive refused it before the audit began
            continue
        # Every value a group (checked: 2 to 50); rows without one are a group too, so none go uncounted.
        codes, levels = factorize_groups(column, missing="(missing)")
        grouping = Grouping(name, codes, levels, "column")
        disparities.append(group_disparities(grouping, dataset.label_codes, [str(c) for c in dataset.classes],
                                             flagged, correct))
    return {"slices": report.to_dict(), "disparities": disparities}
