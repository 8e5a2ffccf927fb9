"""The embedding cache: a re-run embeds only new texts, and vectors come back exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curate.features import FeatureCache, HashedTextEmbedder, embed_with_cache


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


def test_no_cache_file_is_made_by_reading(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "features.sqlite"
    assert FeatureCache(path).get(["abc"], "m") == {}
    assert not path.exists()
