"""How every command ends on an expected failure: one ``error:`` line and a non-zero exit, no traceback."""

from __future__ import annotations

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
    """Decorate a click command: CurateError -> exit 2, Ctrl+C -> exit 130 with ``interrupted``."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
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

        return wrapper

    return decorate
