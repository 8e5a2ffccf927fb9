"""The embedder registry: built-ins by name, parameters passed through, clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from curate.errors import InputError, PluginError
from curate.features import (
    HashedTextEmbedder,
    SentenceEmbedder,
    available_embedders,
    get_embedder,
    register_embedder,
    unregister_embedder,
)


def test_builtins_come_first_under_their_names() -> None:
    embedders = available_embedders()
    assert list(embedders)[:2] == ["sentence", "hashed"]
    assert embedders["sentence"] is SentenceEmbedder
    assert embedders["hashed"] is HashedTextEmbedder


def test_get_embedder_passes_parameters_to_the_factory() -> None:
    embedder = get_embedder("hashed", dim=64, seed=3)
    assert isinstance(embedder, HashedTextEmbedder)
    assert (embedder.dim, embedder.seed, embedder.model_id) == (64, 3, "hashed:262144:64:3")
    assert get_embedder("sentence", model="all-MiniLM-L6-v2").model_id == "st:all-MiniLM-L6-v2+pooled16"


def test_an_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(InputError) as caught:
        get_embedder("fasttext")
    assert str(caught.value) == f"no embedder named 'fasttext'; available: {', '.join(available_embedders())}"


def test_unknown_parameters_say_what_the_factory_takes() -> None:
    with pytest.raises(InputError) as caught:
        get_embedder("hashed", dims=64)
    assert str(caught.value) == ("embedder 'hashed' does not take these parameters (got an unexpected keyword "
                                 "argument 'dims'); it takes: dim, n_features, seed")


def test_a_taken_name_is_refused_and_the_same_factory_again_is_not() -> None:
    with pytest.raises(PluginError) as caught:
        register_embedder("hashed", SentenceEmbedder)
    assert str(caught.value) == ("the embedder name 'hashed' is already registered, by "
                                 "curate.features.text.HashedTextEmbedder; give "
                                 "curate.features.text.SentenceEmbedder another name")
    assert register_embedder("hashed", HashedTextEmbedder) is HashedTextEmbedder
    assert available_embedders()["hashed"] is HashedTextEmbedder


def test_malformed_names_and_factories_are_refused() -> None:
    with pytest.raises(PluginError, match=r"has the embedder name 'My Model': use lower-case letters"):
        register_embedder("My Model", HashedTextEmbedder)
    with pytest.raises(PluginError, match=r"^'not callable' is not callable"):
        register_embedder("text", "not callable")  # type: ignore[arg-type]
    assert "text" not in available_embedders()


def test_a_factory_that_returns_no_embedder_is_caught() -> None:
    def broken() -> object:
        return np.zeros(3)

    register_embedder("broken-test-only", broken)  # type: ignore[arg-type]
    try:
        with pytest.raises(PluginError) as caught:
            get_embedder("broken-test-only")
        assert str(caught.value) == ("the factory of embedder 'broken-test-only' returned ndarray, which is not a "
                                     "TextEmbedder (it needs a 'model_id' str and an 'embed' method)")
    finally:
        unregister_embedder("broken-test-only")
    assert "broken-test-only" not in available_embedders()


def test_hashed_embedder_returns_no_rows_for_no_texts() -> None:
    vectors = HashedTextEmbedder(dim=32).embed([])
    assert vectors.shape == (0, 32) and vectors.dtype == np.float32
