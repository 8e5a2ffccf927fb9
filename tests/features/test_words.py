"""Word 1-2-gram TF-IDF, the lexical reading of texts behind the label evidence's word view."""

from __future__ import annotations

import numpy as np

from curate.features.words import word_tfidf


def test_the_matrix_has_words_and_word_pairs_with_unit_rows() -> None:
    texts = ["the cat sat", "the cat ran", "a dog sat", "the dog ran", "좋은 영화 좋은 배우", "좋은 영화"]
    matrix = word_tfidf(texts, min_df=1)
    assert matrix is not None and matrix.shape[0] == 6
    assert np.allclose(np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1, 1.0)
    dense = matrix.toarray()
    # "the cat" (a pair) and "영화" (Hangul word) are terms; one-letter "a" is not a word
    assert (dense > 0).sum(axis=1).tolist()[0] == 5  # the, cat, sat, "the cat", "cat sat"


def test_a_corpus_without_words_has_no_matrix() -> None:
    assert word_tfidf(["a", "b", "?", "1"]) is None


def test_terms_in_one_text_only_are_dropped_from_ten_texts_up() -> None:
    texts = [f"common word{i}" for i in range(10)]
    matrix = word_tfidf(texts)
    assert matrix is not None and matrix.shape == (10, 1)  # only "common" is in two or more texts
