"""An audit's per-row scores in a compact table: one row per (row, issue), details kept as JSON text.

A detector returns its per-row details as dicts. A dict of five numbers costs about a kilobyte in
Python and its JSON text about two hundred bytes, so an audit of a million rows and ten detectors
would hold gigabytes of dicts. The audit therefore turns each detector's details into JSON text as
soon as the detector is done (:class:`DetailsText`), keeps every score in one table of text details
(:func:`scores_table`) and turns text back into dicts only for the rows someone reads
(:func:`decode_details`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import pandas as pd

from curate.core.dataset import Dataset
from curate.detectors import DetectorResult
from curate.store.run_files import decode_details, details_text

__all__ = ["FINDING_COLUMNS", "DetailsText", "decode_details", "scores_table"]

FINDING_COLUMNS = ["row_id", "issue", "score", "flagged", "suggested_label", "given_label", "current_label",
                   "split", "position", "details"]


class DetailsText(Sequence[dict[str, Any]]):
    """A detector's per-row details held as JSON text, read back as dicts one row at a time.

    Equal texts share one string, so the many rows with the same details (none, or their class's
    count) cost a pointer each.

    Parameters
    ----------
    details : sequence of dict
        One dict per row, JSON-serialisable (numpy numbers are turned into Python ones).
    """

    def __init__(self, details: Sequence[Mapping[str, Any]]) -> None:
        shared: dict[str, str] = {}
        self.texts: list[str] = [shared.setdefault(text, text) for text in map(details_text, details)]

    @classmethod
    def of(cls, details: Sequence[Mapping[str, Any]]) -> DetailsText:
        """``details`` as DetailsText (returned as it is when it already is).

        Parameters
        ----------
        details : sequence of dict
            One dict per row.

        Returns
        -------
        DetailsText
        """
        return details if isinstance(details, DetailsText) else cls(details)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [json.loads(text) for text in self.texts[index]]
        return json.loads(self.texts[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (json.loads(text) for text in self.texts)


def _texts(details: Sequence[Mapping[str, Any]] | None, n_rows: int) -> list[str]:
    if details is None:
        return ["{}"] * n_rows
    return DetailsText.of(details).texts


def scores_table(dataset: Dataset, results: Sequence[DetectorResult]) -> pd.DataFrame:
    """Every detector's score for every row, one row per (row, issue), worst first within an issue.

    Parameters
    ----------
    dataset : Dataset
        The audited rows.
    results : sequence of DetectorResult
        One result per detector, each with arrays of shape (n_rows,) aligned with ``dataset``.

    Returns
    -------
    pandas.DataFrame
        ``len(results) * n_rows`` rows with the columns of ``FINDING_COLUMNS``: ``row_id``,
        ``issue``, ``score`` (rounded to 6 decimals; lower is worse), ``flagged``,
        ``suggested_label``, ``given_label`` and ``current_label`` (both ``dataset``'s label),
        ``split``, ``position`` (0-based, in ``dataset``) and ``details`` (JSON text per row; see
        :func:`decode_details`). Sorted by issue name, then score, then position. An empty frame
        with those columns when ``results`` is empty.
    """
    frames = []
    positions = np.arange(dataset.n_rows)
    row_ids = np.asarray(dataset.row_ids, dtype=object)
    labels = np.asarray(dataset.labels, dtype=object)
    splits = np.asarray(dataset.splits, dtype=object) if dataset.splits is not None else None
    # Each issue's rows are put in order on their own and the issues joined by name: one sort of
    # ten million rows would copy every column once more.
    for result in sorted(results, key=lambda r: r.issue):
        scores = np.round(result.scores, 6)
        order = np.lexsort((positions, scores))  # by score, then position
        suggested = (np.asarray(result.suggested_labels, dtype=object)[order]
                     if result.suggested_labels is not None else None)
        details = _texts(result.details, dataset.n_rows)
        frames.append(pd.DataFrame({
            "row_id": row_ids[order],
            "issue": result.issue,
            "score": scores[order],
            "flagged": np.asarray(result.flagged, dtype=bool)[order],
            "suggested_label": suggested,
            "given_label": labels[order],
            "current_label": labels[order],
            "split": splits[order] if splits is not None else None,
            "position": positions[order],
            "details": [details[i] for i in order],
        }))
    if not frames:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return pd.concat(frames, ignore_index=True)
