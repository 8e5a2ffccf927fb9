"""The registry of detectors. Built-ins and plugins both go through :func:`register`.

Third-party detectors come in through the ``curate.detectors`` entry point group, each entry named
like its detector and pointing at a Detector subclass::

    [project.entry-points."curate.detectors"]
    shouting = "my_package.detectors:ShoutingDetector"

Built-ins are not declared as entry points: :mod:`curate.detectors.builtin` imports them, and their
``@register`` adds them, when :mod:`curate.detectors` is imported. Entry points would be worse for
them, for three reasons. Order: setuptools writes a distribution's entry points sorted by name, so
the registry could not follow ``BUILTIN_MODULES`` (the order reports list issues in) without a
second list. Editable installs: entry points are a snapshot of pyproject.toml taken by ``pip
install``, so a new built-in would be missing until the next install, and a source checkout on
``PYTHONPATH`` would have no detectors at all. One list: the module list stays the only place that
names the built-ins. Plugins cannot come before built-ins either way: entry points are read on
first use of the registry, after the import registered the built-ins.
"""

from __future__ import annotations

from curate.core.registry import Registry
from curate.detectors.base import NEED_NAMES, Detector
from curate.errors import PluginError

__all__ = ["available_detectors", "get_detector", "load_plugins", "register", "unregister"]

def _checked(cls: object) -> type[Detector]:
    """``cls`` itself when it is a usable Detector subclass; a PluginError saying why not otherwise."""
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        raise PluginError(f"{cls!r} is not a subclass of curate.detectors.Detector")
    if not isinstance(getattr(cls, "name", None), str):
        raise PluginError(f"{cls.__name__} must set a class attribute 'name', the detector's name (a str)")
    needs = getattr(cls, "needs", None)
    if not isinstance(needs, frozenset):
        raise PluginError(f"{cls.__name__} must set a class attribute 'needs', a frozenset of {sorted(NEED_NAMES)} "
                          f"(got {needs!r})")
    unknown = set(needs) - NEED_NAMES
    if unknown:
        raise PluginError(f"{cls.__name__} needs unknown input(s) {sorted(unknown)}; known: {sorted(NEED_NAMES)}")
    return cls


def _from_entry_point(name: str, loaded: object) -> type[Detector]:
    cls = _checked(loaded)
    if cls.name != name:
        raise PluginError(f"the entry point is named {name!r} but {cls.__name__}.name is {cls.name!r}; "
                          "name the entry point like the detector")
    return cls


_DETECTORS: Registry[type[Detector]] = Registry("detector", "curate.detectors", _from_entry_point)


def register(cls: type[Detector]) -> type[Detector]:
    """Add a detector class to the registry under its ``name``; a name already taken is refused.

    Parameters
    ----------
    cls : type[Detector]
        A Detector subclass with ``name``, ``needs`` and ``description`` set.

    Returns
    -------
    type[Detector]
        ``cls``, so that ``register`` can decorate the class.

    Raises
    ------
    PluginError
        When ``cls`` is not a Detector subclass, its name is invalid or taken, or it needs an
        input that does not exist. PluginError is also a ValueError.

    Examples
    --------
    >>> @register  # doctest: +SKIP
    ... class MyDetector(Detector): ...
    """
    return _DETECTORS.add(_checked(cls).name, cls)


def unregister(name: str) -> None:
    """Remove a detector from the registry (for tests and plugin development).

    Parameters
    ----------
    name : str
        The detector's name; nothing happens when none is registered under it.
    """
    _DETECTORS.remove(name)


def load_plugins() -> None:
    """Register the detectors of every installed ``curate.detectors`` entry point.

    Happens by itself on the registry's first use; call it again after installing a plugin into a
    running session.

    Raises
    ------
    PluginError
        When a plugin's entry point cannot be loaded or registered; the message names the plugin.
    """
    _DETECTORS.load_plugins()


def available_detectors() -> dict[str, type[Detector]]:
    """Every registered detector by name: built-ins in the order of ``BUILTIN_MODULES``, then plugins.

    Returns
    -------
    dict[str, type[Detector]]
        Detector classes by name (a copy).

    Raises
    ------
    PluginError
        When an installed plugin cannot be registered.
    """
    return _DETECTORS.available()


def get_detector(name: str) -> type[Detector]:
    """The detector class registered under ``name``.

    Parameters
    ----------
    name : str
        A detector's name, such as ``"label"``.

    Returns
    -------
    type[Detector]
        The detector class.

    Raises
    ------
    InputError
        When no detector has that name; the message lists the available ones.
    """
    return _DETECTORS.get(name)
