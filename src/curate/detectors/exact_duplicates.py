"""Exact duplicates: rows whose inputs are equal after normalising text (case, spacing, Unicode form)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register

__all__ = ["ExactDuplicateDetector", "group_members"]


def group_members(groups: np.ndarray) -> dict[int, np.ndarray]:
    """Row positions of each group id (ignoring -1).

    Parameters
    ----------
    groups : numpy.ndarray
        Shape (n_rows,), int: a group id per row, -1 for a row in no group
        (see :func:`curate.core.keys.duplicate_groups`).

    Returns
    -------
    dict of int to numpy.ndarray
        Group id to the positions of its rows, in increasing order.

    Examples
    --------
    >>> {g: m.tolist() for g, m in group_members(np.array([0, -1, 0, 1, 1])).items()}
    {0: [0, 2], 1: [3, 4]}
    """
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    members: dict[int, np.ndarray] = {}
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], len(groups)], strict=True):
        gid = int(sorted_groups[start])
        if gid >= 0:
            members[gid] = order[start:stop]
    return members


@register
class ExactDuplicateDetector(Detector):
    """Flags every row of a group of identical inputs; details name the first copy and the others.

    Score: 0 for a row in a duplicate group, 1 otherwise.
    """

    name: ClassVar[str] = "exact_duplicate"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset", "duplicate_groups"})
    description: ClassVar[str] = "the same input appears more than once"

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag every row of a group of identical (normalised) inputs.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset`` and ``duplicate_groups``.

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,): 0 in a duplicate group, else 1; details give the group id,
            the first copy's id, every copy's id and whether the row is the first; notes count
            the groups.
        """
        dataset: Dataset = context.need("dataset")
        groups: np.ndarray = context.need("duplicate_groups")
        flagged = groups >= 0
        details: list[dict] = [{} for _ in range(len(groups))]
        for gid, members in group_members(groups).items():
            ids = [str(dataset.row_ids[m]) for m in members]
            for m in members:
                details[m] = {"group": gid, "first": ids[0], "copies": ids, "is_first": bool(m == members[0])}
        n_groups = int(groups.max()) + 1 if flagged.any() else 0
        return self._result(np.where(flagged, 0.0, 1.0), flagged, details=details,
                            notes={"groups": n_groups})
