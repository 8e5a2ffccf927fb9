"""A test-only modality, written as a plugin author would: one module, one registration, no edits elsewhere.

Its inputs are "signals": strings of digits such as ``"3 1 4 1 5"``. A signal's features are the
L2-normalised histogram of its digits; two signals are copies when they hold the same digits in
the same order, whatever the spacing; an empty signal is an input problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression

from curate.core.dataset import Dataset
from curate.core.progress import ProgressReporter
from curate.features import FeatureCache, TextEmbedder
from curate.modalities import FeatureSet, InputProblems, Modality, RowView

SIGNAL_COLUMN = "signal"


def signals(dataset: Dataset) -> list[str]:
    column = next(c for c in (*dataset.text_columns, *dataset.input_columns) if c == SIGNAL_COLUMN)
    return dataset.frame[column].fillna("").astype(str).tolist()


class ToyModality(Modality):
    name: ClassVar[str] = "toy"

    def claims(self, text_columns: Sequence[str], input_columns: Sequence[str], frame: pd.DataFrame) -> bool:
        return SIGNAL_COLUMN in (*text_columns, *input_columns)

    def features(self, dataset: Dataset, *, embedder: TextEmbedder | None, cache: FeatureCache | None,
                 progress: ProgressReporter) -> FeatureSet:
        vectors = np.zeros((dataset.n_rows, 10), dtype=np.float32)
        for i, signal in enumerate(signals(dataset)):
            for digit in signal.split():
                vectors[i, int(digit)] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return FeatureSet(vectors / np.where(norms > 0, norms, 1.0), {"embedder": "toy:digit-histogram"})

    def exact_keys(self, dataset: Dataset) -> list[str]:
        return ["".join(s.split()) for s in signals(dataset)]

    def input_problems(self, dataset: Dataset, *, long_factor: float) -> InputProblems:
        problems = [["empty"] if not s.split() else [] for s in signals(dataset)]
        scores = np.array([0.0 if p else 1.0 for p in problems])
        return InputProblems(problems, scores, {"empty_signals": sum(bool(p) for p in problems)})

    def default_classifier(self, seed: int, smallest_class: int) -> ClassifierMixin:
        return LogisticRegression(max_iter=500)

    def row_view(self, dataset: Dataset, position: int) -> RowView:
        signal = signals(dataset)[position]
        return RowView(fields={SIGNAL_COLUMN: signal, "digits": len(signal.split())})
