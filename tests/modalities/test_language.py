"""Language detection: each text's language and scripts, and a dataset's mix."""

from __future__ import annotations

import pytest

from curate.modalities.language import detect_language, guess_language, language_mix, language_name


@pytest.mark.parametrize(("text", "language"), [
    ("드라이기가 있습니다", "ko"),
    ("the dryer is in the bathroom next to the towels", "en"),
    ("der Hund bellt laut im Garten", "de"),
    ("le chat est assis sur le tapis", "fr"),
    ("今日はいい天気ですね", "ja"),
    ("12345 !! ...", "unknown"),
    ("", "unknown"),
])
def test_each_text_gets_its_language(text: str, language: str) -> None:
    assert detect_language(text).language == language


def test_mixed_korean_and_english_text_is_korean_by_its_hangul_share() -> None:
    # 3 Hangul syllables against 9 Latin letters: a quarter of the letters, about half of what it says
    mixed = detect_language("좋아요 good movie")
    assert (mixed.language, mixed.letters, mixed.hangul_share, mixed.latin_share) == ("ko", 12, 0.25, 0.75)
    # One Korean word in an English sentence leaves it English
    assert detect_language("the best movie I saw this year, 최고").language == "en"


def test_the_mix_counts_only_texts_with_letters() -> None:
    mix = language_mix(["좋은 영화", "정말 재미없다", "a good film to watch", "123", ""])
    assert mix.shares == {"ko": 0.6667, "en": 0.3333}
    assert (mix.texts, mix.texts_with_letters) == (5, 3)
    assert mix.share("ko") == 0.6667 and mix.share("de") == 0.0
    assert [t.language for t in mix.per_text] == ["ko", "ko", "en", "unknown", "unknown"]
    # 4 + 6 Hangul letters, 16 Latin
    assert mix.scripts == pytest.approx({"hangul": 10 / 26, "latin": 16 / 26, "other": 0.0})


def test_the_mix_counts_texts_that_mix_scripts() -> None:
    mix = language_mix(["영화 movie 최고 best", "영화 최고", "the movie was the best"])
    assert mix.mixed_script_texts == 1
    assert mix.to_metrics() == {"languages": {"ko": 0.667, "en": 0.333},
                                "scripts": {"hangul": 0.229, "latin": 0.771, "other": 0.0},  # 8 and 27
                                "texts_with_letters": 3, "mixed_script_texts": 1}


def test_metrics_keep_the_five_largest_languages_and_the_rest_as_other() -> None:
    texts = (["the weather is nice and warm today"] * 4 + ["오늘 날씨가 좋다"] * 2
             + ["der Hund bellt laut im Garten", "le chat est assis sur le tapis",
                "el perro ladra en el jardín todos los días", "今日はいい天気ですね", "Сегодня хорошая погода"])
    languages = language_mix(texts).to_metrics()["languages"]
    assert list(languages) == ["en", "ko", "de", "fr", "es", "other"]
    assert languages["en"] == 0.364 and languages["other"] == 0.182


def test_an_empty_dataset_has_no_languages() -> None:
    mix = language_mix([])
    assert (mix.shares, mix.texts_with_letters, mix.scripts["hangul"]) == ({}, 0, 0.0)


def test_names_for_people() -> None:
    assert [language_name(c) for c in ("ko", "en", "xx")] == ["Korean", "English", "xx"]
    assert guess_language("le chat est assis sur le tapis") == "French"
    assert guess_language("드라이기가 없습니다") == "Korean"


def test_a_large_dataset_s_mix_is_estimated_from_a_seeded_sample() -> None:
    # 3 Korean, 5 English and 2 without letters in every 10
    texts = ["오늘 날씨가 정말 좋다", "the weather is nice and warm today", "the film was long", "12345", "영화 최고",
             "a good film to watch", "정말 재미없다", "what a lovely day", "we went to the park", "!!!"] * 300
    whole = language_mix(texts)
    assert whole.sampled is None and whole.shares == {"en": 0.625, "ko": 0.375}
    estimated = language_mix(texts, sample=1_000)
    assert estimated.sampled == 1_000 and estimated.texts == 3_000
    assert estimated.share("en") == pytest.approx(0.625, abs=0.05)
    assert estimated.texts_with_letters == pytest.approx(2_400, abs=100)
    assert estimated.to_metrics()["languages_estimated_from"] == 1_000
    assert "languages_estimated_from" not in whole.to_metrics()
    assert language_mix(texts, sample=1_000).shares == estimated.shares  # seeded
    assert len(estimated.per_text) == 1_000


def test_every_code_the_detector_gives_has_a_name_not_the_code() -> None:
    # A profile said "zxx 0.1 %, so 0.1 %, om 0.1 %" to a Korean user: codes are not words.
    import py3langid

    from curate.modalities.language import language_name

    codes = py3langid.langid.LanguageIdentifier.from_model_file(py3langid.langid.MODEL_FILE).nb_classes
    assert [c for c in codes if language_name(c) == c] == []
    assert (language_name("so"), language_name("zxx"), language_name("ko")) == (
        "Somali", "No linguistic content", "Korean")
    assert language_name("not a code") == "not a code"
