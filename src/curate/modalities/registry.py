"""The registry of modalities. Built-ins register the way plugins do (entry point group ``curate.modalities``)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points

import pandas as pd

from curate.errors import InputError
from curate.modalities.base import Modality

__all__ = ["available_modalities", "get_modality", "register_modality", "resolve_modality", "unregister_modality"]

_REGISTRY: dict[str, Modality] = {}
_plugins_loaded = False


def register_modality(modality: Modality) -> Modality:
    """Add a modality instance to the registry; a name already taken by another modality is refused.

    Parameters
    ----------
    modality : Modality
        The instance to register (its class sets ``name``).

    Returns
    -------
    Modality
        The same instance, so that a module can write ``TEXT = register_modality(TextModality())``.

    Raises
    ------
    TypeError
        When ``modality`` is not a Modality or has no name.
    ValueError
        When another modality already holds the name.
    """
    # The built-ins come first whoever registers first, so plugins are always asked before them.
    import curate.modalities.builtin  # noqa: F401

    if not isinstance(modality, Modality):
        raise TypeError(f"{modality!r} is not a curate.modalities.Modality")
    name = getattr(modality, "name", None)
    if not name or not isinstance(name, str):
        raise TypeError(f"{type(modality).__name__} must set a class attribute 'name'")
    known = _REGISTRY.get(name)
    if known is not None and type(known) is not type(modality):
        raise ValueError(f"a modality named {name!r} is already registered ({type(known).__name__})")
    _REGISTRY[name] = modality
    return modality


def unregister_modality(name: str) -> None:
    """Remove a modality from the registry (for tests and plugin development).

    Parameters
    ----------
    name : str
        The modality's name; an unknown name is ignored.
    """
    _REGISTRY.pop(name, None)


def _load() -> None:
    global _plugins_loaded
    import curate.modalities.builtin  # noqa: F401  (registers text and tabular)

    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group="curate.modalities"):
        loaded = entry.load()
        register_modality(loaded() if isinstance(loaded, type) else loaded)


def available_modalities() -> dict[str, Modality]:
    """Every registered modality by name, built-ins first, in registration order.

    Returns
    -------
    dict of str to Modality
        A fresh dict; plugins' entry points are loaded on the first call.
    """
    _load()
    return dict(_REGISTRY)


def get_modality(name: str) -> Modality:
    """The modality registered under ``name``.

    Parameters
    ----------
    name : str
        A modality name, e.g. ``"text"`` or ``"tabular"``.

    Returns
    -------
    Modality
        The registered instance.

    Raises
    ------
    InputError
        When no modality has that name; the message lists the available ones.
    """
    modalities = available_modalities()
    if name not in modalities:
        raise InputError(f"no modality named {name!r}; available: {', '.join(sorted(modalities))}")
    return modalities[name]


# The modality of rows whose only input is the user's own vectors: a table of no columns.
_VECTORS_ONLY = "tabular"


def resolve_modality(text_columns: Sequence[str], input_columns: Sequence[str], frame: pd.DataFrame,
                     requested: str | None = None, *, own_features: bool = False) -> str:
    """The name of the modality that reads a table: the one asked for, or the last registered that claims it.

    Later registrations are asked first, so a plugin can claim tables that a built-in would also
    read; the tabular built-in, registered first, claims any table with input columns.

    Parameters
    ----------
    text_columns, input_columns : sequence of str
        The columns chosen as text and as other inputs.
    frame : pandas.DataFrame
        The table.
    requested : str, optional
        A modality name the user named; it is checked, not second-guessed.
    own_features : bool, default False
        Whether the user gives their own features: then a table with neither text nor input
        columns (the vectors are its only input) is read as a table of no columns, ``tabular``.

    Returns
    -------
    str
        The modality's name.

    Raises
    ------
    InputError
        When ``requested`` is unknown, or no modality claims the table.
    """
    if own_features and not text_columns and not input_columns and requested in (None, _VECTORS_ONLY):
        return _VECTORS_ONLY
    if requested is not None:
        modality = get_modality(requested)
        if not modality.claims(text_columns, input_columns, frame):
            raise InputError(f"the {requested} modality cannot read this table (text columns: "
                             f"{list(text_columns) or 'none'}; other inputs: {len(input_columns)}); "
                             "name the right columns or leave --modality out")
        return modality.name
    for modality in reversed(list(available_modalities().values())):
        if modality.claims(text_columns, input_columns, frame):
            return modality.name
    raise InputError("no modality can read this table: name a text column (--text, or text= in Python), "
                     "or give input columns")
