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

    def task(self, description: str, total: int) -> AbstractContextManager[ProgressCallback]: ...

    def message(self, text: str) -> None: ...


class SilentProgress:
    """Reports nothing (the default for the Python API)."""

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[ProgressCallback]:
        yield lambda n: None

    def message(self, text: str) -> None:
        pass


class RichProgress:
    """Bars with counts, rate and ETA on stderr, via rich."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[ProgressCallback]:
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
        self.console.print(text, highlight=False, markup=False)
