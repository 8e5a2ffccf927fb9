"""Near copies must be real on Korean: one syllable that flips the meaning makes two different texts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.detectors.near_duplicates import near_duplicate_pairs
from curate.modalities.text_similarity import character_similarity
from curate.neighbors import NeighborGraph

from ..korean_data import AMENITIES, korean_reviews

NSMC = Path(__file__).resolve().parents[3] / "shared" / "data" / "nsmc" / "reviews_10k.csv"
COPY_DETECTORS = ["exact_duplicate", "near_duplicate", "conflicting_labels"]


def _flagged(result: curate.AuditResult, issue: str) -> set[str]:
    findings = result.findings
    return set(findings.loc[(findings["issue"] == issue) & findings["flagged"], "row_id"].astype(str))


def test_opposite_amenity_reviews_are_neither_near_copies_nor_conflicting() -> None:
    frame = korean_reviews()
    # A real near copy (only punctuation differs) of "드라이기가 있습니다", same label: it must still be found
    frame = pd.concat([frame, pd.DataFrame([{"id": "has-0-again", "text": "드라이기가 있습니다!!",
                                             "label": "positive"}])], ignore_index=True)
    result = curate.audit(frame, label="label", text="text", id="id", detectors=COPY_DETECTORS)
    assert result.metrics["embedder"].startswith("ngrams:")
    assert _flagged(result, "near_duplicate") == {"has-0", "has-0-again"}
    assert _flagged(result, "conflicting_labels") == set()
    assert _flagged(result, "exact_duplicate") == set()
    assert result.notes["near_duplicate"]["similarity_of"] == "inputs"


def test_a_long_review_and_its_negation_are_neither_near_copies_nor_conflicting() -> None:
    """One word changed in a long review flips its meaning and few of its characters."""
    review = ("이 영화 정말 최고였다 배우들의 연기도 좋고 음악도 훌륭했다 마지막 장면은 눈물이 났다 "
              "친구들에게도 꼭 추천하고 싶다 다시 보고 {} 영화다")
    extra = pd.DataFrame([{"id": "long-pos", "text": review.format("싶은"), "label": "positive"},
                          {"id": "long-neg", "text": review.format("싶지 않은"), "label": "negative"},
                          {"id": "long-pos-again", "text": review.format("싶은") + "!!!", "label": "positive"}])
    frame = pd.concat([korean_reviews(), extra], ignore_index=True)
    result = curate.audit(frame, label="label", text="text", id="id", detectors=COPY_DETECTORS)
    assert {"long-pos", "long-pos-again"} <= _flagged(result, "near_duplicate")
    assert "long-neg" not in _flagged(result, "near_duplicate")
    assert _flagged(result, "conflicting_labels") == set()


@pytest.mark.slow
def test_the_english_model_asked_to_read_korean_does_not_call_them_copies() -> None:
    pytest.importorskip("sentence_transformers")
    frame = korean_reviews(40)
    result = curate.audit(frame, label="label", text="text", id="id", detectors=COPY_DETECTORS, embedder="sentence")
    # all-MiniLM-L6-v2 reads both 있습니다 and 없습니다 as [UNK]: similarity 1.0 in its vectors
    assert [w.code for w in result.warnings] == ["language_unread"]
    assert _flagged(result, "near_duplicate") == set() and _flagged(result, "conflicting_labels") == set()


def test_texts_decide_when_the_features_cannot() -> None:
    texts = ["드라이기가 있습니다", "드라이기가 없습니다", "드라이기가 있습니다!", "Dryer, there is."]
    # Features that see no difference at all propose every pair ...
    graph = NeighborGraph(indices=np.array([[1, 2], [0, 2], [0, 1], [0, 1]]), distances=np.zeros((4, 2)),
                          normalized=True)
    groups = np.full(4, -1)
    _, near, _ = near_duplicate_pairs(graph, groups, 0.98, 0.05)
    assert near.all()
    # ... and the texts themselves keep only the punctuation copy
    closeness, near, sims = near_duplicate_pairs(graph, groups, 0.98, 0.05,
                                                 lambda rows, cols: character_similarity(texts, rows, cols))
    assert near.tolist() == [[False, True], [False, False], [True, False], [False, False]]
    assert sims is not None and sims[0, 0] == pytest.approx(0.75)
    # Closeness from the best text similarity: 1.0 is a copy (0), 0.75 is far past the threshold (1)
    assert closeness == pytest.approx([0.0, 1.0, 0.0, 1.0], abs=1e-9)


@pytest.mark.slow
@pytest.mark.skipif(not NSMC.is_file(), reason="../shared/data/nsmc/reviews_10k.csv is not here")
def test_on_nsmc_the_amenity_pairs_are_not_copies() -> None:
    frame = pd.read_csv(NSMC).head(3000)[["text", "label"]]
    pairs = pd.DataFrame([{"text": f"{a} {verb}", "label": label} for a in AMENITIES
                          for verb, label in (("있습니다", "positive"), ("없습니다", "negative"))])
    frame = pd.concat([frame, pairs], ignore_index=True)
    result = curate.audit(frame, label="label", text="text", detectors=COPY_DETECTORS)
    planted = {str(i) for i in range(3000, len(frame))}
    assert not planted & (_flagged(result, "near_duplicate") | _flagged(result, "conflicting_labels"))
