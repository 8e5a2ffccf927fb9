"""The registry of detectors. Built-ins register exactly the way plugins do.

Third-party detectors come in through the ``curate.detectors`` entry point group, each entry
pointing at a Detector subclass.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from curate.detectors.base import NEED_NAMES, Detector
from curate.errors import InputError

__all__ = ["available_detectors", "get_detector", "register", "unregister"]

_REGISTRY: dict[str, type[Detector]] = {}
_plugins_loaded = False


def register(cls: type[Detector]) -> type[Detector]:
    """Add a detector class to the registry; a name already taken is refused.

    Example
    -------
    >>> @register  # doctest: +SKIP
    ... class MyDetector(Detector): ...
    """
    name = getattr(cls, "name", None)
    if not name or not isinstance(name, str):
        raise TypeError(f"{cls.__name__} must set a class attribute 'name'")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"a detector named {name!r} is already registered ({_REGISTRY[name].__name__})")
    unknown = set(cls.needs) - NEED_NAMES
    if unknown:
        raise ValueError(f"{cls.__name__} needs unknown input(s) {sorted(unknown)}; known: {sorted(NEED_NAMES)}")
    _REGISTRY[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a detector from the registry (for tests and plugin development)."""
    _REGISTRY.pop(name, None)


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group="curate.detectors"):
        register(entry.load())


def available_detectors() -> dict[str, type[Detector]]:
    """Every registered detector by name, built-ins first, in registration order."""
    import curate.detectors.builtin  # noqa: F401  (registers the built-ins)

    _load_plugins()
    return dict(_REGISTRY)


def get_detector(name: str) -> type[Detector]:
    """The detector class registered under ``name``."""
    detectors = available_detectors()
    if name not in detectors:
        raise InputError(f"no detector named {name!r}; available: {', '.join(detectors)}")
    return detectors[name]
