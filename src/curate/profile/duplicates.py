"""Exact copies among the inputs, and copies that carry different labels, by the modality's exact keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.core.dataset import Dataset
from curate.core.keys import duplicate_groups
from curate.modalities import get_modality

__all__ = ["DuplicateSummary", "duplicate_summary"]

# How many groups of each kind a profile names by their rows' ids.
EXAMPLE_GROUPS = 3


@dataclass(frozen=True)
class DuplicateSummary:
    """Groups of rows whose inputs are exactly the same (after the modality's normalising).

    Attributes
    ----------
    groups : int
        Groups of two or more rows with the same input.
    rows_in_groups : int
        Rows in those groups.
    extra_copies : int
        Rows beyond the first of each group: what removing the copies would remove.
    conflicting_groups : int
        Groups whose rows carry more than one label.
    conflicting_rows : int
        Rows in those groups.
    examples : list of list of str
        The row ids of the first groups (at most 3).
    conflicting_examples : list of list of tuple of (str, str)
        The (row id, label) pairs of the first conflicting groups (at most 3).
    """

    groups: int
    rows_in_groups: int
    extra_copies: int
    conflicting_groups: int
    conflicting_rows: int
    examples: list[list[str]] = field(default_factory=list)
    conflicting_examples: list[list[tuple[str, str]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; conflicting examples as ``[row_id, label]`` pairs.
        """
        return {"groups": self.groups, "rows_in_groups": self.rows_in_groups, "extra_copies": self.extra_copies,
                "conflicting_groups": self.conflicting_groups, "conflicting_rows": self.conflicting_rows,
                "examples": self.examples,
                "conflicting_examples": [[[rid, label] for rid, label in g] for g in self.conflicting_examples]}


def duplicate_summary(dataset: Dataset, keys: list[str] | None = None) -> DuplicateSummary:
    """Group exact copies by :meth:`~curate.modalities.base.Modality.exact_keys` and count those in conflict.

    The keys are the ones the ``exact_duplicates`` and ``conflicting_labels`` detectors group by:
    texts after Unicode NFKC, case folding and whitespace collapsing; a table's cells; a picture's
    pixels. Empty inputs are never copies.

    Parameters
    ----------
    dataset : Dataset
        The rows.
    keys : list of str, optional
        The rows' exact keys, when already computed; the dataset's modality gives them when None.

    Returns
    -------
    DuplicateSummary
        Counts of copies and of copies with different labels, with example row ids.
    """
    keys = keys if keys is not None else get_modality(dataset.modality).exact_keys(dataset)
    groups = duplicate_groups(keys)
    grouped = np.flatnonzero(groups >= 0)
    members: dict[int, list[int]] = {}
    for position in grouped:
        members.setdefault(int(groups[position]), []).append(int(position))
    conflicting = [rows for rows in members.values() if len({str(dataset.labels[r]) for r in rows}) > 1]
    return DuplicateSummary(
        groups=len(members), rows_in_groups=int(grouped.size), extra_copies=int(grouped.size) - len(members),
        conflicting_groups=len(conflicting), conflicting_rows=sum(len(rows) for rows in conflicting),
        examples=[[str(dataset.row_ids[r]) for r in rows] for rows in list(members.values())[:EXAMPLE_GROUPS]],
        conflicting_examples=[[(str(dataset.row_ids[r]), str(dataset.labels[r])) for r in rows]
                              for rows in conflicting[:EXAMPLE_GROUPS]])
