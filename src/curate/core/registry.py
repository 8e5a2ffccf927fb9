"""A plain registry of named things (detector classes, embedder factories) that plugins extend.

Built-ins and plugins are added by the same :meth:`Registry.add`, which refuses a name that is
taken. Plugins come in through an entry point group (``curate.detectors``, ``curate.embedders``),
read on first use rather than at import, so a broken plugin cannot break ``import curate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from curate.errors import InputError, PluginError

__all__ = ["NAME_PATTERN", "Registry", "describe_entry_point"]

T = TypeVar("T")

# What a registered name may look like: it is typed on the command line, put in URLs and stored.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")


def describe_entry_point(entry: EntryPoint) -> str:
    """Name an entry point the way a plugin author wrote it, with the distribution that declares it.

    Parameters
    ----------
    entry : importlib.metadata.EntryPoint
        An entry point found by :func:`importlib.metadata.entry_points`.

    Returns
    -------
    str
        For example ``plugin curate-example-plugin: entry point 'shouting = pkg:Cls' in group
        'curate.detectors'``.
    """
    dist = entry.dist.name if entry.dist is not None else "(unknown distribution)"
    return f"plugin {dist}: entry point '{entry.name} = {entry.value}' in group '{entry.group}'"


def _describe(item: object) -> str:
    module = getattr(item, "__module__", None)
    name = getattr(item, "__qualname__", None) or type(item).__qualname__
    return f"{module}.{name}" if module else name


class Registry(Generic[T]):
    """Named items in registration order, each name taken at most once.

    Parameters
    ----------
    kind : str
        What the items are, for messages ("detector", "embedder").
    group : str
        The entry point group plugins declare their items under.
    from_entry_point : Callable[[str, object], T]
        Turns an entry point's name and loaded object into the item to register, raising
        :class:`~curate.errors.PluginError` when the object is not one.
    """

    def __init__(self, kind: str, group: str, from_entry_point: Callable[[str, object], T]) -> None:
        self.kind = kind
        self.group = group
        self.from_entry_point = from_entry_point
        self._items: dict[str, T] = {}
        self._plugins_loaded = False

    def add(self, name: str, item: T) -> T:
        """Register ``item`` under ``name``; registering the same item again changes nothing.

        Parameters
        ----------
        name : str
            The name users select the item by.
        item : T
            The item.

        Returns
        -------
        T
            ``item``, so that ``add`` can serve a decorator.

        Raises
        ------
        PluginError
            When ``name`` is not lower-case letters, digits, '_' and '-' starting with a letter, or
            another item already holds it.
        """
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise PluginError(f"{_describe(item)} has the {self.kind} name {name!r}: use lower-case letters, digits, "
                              "'_' and '-', starting with a letter")
        taken = self._items.get(name)
        if taken is not None and taken is not item:
            raise PluginError(f"the {self.kind} name {name!r} is already registered, by {_describe(taken)}; "
                              f"give {_describe(item)} another name")
        self._items[name] = item
        return item

    def remove(self, name: str) -> None:
        """Forget the item registered under ``name`` (nothing happens when there is none).

        Parameters
        ----------
        name : str
            The name to free.
        """
        self._items.pop(name, None)

    def load_plugins(self) -> None:
        """Register every entry point of the group, in the order importlib.metadata lists them.

        Safe to call again (for example after installing a plugin in a running session): entries
        already registered are left as they are.

        Raises
        ------
        PluginError
            When an entry point cannot be imported, is not a valid item, or takes a name already
            registered; the message names the plugin's distribution and entry point.
        """
        for entry in entry_points(group=self.group):
            origin = describe_entry_point(entry)
            try:
                loaded = entry.load()
            except Exception as exc:  # whatever the plugin's import raises, say which plugin it was
                raise PluginError(f"{origin} cannot be loaded ({type(exc).__name__}: {exc}); "
                                  "fix or uninstall that plugin") from exc
            try:
                self.add(entry.name, self.from_entry_point(entry.name, loaded))
            except PluginError as exc:
                raise PluginError(f"{origin} is refused: {exc}") from exc
        # Only a complete pass counts: after a failure the next call reports the same problem again.
        self._plugins_loaded = True

    def available(self) -> dict[str, T]:
        """Every registered item by name: built-ins (registered at import) first, then plugins.

        Returns
        -------
        dict[str, T]
            A copy, in registration order.

        Raises
        ------
        PluginError
            On first use, when a plugin cannot be registered (see :meth:`load_plugins`).
        """
        if not self._plugins_loaded:
            self.load_plugins()
        return dict(self._items)

    def get(self, name: str) -> T:
        """The item registered under ``name``.

        Parameters
        ----------
        name : str
            A registered name.

        Returns
        -------
        T
            The item.

        Raises
        ------
        InputError
            When no item has that name; the message lists the available names.
        """
        items = self.available()
        if name not in items:
            raise InputError(f"no {self.kind} named {name!r}; available: {', '.join(items)}")
        return items[name]
