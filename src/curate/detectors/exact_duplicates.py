"""Exact duplicates: rows whose inputs are equal after normalising text (case, spacing, Unicode form)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register

__all__ = ["COPIES_LISTED", "ExactDuplicateDetector", "group_members", "listed_copies"]

# Copies a group's other rows list: enough for a reviewer to see and open them, while the whole
# group is listed once, on its first row, so stored details grow with rows, not with rows squared
# (one text repeated 4,000 times listed the 4,000 ids 4,000 times: a 268 MB workspace).
COPIES_LISTED = 10


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


def listed_copies(ids: list[str], is_first: bool) -> list[str]:
    """The ids a row of a copy group lists: all of them on the group's first row, else the first few.

    Parameters
    ----------
    ids : list of str
        The group's row ids, first copy first.
    is_first : bool
        Whether the row is the group's first.

    Returns
    -------
    list of str
        ``ids`` on the first row, else its first :data:`COPIES_LISTED`.

    Examples
    --------
    >>> listed_copies(["a", "b"], is_first=False)
    ['a', 'b']
    """
    return ids if is_first else ids[:COPIES_LISTED]


@register
class ExactDuplicateDetector(Detector):
    """Flags every row of a group of identical inputs; details name the first copy and the others.

    The group's first row lists every copy; the others list the first :data:`COPIES_LISTED` and
    the group's ``size``, so a group is stored once however large it is.

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
            the first copy's id, the group's ``size``, ``copies`` (every copy's id on the first
            row, the first :data:`COPIES_LISTED` on the others) and whether the row is the first;
            notes count the groups.
        """
        dataset: Dataset = context.need("dataset")
        groups: np.ndarray = context.need("duplicate_groups")
        flagged = groups >= 0
        details: list[dict] = [{} for _ in range(len(groups))]
        for gid, members in group_members(groups).items():
            ids = [str(dataset.row_ids[m]) for m in members]
            for m in members:
                first = bool(m == members[0])
                details[m] = {"group": gid, "first": ids[0], "size": len(ids), "copies": listed_copies(ids, first),
                              "is_first": first}
        n_groups = int(groups.max()) + 1 if flagged.any() else 0
        return self._result(np.where(flagged, 0.0, 1.0), flagged, details=details,
                            notes={"groups": n_groups})
