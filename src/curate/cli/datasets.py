"""Which dataset a command given no ``--dataset`` works on, said aloud when the workspace holds several.

Without ``--dataset`` the commands take the latest run's dataset (before any audit, the one imported
last), as ``findings``, ``report`` and ``review`` take the latest run. With one dataset that is the
only reading; with two, a user who audited a second file would otherwise see the first one's ledger
"empty" and export the wrong data with no word of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from curate.store import Workspace

__all__ = ["choose_dataset", "dataset_names", "note_latest_run"]


def dataset_names(workspace: Workspace) -> list[str]:
    """The workspace's dataset names, the one whose latest version is newest first.

    Parameters
    ----------
    workspace : Workspace
        The workspace.

    Returns
    -------
    list of str
        Each name once; empty for a workspace with no dataset.
    """
    # versions() is oldest first: reversed, each name's first appearance is its newest version.
    return list(dict.fromkeys(v.dataset for v in reversed(workspace.versions())))


def choose_dataset(workspace: Workspace, name: str | None) -> str:
    """The dataset ``name``, or the latest one, with a note on stderr when that choice was not the only one.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    name : str or None
        ``--dataset``; None takes the latest run's dataset.

    Returns
    -------
    str
        The dataset's name.

    Raises
    ------
    NotFoundError
        When the workspace has no dataset, or none named ``name``.
    """
    from curate.export import latest_dataset

    chosen = latest_dataset(workspace, name)
    if name is None:
        others = [n for n in dataset_names(workspace) if n != chosen]
        if others:
            # stderr: stdout may be a CSV (curate diff) that a script reads.
            click.echo(f"note: the workspace holds {len(others) + 1} datasets; this is {chosen!r}, the latest run's "
                       f"(--dataset NAME for another: {', '.join(map(repr, others))})", err=True)
    return chosen


def note_latest_run(workspace: Workspace, run: int | None) -> None:
    """Say on stderr whose run a command given no RUN took, when the workspace holds several datasets.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    run : int or None
        The RUN argument; nothing is said when one was given.
    """
    if run is not None:
        return
    latest = workspace.run(None)  # called after the command found it
    others = [n for n in dataset_names(workspace) if n != latest.dataset]
    if others:
        click.echo(f"note: the workspace holds {len(others) + 1} datasets; this is run {latest.id}, of "
                   f"{latest.dataset!r}, the latest run (RUN for another: `curate runs` lists them)", err=True)
