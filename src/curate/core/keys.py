"""Normalised content keys, and groups of rows whose inputs are exactly the same after normalising."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["distinct_input_weights", "duplicate_groups", "keys_with_vectors", "normalise_text"]

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Unicode NFKC, case-folded, whitespace collapsed and trimmed.

    Parameters
    ----------
    text : str
        The text to normalise.

    Returns
    -------
    str
        The normalised text: equal for inputs that differ only in case, Unicode compatibility
        forms (full-width letters, non-breaking spaces) or whitespace.

    Examples
    --------
    >>> normalise_text("  Hello\\u00a0 WORLD ")
    'hello world'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def duplicate_groups(keys: Sequence[str]) -> np.ndarray:
    """Group id per row: rows with equal keys share an id (numbered by first appearance); -1 if unique.

    Rows whose text is empty after normalising are never grouped: "empty" is an input-quality
    finding, and calling every empty row a duplicate of every other would bury the real ones.

    Parameters
    ----------
    keys : sequence of str
        One normalised content key per row (see :func:`normalise_text`); ``""`` for an empty row.

    Returns
    -------
    numpy.ndarray
        Shape (n_rows,), int64: the row's group id, counted from 0 in order of each group's first
        row, or -1 for a row whose key no other row shares (and for every empty key).

    Examples
    --------
    >>> duplicate_groups(["a", "b", "a", "", ""]).tolist()
    [0, -1, 0, -1, -1]
    """
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    groups = np.full(len(keys), -1, dtype=np.int64)
    for i, key in enumerate(keys):
        if counts[key] > 1 and key != "":
            groups[i] = first.setdefault(key, len(first))
    return groups


def keys_with_vectors(keys: Sequence[str], vectors: np.ndarray) -> list[str]:
    """Each row's key joined with its vector's: equal only when both the inputs and the vectors are.

    The user's own features are part of each row's input: rows whose other columns match (a
    constant ``source`` column, or none at all) are copies only when their vectors are equal too.
    A joined key is never empty, since every row has a vector.

    Parameters
    ----------
    keys : sequence of str
        One content key per row (a modality's exact keys; ``""`` for an empty input).
    vectors : numpy.ndarray
        Shape (n_rows, dim): the user's features, finite.

    Returns
    -------
    list of str
        ``n_rows`` keys: the row's key and the number of its distinct vector, joined by a NUL.

    Examples
    --------
    >>> keys_with_vectors(["a", "a", "a"], np.array([[1.0, 0.0], [1.0, -0.0], [0.0, 1.0]]))
    ['a\\x001', 'a\\x001', 'a\\x000']
    """
    # Adding 0.0 turns -0.0 into 0.0: the two are the same number but not the same bytes.
    _, vector_ids = np.unique(np.asarray(vectors) + 0.0, axis=0, return_inverse=True)
    return [f"{key}\x00{int(v)}" for key, v in zip(keys, vector_ids.reshape(-1), strict=True)]


def distinct_input_weights(groups: np.ndarray) -> np.ndarray | None:
    """One over the size of each row's group of exact copies: weights that count each distinct input once.

    Parameters
    ----------
    groups : numpy.ndarray
        Shape (n_rows,), int: from :func:`duplicate_groups` (-1 for a row without copies).

    Returns
    -------
    numpy.ndarray or None
        Shape (n_rows,), float in (0, 1]; None when no row has a copy (every weight would be 1).
    """
    copied = groups >= 0
    if not copied.any():
        return None
    weights = np.ones(len(groups))
    weights[copied] = 1.0 / np.bincount(groups[copied])[groups[copied]]
    return weights

