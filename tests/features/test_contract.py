"""The embedder contract (curate.testing.check_embedder) over every registered embedder, and proof that it bites."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from curate.core.progress import ProgressCallback
from curate.features import HashedTextEmbedder, available_embedders, get_embedder
from curate.testing import EMBEDDER_CHECKS, ContractError, check_embedder

# The sentence model takes seconds to load; every other embedder is checked in the fast run. Image
# embedders (reads_images) take pictures, not texts: tests/modalities/test_image_modality.py checks them.
EMBEDDERS = [pytest.param(name, marks=pytest.mark.slow) if name == "sentence" else name
             for name, factory in available_embedders().items() if not getattr(factory, "reads_images", False)]


@pytest.mark.parametrize("name", EMBEDDERS)
def test_every_registered_embedder_keeps_the_contract(name: str) -> None:
    check_embedder(get_embedder(name))


# The hashed embedder keeps the contract; each subclass breaks one part of it.
class NoModelId:
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return np.ones((len(texts), 1), dtype=np.float32)


class EmptyModelId(HashedTextEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=8)
        self.model_id = ""


class Float64(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return super().embed(texts, progress).astype(np.float64)


class OneRowShort(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return super().embed(texts, progress)[1:]


class Unnormalised(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return super().embed(texts, progress) * 2


class AllZeros(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return super().embed(texts, progress) * 0


class Random(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        vectors = np.random.default_rng().normal(size=(len(texts), 8)).astype(np.float32)
        if progress is not None:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class CentredOnTheBatch(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        vectors = super().embed(texts, progress)
        vectors -= vectors.mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


class FailsOnNoTexts(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        if not texts:
            raise ValueError("no texts")
        return super().embed(texts, progress)


class Silent(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        return super().embed(texts)


class Crashes(HashedTextEmbedder):
    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        raise OSError("model file not found")


MODEL = "hashed:262144:256:0"
BROKEN = [
    (NoModelId, "None", "protocol", "it needs a 'model_id' attribute and an 'embed(texts, progress=None)' method"),
    (EmptyModelId, "''", "model_id", "model_id is ''; name the model and its settings in a non-empty str"),
    (Float64, repr(MODEL), "output", "embed returned ndarray float64 (6, 256) for 6 text(s); return a float32 "
                                     "array of shape (6, dim)"),
    (OneRowShort, repr(MODEL), "output", "embed returned ndarray float32 (5, 256) for 6 text(s); return a float32 "
                                         "array of shape (6, dim)"),
    (Unnormalised, repr(MODEL), "normalised", "the vector of 'the striker scored a late goal' has L2 norm "
                                              "2.000000; divide each row by its norm (all zeros only for a text "
                                              "with nothing to embed)"),
    (AllZeros, repr(MODEL), "normalised", "the vector of 'the striker scored a late goal' has L2 norm 0.000000; "
                                          "divide each row by its norm (all zeros only for a text with nothing "
                                          "to embed)"),
    (Random, repr(MODEL), "same_text_same_vector", "the same text gave different vectors (within a batch or "
                                                   "across calls); the cache keys vectors by text and model_id "
                                                   "alone"),
    (CentredOnTheBatch, repr(MODEL), "batch_independent", "'the striker scored a late goal' embedded alone "
                                                          "differs from its vector in a batch; a text's vector "
                                                          "must not depend on the other texts"),
    (FailsOnNoTexts, repr(MODEL), "empty_input", "embed raised ValueError on 0 text(s): no texts"),
    (Silent, repr(MODEL), "progress", "embed reported progress 0 for 6 text(s); call progress(n) after each "
                                      "batch of n texts"),
    (Crashes, repr(MODEL), "output", "embed raised OSError on 6 text(s): model file not found"),
]


@pytest.mark.parametrize(("broken", "model_id", "check", "problem"), BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_a_broken_embedder_fails_the_check_it_breaks(broken: type, model_id: str, check: str, problem: str) -> None:
    with pytest.raises(ContractError) as caught:
        check_embedder(broken())
    assert (caught.value.check, caught.value.problem) == (check, problem)
    assert str(caught.value) == f"embedder {broken.__name__} ({model_id}) fails the check {check!r}: {problem}"


def test_every_check_is_exercised_by_a_broken_embedder() -> None:
    assert {check for _, _, check, _ in BROKEN} == set(EMBEDDER_CHECKS)


def test_a_row_of_zeros_is_allowed_for_a_text_with_nothing_to_embed() -> None:
    # The hashed embedder's sparse projection maps the only n-gram of "a" to nothing: a zero row.
    vectors = HashedTextEmbedder().embed(["a", "the striker scored a late goal"])
    assert np.linalg.norm(vectors, axis=1).round(4).tolist() == [0.0, 1.0]
    check_embedder(HashedTextEmbedder())
