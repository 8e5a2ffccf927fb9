"""Which languages a dataset's texts are in: per text, by writing system and py3langid, and as a mix.

The writing system settles what it can (Hangul is Korean, kana Japanese), cheaply and without doubt;
py3langid (a naive Bayes model over byte n-grams, shipped in its wheel, about 1,000 texts a second)
tells apart the languages that share a script, such as English and German. Mixed text is judged by
its share of Hangul letters, so Korean with some English words counts as Korean.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["LanguageMix", "TextLanguage", "detect_language", "guess_language", "language_mix", "language_name"]

# Unicode character-name prefix -> the language (or script) it most likely means
_SCRIPTS = (
    ("HANGUL", "Korean"),
    ("HIRAGANA", "Japanese"),
    ("KATAKANA", "Japanese"),
    ("CJK", "Chinese"),
    ("CYRILLIC", "Cyrillic script"),
    ("GREEK", "Greek"),
    ("ARABIC", "Arabic"),
    ("HEBREW", "Hebrew"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Devanagari script"),
    ("LATIN", "Latin script"),
)
# Names of the languages curate talks about most; other codes are shown as py3langid gives them.
_NAMES = {"en": "English", "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "de": "German", "fr": "French",
          "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "vi": "Vietnamese"}
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A text is Korean once a quarter of its letters are Hangul: a syllable block stands for two or three
# Latin letters' worth of sound, so that is about half of what it says.
KOREAN_HANGUL_SHARE = 0.25
# A text's language is read from at most this many characters from its start.
SAMPLE_CHARACTERS = 5_000
# Texts whose language is detected to estimate a dataset's mix: above this, a seeded uniform sample
# (the standard error of a share is then at most 0.0035; detecting all of a million texts took 7 minutes).
MIX_SAMPLE_TEXTS = 20_000
# Texts in scripts py3langid would only guess at (no letters at all) are left out of the mix.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class TextLanguage:
    """The language of one text and its mix of scripts.

    Attributes
    ----------
    language : str
        An ISO 639-1 code such as ``en`` or ``ko`` (py3langid's), or ``unknown`` for a text without letters.
    letters : int
        How many letters the text has.
    hangul_share, latin_share : float
        Shares of those letters that are Hangul, and Latin (0 for a text without letters).
    """

    language: str
    letters: int
    hangul_share: float
    latin_share: float


@dataclass(frozen=True)
class LanguageMix:
    """The languages of a dataset's texts.

    Attributes
    ----------
    shares : dict of str to float
        Share of the texts with letters in each language (codes as :class:`TextLanguage`), largest first.
    texts : int
        How many texts were read.
    texts_with_letters : int
        How many of them have letters (the shares are over these).
    scripts : dict of str to float
        Shares of all letters that are ``hangul``, ``latin`` and ``other``.
    mixed_script_texts : int
        Texts with at least a fifth of their letters Hangul and a fifth Latin.
    per_text : list of TextLanguage
        Each read text's language, in order (of the sample, when one was drawn).
    sampled : int or None
        How many texts were read when the mix was estimated from a sample; None when all were.
    """

    shares: dict[str, float]
    texts: int
    texts_with_letters: int
    scripts: dict[str, float]
    mixed_script_texts: int
    per_text: list[TextLanguage] = field(repr=False, default_factory=list)
    sampled: int | None = None

    def share(self, language: str) -> float:
        """The share of texts (with letters) in ``language``.

        Parameters
        ----------
        language : str
            A language code, such as ``en``.

        Returns
        -------
        float
            In [0, 1]; 0 when no text is in it.
        """
        return self.shares.get(language, 0.0)

    def to_metrics(self) -> dict[str, Any]:
        """The mix as a run stores it (shares rounded to 3 decimals: the five largest, the rest as ``other``).

        Returns
        -------
        dict
            ``languages`` (code to share), ``scripts`` (script to share of letters),
            ``texts_with_letters`` and ``mixed_script_texts``; ``languages_estimated_from`` (how
            many texts were read) when the mix was estimated from a sample.
        """
        top = {code: share for code, share in list(self.shares.items())[:5] if round(share, 3) > 0}
        rest = sum(self.shares.values()) - sum(top.values())
        languages = {code: round(share, 3) for code, share in top.items()}
        if round(rest, 3) > 0:
            languages["other"] = round(rest, 3)
        metrics = {"languages": languages, "scripts": {k: round(v, 3) for k, v in self.scripts.items()},
                   "texts_with_letters": self.texts_with_letters, "mixed_script_texts": self.mixed_script_texts}
        if self.sampled is not None:
            metrics["languages_estimated_from"] = self.sampled
        return metrics


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Our own identifier: py3langid's module-level one is shared state that set_languages changes.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def detect_language(text: str) -> TextLanguage:
    """The language of one text: Korean by its Hangul, Japanese by its kana, else py3langid's best guess.

    Only the first ``SAMPLE_CHARACTERS`` (5,000) characters are read.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    TextLanguage
        Its language code and script shares.

    Examples
    --------
    >>> detect_language("드라이기가 있습니다").language
    'ko'
    >>> detect_language("the dryer is in the bathroom").language
    'en'
    >>> detect_language("12345 !!").language
    'unknown'
    """
    # The start of a long text tells its language; reading a 100,000-character post whole took
    # 28 s over 20 Newsgroups' test set. Letters and script shares are of this sample too.
    text = text[:SAMPLE_CHARACTERS]
    letters = sum(1 for c in text if c.isalpha())
    if not letters:
        return TextLanguage(UNKNOWN, 0, 0.0, 0.0)
    hangul = len(_HANGUL.findall(text)) / letters
    latin = len(_LATIN.findall(text)) / letters
    if hangul >= KOREAN_HANGUL_SHARE:
        language = "ko"
    elif _KANA.search(text):
        language = "ja"
    else:
        language = str(_identifier().classify(text)[0])
    return TextLanguage(language, letters, hangul, latin)


def language_mix(texts: Sequence[str], *, sample: int = MIX_SAMPLE_TEXTS, seed: int = 0) -> LanguageMix:
    """The languages of ``texts``: the share of each over the texts that have letters.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    sample : int, default MIX_SAMPLE_TEXTS (20,000)
        With more texts than this, the mix is estimated from this many drawn at random (seeded):
        the shares are the sample's, the counts (texts with letters, mixed-script texts) scaled to
        all texts, and ``sampled`` says how many were read.
    seed : int, default 0
        Seed of the sample.

    Returns
    -------
    LanguageMix
        Shares per language and per script, and each read text's language.

    Examples
    --------
    >>> language_mix(["좋은 영화", "a good film", "재미없다", "123"]).shares
    {'ko': 0.6667, 'en': 0.3333}
    """
    read = texts
    if len(texts) > sample:
        chosen = np.sort(np.random.default_rng(seed).choice(len(texts), size=sample, replace=False))
        read = [texts[int(i)] for i in chosen]
    scale = len(texts) / len(read) if read else 1.0
    per_text = [detect_language(t) for t in read]
    counted = [t for t in per_text if t.language != UNKNOWN]
    counts = Counter(t.language for t in counted)
    shares = {code: round(n / len(counted), 4) for code, n in counts.most_common()}
    letters = sum(t.letters for t in counted)
    hangul = sum(t.hangul_share * t.letters for t in counted)
    latin = sum(t.latin_share * t.letters for t in counted)
    scripts = ({"hangul": hangul / letters, "latin": latin / letters, "other": max(0.0, 1 - (hangul + latin) / letters)}
               if letters else {"hangul": 0.0, "latin": 0.0, "other": 0.0})
    mixed = sum(1 for t in counted if t.hangul_share >= 0.2 and t.latin_share >= 0.2)
    return LanguageMix(shares, len(texts), round(len(counted) * scale), scripts, round(mixed * scale), per_text,
                       sampled=len(read) if len(read) < len(texts) else None)


def language_name(code: str) -> str:
    """A language's English name for messages (``ko`` -> ``Korean``); the code itself when not known.

    Short names for the common languages; the rest from ISO 639 (pycountry: ``so`` -> ``Somali``,
    ``zxx`` -> ``No linguistic content``).

    Parameters
    ----------
    code : str
        A code as :func:`detect_language` gives.

    Returns
    -------
    str
        The name, or ``code``.
    """
    if code in _NAMES:
        return _NAMES[code]
    import pycountry

    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code}) if code.isalpha() else None
    return str(found.name) if found is not None else code


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for prefix, language in _SCRIPTS:
        if name.startswith(prefix):
            return language
    return None


def guess_language(text: str) -> str:
    """The language a text is most likely in, by the writing system most of its letters use, for people.

    Japanese text mixes kana with CJK characters, so any kana makes it Japanese. Latin-script text is
    named by :func:`detect_language` when it finds a language it has a name for.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        A language (``Korean``, ``Japanese``, ``Chinese``, ``Greek``, ``Arabic``, ``Hebrew``,
        ``Thai``, ``English``, ``German``, ...), a script where the language is not told apart
        (``Latin script``, ``Cyrillic script``, ``Devanagari script``), or ``unknown`` for a text
        with no letters.

    Examples
    --------
    >>> guess_language("오늘 축구 경기")
    'Korean'
    >>> guess_language("the cat sat on the mat")
    'English'
    >>> guess_language("le chat est assis sur le tapis")
    'French'
    """
    counts = Counter(s for s in map(_script, (c for c in text if c.isalpha())) if s is not None)
    if not counts:
        return UNKNOWN
    if counts.get("Japanese"):
        return "Japanese"
    script = counts.most_common(1)[0][0]
    if script == "Latin script":
        return _NAMES.get(detect_language(text).language, script)
    return script
