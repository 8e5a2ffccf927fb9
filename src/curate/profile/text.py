"""What a dataset's texts are like: lengths in characters and model tokens, languages and scripts, encoding damage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.errors import MissingExtraError
from curate.features.tokens import count_tokens
from curate.modalities.language import UNKNOWN, language_mix
from curate.modalities.text import text_problems
from curate.profile.stats import Distribution, distribution, rounded

__all__ = ["ENCODING_PROBLEMS", "TextProfile", "TokenProfile", "profile_texts", "profile_tokens"]

# The problems of ingest's text checks (curate.modalities.text.text_problems) that say the bytes
# were decoded wrongly or carry debris, rather than that the text is short or long.
ENCODING_PROBLEMS = ("replacement_char", "mojibake", "control_chars")
# How many row ids a profile names per encoding problem.
EXAMPLE_ROWS = 3
# text_problems asks for a length past which a text is too long; a profile reports lengths instead.
_NO_LENGTH_LIMIT = 2**62


@dataclass(frozen=True)
class TokenProfile:
    """Texts measured in a sentence model's word pieces, and what a window of its size would cut.

    Attributes
    ----------
    model : str
        The model whose tokenizer counted.
    max_seq_length : int
        Tokens the model reads at once, special tokens included (256 for all-MiniLM-L6-v2).
    window : int
        Word pieces of text in that window (254: [CLS] and [SEP] take two).
    lengths : Distribution or None
        Word pieces per text.
    truncated : int
        Texts longer than the window, which a model reading one window would cut.
    truncated_share : float
        Their share of the texts.
    tokens_cut : int
        Word pieces past the window, summed over the cut texts.
    tokens_cut_share : float
        Their share of all word pieces.
    most_cut : int
        Word pieces past the window of the most cut text.
    unknown_share : float
        Share of all word pieces that are the unknown piece ([UNK]): text in scripts the model's
        vocabulary lacks (most Hangul for all-MiniLM-L6-v2).
    """

    model: str
    max_seq_length: int
    window: int
    lengths: Distribution | None
    truncated: int
    truncated_share: float
    tokens_cut: int
    tokens_cut_share: float
    most_cut: int
    unknown_share: float

    def to_dict(self) -> dict[str, Any]:
        """The token facts as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; ``lengths`` as a dict or None.
        """
        facts = dict(self.__dict__)
        facts["lengths"] = self.lengths.to_dict() if self.lengths is not None else None
        return facts


@dataclass(frozen=True)
class TextProfile:
    """What a dataset's texts are like.

    Attributes
    ----------
    texts : int
        Texts read (one per row; several text columns are joined by newlines).
    empty : int
        Texts that are empty or only whitespace.
    characters : Distribution or None
        Length in characters (Unicode code points).
    tokens : TokenProfile or None
        Length in the default sentence model's word pieces; None when the tokenizer is not installed.
    tokens_unavailable : str or None
        Why ``tokens`` is None.
    languages : dict of str to int
        Texts per language code (``en``, ``ko``, ...; ``unknown`` for texts without letters), most
        first; of the sample when one was read.
    language_shares : dict of str to float
        Share of the texts with letters in each language.
    scripts : dict of str to float
        Shares of all letters that are Hangul, Latin and other.
    mixed_script_texts : int
        Texts with at least a fifth of their letters Hangul and a fifth Latin.
    languages_sampled : int or None
        How many texts the language mix was read from, when it was estimated from a sample.
    encoding_problems : dict of str to int
        Texts with each problem of :data:`ENCODING_PROBLEMS`: U+FFFD replacement characters
        (bytes that were not valid in the encoding), mojibake (UTF-8 read as Latin-1/CP1252) and
        control characters.
    encoding_examples : dict of str to list of str
        Row ids of the first texts (at most 3) with each problem.
    """

    texts: int
    empty: int
    characters: Distribution | None
    tokens: TokenProfile | None
    tokens_unavailable: str | None
    languages: dict[str, int]
    language_shares: dict[str, float]
    scripts: dict[str, float]
    mixed_script_texts: int
    languages_sampled: int | None
    encoding_problems: dict[str, int]
    encoding_examples: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """The text facts as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; nested summaries as dicts.
        """
        facts = dict(self.__dict__)
        facts["characters"] = self.characters.to_dict() if self.characters is not None else None
        facts["tokens"] = self.tokens.to_dict() if self.tokens is not None else None
        return facts


def profile_tokens(texts: Sequence[str]) -> TokenProfile:
    """Measure ``texts`` in the default sentence model's word pieces, and what its window would cut.

    Parameters
    ----------
    texts : sequence of str
        The texts.

    Returns
    -------
    TokenProfile
        Lengths, and the texts and word pieces past the model's window.

    Raises
    ------
    MissingExtraError
        When the tokenizer is not installed (the ``embed`` extra).
    """
    counts = count_tokens(texts)
    lengths = counts.lengths
    past = np.maximum(0, lengths - counts.window)
    total = int(lengths.sum())
    return TokenProfile(
        model=counts.model, max_seq_length=counts.max_seq_length, window=counts.window,
        lengths=distribution(lengths), truncated=int((past > 0).sum()),
        truncated_share=rounded((past > 0).mean()) if len(texts) else 0.0, tokens_cut=int(past.sum()),
        tokens_cut_share=rounded(past.sum() / total) if total else 0.0, most_cut=int(past.max(initial=0)),
        unknown_share=rounded(counts.unknown.sum() / total) if total else 0.0)


def profile_texts(texts: Sequence[str], row_ids: Sequence[object], *, tokens: bool = True) -> TextProfile:
    """Profile texts: lengths, languages and scripts, and the encoding problems ingest's checks find.

    Parameters
    ----------
    texts : sequence of str
        One text per row.
    row_ids : sequence
        The rows' ids, in the same order, to name examples.
    tokens : bool, default True
        Also count model tokens (loads the tokenizer, about a second).

    Returns
    -------
    TextProfile
        The facts. Languages are read by :func:`curate.modalities.language.language_mix` (from a
        seeded sample of 20,000 above that many texts).
    """
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    problems: dict[str, list[int]] = {name: [] for name in ENCODING_PROBLEMS}
    empty = 0
    for position, text in enumerate(texts):
        found = text_problems(text, long_limit=_NO_LENGTH_LIMIT)
        empty += "empty" in found
        for name in ENCODING_PROBLEMS:
            if name in found:
                problems[name].append(position)
    token_profile, unavailable = None, None
    if tokens:
        try:
            token_profile = profile_tokens(texts)
        except MissingExtraError as exc:
            unavailable = str(exc)
    else:
        unavailable = "not counted (asked)"
    mix = language_mix(texts)
    languages = Counter(t.language for t in mix.per_text)
    order = [*mix.shares, *([UNKNOWN] if UNKNOWN in languages else [])]
    return TextProfile(
        texts=len(texts), empty=empty, characters=distribution(lengths), tokens=token_profile,
        tokens_unavailable=unavailable, languages={code: languages[code] for code in order},
        language_shares=dict(mix.shares), scripts={k: rounded(v) for k, v in mix.scripts.items()},
        mixed_script_texts=mix.mixed_script_texts, languages_sampled=mix.sampled,
        encoding_problems={name: len(rows) for name, rows in problems.items()},
        encoding_examples={name: [str(row_ids[p]) for p in rows[:EXAMPLE_ROWS]] for name, rows in problems.items()})
