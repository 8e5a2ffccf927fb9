"""Progress reporting: the library reports counts through a reporter; the reporters here show them.

The stages of an audit only call :meth:`ProgressReporter.task` and its callback. How that looks is
chosen at the edge (:func:`choose_progress`): bars in a terminal or a notebook, plain lines when the
output is a file or a pipe, nothing when asked for silence.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TextIO

__all__ = ["PlainProgress", "ProgressCallback", "ProgressReporter", "RichProgress", "SilentProgress",
           "choose_progress"]

# Called with the number of items just finished; lets the CLI drive a progress bar.
ProgressCallback = Callable[[int], None]


class ProgressReporter(Protocol):
    """Opens a task with a known total; the callback it yields advances it.

    Tasks may nest: the audit's ``checks`` task holds the stages its checks need (embedding,
    cross-validation, ...).
    """

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
        self._bars: Any = None  # the bars on screen while a task is open: a nested task joins them

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

        if self._bars is not None:  # rich draws one live display at a time: a nested task joins it
            bars = self._bars
            inner = bars.add_task(description, total=total)
            yield lambda n: bars.advance(inner, n)
            return
        with Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                      console=self.console, transient=False) as bar:
            self._bars = bar
            try:
                task_id = bar.add_task(description, total=total)
                yield lambda n: bar.advance(task_id, n)
            finally:
                self._bars = None

    def message(self, text: str) -> None:
        """Print ``text`` on stderr, without rich markup or highlighting.

        Parameters
        ----------
        text : str
            The message, printed as is.
        """
        self.console.print(text, highlight=False, markup=False)


# A task of fewer items gets no time-left estimate: its items are few and unlike (the checks: one
# detector takes 36 s, the nine others 0.4 s together), so their average forecasts nothing.
MIN_ITEMS_FOR_ESTIMATE = 20


class PlainProgress:
    """Plain progress lines for logs and pipes, written as the work goes.

    Each task writes one line when it ends (``cross-validation: 5/5 in 1.2 s``) and, while it runs,
    a line at most every ``interval`` seconds with the count, the share done and, for tasks of at
    least 20 items, the time left.

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go; ``sys.stderr`` at the time of writing when None.
    interval : float, default 10.0
        Seconds between two lines of a running task.
    """

    def __init__(self, stream: TextIO | None = None, interval: float = 10.0) -> None:
        self.stream = stream
        self.interval = interval

    def _write(self, line: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[ProgressCallback]:
        """Write progress lines for the length of the context.

        Parameters
        ----------
        description : str
            The task's name, at the start of each line.
        total : int
            How many items the task has.

        Yields
        ------
        ProgressCallback
            Counts the items it is called with; writes a line when ``interval`` has passed.
        """
        started = last = time.monotonic()
        done = 0

        def _advance(n: int) -> None:
            nonlocal done, last
            done += n
            now = time.monotonic()
            if now - last >= self.interval and done < total:
                last = now
                elapsed = now - started
                share = 100 * done // max(total, 1)
                line = f"{description}: {done:,}/{total:,} ({share} %), {_duration(elapsed)} so far"
                if total >= MIN_ITEMS_FOR_ESTIMATE:
                    line += f", about {_duration(elapsed * (total - done) / done)} left"
                self._write(line)

        yield _advance
        self._write(f"{description}: {done:,}/{total:,} in {_duration(time.monotonic() - started)}")

    def message(self, text: str) -> None:
        """Write ``text`` as one line.

        Parameters
        ----------
        text : str
            The message, written as is.
        """
        self._write(text)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython's ZMQ shell), without importing IPython."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _has_widgets() -> bool:
    import importlib.util

    return importlib.util.find_spec("ipywidgets") is not None


def choose_progress(progress: ProgressReporter | bool | None = None, *, stream: TextIO | None = None,
                    notebook: bool | None = None) -> ProgressReporter:
    """The reporter to show progress with: bars where they can be drawn, plain lines elsewhere.

    Parameters
    ----------
    progress : ProgressReporter or bool, optional
        A reporter (returned as it is), False for none, or True / None to choose by where the
        output goes.
    stream : file-like, optional
        The output the choice is made for; ``sys.stderr`` when None.
    notebook : bool, optional
        Whether this runs in a Jupyter notebook; detected when None.

    Returns
    -------
    ProgressReporter
        :class:`SilentProgress` for False; in a notebook, :class:`RichProgress` (its bars need
        ipywidgets; plain lines without); bars on a terminal; :class:`PlainProgress` lines when the
        output is a file or a pipe.

    Examples
    --------
    >>> import io
    >>> type(choose_progress(None, stream=io.StringIO(), notebook=False)).__name__
    'PlainProgress'
    """
    if progress is False:
        return SilentProgress()
    if progress is not None and progress is not True:
        return progress
    in_notebook = _in_notebook() if notebook is None else notebook
    if in_notebook:
        return RichProgress() if _has_widgets() else PlainProgress(stream)
    out = stream or sys.stderr
    return RichProgress() if out.isatty() else PlainProgress(stream)
