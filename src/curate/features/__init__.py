"""Features: one dense vector per row, from an embedder per modality, cached by content hash."""

from curate.core.progress import ProgressCallback
from curate.features.base import TextEmbedder
from curate.features.cache import FeatureCache, default_cache_path, embed_with_cache
from curate.features.image import (
    EfficientNetEmbedder,
    PixelEmbedder,
    efficientnet_available,
    embed_images_with_cache,
)
from curate.features.names import check_embedder_name, embedder_from_name
from curate.features.ngrams import NgramEmbedder, korean_morphemes_available
from curate.features.registry import (
    EmbedderFactory,
    available_embedders,
    get_embedder,
    register_embedder,
    unregister_embedder,
)
from curate.features.static_text import StaticEmbedder, static_model_available
from curate.features.tabular import encode_table, unused_columns, usable_columns
from curate.features.text import (
    DEFAULT_TEXT_MODEL,
    HashedTextEmbedder,
    SentenceEmbedder,
    sentence_model_available,
)

__all__ = [
    "DEFAULT_TEXT_MODEL",
    "EfficientNetEmbedder",
    "EmbedderFactory",
    "FeatureCache",
    "HashedTextEmbedder",
    "NgramEmbedder",
    "PixelEmbedder",
    "ProgressCallback",
    "SentenceEmbedder",
    "StaticEmbedder",
    "TextEmbedder",
    "available_embedders",
    "check_embedder_name",
    "default_cache_path",
    "efficientnet_available",
    "embed_images_with_cache",
    "embed_with_cache",
    "embedder_from_name",
    "encode_table",
    "get_embedder",
    "korean_morphemes_available",
    "register_embedder",
    "sentence_model_available",
    "static_model_available",
    "unregister_embedder",
    "unused_columns",
    "usable_columns",
]
