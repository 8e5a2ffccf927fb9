"""A text's likely language, judged by its writing system: cheap, offline, and right for what reviewers need."""

from __future__ import annotations

import unicodedata
from collections import Counter

__all__ = ["guess_language"]

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
# Latin-script text with a few of these words is called English; other Latin-script text is not guessed further
_ENGLISH_WORDS = frozenset({"the", "and", "of", "to", "in", "is", "are", "was", "for", "with", "that", "this", "it",
                            "on", "not", "be", "have", "you"})


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for prefix, language in _SCRIPTS:
        if name.startswith(prefix):
            return language
    return None


def guess_language(text: str) -> str:
    """The language a text is most likely in, judged by the writing system most of its letters use.

    Japanese text mixes kana with CJK characters, so any kana makes it Japanese.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        A language (``Korean``, ``Japanese``, ``Chinese``, ``Greek``, ``Arabic``, ``Hebrew``,
        ``Thai``, ``English``), a script where the language is not told apart (``Latin script``,
        ``Cyrillic script``, ``Devanagari script``), or ``unknown`` for a text with no letters.

    Examples
    --------
    >>> guess_language("오늘 축구 경기")
    'Korean'
    >>> guess_language("the cat sat on the mat")
    'English'
    >>> guess_language("le chat est assis")
    'Latin script'
    """
    counts = Counter(s for s in map(_script, (c for c in text if c.isalpha())) if s is not None)
    if not counts:
        return "unknown"
    if counts.get("Japanese"):
        return "Japanese"
    script = counts.most_common(1)[0][0]
    if script == "Latin script":
        words = [w.strip(".,;:!?\"'()").lower() for w in text.split()]
        if sum(w in _ENGLISH_WORDS for w in words) >= min(2, len(words)):
            return "English"
    return script
