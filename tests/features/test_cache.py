"""The embedding cache: a re-run embeds only new texts, and vectors come back exactly."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.core.progress import ProgressCallback
from curate.features import FeatureCache, HashedTextEmbedder, embed_with_cache
from curate.features.cache import cacheable, text_hash
from curate.features.ngrams import NgramEmbedder
from curate.features.text import SentenceEmbedder


def test_a_second_run_embeds_only_what_is_new(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path / "cache" / "features.sqlite")
    embedder = HashedTextEmbedder()
    texts = ["the cat sat", "a dog ran", "the cat sat", "오늘 축구 경기"]
    first, fresh = embed_with_cache(texts, embedder, cache)
    assert fresh == 3 and first.shape == (4, embedder.dim)  # the repeated text is embedded once
    again, fresh = embed_with_cache([*texts, "new words here"], embedder, cache)
    assert fresh == 1
    assert np.array_equal(again[:4], first)
    assert np.array_equal(again[4], embedder.embed(["new words here"])[0])
    # another model id shares nothing
    other = HashedTextEmbedder(dim=64)
    _, fresh = embed_with_cache(texts, other, cache)
    assert fresh == 3


class _Counting:
    """A registered-looking embedder that records which texts it was asked for."""

    def __init__(self) -> None:
        self.inner = HashedTextEmbedder(dim=32)
        self.model_id = self.inner.model_id
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        self.asked.extend(texts)
        return self.inner.embed(texts, progress)


def test_rows_get_their_texts_vectors_in_order_with_repeats_and_a_partly_filled_cache(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path / "features.sqlite")
    inner = HashedTextEmbedder(dim=32)
    embed_with_cache(["b text", "d text"], inner, cache)  # two of the four distinct texts cached
    counting = _Counting()
    texts = ["a text", "b text", "a text", "c text", "d text", "c text", "b text"]
    done: list[int] = []
    vectors, fresh = embed_with_cache(texts, counting, FeatureCache(tmp_path / "features.sqlite"), done.append)
    # not cacheable (not a registered class): everything distinct is embedded once, in first-seen order
    assert (fresh, counting.asked) == (4, ["a text", "b text", "c text", "d text"])
    assert np.array_equal(vectors, inner.embed(texts)) and vectors.dtype == np.float32
    assert sum(done) == len(texts)
    # the registered class is served from the cache for b and d and embeds a and c only
    served, fresh = embed_with_cache(texts, inner, cache)
    assert fresh == 2 and np.array_equal(served, vectors)


def test_no_cache_file_is_made_by_reading(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "features.sqlite"
    assert FeatureCache(path).get(["abc"], "m") == {}
    assert not path.exists()


class GivenVectors:
    """The user's own vectors, passed through the API under a model id of their choosing."""

    model_id = "team-embeddings-v1"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.calls = 0

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        self.calls += 1
        out = np.stack([self.vectors[t] for t in texts]).astype(np.float32)
        if progress is not None:
            progress(len(texts))
        return out


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_only_registered_embedder_classes_are_served_from_the_cache() -> None:
    assert cacheable(HashedTextEmbedder()) and cacheable(SentenceEmbedder())
    assert not cacheable(GivenVectors({}))
    assert not cacheable(NgramEmbedder())  # fitted on the corpus

    class Tweaked(HashedTextEmbedder):
        pass

    assert not cacheable(Tweaked())  # a subclass may embed differently under the same id


def test_user_vectors_under_one_model_id_are_never_reused(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path / "features.sqlite")
    texts = ["the cat sat", "a dog ran"]
    first = GivenVectors({"the cat sat": np.array([1.0, 0.0]), "a dog ran": np.array([0.0, 1.0])})
    second = GivenVectors({"the cat sat": np.array([0.0, 1.0]), "a dog ran": np.array([1.0, 0.0])})
    one, fresh_one = embed_with_cache(texts, first, cache)
    two, fresh_two = embed_with_cache(texts, second, cache)
    assert (fresh_one, fresh_two) == (2, 2)
    assert one.tolist() == [[1.0, 0.0], [0.0, 1.0]] and two.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert not cache.path.exists()  # nothing was stored under the user's id


def test_two_audits_with_the_same_model_id_and_different_vectors_differ() -> None:
    rng = np.random.default_rng(0)
    texts = [f"ticket number {i} about {'billing' if i % 2 else 'login'}" for i in range(40)]
    frame = pd.DataFrame({"id": [f"t{i}" for i in range(40)], "text": texts,
                          "label": ["billing" if i % 2 else "login" for i in range(40)]})
    centres = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    base = _unit(centres[np.arange(40) % 2] + 0.05 * rng.normal(size=(40, 4)))
    moved = base.copy()
    moved[7] = _unit(np.array([[0.0, 0.0, 1.0, 1.0]]))[0]  # t7 far from every other row
    runs = []
    for vectors in (base, moved):
        embedder = GivenVectors(dict(zip(texts, vectors, strict=True)))
        runs.append(curate.audit(frame, label="label", text="text", id="id", embedder=embedder,
                                 detectors=["outlier"]))
        assert embedder.calls == 1 and runs[-1].metrics["embedded_rows"] == 40
    flagged = [set(r.findings["row_id"]) for r in runs]
    assert flagged == [set(), {"t7"}]


class _FullDisk(FeatureCache):
    """A cache whose writes fail, as on a full disk."""

    def put(self, hashes: Sequence[str], vectors: np.ndarray, model_id: str) -> None:
        raise sqlite3.OperationalError("database or disk is full")


def test_every_batch_is_stored_before_the_call_returns_and_a_failed_write_is_raised(tmp_path: Path) -> None:
    # The cache is written from a thread of its own while the next batch is embedded.
    texts = [f"text number {i}" for i in range(3000)]  # three batches of 1,024
    embedder = HashedTextEmbedder(dim=16)
    cache = FeatureCache(tmp_path / "features.sqlite")
    vectors, fresh = embed_with_cache(texts, embedder, cache)
    stored = FeatureCache(tmp_path / "features.sqlite").get([text_hash(t) for t in texts], embedder.model_id)
    assert fresh == 3000 and len(stored) == 3000
    assert np.array_equal(np.vstack([stored[text_hash(t)] for t in texts]), vectors)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        embed_with_cache([f"other {t}" for t in texts], embedder, _FullDisk(tmp_path / "full.sqlite"))
