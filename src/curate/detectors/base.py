"""The detector contract: one issue type per class, declared needs, findings as arrays.

A detector reads what it declared in ``needs`` from the context it is given and returns a
DetectorResult: a score per row in [0, 1] (lower is worse), a flag per row, optionally a suggested
label and details per row, and dataset-level notes. It never touches SQL, HTTP or the terminal.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

__all__ = ["NEED_NAMES", "Detector", "DetectorResult", "NeedProvider"]

# What a detector may ask for. Each is computed at most once per audit, and only if asked for.
# ``input_similarity`` is a function of row pairs (rows, cols) -> similarities of the inputs themselves,
# or None when the features can vouch for near copies alone (see FeatureSet.surface). ``verified_labels``
# is the rows a person checked (:class:`curate.core.verified.VerifiedLabels`), or None.
NEED_NAMES = frozenset({"dataset", "features", "pred_probs", "label_evidence", "neighbors", "duplicate_groups",
                        "input_similarity", "verified_labels"})


class NeedProvider(Protocol):
    """Gives a detector the inputs it declared."""

    def need(self, name: str) -> Any:
        """The value of the need ``name`` (one of :data:`NEED_NAMES`).

        Parameters
        ----------
        name : str
            A need the detector declared in its ``needs``.

        Returns
        -------
        object
            The Dataset, an array, a NeighborGraph, ... depending on the need.
        """
        ...


@dataclass(frozen=True)
class DetectorResult:
    """What one detector found over all rows.

    Attributes
    ----------
    issue : str
        The detector's name.
    scores : numpy.ndarray
        Shape (n_rows,), float in [0, 1]; lower is worse.
    flagged : numpy.ndarray
        Shape (n_rows,), bool: the detector's decision.
    suggested_labels : list of (str or None), optional
        One per row: a label the detector proposes instead of the given one.
    details : sequence of dict, optional
        One per row: JSON-serialisable facts behind the score (a list, or the audit's
        :class:`~curate.audit.scores.DetailsText`).
    notes : dict
        Dataset-level facts, JSON-serialisable.
    checked : bool
        False when the detector does not check this kind of dataset (a check of the text's
        capitals, on pictures): the run leaves the result out, so that its summary and report do
        not list a check that was never made. Scores are then all 1 and nothing is flagged.
    """

    issue: str
    scores: np.ndarray
    flagged: np.ndarray
    suggested_labels: list[str | None] | None = None
    details: Sequence[dict[str, Any]] | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    checked: bool = True

    @property
    def n_flagged(self) -> int:
        """How many rows are flagged.

        Returns
        -------
        int
        """
        return int(np.count_nonzero(self.flagged))


class Detector(ABC):
    """Base class of detectors. Subclasses set ``name``, ``needs`` and ``description``.

    Constructors only store parameters; the work happens in ``find``.
    """

    name: ClassVar[str]
    needs: ClassVar[frozenset[str]]
    description: ClassVar[str]
    # False when a flag states a fact about the whole dataset (a rare class): a reviewer keeping or
    # removing the row neither confirms nor refutes it, so reviewer feedback (curate.feedback) skips it.
    judged_by_reviewers: ClassVar[bool] = True
    # Allowed (low, high) of numeric constructor parameters (None: unbounded); a run configuration
    # outside them is refused before any work.
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {}

    @abstractmethod
    def find(self, context: NeedProvider) -> DetectorResult:
        """Score every row of the context's dataset.

        Parameters
        ----------
        context : NeedProvider
            Gives the needs this detector declared (``context.need("dataset")``, ...).

        Returns
        -------
        DetectorResult
            Scores of shape (n_rows,) in [0, 1] (lower is worse) and flags of shape (n_rows,).
        """

    def neighbours_read(self) -> int:
        """How many of each row's nearest neighbours this detector reads (its ``k`` parameter, else 0).

        The audit builds one neighbour graph per run, with the most neighbours any consumer reads.

        Returns
        -------
        int
        """
        return int(getattr(self, "k", 0))

    def _result(self, scores: np.ndarray, flagged: np.ndarray, **kwargs: Any) -> DetectorResult:
        """Wrap a detector's arrays in a DetectorResult named after the detector.

        Scores are passed through unchanged, only converted to float64: a score outside [0, 1] or a
        NaN is a bug of the detector, which :func:`curate.testing.check_detector` must see rather
        than have hidden by a clip here.

        Parameters
        ----------
        scores : numpy.ndarray
            One score per row, in [0, 1], lower is worse.
        flagged : numpy.ndarray
            One flag per row; converted to bool.
        **kwargs : Any
            ``suggested_labels``, ``details``, ``notes`` and ``checked`` of :class:`DetectorResult`.

        Returns
        -------
        DetectorResult
            The result, with ``issue`` set to the detector's ``name``.
        """
        return DetectorResult(self.name, np.asarray(scores, dtype=np.float64), np.asarray(flagged, dtype=bool),
                              **kwargs)
