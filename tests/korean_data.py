"""Realistic Korean reviews made in the test: varied sentences, and pairs one syllable apart that mean the opposite."""

from __future__ import annotations

import pandas as pd

_SUBJECTS = ["이 영화", "배우들 연기", "스토리", "음악", "영상미", "결말", "감독의 연출", "주인공", "대사", "분위기",
             "호텔 방", "직원 서비스", "조식", "객실 청소", "침대"]
_POSITIVE = ["정말 좋았습니다", "최고였어요", "감동적이었다", "훌륭하네요", "마음에 들어요", "재미있었습니다",
             "추천합니다", "기대 이상이었다", "깔끔하고 만족스러웠어요", "다시 보고 싶어요"]
_NEGATIVE = ["너무 별로였어요", "지루했습니다", "실망스럽네요", "최악이었다", "돈이 아깝다", "재미없었어요",
             "추천하지 않습니다", "기대 이하였다", "지저분하고 불편했어요", "다시는 안 볼래요"]
_OPENERS = ["", "솔직히 ", "전체적으로 ", "생각보다 ", "오랜만에 ", "친구랑 같이 갔는데 ", "주말에 봤는데 "]
# Amenities: "X가 있습니다" (there is X) is praise, "X가 없습니다" (there is no X) a complaint.
AMENITIES = ["드라이기가", "냉장고가", "전자레인지가", "욕조가", "주차장이", "엘리베이터가"]


def _topic(noun: str) -> str:
    """The noun with its topic particle: 은 after a final consonant, 는 after a vowel."""
    return noun + ("은" if (ord(noun[-1]) - 0xAC00) % 28 else "는")


def korean_reviews(n_per_label: int = 150) -> pd.DataFrame:
    """``2 * n_per_label`` distinct reviews (positive, negative alternating) plus the amenity pairs.

    Columns ``id``, ``text`` and ``label``; the amenity rows come last, ``있습니다`` ones positive
    and ``없습니다`` ones negative, ids ``has-0``, ``lacks-0``, ... in ``AMENITIES`` order.
    """
    rows = []
    for i in range(n_per_label):
        subject = _SUBJECTS[i % len(_SUBJECTS)]
        opener = _OPENERS[(i // len(_SUBJECTS)) % len(_OPENERS)]
        for label, predicates in (("positive", _POSITIVE), ("negative", _NEGATIVE)):
            predicate = predicates[(i * 3 + len(label)) % len(predicates)]
            tail = predicates[(i * 7 + 1) % len(predicates)] if i % 3 == 0 else ""
            text = f"{opener}{_topic(subject)} {predicate}" + (f". 그리고 {tail}" if tail and tail != predicate else "")
            rows.append({"id": f"r{len(rows)}", "text": f"{text} ({i}번째 리뷰)", "label": label})
    for j, amenity in enumerate(AMENITIES):
        rows.append({"id": f"has-{j}", "text": f"{amenity} 있습니다", "label": "positive"})
        rows.append({"id": f"lacks-{j}", "text": f"{amenity} 없습니다", "label": "negative"})
    return pd.DataFrame(rows)
