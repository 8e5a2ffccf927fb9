"""The Ray engine: each task of an audit's heavy loops runs as a Ray task, on a cluster or a local one.

Ray is an optional extra (``pip install 'curate[ray]'``), imported only when this engine starts.
Large shared values (the feature matrix, the embedder with its model) go into Ray's object store
once with ``ray.put`` and every task reads them from there; results come back in task order, so
the run's findings equal those of the local engine.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from curate.engines.base import Engine
from curate.errors import ConfigError, MissingExtraError

__all__ = ["RayEngine"]

# Seconds to wait for a cluster's port to answer. Without this check Ray itself retries an
# unreachable address for minutes, printing a warning every few seconds.
_CONNECT_TIMEOUT = 5.0


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingExtraError("--engine ray", "ray") from None
    return ray


def _call(fn: Callable[..., Any], names: list[str], item: Any, *values: Any) -> Any:
    # Ray hands top-level ObjectRef arguments to the task as their values; refs nested in a dict
    # would stay refs, which is why the shared values travel as positional arguments.
    return fn(item, **dict(zip(names, values, strict=True)))


def _check_reachable(address: str) -> None:
    """Fail in one line, within seconds, when nothing answers at ``HOST:PORT`` (or ``ray://HOST:PORT``)."""
    if address in ("auto", "local"):
        return
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"ray_address {address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError(f"no Ray cluster answers at {address} ({why}); check --address, or leave it out "
                          "to start a local cluster") from None


class RayEngine(Engine):
    """Runs tasks on a Ray cluster.

    Parameters
    ----------
    address : str, optional
        The cluster: ``HOST:PORT`` of its head node, ``ray://HOST:PORT`` (Ray Client) or ``auto``
        (the cluster ``ray start`` runs on this machine). None starts a local cluster with one
        worker per core for the run, and stops it after. When this process is already connected
        to Ray (``ray.init`` was called), that connection is used whatever the address.
        The cluster's workers need curate (and the embedder's extras) installed.

    Examples
    --------
    >>> engine = RayEngine()  # doctest: +SKIP
    >>> with engine.running() as facts:  # doctest: +SKIP
    ...     engine.map(divmod, [7, 9], shared={"b": 4}), facts["engine"]
    ([(1, 3), (2, 1)], 'ray')
    """

    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self._owned = False
        self._remote: Any = None

    def check(self) -> None:
        """Fail in one line, within seconds, when Ray is missing or nothing answers at the address.

        Raises
        ------
        MissingExtraError
            When Ray is not installed.
        ConfigError
            When the address is malformed or its port does not answer.
        """
        _ray()
        if self.address is not None:
            _check_reachable(self.address)

    def start(self) -> dict[str, Any]:
        """Connect to the cluster (or start a local one) unless this process already is.

        Returns
        -------
        dict
            ``engine`` ("ray"), ``ray_nodes`` (live nodes) and ``ray_cpus`` (the cluster's CPUs).

        Raises
        ------
        MissingExtraError
            When Ray is not installed.
        ConfigError
            When the address is malformed or no cluster answers there.
        """
        self.check()  # also when already connected: a wrong address is a mistake to report
        ray = _ray()
        if not ray.is_initialized():
            try:
                # The dashboard and the workers' log lines are noise in an audit's progress output;
                # a failing task's error still comes back with its result.
                ray.init(address=self.address, ignore_reinit_error=True, include_dashboard=False,
                         log_to_driver=False, logging_level=logging.ERROR, configure_logging=True)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ConfigError(f"could not connect to Ray at {self.address or 'a new local cluster'} ({first})") \
                    from None
            self._owned = True
        self._remote = ray.remote(_call)
        alive = [node for node in ray.nodes() if node.get("Alive")]
        return {"engine": self.name, "ray_nodes": len(alive),
                "ray_cpus": int(ray.cluster_resources().get("CPU", 0))}

    def stop(self) -> None:
        """Disconnect, when :meth:`start` connected (a connection made by the caller is left open)."""
        if self._owned:
            _ray().shutdown()
            self._owned = False
        self._remote = None

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *, shared: Mapping[str, Any] | None = None,
            on_done: Callable[[int], None] | None = None) -> list[Any]:
        """``[fn(item, **shared) for item in items]`` as Ray tasks (see :meth:`Engine.map`).

        Parameters
        ----------
        fn : callable
            A top-level function.
        items : sequence
            One input per task.
        shared : mapping of str to object, optional
            Put into the object store once; every task reads them from there.
        on_done : callable, optional
            Called with a task's index as it finishes.

        Returns
        -------
        list
            The results, in the order of ``items``.

        Raises
        ------
        RuntimeError
            When the engine was not started.
        """
        if self._remote is None:
            raise RuntimeError("RayEngine.map needs a started engine: use 'with engine.running():'")
        ray = _ray()
        names = list(shared or {})
        refs = [ray.put(value) for value in (shared or {}).values()]
        futures = [self._remote.remote(fn, names, item, *refs) for item in items]
        position = {ref: index for index, ref in enumerate(futures)}
        pending = list(futures)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            if on_done is not None:
                for ref in ready:
                    on_done(position[ref])
        return list(ray.get(futures))
