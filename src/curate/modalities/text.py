"""Text: one or more text columns, read by features chosen for their language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.linear_model import LogisticRegression, SGDClassifier

from curate.core.dataset import Dataset
from curate.core.keys import normalise_text
from curate.core.progress import ProgressReporter
from curate.core.warnings import AuditWarning
from curate.errors import InputError
from curate.features import FeatureCache, NgramEmbedder, TextEmbedder, embed_with_cache
from curate.features.text import WindowReport
from curate.features.words import WORD_TFIDF_ID, word_tfidf
from curate.modalities.base import ExtraView, FeatureSet, InputProblems, Modality, RowView
from curate.modalities.language import LanguageMix, guess_language, language_mix, language_name
from curate.modalities.registry import register_modality
from curate.modalities.text_features import ENGLISH_SHARE, choose_text_features
from curate.modalities.text_similarity import character_similarity

__all__ = ["TextModality", "text_problems", "texts"]

# How bad each problem is (a row's score is its worst problem's value).
SEVERITY = {
    "empty": 0.0,
    "replacement_char": 0.1,
    "mojibake": 0.1,
    "control_chars": 0.3,
    "too_short": 0.3,
    "too_long": 0.4,
}
# Texts are "too long" only past this many characters, whatever the median: short-text datasets
# would otherwise call an ordinary paragraph too long.
MIN_LONG_LIMIT = 1000
# The word view's classifier: lbfgs logistic regression below this many rows, SGD from it (see extra_views).
SGD_FROM_ROWS = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORDISH = re.compile(r"\w", re.UNICODE)


def texts(dataset: Dataset) -> list[str]:
    """The text the model reads for each row (several text columns joined by newlines).

    Parameters
    ----------
    dataset : Dataset
        A dataset with at least one text column.

    Returns
    -------
    list of str
        ``n_rows`` texts; a missing cell reads as the empty string.
    """
    parts = dataset.frame[list(dataset.text_columns)].fillna("").astype(str)
    if len(dataset.text_columns) == 1:
        return parts.iloc[:, 0].tolist()
    return parts.agg("\n".join, axis=1).tolist()


def _row_text(dataset: Dataset, position: int) -> str:
    """One row's text, joined like :func:`texts` joins every row's."""
    cells = dataset.frame[list(dataset.text_columns)].iloc[position].fillna("").astype(str)
    return "\n".join(cells.tolist())


def _is_mojibake(text: str) -> bool:
    """UTF-8 bytes that were decoded as Latin-1/CP1252 re-encode to valid, different UTF-8."""
    if text.isascii():
        return False
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        if repaired != text:
            return True
    return False


def text_problems(text: str, *, long_limit: int) -> list[str]:
    """Names of the problems of one text (empty list when it is fine).

    Parameters
    ----------
    text : str
        The text.
    long_limit : int
        Texts longer than this many characters (after trimming) are ``too_long``.

    Returns
    -------
    list of str
        Problem names among ``empty``, ``replacement_char``, ``mojibake``, ``control_chars``,
        ``too_short`` and ``too_long``.

    Examples
    --------
    >>> text_problems("cafÃ©", long_limit=1000)
    ['mojibake']
    """
    stripped = text.strip()
    if not stripped:
        return ["empty"]
    problems = []
    if "\ufffd" in text:
        problems.append("replacement_char")
    if _is_mojibake(text):
        problems.append("mojibake")
    if _CONTROL.search(text):
        problems.append("control_chars")
    if len(_WORDISH.findall(stripped)) < 2:
        problems.append("too_short")
    if len(stripped) > long_limit:
        problems.append("too_long")
    return problems


def _truncation_warning(window: WindowReport) -> AuditWarning:
    read = window.window * window.max_chunks
    return AuditWarning(
        "texts_truncated",
        f"{window.cut} texts are longer than the {read:,} word pieces the sentence model reads of each "
        f"({window.max_chunks} windows of {window.window}); {window.tokens_cut:,} word pieces at their ends were "
        f"not read (at most {window.most_cut:,} of one text)",
        "split long texts into several rows, or pass SentenceEmbedder(max_chunks=...) as the embedder",
        facts={"texts_cut": window.cut, "tokens_cut": window.tokens_cut, "most_cut": window.most_cut,
               "tokens_read": read})


def _unread_warning(mix: LanguageMix) -> AuditWarning:
    english = round(100 * mix.share("en"))
    others = ", ".join(f"{round(100 * share)} % {language_name(code)}" for code, share in mix.shares.items()
                       if code != "en" and share >= 0.005)
    return AuditWarning(
        "language_unread",
        f"the English sentence model reads texts that are only {english} % English ({others}); it turns much of "
        "the rest into unknown word pieces, so its similarities there mean little (near copies are decided on the "
        "texts themselves)",
        "leave the embedder to auto, or choose --embedder ngrams or a model that reads these languages",
        facts={"languages": mix.to_metrics()["languages"]})


class TextModality(Modality):
    """Text inputs: embedded by features chosen for their language, copies compared after Unicode and case normalising.

    The default classifier is logistic regression, which suits dense sentence embeddings.
    """

    name: ClassVar[str] = "text"

    def claims(self, text_columns: Sequence[str], input_columns: Sequence[str], frame: pd.DataFrame) -> bool:
        """Text reads any table with a text column (see :meth:`Modality.claims`).

        Parameters
        ----------
        text_columns : sequence of str
            Columns chosen (or named) as text.
        input_columns : sequence of str
            The other input columns.
        frame : pandas.DataFrame
            The table (not read).

        Returns
        -------
        bool
            True when ``text_columns`` is not empty.
        """
        return bool(text_columns)

    def features(self, dataset: Dataset, *, embedder: TextEmbedder | None, cache: FeatureCache | None,
                 progress: ProgressReporter) -> FeatureSet:
        """Text vectors, L2-normalised, from features the model can read (see :meth:`Modality.features`).

        Without an embedder the texts' languages choose (:func:`~curate.modalities.text_features.choose_text_features`):
        the sentence model for English, character n-grams (and Korean morphemes) otherwise. The
        choice, or the embedder asked for, is announced in one line through ``progress``.

        Parameters
        ----------
        dataset : Dataset
            The rows to encode.
        embedder : TextEmbedder or None
            The embedder the run configuration chose; None: chosen by the texts' languages.
        cache : FeatureCache or None
            Where vectors are cached by text hash and model id; None: no cache (never used for
            embedders fitted on the corpus).
        progress : ProgressReporter
            Gets the ``embedding`` task and the announcement.

        Returns
        -------
        FeatureSet
            Vectors of shape (n_rows, dim); metrics ``embedder`` (the model id), ``feature_choice``
            (why), ``languages`` and ``scripts`` (shares), ``embedded_rows`` and ``cached_rows``, and
            for a windowed model how texts fit its window (``texts_over_window``, ...); warnings
            ``mixed_languages``, ``texts_truncated`` and ``language_unread`` (the English model
            asked to read other languages) when they apply; ``surface`` when nearness in the vectors
            compares the texts' surface, or the model cannot read them.

        Raises
        ------
        InputError
            When the embedder asked for reads images (``reads_images``), not text.
        """
        rows = texts(dataset)
        mix = language_mix(rows)
        warnings: list[AuditWarning] = []
        if embedder is not None and getattr(embedder, "reads_images", False):
            raise InputError(f"the embedder {embedder.model_id!r} reads images, not text; use auto, sentence, "
                             "hashed or ngrams")
        if embedder is not None:
            reason = "asked for"
            progress.message(f"text features: {embedder.model_id} (as asked)")
        else:
            choice = choose_text_features(mix)
            embedder, reason, warnings = choice.embedder, choice.reason, list(choice.warnings)
            progress.message(choice.line())
        metrics: dict[str, Any] = {"embedder": embedder.model_id, "feature_choice": reason, **mix.to_metrics()}
        surface = not getattr(embedder, "reads_meaning", True)
        if getattr(embedder, "english_only", False) and mix.texts_with_letters and mix.share("en") < ENGLISH_SHARE:
            # It reads other languages as unknown word pieces, so unread texts look alike.
            surface = True
            warnings.append(_unread_warning(mix))
        report = getattr(embedder, "window_report", None)
        if callable(report):
            window: WindowReport = report(rows)
            metrics.update(window.to_metrics())
            if window.cut:
                warnings.append(_truncation_warning(window))
        preparation = getattr(embedder, "preparation_note", None)
        note = preparation() if callable(preparation) else None
        if note:
            progress.message(note)
        with progress.task("embedding", len(rows)) as advance:
            vectors, fresh = embed_with_cache(rows, embedder, cache, advance)
        metrics.update({"embedded_rows": fresh, "cached_rows": len(rows) - fresh})
        provenance = getattr(embedder, "provenance", None)
        made_from = provenance() if callable(provenance) else None
        if made_from:  # what the vectors were made with (a distilled model), recorded with the run
            metrics["embedder_provenance"] = made_from
        return FeatureSet(vectors, metrics, warnings, surface=surface, embedder=embedder)

    def input_similarity(self, dataset: Dataset, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """How alike the texts of row pairs are, by their characters (see :meth:`Modality.input_similarity`).

        The cosine of the character 1-3-gram counts of the two texts after Unicode NFKC, case
        folding and dropping punctuation and spacing (and, from 0.9, the lower of it and the
        texts' sequence ratio; see :func:`~curate.modalities.text_similarity.character_similarity`),
        so copies that differ only in those are 1.
        "드라이기가 있습니다" and "드라이기가 없습니다" (one syllable apart, opposite meanings) are 0.75.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        rows, cols : numpy.ndarray
            Positions of the pairs' two rows, same shape (n_pairs,).

        Returns
        -------
        numpy.ndarray
            Shape (n_pairs,), in [0, 1].
        """
        return character_similarity(texts(dataset), rows, cols)

    def exact_keys(self, dataset: Dataset) -> list[str]:
        """Texts after Unicode NFKC, case folding and whitespace collapsing (see :meth:`Modality.exact_keys`).

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str
            ``n_rows`` normalised texts (:func:`curate.core.keys.normalise_text`); empty for an
            empty text, which is never a copy.
        """
        return [normalise_text(t) for t in texts(dataset)]

    def input_problems(self, dataset: Dataset, *, long_factor: float) -> InputProblems:
        """Empty, garbled, control characters, too short, or too long texts (see :meth:`Modality.input_problems`).

        A text is too long past ``long_factor`` times the median length and past 1,000 characters.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        long_factor : float
            Multiple of the median text length (in characters) past which a text is too long.

        Returns
        -------
        InputProblems
            Each row's problems (see :func:`text_problems`); its score is its worst problem's
            ``SEVERITY`` (1 for a clean text); notes give ``long_limit_chars``.
        """
        rows = texts(dataset)
        median = float(np.median([len(t) for t in rows])) if rows else 0.0
        long_limit = int(max(MIN_LONG_LIMIT, long_factor * median))
        problems = [text_problems(t, long_limit=long_limit) for t in rows]
        scores = np.array([min((SEVERITY[p] for p in found), default=1.0) for found in problems], dtype=np.float64)
        return InputProblems(problems, scores, {"long_limit_chars": long_limit})

    def default_classifier(self, seed: int, smallest_class: int) -> ClassifierMixin:
        """Logistic regression (C=1, up to 2,000 iterations) (see :meth:`Modality.default_classifier`).

        Parameters
        ----------
        seed : int
            Not used: logistic regression's lbfgs solver is deterministic.
        smallest_class : int
            Not used.

        Returns
        -------
        sklearn.linear_model.LogisticRegression
            An unfitted classifier.
        """
        return LogisticRegression(C=1.0, max_iter=2000)

    def extra_views(self, dataset: Dataset, *, features: FeatureSet, seed: int) -> list[ExtraView]:
        """The lexical reading of the texts, unreduced (see :meth:`Modality.extra_views`).

        Beside character n-grams reduced by SVD, the same n-grams (and Korean morphemes) unreduced,
        with logistic regression (``C=1``): on NSMC it reads 0.829 against 0.818, and lifted the F1
        of planted random flips (10 %) from 0.514 to 0.538. Beside any other features (the sentence
        model), word 1-2-gram TF-IDF (:func:`curate.features.words.word_tfidf`), which reads every word
        of a long text and the exact words a label hangs on. Other surface features (hashed words, the
        quick mode; or a model that cannot read the texts) get none.

        The word view's classifier is logistic regression (lbfgs, ``C=4``) below ``SGD_FROM_ROWS``
        rows, and from there stochastic gradient descent on the log loss (``alpha=1e-5``, 20 passes,
        seeded): as accurate as lbfgs on large corpora (20 Newsgroups test 0.918 against 0.912) and
        four times faster on 100,000 sparse columns, but on a few hundred rows its steps are too few
        and too large (0.943 against 0.970 on 400 planted topic texts).

        Parameters
        ----------
        dataset : Dataset
            The rows.
        features : FeatureSet
            The main features; their ``embedder`` decides which lexical view fits.
        seed : int
            Seed of the stochastic classifier's shuffling.

        Returns
        -------
        list of ExtraView
            One view, ``ngrams`` or ``words``; none beside other surface features, or when no term is
            in two texts.
        """
        rows = texts(dataset)
        if isinstance(features.embedder, NgramEmbedder):
            matrix = features.embedder.sparse(rows)
            if matrix is None:
                return []
            return [ExtraView("ngrams", f"the same n-grams unreduced ({matrix.shape[1]:,} terms)", matrix,
                              LogisticRegression(C=1.0, max_iter=2000))]
        if features.surface:  # hashed words (the quick mode) or unread text: a word count is what they are
            return []
        matrix = word_tfidf(rows)
        if matrix is None:
            return []
        classifier: ClassifierMixin = (
            LogisticRegression(C=4.0, max_iter=2000) if dataset.n_rows < SGD_FROM_ROWS
            else SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=20, tol=None, random_state=seed))
        return [ExtraView("words", f"word 1-2-gram TF-IDF ({WORD_TFIDF_ID}, {matrix.shape[1]:,} terms)", matrix,
                          classifier)]

    def preview(self, dataset: Dataset, position: int, max_chars: int = 300) -> str:
        """The row's text, cut to ``max_chars`` (see :meth:`Modality.preview`).

        Skips the language guess that :meth:`row_view` makes: previews fill whole queue pages.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.
        max_chars : int, default 300
            The preview is cut to this many characters.

        Returns
        -------
        str
        """
        return _row_text(dataset, position)[:max_chars]

    def row_view(self, dataset: Dataset, position: int) -> RowView:
        """The row's text with a guess of its language (see :meth:`Modality.row_view`).

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.

        Returns
        -------
        RowView
            ``text``: the row's text columns joined by newlines (missing cells empty);
            ``language``: :func:`curate.modalities.language.guess_language` of it.
        """
        text = _row_text(dataset, position)
        return RowView(text=text, language=guess_language(text))


register_modality(TextModality())
