"""Small planted datasets for detector tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curate.audit import audit_dataset
from curate.core.dataset import Dataset
from curate.detectors import DetectorResult
from curate.features import HashedTextEmbedder
from curate.ingest.building import build_dataset


def blobs(n_per_class: int = 80, n_classes: int = 3, dim: int = 5, seed: int = 0) -> pd.DataFrame:
    """Well-separated Gaussian clusters, one per class, with an id column ``r0``, ``r1``, ..."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, size=(n_classes, dim))
    points = np.vstack([rng.normal(c, 1.0, size=(n_per_class, dim)) for c in centres])
    frame = pd.DataFrame(points, columns=[f"x{i}" for i in range(dim)])
    frame["label"] = np.repeat([f"c{k}" for k in range(n_classes)], n_per_class)
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    return frame


def run(dataset: Dataset, name: str, **kwargs: object) -> DetectorResult:
    results, _ = audit_dataset(dataset, detectors=[name], embedder=HashedTextEmbedder(),
                               **kwargs)  # type: ignore[arg-type]
    return results[0]


def flagged_ids(dataset: Dataset, result: DetectorResult) -> set[str]:
    return {str(i) for i in dataset.row_ids[result.flagged]}


def text_dataset(texts: list[str], labels: list[str], **kwargs: object) -> Dataset:
    frame = pd.DataFrame({"text": texts, "label": labels})
    return build_dataset(frame, label="label", text=["text"], **kwargs)  # type: ignore[arg-type]


TOPICS = {
    "sport": ["the striker scored a late goal in the football match",
              "the tennis champion won the final set easily",
              "the basketball team lost the playoff game at home",
              "our marathon runner broke the national record today",
              "the coach praised the defence after the cup win",
              "the cyclist climbed the mountain stage in record time"],
    "food": ["bake the bread dough with flour butter and yeast",
             "this spicy noodle soup needs garlic and chili",
             "roast the vegetables with olive oil and salt",
             "the chocolate cake recipe uses sugar and cream",
             "grill the salmon fillet with lemon and herbs",
             "simmer the tomato sauce with basil for an hour"],
    "tech": ["the new laptop ships with a faster processor",
             "install the software update to fix the security bug",
             "the smartphone camera sensor improves low light photos",
             "cloud servers process the database queries quickly",
             "the graphics card renders games at high frame rates",
             "open source developers released the compiler patch"],
}


def topic_texts() -> tuple[list[str], list[str]]:
    """36 distinct texts, 12 per topic: each joins two different sentences of its topic.

    Offsets 1 and 2 never pair (i, j) with (j, i), so no two texts share all their words.
    """
    texts, labels = [], []
    for offset in (1, 2):
        for topic, sentences in TOPICS.items():
            for i, s in enumerate(sentences):
                texts.append(f"{s} while {sentences[(i + offset) % len(sentences)]}")
                labels.append(topic)
    return texts, labels
