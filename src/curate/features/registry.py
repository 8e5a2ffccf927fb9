"""The registry of text embedders, by name. Built-ins and plugins both go through :func:`register_embedder`.

A plugin declares a factory (usually the embedder class itself) under the ``curate.embedders``
entry point group; :func:`get_embedder` calls it with the parameters given::

    [project.entry-points."curate.embedders"]
    char-counts = "my_package.embedders:CharCountEmbedder"

The built-ins, ``sentence`` (:class:`~curate.features.text.SentenceEmbedder`) and ``hashed``
(:class:`~curate.features.text.HashedTextEmbedder`), are registered by :mod:`curate.features.text`
when :mod:`curate.features` is imported, like the built-in detectors (see
:mod:`curate.detectors.registry` for why not through entry points).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from curate.core.registry import Registry
from curate.errors import InputError, PluginError
from curate.features.base import TextEmbedder

__all__ = ["EmbedderFactory", "available_embedders", "get_embedder", "load_embedder_plugins", "register_embedder",
           "unregister_embedder"]

# Makes an embedder from keyword parameters; an embedder class is one.
EmbedderFactory = Callable[..., TextEmbedder]


def _from_entry_point(name: str, loaded: object) -> EmbedderFactory:
    if not callable(loaded):
        raise PluginError(f"{loaded!r} is not callable: point the entry point at an embedder class or a function "
                          "that returns an embedder")
    return loaded


_EMBEDDERS: Registry[EmbedderFactory] = Registry("embedder", "curate.embedders", _from_entry_point)


def register_embedder(name: str, factory: EmbedderFactory) -> EmbedderFactory:
    """Register a text embedder factory under ``name``; a name already taken is refused.

    Parameters
    ----------
    name : str
        The name users select it by: lower-case letters, digits, '_' and '-'.
    factory : EmbedderFactory
        A callable taking keyword parameters and returning a :class:`~curate.features.base.TextEmbedder`;
        usually the embedder class.

    Returns
    -------
    EmbedderFactory
        ``factory``.

    Raises
    ------
    PluginError
        When ``factory`` is not callable, or ``name`` is invalid or taken. PluginError is also a ValueError.

    Examples
    --------
    >>> register_embedder("my-embedder", MyEmbedder)  # doctest: +SKIP
    """
    return _EMBEDDERS.add(name, _from_entry_point(name, factory))


def unregister_embedder(name: str) -> None:
    """Remove an embedder from the registry (for tests and plugin development).

    Parameters
    ----------
    name : str
        The embedder's name; nothing happens when none is registered under it.
    """
    _EMBEDDERS.remove(name)


def load_embedder_plugins() -> None:
    """Register the factories of every installed ``curate.embedders`` entry point.

    Happens by itself on the registry's first use; call it again after installing a plugin into a
    running session.

    Raises
    ------
    PluginError
        When a plugin's entry point cannot be loaded or registered; the message names the plugin.
    """
    _EMBEDDERS.load_plugins()


def available_embedders() -> dict[str, EmbedderFactory]:
    """Every registered embedder factory by name: the built-ins, then plugins.

    Returns
    -------
    dict[str, EmbedderFactory]
        Factories by name (a copy).

    Raises
    ------
    PluginError
        When an installed plugin cannot be registered.
    """
    return _EMBEDDERS.available()


def get_embedder(name: str, **params: Any) -> TextEmbedder:
    """A new embedder: the factory registered under ``name``, called with ``params``.

    Parameters
    ----------
    name : str
        A registered embedder's name, such as ``"sentence"`` or ``"hashed"``.
    **params : Any
        Keyword parameters of the factory, such as ``dim=128`` for ``"hashed"``.

    Returns
    -------
    TextEmbedder
        The embedder (nothing is loaded until it embeds).

    Raises
    ------
    InputError
        When no embedder has that name (the message lists the available ones), or the factory
        does not take ``params`` (the message shows what it takes).
    PluginError
        When the factory returns something that is not a TextEmbedder.

    Examples
    --------
    >>> get_embedder("hashed", dim=64).model_id
    'hashed:262144:64:0'
    """
    factory = _EMBEDDERS.get(name)
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # some callables (builtins) have no signature: let the call decide
        signature = None
    if signature is not None:
        try:
            signature.bind(**params)
        except TypeError as exc:
            takes = ", ".join(signature.parameters) or "no parameters"
            raise InputError(f"embedder {name!r} does not take these parameters ({exc}); it takes: {takes}") from exc
    embedder = factory(**params)
    if not isinstance(embedder, TextEmbedder):
        raise PluginError(f"the factory of embedder {name!r} returned {type(embedder).__name__}, which is not a "
                          "TextEmbedder (it needs a 'model_id' str and an 'embed' method)")
    return embedder
