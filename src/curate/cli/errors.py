"""How every command ends on an expected failure: one ``error:`` line and a non-zero exit, no traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from curate.errors import CurateError

__all__ = ["errors_as_messages"]


def errors_as_messages(
    interrupted: str = "interrupted: nothing was written to the workspace",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a click command: CurateError -> exit 2, Ctrl+C -> exit 130 with ``interrupted``.

    A CurateError's message is printed as one ``error: ...`` line on stderr; a MemoryError exits
    1 with a hint; a closed pipe (the reader took what it wanted, ``| head``) ends it quietly with 0.
    Anything else propagates (a bug should show its traceback).

    Parameters
    ----------
    interrupted : str, optional
        The line printed on stderr when the user presses Ctrl+C; the default suits commands that
        write the workspace in one transaction.

    Returns
    -------
    callable
        A decorator to put under ``@click.command`` (so that click reads the command's own
        docstring and signature).
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap ``command`` so that expected failures end it with a message and an exit status.

        Parameters
        ----------
        command : callable
            The command function.

        Returns
        -------
        callable
            The wrapped function, with ``command``'s name, docstring and signature.
        """

        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            """Call the command; turn expected failures into a message and an exit status.

            Parameters
            ----------
            *args : Any
                Passed on to the command.
            **kwargs : Any
                Passed on to the command.

            Returns
            -------
            Any
                What the command returns.
            """
            try:
                return command(*args, **kwargs)
            except CurateError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(2)
            except KeyboardInterrupt:
                click.echo(interrupted, err=True)
                sys.exit(130)
            except MemoryError:
                click.echo("error: out of memory; audit a sample, or a machine with more memory", err=True)
                sys.exit(1)
            except BrokenPipeError:
                # The reader stopped reading (`curate runs | head -1`): what it wanted was printed. Send
                # the rest of stdout nowhere, so that the flush at exit does not fail a second time.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                sys.exit(0)

        return wrapper

    return decorate
