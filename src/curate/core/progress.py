"""Progress reporting: the library reports counts, the CLI decides how to show them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

__all__ = ["ProgressCallback", "ProgressReporter", "RichProgress", "SilentProgress"]

# Called with the number of items just finished; lets the CLI drive a progress bar.
ProgressCallback = Callable[[int], None]


class ProgressReporter(Protocol):
    """Opens a task with a known total; the callback it yields advances it."""

    def task(self, description: str, total: int) -> AbstractContextManager[ProgressCallback]:
        """Open a task; the context yields a callback that advances it.

        Parameters
        ----------
        description : str
            What is being done, shown to the user (e.g. ``"cross-validation"``).
        total : int
            How many items the task has.

        Returns
        -------
        contextlib.AbstractContextManager
            A context that yields a :data:`ProgressCallback`, to be called with the number of
            items just finished.
        """
        ...

    def message(self, text: str) -> None:
        """Show a one-line message to the user.

        Parameters
        ----------
        text : str
            The message, shown as is.
        """
        ...


class SilentProgress:
    """Reports nothing (the default for the Python API)."""

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[ProgressCallback]:
        """Open a task that shows nothing.

        Parameters
        ----------
        description : str
            What is being done (ignored).
        total : int
            How many items the task has (ignored).

        Yields
        ------
        ProgressCallback
            A callback that does nothing.
        """
        yield lambda n: None

    def message(self, text: str) -> None:
        """Drop ``text``.

        Parameters
        ----------
        text : str
            The message (ignored).
        """
        pass


class RichProgress:
    """Bars with counts, rate and ETA on stderr, via rich."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[ProgressCallback]:
        """Show a progress bar on stderr for the length of the context.

        Parameters
        ----------
        description : str
            The bar's label.
        total : int
            How many items the task has.

        Yields
        ------
        ProgressCallback
            Advances the bar by the number of items it is called with.
        """
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                      console=self.console, transient=False) as bar:
            task_id = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task_id, n)

    def message(self, text: str) -> None:
        """Print ``text`` on stderr, without rich markup or highlighting.

        Parameters
        ----------
        text : str
            The message, printed as is.
        """
        self.console.print(text, highlight=False, markup=False)
