"""The engine seam: an interface that maps a function over task inputs, and the local engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from curate.errors import ConfigError

__all__ = ["ENGINE_NAMES", "Engine", "LocalEngine", "current_engine", "make_engine", "using_engine"]

# The values the ``engine`` setting takes.
ENGINE_NAMES = ("local", "ray")


class Engine:
    """Runs tasks: ``fn(item, **shared)`` for every item, results in the items' order.

    Subclasses override :meth:`map`, and :meth:`start` and :meth:`stop` when they hold resources
    (a cluster connection). ``fn`` must be a top-level function and the items and shared values
    picklable, so that a distributed engine can send them to other processes.
    """

    name = "engine"

    def check(self) -> None:
        """Fail fast, before any work, when the engine cannot run (nothing to check here)."""

    def start(self) -> dict[str, Any]:
        """Make the engine ready to run tasks.

        Returns
        -------
        dict
            Facts for the run's metrics: at least ``engine`` (its name).
        """
        return {"engine": self.name}

    def stop(self) -> None:
        """Release what :meth:`start` acquired (nothing here)."""

    @contextmanager
    def running(self) -> Iterator[dict[str, Any]]:
        """Start the engine for the block and stop it after, also when the block fails.

        Yields
        ------
        dict
            What :meth:`start` returned.
        """
        facts = self.start()
        try:
            yield facts
        finally:
            self.stop()

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, shared: Mapping[str, Any] | None = None,
            on_done: Callable[[int], None] | None = None) -> list[Any]:
        """``[fn(item, **shared) for item in items]``, each call a task.

        Parameters
        ----------
        fn : callable
            A top-level function (picklable by reference).
        items : sequence
            One task input per task.
        shared : mapping of str to object, optional
            Keyword arguments every task gets (large arrays go here: sent once, not per task).
        on_done : callable, optional
            Called with a task's index as it finishes (in any order).

        Returns
        -------
        list
            The results, in the order of ``items``.
        """
        raise NotImplementedError


class LocalEngine(Engine):
    """Runs every task in this process, one after another: a plain loop.

    Examples
    --------
    >>> LocalEngine().map(divmod, [7, 9], shared={"b": 4})
    [(1, 3), (2, 1)]
    """

    name = "local"

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, shared: Mapping[str, Any] | None = None,
            on_done: Callable[[int], None] | None = None) -> list[Any]:
        """``[fn(item, **shared) for item in items]``, in this process (see :meth:`Engine.map`).

        Parameters
        ----------
        fn : callable
            The function.
        items : sequence
            One input per call.
        shared : mapping of str to object, optional
            Keyword arguments of every call.
        on_done : callable, optional
            Called with each call's index after it returns.

        Returns
        -------
        list
            The results, in the order of ``items``.
        """
        kwargs = dict(shared or {})
        out = []
        for index, item in enumerate(items):
            out.append(fn(item, **kwargs))
            if on_done is not None:
                on_done(index)
        return out


_CURRENT: ContextVar[Engine | None] = ContextVar("curate_engine", default=None)


def current_engine() -> Engine:
    """The engine the running audit chose, else a :class:`LocalEngine`.

    Returns
    -------
    Engine
        The engine set by the innermost :func:`using_engine` block.
    """
    return _CURRENT.get() or LocalEngine()


@contextmanager
def using_engine(engine: Engine) -> Iterator[Engine]:
    """Make ``engine`` the :func:`current_engine` while the block runs.

    Parameters
    ----------
    engine : Engine
        A started engine.

    Yields
    ------
    Engine
        ``engine``.
    """
    token = _CURRENT.set(engine)
    try:
        yield engine
    finally:
        _CURRENT.reset(token)


def make_engine(name: str, address: str | None = None) -> Engine:
    """The engine a run configuration names (not started).

    Parameters
    ----------
    name : str
        ``local`` or ``ray``.
    address : str, optional
        The Ray cluster's address (``HOST:PORT``, ``ray://HOST:PORT`` or ``auto``); None starts a
        local Ray cluster for the run. Only for ``ray``.

    Returns
    -------
    Engine
        A :class:`LocalEngine` or a :class:`~curate.engines.RayEngine`.

    Raises
    ------
    ConfigError
        For an unknown name, or an address with the local engine.
    """
    if name == "local":
        if address is not None:
            raise ConfigError("ray_address (--address) is for the ray engine; add --engine ray or leave it out")
        return LocalEngine()
    if name == "ray":
        from curate.engines.ray_engine import RayEngine

        return RayEngine(address)
    raise ConfigError(f"engine {name!r} is unknown; use one of {', '.join(ENGINE_NAMES)}")
