"""torch's threads sized to the work: one for a small encoding on the CPU, restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from curate.core.threads import sized_torch_threads
from curate.features import SentenceEmbedder


@pytest.fixture
def two_threads() -> Iterator[None]:
    """torch on 2 intra-op threads, as on a machine with cores to spare; the count restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def test_small_work_gets_one_torch_thread_and_the_count_comes_back(two_threads: None) -> None:
    with sized_torch_threads(40, 384) as small:
        inside = torch.get_num_threads()
    after = torch.get_num_threads()
    with sized_torch_threads(2_605, 384) as large:  # 1,000,320 cells: torch's own setting
        untouched = torch.get_num_threads()
    assert (small, inside, after) == (1, 1, 2)
    assert (large, untouched) == (None, 2)


def test_the_count_comes_back_after_an_error(two_threads: None) -> None:
    with pytest.raises(RuntimeError, match="boom"), sized_torch_threads(40, 384):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 2


def test_a_lower_count_is_never_raised() -> None:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with sized_torch_threads(40, 384) as limit:
            inside = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert (limit, inside) == (None, 1)


@pytest.mark.slow  # loads the sentence model
def test_the_sentence_model_encodes_a_few_texts_on_one_thread(two_threads: None) -> None:
    embedder = SentenceEmbedder()
    seen: list[int] = []
    # the model's first module (the transformer) runs once per batch: what torch allows it then
    embedder._load()[0].register_forward_pre_hook(lambda module, args: seen.append(torch.get_num_threads()))
    short = ["a cat sat on the mat", "the striker scored a late goal", "the soup needs more garlic"]
    assert embedder.embed(short).shape == (3, 384)
    assert seen == [1] and torch.get_num_threads() == 2
    seen.clear()
    # 6 texts of 500 word pieces: 12 windows, 3,024 pieces with [CLS] and [SEP], x 384 > 1,000,000
    assert embedder.embed(["word " * 500] * 6).shape == (6, 384)
    assert seen == [2] and torch.get_num_threads() == 2
