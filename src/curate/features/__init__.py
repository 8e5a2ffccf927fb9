"""Features: one dense vector per row, from an embedder per modality, cached by content hash."""

from curate.core.progress import ProgressCallback
from curate.features.base import TextEmbedder
from curate.features.cache import FeatureCache, default_cache_path, embed_with_cache
from curate.features.tabular import encode_table, usable_columns
from curate.features.text import (
    DEFAULT_TEXT_MODEL,
    HashedTextEmbedder,
    SentenceEmbedder,
    default_text_embedder,
    sentence_model_available,
)

__all__ = [
    "DEFAULT_TEXT_MODEL",
    "FeatureCache",
    "HashedTextEmbedder",
    "ProgressCallback",
    "SentenceEmbedder",
    "TextEmbedder",
    "default_cache_path",
    "default_text_embedder",
    "embed_with_cache",
    "encode_table",
    "sentence_model_available",
    "usable_columns",
]
