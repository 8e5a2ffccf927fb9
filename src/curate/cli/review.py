"""``curate review``: serve the review web app over the latest run of a workspace."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

import click

from curate.cli.errors import errors_as_messages
from curate.errors import InputError, MissingExtraError

__all__ = ["default_reviewer", "open_socket", "review_command"]


_errors_as_messages = errors_as_messages("stopped: every decision acknowledged so far is in the ledger")


def default_reviewer() -> str:
    """The OS user name, or "reviewer" where there is none (some containers).

    Returns
    -------
    str
        The name recorded with decisions when ``--reviewer`` is not given.
    """
    try:
        return getpass.getuser() or "reviewer"
    except (KeyError, OSError):
        return "reviewer"


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0 picks a free port), or an error that says what to do.

    Parameters
    ----------
    host : str
        The address to listen on (IPv4 or IPv6, or a host name).
    port : int
        The TCP port; 0 lets the system pick a free one.

    Returns
    -------
    socket.socket
        A bound, listening socket, for uvicorn to serve on.

    Raises
    ------
    InputError
        When the address cannot be resolved or bound (e.g. the port is in use).
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pass another --port or --host") \
            from None


def _url(host: str, port: int) -> str:
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


@click.command("review", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", type=click.Path(path_type=Path), default=Path("curate-workspace"),
              envvar="CURATE_WORKSPACE", show_default=True, help="Workspace folder.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--reviewer", help="Name recorded with every decision (default: your OS user name).")
@click.option("--token", envvar="CURATE_REVIEW_TOKEN",
              help="Access token every request must carry (?token=, cookie or X-Curate-Token header).")
@click.option("--run", "run_id", type=int,
              help="Review this run (default: the latest, followed when a new audit is recorded).")
@_errors_as_messages
def review_command(workspace: Path, host: str, port: int, reviewer: str | None, token: str | None,
                   run_id: int | None) -> None:
    """Review the findings of the latest audit in a browser; every decision goes to the ledger.

    \f
    Serves the app of :func:`curate.review.web.create_app` until Ctrl+C.

    Parameters
    ----------
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    host : str
        ``--host``: the address to listen on; anything but loopback needs a token.
    port : int
        ``--port``: the port to listen on (0: any free port).
    reviewer : str or None
        ``--reviewer``: the name recorded with every decision; the OS user name when None.
    token : str or None
        ``--token``: the access token every request must carry.
    run_id : int or None
        ``--run``: the run to review; the latest when None.
    """
    from curate.review.security import check_bind

    check_bind(host, token)
    try:
        import uvicorn

        from curate.review.web import create_app
    except ImportError:
        raise MissingExtraError("curate review", "review") from None
    from curate.review.service import ReviewSession, load_run
    from curate.store import Workspace

    name = (reviewer or default_reviewer()).strip()
    if not name:
        raise InputError("--reviewer must not be empty")
    session = ReviewSession(load_run(Workspace(workspace), run_id), name)
    app = create_app(session, token=token, follow_newest=run_id is None)
    sock = open_socket(host, port)
    bound_port = sock.getsockname()[1]
    address = _url(host, bound_port) + (f"?token={token}" if token else "")
    click.echo(f"curate review: {session.dataset.name} run {session.run_id}, reviewer {name!r}", err=True)
    click.echo(f"open {address}  (Ctrl+C to stop)", err=True)
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off", server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
