"""How alike two texts are by their characters: what decides near copies on surface features."""

from __future__ import annotations

import numpy as np
import pytest

from curate.modalities.text_similarity import character_similarity, surface_text


def _similarity(a: str, b: str) -> float:
    return float(character_similarity([a, b], np.array([0]), np.array([1]))[0])


def test_case_punctuation_and_spacing_do_not_count() -> None:
    assert surface_text("  Hello, World!! ") == "helloworld"
    assert _similarity("드라이기가 있습니다", "드라이기가 있습니다!!") == pytest.approx(1.0)
    assert _similarity("재미하나도 없다", "재미하나도없다") == pytest.approx(1.0)


def test_one_syllable_that_flips_the_meaning_is_far_from_a_copy() -> None:
    # 1-3-grams of 드라이기가있습니다 and 드라이기가없습니다: 21 of 27 shared
    assert _similarity("드라이기가 있습니다", "드라이기가 없습니다") == pytest.approx(0.75)


def test_the_order_of_the_characters_counts() -> None:
    # KLUE-NLI dev: the hypotheses swap two numbers, so premise + hypothesis have the same n-grams
    premise = "수도권 2315가구, 지방 3077가구가 공급된다."
    swapped, kept = f"{premise}\n수도권에는 3077가구, 지방에는 2315가구가 공급된다.", \
        f"{premise}\n수도권에는 2315가구, 지방에는 3077가구가 공급된다."
    # n-gram cosine 1.0, past ORDER_FLOOR: the sequence similarities decide, the words' (8 of 10 kept) lowest
    assert _similarity(swapped, kept) == pytest.approx(0.8)
    assert _similarity("서울에 2315가구, 부산에 3077가구가 새로 공급된다",
                       "서울에 3077가구, 부산에 2315가구가 새로 공급된다") == pytest.approx(2 / 3)  # 4 of 6 words


def test_pairs_come_back_in_order_and_texts_without_letters_are_zero() -> None:
    texts = ["a b c", "!!!", "abc", "xyz"]
    sims = character_similarity(texts, np.array([0, 0, 1, 2]), np.array([2, 3, 2, 2]))
    assert sims.tolist() == pytest.approx([1.0, 0.0, 0.0, 1.0])
    assert character_similarity(texts, np.array([], dtype=int), np.array([], dtype=int)).shape == (0,)


def test_a_changed_word_in_a_long_text_is_no_copy_but_punctuation_and_runs_are() -> None:
    """One word changes the meaning of a long review and few of its characters: words count whole."""
    review = "이 영화 정말 최고였다 배우들의 연기도 좋고 음악도 훌륭했다 마지막 장면은 눈물이 났다 다시 보고 {} 영화다"
    assert _similarity(review.format("싶은"), review.format("싶지 않은")) < 0.95
    premise = "센추리 {}은 관내에서 판매되는 차량이다 그리고 가격은 매우 비싸다"
    assert _similarity(premise.format("6"), premise.format("16")) < 0.95
    assert _similarity("ㅋㅋㅋㅋ 재밌다", "ㅋㅋㅋ 재밌다!!") == 1.0
    assert _similarity("다시보고 싶다", "다시 보고 싶다") == 1.0


def test_posts_of_a_hundred_thousand_characters_are_compared_whole() -> None:
    # One post of 20 Newsgroups is 160,616 characters; a quoted reply changes one word of it.
    words = [f"w{i % 977}x{i % 13}" for i in range(20_000)]
    post = " ".join(words)
    reply = " ".join([*words[:10_000], "changed", *words[10_001:]])
    similarity = _similarity(post, reply)
    assert len(post) > 100_000
    assert 0.999 < similarity < 1.0
