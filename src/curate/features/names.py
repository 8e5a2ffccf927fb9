"""Embedders by the names users give: ``auto``, a registered name, ``st:MODEL``, ``static:MODEL`` or a model folder."""

from __future__ import annotations

from pathlib import Path

from curate.errors import ConfigError
from curate.features.base import TextEmbedder
from curate.features.registry import available_embedders, get_embedder
from curate.features.static_text import StaticEmbedder
from curate.features.text import SentenceEmbedder

__all__ = ["SENTENCE_PREFIX", "STATIC_PREFIX", "check_embedder_name", "embedder_from_name"]

# ``st:MODEL``: a sentence-transformers model by hub name or folder.
SENTENCE_PREFIX = "st:"
# ``static:MODEL``: static embeddings distilled from that sentence-transformers model.
STATIC_PREFIX = "static:"
# What marks a folder as a sentence-transformers (or transformers) model.
_MODEL_FILES = ("modules.json", "config_sentence_transformers.json", "config.json")


def _model_of(name: str) -> str | None:
    """The sentence-transformers model a name asks for, or None when it names no such model."""
    for prefix in (SENTENCE_PREFIX, STATIC_PREFIX):
        if name.startswith(prefix):
            return name[len(prefix):]
    if name not in available_embedders() and Path(name).expanduser().is_dir():
        return name
    return None


def _looks_like_path(model: str) -> bool:
    """A hub name is ``name`` or ``org/name``; anything else with a slash or a leading dot or ~ is a path."""
    return model.startswith((".", "~", "/")) or model.count("/") > 1 or "\\" in model


def check_embedder_name(name: str) -> None:
    """Refuse an embedder name the run could not use, without loading any model.

    Parameters
    ----------
    name : str
        ``auto``; a registered embedder's name (``static``, ``sentence``, ``hashed``, ``ngrams``, a
        plugin's); ``st:MODEL`` with a sentence-transformers hub name or model folder;
        ``static:MODEL``, static embeddings distilled from such a model; or a model folder.

    Raises
    ------
    ConfigError
        For an unknown name, a folder that does not exist, or a folder that holds no model; the
        message names it and lists what can be used.
    """
    if name == "auto" or name in available_embedders():
        return
    model = _model_of(name)
    if model is None:
        if _looks_like_path(name):
            raise ConfigError(f"embedder {name!r}: no such model folder; give the folder of a sentence-transformers "
                              "model, or a registered embedder name")
        raise ConfigError(f"embedder {name!r} is unknown; use auto, one of {', '.join(available_embedders())}, "
                          "st:MODEL (a sentence-transformers model), static:MODEL (distilled from one) "
                          "or a model folder")
    if not model:
        raise ConfigError(f"embedder {name!r}: name the sentence-transformers model after '{name.split(':')[0]}:'")
    folder = Path(model).expanduser()
    if folder.is_dir():
        if not any((folder / f).is_file() for f in _MODEL_FILES):
            raise ConfigError(f"embedder {name!r}: the folder {folder} holds no sentence-transformers model "
                              f"(none of {', '.join(_MODEL_FILES)})")
    elif _looks_like_path(model) or folder.exists():
        raise ConfigError(f"embedder {name!r}: no such model folder {folder}")


def embedder_from_name(name: str) -> TextEmbedder | None:
    """The embedder a name asks for (checked by :func:`check_embedder_name` first).

    Parameters
    ----------
    name : str
        As :func:`check_embedder_name` takes.

    Returns
    -------
    TextEmbedder or None
        None for ``auto`` (the modality chooses); otherwise a new embedder (no model loaded yet).

    Raises
    ------
    ConfigError
        When :func:`check_embedder_name` refuses the name.

    Examples
    --------
    >>> embedder_from_name("hashed").model_id
    'hashed:262144:256:0'
    >>> embedder_from_name("st:sentence-transformers/all-MiniLM-L6-v2").model_id
    'st:sentence-transformers/all-MiniLM-L6-v2+pooled16'
    >>> embedder_from_name("static:sentence-transformers/all-MiniLM-L6-v2").model_id
    'static:sentence-transformers/all-MiniLM-L6-v2+pca256'
    """
    check_embedder_name(name)
    if name == "auto":
        return None
    if name in available_embedders():
        return get_embedder(name)
    model = _model_of(name)
    assert model is not None  # checked above
    model = str(Path(model).expanduser()) if Path(model).expanduser().is_dir() else model
    return StaticEmbedder(model=model) if name.startswith(STATIC_PREFIX) else SentenceEmbedder(model=model)
