"""The modality protocol: everything that differs between kinds of input (text, tables, images, ...).

The rest of curate never asks which kind of input it has. It asks the dataset's modality instead:
how rows become feature vectors, which key makes two rows exact copies, which input-quality
problems a row has, which classifier is cross-validated by default, and how a row is shown to a
person in the report and the review app. A new kind of input is one new module that subclasses
:class:`Modality` and registers an instance (:func:`curate.modalities.register_modality`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin

from curate.core.dataset import Dataset
from curate.core.progress import ProgressReporter
from curate.core.warnings import AuditWarning
from curate.features.base import TextEmbedder
from curate.features.cache import FeatureCache

__all__ = ["ExtraView", "FeatureSet", "InputProblems", "Modality", "RowView"]


@dataclass(frozen=True)
class FeatureSet:
    """One dense vector per row, and facts about how they were made (stored in the run's metrics).

    Attributes
    ----------
    vectors : numpy.ndarray
        Shape (n_rows, dim), float32.
    metrics : dict
        JSON-serialisable facts, e.g. ``{"embedder": "st:all-MiniLM-L6-v2", "cached_rows": 10}``.
    warnings : list of AuditWarning
        What the run should say about these features (e.g. texts in languages the features read
        badly); the audit adds them to its warnings.
    surface : bool
        True when nearness in the vectors compares the inputs' surface after a lossy reduction
        (n-grams, hashed or reduced by SVD), not their meaning: such features cannot vouch that two
        inputs are near copies, so the near-copy detectors confirm it with
        :meth:`Modality.input_similarity`.
    embedder : object, optional
        The embedder that made the vectors, when one did.
    """

    vectors: np.ndarray
    metrics: dict[str, Any] = field(default_factory=dict)
    warnings: list[AuditWarning] = field(default_factory=list)
    surface: bool = False
    embedder: Any = None


@dataclass(frozen=True)
class ExtraView:
    """A further reading of the rows for the label evidence: other features and the classifier for them.

    Its out-of-fold probabilities join the classifier and neighbour views, weighted by how well
    they explain the labels (:mod:`curate.evidence.calibration`).

    Attributes
    ----------
    name : str
        Short name, used in the run's metrics and each row's details (``words``).
    description : str
        What it reads, for people, with its id (``word 1-2-gram TF-IDF (tfidf:word1-2:...)``).
    features : numpy.ndarray or scipy.sparse.csr_matrix
        Shape (n_rows, n_features).
    classifier : sklearn.base.ClassifierMixin
        Unfitted, with ``predict_proba``; cloned per fold.
    """

    name: str
    description: str
    features: Any
    classifier: Any


@dataclass(frozen=True)
class InputProblems:
    """Per-row input-quality problems found by a modality.

    Attributes
    ----------
    problems : list of list of str
        For each row, the names of its problems (empty when the row is fine).
    scores : numpy.ndarray
        Shape (n_rows,), in [0, 1]: 1 for a clean row, lower for worse problems.
    notes : dict
        Dataset-level facts (e.g. constant columns), JSON-serialisable.
    """

    problems: list[list[str]]
    scores: np.ndarray
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RowView:
    """How one row's input is shown to a person: as text, or as named fields.

    Attributes
    ----------
    text : str or None
        The text to show, when the input reads as text.
    fields : dict or None
        Field name to value, when the input reads as a record.
    language : str or None
        A guess of the text's language, when it has one.
    problem : str or None
        Why the input cannot be shown as itself (a picture that cannot be read: ``unreadable``,
        ``not_found``, ...), when it cannot; ``text`` then says so for people.
    """

    text: str | None = None
    fields: dict[str, Any] | None = None
    language: str | None = None
    problem: str | None = None


class Modality(ABC):
    """A kind of input. Subclasses set ``name`` and implement every abstract method.

    Instances hold no data: every method receives the :class:`~curate.core.dataset.Dataset`.
    """

    name: ClassVar[str]
    # True for a modality that reads pictures: its image columns are read, not ignored (the audit's
    # input checks ask).
    reads_images: ClassVar[bool] = False

    @abstractmethod
    def claims(self, text_columns: Sequence[str], input_columns: Sequence[str], frame: pd.DataFrame) -> bool:
        """Whether this modality reads a table with these columns (asked when none was named).

        Parameters
        ----------
        text_columns : sequence of str
            Columns chosen (or named) as text.
        input_columns : sequence of str
            The other input columns.
        frame : pandas.DataFrame
            The table, for modalities that decide by content.

        Returns
        -------
        bool
            True when this modality should read the table.
        """

    @abstractmethod
    def features(self, dataset: Dataset, *, embedder: TextEmbedder | None, cache: FeatureCache | None,
                 progress: ProgressReporter) -> FeatureSet:
        """One dense vector per row.

        Parameters
        ----------
        dataset : Dataset
            The rows to encode.
        embedder : TextEmbedder or None
            The embedder the run configuration chose (None: the modality's default).
        cache : FeatureCache or None
            Where vectors are cached by content hash and model id (None: no cache).
        progress : ProgressReporter
            Where to report progress and announcements.

        Returns
        -------
        FeatureSet
            Vectors of shape (n_rows, dim) and facts for the run's metrics.
        """

    @abstractmethod
    def exact_keys(self, dataset: Dataset) -> list[str]:
        """A key per row, equal exactly when two rows' inputs count as the same (an empty key: never a copy).

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str
            ``n_rows`` keys.
        """

    def file_keys(self, dataset: Dataset) -> list[str] | None:
        """A key per row of the content it reads from files the table only names (None: the table holds it all).

        A dataset version is the table's bytes and how they were read; where a row's input is a
        file the table names by path, the file's content belongs to the version too. These keys
        enter the version's identity and each row's content hash, so that a file changed on disk
        makes a new version. By default a table holds all its content.

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str or None
            ``n_rows`` keys, equal exactly when the file content counts as the same; None when no
            row's input is read from a file.
        """
        return None

    def unread_rows(self, dataset: Dataset) -> np.ndarray:
        """Rows whose input could not be read at all, so that nothing can be said about their labels.

        A picture that cannot be decoded reaches the classifier as zeros; any class it "prefers"
        is an artefact. By default every row's input is read.

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,), bool.
        """
        return np.zeros(dataset.n_rows, dtype=bool)

    @abstractmethod
    def input_problems(self, dataset: Dataset, *, long_factor: float) -> InputProblems:
        """Per-row problems of the inputs themselves (empty, garbled, missing, ...).

        Parameters
        ----------
        dataset : Dataset
            The rows.
        long_factor : float
            Inputs longer than this many times the median length count as too long (where length
            means something for the modality).

        Returns
        -------
        InputProblems
            Each row's problem names and score, and dataset-level notes.
        """

    @abstractmethod
    def default_classifier(self, seed: int, smallest_class: int) -> ClassifierMixin:
        """The scikit-learn classifier cross-validated on this modality's features by default.

        Parameters
        ----------
        seed : int
            Random seed for classifiers that use one.
        smallest_class : int
            Rows in the dataset's smallest class (some classifiers need enough rows to hold some back).

        Returns
        -------
        sklearn.base.ClassifierMixin
            An unfitted classifier with ``predict_proba``.
        """

    def extra_views(self, dataset: Dataset, *, features: FeatureSet, seed: int) -> list[ExtraView]:
        """Further readings of the rows for the label evidence, beside the main features.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        features : FeatureSet
            The main features, as :meth:`features` made them.
        seed : int
            Random seed for classifiers that use one.

        Returns
        -------
        list of ExtraView
            None by default.
        """
        return []

    @abstractmethod
    def row_view(self, dataset: Dataset, position: int) -> RowView:
        """How the row at ``position`` is shown in the review app.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.

        Returns
        -------
        RowView
            The row's text or fields.
        """

    def read_columns(self, dataset: Dataset) -> list[str]:
        """The input columns whose content the features read (the others are ignored).

        The audit's input checks use it: a leaking column the model reads makes it agree with every
        label, and a run whose model reads no column at all is refused. By default every text and
        input column is read; a modality that drops some (identifiers, constants) says which remain.

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str
            Column names among ``dataset.text_columns`` and ``dataset.input_columns``.
        """
        return [*dataset.text_columns, *dataset.input_columns]

    def unread_columns(self, dataset: Dataset) -> dict[str, str]:
        """The input columns the features leave out, each with the reason (said when the data loads).

        By default every column is read. A modality that drops some (see :meth:`read_columns`)
        names each with why, so that no column is ignored silently.

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        dict of str to str
            Column name to a short reason (e.g. ``constant``); empty when every column is read.
        """
        return {}

    def input_similarity(self, dataset: Dataset, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """How alike the inputs of row pairs are, measured on the inputs themselves, in [0, 1].

        Asked only when the features are ``surface`` features, to confirm near copies. The default
        measures nothing (None), and the features decide alone.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        rows, cols : numpy.ndarray
            Positions of the pairs' two rows, same shape (n_pairs,).

        Returns
        -------
        numpy.ndarray or None
            Shape (n_pairs,), 1 for inputs that count as the same; None when not measured.
        """
        return None

    def row_picture(self, dataset: Dataset, position: int, max_side: int) -> bytes | None:
        """The row's picture as PNG, its longer side about ``max_side``, for the review app.

        Only a modality that reads pictures has one; the default has none.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.
        max_side : int
            The longest side wanted, in pixels.

        Returns
        -------
        bytes or None
            A PNG file encoded anew from the decoded pixels; None when the row has no picture
            (this default, or a picture that cannot be read).
        """
        return None

    def preview(self, dataset: Dataset, position: int, max_chars: int = 300) -> str:
        """A one-line preview of the row at ``position`` for tables of findings.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.
        max_chars : int, default 300
            The preview is cut to this many characters.

        Returns
        -------
        str
            The row's text, or its first eight fields as ``name=value`` (a missing cell as
            ``name=(missing)``), cut to ``max_chars``.
        """
        view = self.row_view(dataset, position)
        if view.text is not None:
            return view.text[:max_chars]
        items = list((view.fields or {}).items())[:8]
        return ", ".join(f"{k}={'(missing)' if v is None else v}" for k, v in items)[:max_chars]
