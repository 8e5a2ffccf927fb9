"""Character n-gram (and Korean morpheme) TF-IDF reduced by SVD: text features for any language.

The sentence model reads English; its vocabulary turns much Hangul into [UNK]. Character n-grams
read every script, and Korean morphemes from kiwipiepy add the word structure n-grams miss (``있/VA``
against ``없/VA``). Measured on NSMC (10,000 Korean movie reviews, five-fold logistic regression):
character 1-3-grams after SVD to 512 dimensions 0.810 accuracy, with morphemes 0.818 (sparse: 0.816
and 0.829). The TF-IDF weights and the SVD are fitted on the whole corpus, without the labels, so
out-of-fold evaluation stays honest; a text's vector depends on the corpus, so it is never cached.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

import curate.features.text  # noqa: F401  (sentence and hashed register before ngrams)
from curate.core.progress import ProgressCallback
from curate.errors import MissingExtraError
from curate.features.registry import register_embedder

__all__ = ["NgramEmbedder", "korean_morphemes_available"]

_HANGUL_SYLLABLE_START, _HANGUL_SYLLABLE_END = "\uac00", "\ud7a3"


def korean_morphemes_available() -> bool:
    """Whether kiwipiepy (the 'korean' extra) is installed.

    Returns
    -------
    bool
        True when the Korean morphological analyser can be used.
    """
    return importlib.util.find_spec("kiwipiepy") is not None


def _has_hangul(text: str) -> bool:
    return any(_HANGUL_SYLLABLE_START <= c <= _HANGUL_SYLLABLE_END for c in text)


def _morphemes(texts: Sequence[str]) -> list[list[str]]:
    """Each text's Korean morphemes as ``form/tag`` (none for a text without Hangul)."""
    from kiwipiepy import Kiwi

    korean = [i for i, t in enumerate(texts) if _has_hangul(t)]
    out: list[list[str]] = [[] for _ in texts]
    for i, tokens in zip(korean, Kiwi().tokenize([texts[i] for i in korean]), strict=True):
        out[i] = [f"{token.form}/{token.tag}" for token in tokens]
    return out


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class NgramEmbedder:
    """TF-IDF over character 1-3-grams, plus Korean morphemes, reduced by SVD and L2-normalised.

    Fitted on the corpus it embeds (``fits_corpus``), so its vectors are not cached, and nearness in
    them compares surfaces, not meanings (``reads_meaning`` is False): near copies are confirmed on
    the texts themselves.

    Parameters
    ----------
    dim : int, default 512
        Dimensions after SVD (fewer when the corpus has fewer texts or n-grams).
    korean_morphemes : bool, optional
        Add kiwipiepy's morphemes of texts with Hangul; by default, when some text has Hangul and
        kiwipiepy is installed.
    min_df : int, default 2
        N-grams and morphemes in fewer texts than this are dropped (1 for corpora under 10 texts).
    seed : int, default 0
        Seed of the randomised SVD.

    Examples
    --------
    >>> vectors = NgramEmbedder(dim=8).embed(["좋은 영화", "나쁜 영화", "좋은 배우", "a good film"])
    >>> vectors.shape
    (4, 3)
    """

    fits_corpus: ClassVar[bool] = True
    reads_meaning: ClassVar[bool] = False

    def __init__(self, dim: int = 512, *, korean_morphemes: bool | None = None, min_df: int = 2,
                 seed: int = 0) -> None:
        self.dim = dim
        self.korean_morphemes = korean_morphemes
        self.min_df = min_df
        self.seed = seed
        morphemes = {None: "+ko-morphemes-if-korean", True: "+ko-morphemes", False: ""}[korean_morphemes]
        self.model_id = f"ngrams:char1-3{morphemes}:svd{dim}:min_df{min_df}:{seed}"

    def uses_morphemes(self, texts: Sequence[str]) -> bool:
        """Whether :meth:`embed` adds Korean morphemes for these texts.

        Parameters
        ----------
        texts : sequence of str
            The corpus.

        Returns
        -------
        bool
            ``korean_morphemes`` when set; by default, True when a text has Hangul and kiwipiepy is installed.
        """
        if self.korean_morphemes is not None:
            return self.korean_morphemes
        return korean_morphemes_available() and any(_has_hangul(t) for t in texts)

    def sparse(self, texts: Sequence[str]) -> Any | None:
        """The TF-IDF matrix before the SVD: character n-grams, and Korean morphemes when used.

        Each block (characters, morphemes) is L2-normalised per text, so both weigh the same.

        Parameters
        ----------
        texts : sequence of str
            The whole corpus.

        Returns
        -------
        scipy.sparse.csr_matrix or None
            Shape (len(texts), n_terms); None when no n-gram or morpheme is in ``min_df`` texts.

        Raises
        ------
        MissingExtraError
            When ``korean_morphemes`` is True and kiwipiepy is not installed.
        """
        return _sparse_ngrams(tuple(texts), self.min_df, self.uses_morphemes(texts))


    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Fit TF-IDF and SVD on ``texts`` and return their vectors.

        Parameters
        ----------
        texts : sequence of str
            The whole corpus (the vectors of a text depend on the others).
        progress : callable, optional
            Called once with ``len(texts)`` when done.

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), d) with d at most ``dim``, float32, rows L2-normalised (all zero for
            a text with no n-gram kept).

        Raises
        ------
        MissingExtraError
            When ``korean_morphemes`` is True and kiwipiepy is not installed.
        """
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        from sklearn.decomposition import TruncatedSVD

        matrix = self.sparse(texts)
        if matrix is None or matrix.shape[1] == 0:
            dense = np.zeros((len(texts), 1), dtype=np.float32)
        else:
            k = min(self.dim, matrix.shape[0] - 1, matrix.shape[1] - 1)
            if k >= 1:
                dense = TruncatedSVD(k, random_state=self.seed).fit_transform(matrix).astype(np.float32)
            else:  # one text or one n-gram: nothing to reduce
                dense = matrix.toarray().astype(np.float32)
            norms = np.linalg.norm(dense, axis=1, keepdims=True)
            dense /= np.where(norms == 0, 1.0, norms)
        if progress is not None:
            progress(len(texts))
        return dense


def _tfidf(vectorizer: Any, docs: list[Any]) -> Any:
    """The fitted TF-IDF matrix, or None when nothing is left (no n-gram in ``min_df`` texts)."""
    try:
        return vectorizer.fit_transform(docs)
    except ValueError:  # "empty vocabulary": no text has a kept n-gram
        return None


@functools.lru_cache(maxsize=1)
def _sparse_ngrams(texts: tuple[str, ...], min_df: int, morphemes: bool) -> Any | None:
    """NgramEmbedder.sparse's matrix; the last one is kept, since the label evidence reads it again."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    min_df = min_df if len(texts) >= 10 else 1
    blocks = [_tfidf(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=min_df),
                     list(texts))]
    if morphemes:
        if not korean_morphemes_available():
            raise MissingExtraError("Korean morphemes", "korean")
        blocks.append(_tfidf(TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=min_df),
                             _morphemes(texts)))
    kept = [normalize(b) for b in blocks if b is not None]
    return sp.hstack(kept).tocsr() if kept else None


register_embedder("ngrams", NgramEmbedder)
