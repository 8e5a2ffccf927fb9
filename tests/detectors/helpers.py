"""Small planted datasets for detector tests (the texts and clusters are curate.testing's)."""

from __future__ import annotations

import pandas as pd

from curate.audit import audit_dataset
from curate.core.dataset import Dataset
from curate.detectors import DetectorResult
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset
from curate.testing import TOPICS, blobs, topic_texts

__all__ = ["TOPICS", "blobs", "flagged_ids", "run", "text_dataset", "topic_texts"]


def run(dataset: Dataset, name: str, **kwargs: object) -> DetectorResult:
    results, _ = audit_dataset(dataset, detectors=[name], embedder=HashedTextEmbedder(),
                               **kwargs)  # type: ignore[arg-type]
    return results[0]


def flagged_ids(dataset: Dataset, result: DetectorResult) -> set[str]:
    return {str(i) for i in dataset.row_ids[result.flagged]}


def text_dataset(texts: list[str], labels: list[str], **kwargs: object) -> Dataset:
    frame = pd.DataFrame({"text": texts, "label": labels})
    return build_dataset(frame, label="label", text=["text"], **kwargs)  # type: ignore[arg-type]
