"""Long texts read whole by the sentence model: windows embedded and pooled, cuts counted and warned about."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curate.core.progress import SilentProgress
from curate.features import SentenceEmbedder
from curate.ingest.building import build_dataset
from curate.modalities.text import TextModality

pytestmark = pytest.mark.slow  # loads the sentence model

SHORT = ["a cat sat on the mat", "the striker scored a late goal", ""]
# About 800 word pieces: the verdict comes only at the end, past the first 256.
LONG = (" ".join(f"Part {i} of the story follows the family across the country by train." for i in range(50))
        + " In the end it was a terrible, boring film and I hated every minute of it.")


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


def test_short_texts_get_the_models_plain_vectors(embedder: SentenceEmbedder) -> None:
    plain = embedder._load().encode(SHORT, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(embedder.embed(SHORT), plain, atol=1e-6)


def test_a_long_text_is_read_whole_not_truncated(embedder: SentenceEmbedder) -> None:
    pooled = embedder.embed([LONG])[0]
    truncated = embedder._load().encode([LONG], normalize_embeddings=True, convert_to_numpy=True)[0]
    one_window = SentenceEmbedder(max_chunks=1).embed([LONG])[0]
    assert abs(float(np.linalg.norm(pooled)) - 1.0) < 1e-5
    assert float(pooled @ truncated) < 0.99  # the end of the text moved it
    assert float(one_window @ truncated) > 0.9999  # one window is what truncation read


def test_the_pooled_vector_is_the_length_weighted_mean_of_the_windows(embedder: SentenceEmbedder) -> None:
    pieces, owners, weights = embedder._pieces([LONG, "short one"])
    assert owners.tolist() == [0] * (len(pieces) - 1) + [1] and weights[-1] == 2
    assert weights[:-1].sum() == embedder.window_report([LONG]).longest
    model = embedder._load()
    windows = model.encode(pieces[:-1], normalize_embeddings=True, convert_to_numpy=True)
    mean = (windows * weights[:-1, None]).sum(axis=0)
    assert np.allclose(embedder.embed([LONG])[0], mean / np.linalg.norm(mean), atol=1e-5)


def test_the_window_report_counts_word_pieces(embedder: SentenceEmbedder) -> None:
    texts = ["word " * 600, "word " * 100, "word"]
    report = embedder.window_report(texts)
    assert (report.window, report.over_window, report.longest, report.cut) == (254, 1, 600, 0)
    capped = SentenceEmbedder(max_chunks=2).window_report(texts)
    assert (capped.cut, capped.tokens_cut, capped.most_cut) == (1, 600 - 508, 92)
    assert capped.to_metrics() == {"window_tokens": 254, "texts_over_window": 1, "longest_text_tokens": 600,
                                   "texts_cut": 1, "tokens_cut": 92}


def test_progress_counts_each_text_once(embedder: SentenceEmbedder) -> None:
    done: list[int] = []
    embedder.embed([*SHORT, LONG, LONG], done.append)
    assert sum(done) == 5


def test_the_modality_records_long_texts_and_warns_about_cut_ones() -> None:
    # "The film was long." is 5 word pieces
    frame = pd.DataFrame({"text": ["The film was long. " * 120, "the cat sat on the mat today",
                                   "The film was long. " * 60, "a dog ran in the park"],
                          "label": ["a", "b", "a", "b"]})
    dataset = build_dataset(frame, label="label", text=["text"])
    made = TextModality().features(dataset, embedder=SentenceEmbedder(max_chunks=2), cache=None,
                                   progress=SilentProgress())
    assert {k: made.metrics[k] for k in ("texts_over_window", "longest_text_tokens", "texts_cut", "tokens_cut")} \
        == {"texts_over_window": 2, "longest_text_tokens": 600, "texts_cut": 1, "tokens_cut": 92}
    [warning] = made.warnings
    assert warning.code == "texts_truncated"
    assert warning.message == ("1 texts are longer than the 508 word pieces the sentence model reads of each "
                               "(2 windows of 254); 92 word pieces at their ends were not read "
                               "(at most 92 of one text)")
    assert made.metrics["embedder"] == "st:sentence-transformers/all-MiniLM-L6-v2+pooled2"
    whole = TextModality().features(dataset, embedder=SentenceEmbedder(), cache=None, progress=SilentProgress())
    assert whole.warnings == [] and whole.metrics["texts_cut"] == 0
