"""Features: one dense vector per row, from an embedder per modality, cached by content hash."""

from curate.core.progress import ProgressCallback
from curate.features.base import TextEmbedder
from curate.features.cache import FeatureCache, default_cache_path, embed_with_cache
from curate.features.registry import (
    EmbedderFactory,
    available_embedders,
    get_embedder,
    register_embedder,
    unregister_embedder,
)
from curate.features.tabular import encode_table, usable_columns
from curate.features.text import (
    DEFAULT_TEXT_MODEL,
    HashedTextEmbedder,
    SentenceEmbedder,
    sentence_model_available,
)

__all__ = [
    "DEFAULT_TEXT_MODEL",
    "EmbedderFactory",
    "FeatureCache",
    "HashedTextEmbedder",
    "ProgressCallback",
    "SentenceEmbedder",
    "TextEmbedder",
    "available_embedders",
    "default_cache_path",
    "embed_with_cache",
    "encode_table",
    "get_embedder",
    "register_embedder",
    "sentence_model_available",
    "unregister_embedder",
    "usable_columns",
]
