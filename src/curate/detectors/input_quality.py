"""Input quality: inputs that are empty, garbled, incomplete or otherwise unusable, as the modality judges."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from curate.core.dataset import Dataset
from curate.detectors.base import Detector, DetectorResult, NeedProvider
from curate.detectors.registry import register
from curate.modalities import get_modality

__all__ = ["InputQualityDetector"]


@register
class InputQualityDetector(Detector):
    """Flags rows whose input is empty, garbled, truncated-looking or missing values.

    What counts as a problem is the modality's call (:meth:`curate.modalities.Modality.input_problems`):
    for text, empty, mojibake, U+FFFD, control characters, too short, or longer than ``long_factor``
    times the median length (and over 1,000 characters), since the sentence model reads only its
    first 256 word pieces; for tables, missing cells, with constant and id-like columns as
    dataset-level notes, since they are problems of a column, not of a row.

    Parameters
    ----------
    long_factor : float, default 10.0
        A text is too long when it is longer than this many times the median length (and over
        1,000 characters).
    """

    name: ClassVar[str] = "input_quality"
    needs: ClassVar[frozenset[str]] = frozenset({"dataset"})
    description: ClassVar[str] = "the input is empty, garbled or incomplete"
    parameter_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {"long_factor": (1.0, None)}

    def __init__(self, long_factor: float = 10.0) -> None:
        self.long_factor = long_factor

    def find(self, context: NeedProvider) -> DetectorResult:
        """Flag the rows whose input the dataset's modality finds unusable.

        Implements :meth:`Detector.find`.

        Parameters
        ----------
        context : NeedProvider
            Gives the declared needs: ``dataset``.

        Returns
        -------
        DetectorResult
            The modality's scores, shape (n_rows,); a row is flagged when it has any problem,
            and its details list them; notes are the modality's dataset-level notes.
        """
        dataset: Dataset = context.need("dataset")
        found = get_modality(dataset.modality).input_problems(dataset, long_factor=self.long_factor)
        flagged = np.array([bool(p) for p in found.problems], dtype=bool)
        details = [{"problems": p} if p else {} for p in found.problems]
        return self._result(found.scores, flagged, details=details, notes=dict(found.notes))
