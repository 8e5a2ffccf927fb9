"""The n-gram embedder: fitted on the corpus (never cached), Korean morphemes when there is Korean."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from curate.core.progress import ProgressCallback
from curate.errors import MissingExtraError
from curate.features import FeatureCache, NgramEmbedder, embed_with_cache, get_embedder
from curate.features import ngrams as ngrams_module
from curate.features.cache import text_hash

KOREAN = ["드라이기가 있습니다", "드라이기가 없습니다", "냉장고가 있습니다", "냉장고가 없습니다"]


def test_vectors_are_unit_rows_with_fewer_dimensions_on_a_small_corpus() -> None:
    vectors = NgramEmbedder().embed(["좋은 영화", "나쁜 영화", "좋은 배우", "a good film"])
    # SVD to at most n_texts - 1 dimensions
    assert vectors.shape == (4, 3) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_one_text_and_no_text() -> None:
    assert NgramEmbedder().embed(["a lone text"]).shape[0] == 1
    assert NgramEmbedder().embed([]).shape == (0, 1)
    # Ten texts that share no character: no n-gram is in two texts, so nothing is left to embed
    nothing = NgramEmbedder(korean_morphemes=False).embed(list("abcdefghij"))
    assert np.array_equal(nothing, np.zeros((10, 1), dtype=np.float32))


def test_morphemes_are_used_when_there_is_korean() -> None:
    assert NgramEmbedder().uses_morphemes(KOREAN)
    assert not NgramEmbedder().uses_morphemes(["only english here", "and here"])
    assert not NgramEmbedder(korean_morphemes=False).uses_morphemes(KOREAN)
    # kiwipiepy tells the two verbs apart: 있 (there is) against 없 (there is not)
    assert ngrams_module._morphemes(["드라이기가 있습니다", "no hangul"]) == [
        ["드라이기/NNG", "가/JKS", "있/VA", "습니다/EF"], []]


def test_morphemes_asked_for_without_kiwipiepy_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ngrams_module, "korean_morphemes_available", lambda: False)
    assert not NgramEmbedder().uses_morphemes(KOREAN)
    with pytest.raises(MissingExtraError,
                       match=r"Korean morphemes needs the 'korean' extra: pip install 'curate\[korean\]'"):
        NgramEmbedder(korean_morphemes=True).embed(KOREAN)


def test_model_id_names_the_settings() -> None:
    assert NgramEmbedder().model_id == "ngrams:char1-3+ko-morphemes-if-korean:svd512:min_df2:0"
    assert NgramEmbedder(64, korean_morphemes=False, seed=1).model_id == "ngrams:char1-3:svd64:min_df2:1"
    assert get_embedder("ngrams").model_id == NgramEmbedder().model_id


def test_its_vectors_are_never_cached(tmp_path: Path) -> None:
    cache = FeatureCache(tmp_path / "features.sqlite")
    embedder = NgramEmbedder()
    texts = [*KOREAN, KOREAN[0]]
    vectors, fresh = embed_with_cache(texts, embedder, cache)
    assert fresh == 4 and vectors.shape[0] == 5 and np.array_equal(vectors[0], vectors[4])
    assert cache.get([text_hash(t) for t in KOREAN], embedder.model_id) == {}
    _, fresh = embed_with_cache(texts, embedder, cache)
    assert fresh == 4  # embedded again, with the corpus


class CorpusSpy:
    """Records each call: an embedder fitted on the corpus must get every distinct text at once."""

    fits_corpus: ClassVar[bool] = True
    model_id = "spy"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        self.calls.append(len(texts))
        if progress is not None:
            progress(len(texts))
        return np.ones((len(texts), 1), dtype=np.float32)


def test_a_corpus_embedder_gets_all_distinct_texts_in_one_call(tmp_path: Path) -> None:
    spy = CorpusSpy()
    texts = [f"text {i}" for i in range(3000)] * 2
    done: list[int] = []
    _, fresh = embed_with_cache(texts, spy, FeatureCache(tmp_path / "f.sqlite"), done.append)
    assert (spy.calls, fresh, sum(done)) == ([3000], 3000, 6000)
