"""How alike two texts are by their characters: what a near copy means when the features compare surfaces."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["character_similarity", "surface_text"]

# Punctuation, symbols and spacing: copies that differ only in these are the same text.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def surface_text(text: str) -> str:
    """A text as compared for near copies: NFKC, case folded, without punctuation, symbols or spacing.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        Its letters and digits, in order.

    Examples
    --------
    >>> surface_text("Hello, World!")
    'helloworld'
    """
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def character_similarity(texts: Sequence[str], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The cosine of the character 1-3-gram counts of pairs of texts (after :func:`surface_text`).

    Parameters
    ----------
    texts : sequence of str
        All texts.
    rows, cols : numpy.ndarray
        Positions in ``texts`` of each pair's two texts, same shape (n_pairs,).

    Returns
    -------
    numpy.ndarray
        Shape (n_pairs,), float64 in [0, 1]: 1 for texts that differ only in case, punctuation or
        spacing, 0 when either has no letter or digit.

    Examples
    --------
    >>> character_similarity(["드라이기가 있습니다", "드라이기가 없습니다", "Dryer!", "dryer"],
    ...                      np.array([0, 2]), np.array([1, 3])).round(2).tolist()
    [0.75, 1.0]
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if rows.size == 0:
        return np.zeros(0, dtype=np.float64)
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    involved, inverse = np.unique(np.r_[rows, cols], return_inverse=True)
    surfaces = [surface_text(texts[i]) for i in involved]
    if not any(surfaces):
        return np.zeros(rows.size, dtype=np.float64)
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit_transform(surfaces)
    unit = normalize(counts.astype(np.float64))
    left, right = unit[inverse[:rows.size]], unit[inverse[rows.size:]]
    return np.clip(np.asarray(left.multiply(right).sum(axis=1)).ravel(), 0.0, 1.0)
