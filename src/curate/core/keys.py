"""Normalised content keys, and groups of rows whose inputs are exactly the same after normalising."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

import numpy as np

from curate.core.dataset import Dataset

__all__ = ["duplicate_groups", "normalise_text", "row_keys"]

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Unicode NFKC, case-folded, whitespace collapsed and trimmed.

    >>> normalise_text("  Hello\\u00a0 WORLD ")
    'hello world'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def row_keys(dataset: Dataset) -> list[str]:
    """A key per row that is equal exactly when two rows have the same (normalised) inputs."""
    if dataset.modality == "text":
        return [normalise_text(t) for t in dataset.texts()]
    frame = dataset.frame[list(dataset.input_columns)]
    keys = []
    cells = frame.astype(object).where(frame.notna(), None)  # type: ignore[call-overload]
    for record in cells.itertuples(index=False, name=None):
        payload = json.dumps([v.item() if isinstance(v, np.generic) else v for v in record], default=str)
        keys.append(hashlib.sha256(payload.encode()).hexdigest())
    return keys


def duplicate_groups(dataset: Dataset) -> np.ndarray:
    """Group id per row: rows with equal keys share an id (numbered by first appearance); -1 if unique.

    Rows whose text is empty after normalising are never grouped: "empty" is an input-quality
    finding, and calling every empty row a duplicate of every other would bury the real ones.
    """
    keys = row_keys(dataset)
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    groups = np.full(len(keys), -1, dtype=np.int64)
    for i, key in enumerate(keys):
        if counts[key] > 1 and key != "":
            groups[i] = first.setdefault(key, len(first))
    return groups
