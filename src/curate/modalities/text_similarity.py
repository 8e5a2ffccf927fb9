"""How alike two texts are by their characters: what a near copy means when the features compare surfaces."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

__all__ = ["ORDER_FLOOR", "character_similarity", "surface_text"]

# Punctuation, symbols and spacing: copies that differ only in these are the same text.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Three or more of one character in a row (ㅋㅋㅋㅋ, !!!!, sooo): copies that differ only in such a run's length.
_REPEATS = re.compile(r"(.)\1{2,}", re.DOTALL)
# From this n-gram cosine on, the order of the characters is checked too (slower).
ORDER_FLOOR = 0.9
_PAIRS_PER_CHUNK = 2_000


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
    """How alike pairs of texts are by their characters (after :func:`surface_text`), in [0, 1].

    The cosine of the texts' character 1-3-gram counts, and, where that reaches ``ORDER_FLOOR``,
    the lower of it and the sequence similarities (2 x longest common subsequence / total length)
    of the characters and of the words: n-gram
    counts ignore order, so two texts that swap two numbers would otherwise count as the same, and
    a word changed in a long text ("다시 보고 싶은 영화" / "다시 보고 싶지 않은 영화") changes few
    characters but the meaning. Texts that differ only in punctuation, spacing, case or the length
    of a repeated run are 1. Below ``ORDER_FLOOR`` the cosine alone is
    returned (such pairs are far from near copies).

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
    >>> swapped = ["서울에 2315가구, 부산에 3077가구가 새로 공급된다",
    ...            "서울에 3077가구, 부산에 2315가구가 새로 공급된다"]
    >>> character_similarity(swapped, np.array([0]), np.array([1])).round(2).tolist()  # n-gram cosine 0.98
    [0.67]
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
    left, right = inverse[:rows.size], inverse[rows.size:]
    # In chunks of pairs: the rows of long texts hold thousands of n-grams each, and 75,000 pairs of
    # 20 Newsgroups posts gathered at once took 3.7 GB.
    similarity = np.zeros(rows.size, dtype=np.float64)
    for start in range(0, rows.size, _PAIRS_PER_CHUNK):
        chunk = slice(start, start + _PAIRS_PER_CHUNK)
        similarity[chunk] = np.asarray(unit[left[chunk]].multiply(unit[right[chunk]]).sum(axis=1)).ravel()
    similarity = np.clip(similarity, 0.0, 1.0)
    ratios: dict[tuple[int, int], float] = {}
    compared: dict[int, _Compared] = {}  # each text's reductions, made once however many pairs it is in
    for p in np.flatnonzero(similarity >= ORDER_FLOOR):
        a, b = sorted((int(left[p]), int(right[p])))
        if a != b and (a, b) not in ratios:
            for i in (a, b):
                if i not in compared:
                    compared[i] = _compared(texts[int(involved[i])], surfaces[i])
            ratios[(a, b)] = _sequence_similarity(compared[a], compared[b])
        ratio = ratios.get((a, b), 1.0)
        # the same text but for punctuation, spacing, case or a run's length: a copy, whatever the n-grams say
        similarity[p] = 1.0 if ratio == 1.0 else min(similarity[p], ratio)
    return similarity


def _words(text: str) -> list[str]:
    """The text's words, NFKC and case folded, punctuation dropped, runs of a repeated character cut to two."""
    folded = _REPEATS.sub(r"\1\1", unicodedata.normalize("NFKC", text).casefold())
    return [w for w in _NOT_WORD.split(folded) if w]


@dataclass(frozen=True)
class _Compared:
    """A text's surface, its surface with repeated runs cut to two, and its words."""

    surface: str
    runs_cut: str
    words: list[str]


def _compared(text: str, surface: str) -> _Compared:
    return _Compared(surface, _REPEATS.sub(r"\1\1", surface), _words(text))


def _sequence_similarity(a: _Compared, b: _Compared) -> float:
    """The lower of the character and the word sequence ratios; 1 when only punctuation, spacing,
    case or the length of a repeated run (ㅋㅋㅋ, !!!) differ.

    Words count whole: one changed word among thirty ("관내" for "관외", "싶지 않은" for "싶은") costs
    about 0.03, which one changed character alone (0.003 of a long text) would hide.
    """
    if a.runs_cut == b.runs_cut:
        return 1.0
    # 2 x the longest common subsequence / total length, bit-parallel (rapidfuzz): difflib's matcher
    # took over 20 minutes on two 100,000-character posts.
    characters = Indel.normalized_similarity(a.surface, b.surface)
    words = Indel.normalized_similarity(a.words, b.words)
    return min(characters, words)
