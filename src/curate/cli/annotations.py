"""What ``curate agreement`` and ``curate consensus`` share: the options that say how a file holds its annotations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["annotation_options", "read_annotations"]


def annotation_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add FILE, ``--annotators``, ``--item``, ``--annotator``, ``--label``, ``--encoding`` and ``--format``.

    Parameters
    ----------
    command : callable
        The command function (under ``@click.command``).

    Returns
    -------
    callable
        The command with the options added.
    """
    options = [
        click.argument("file", type=click.Path(path_type=Path)),
        click.option("--annotators", "annotator_columns", metavar="COL,COL,...",
                     help="Wide layout: the columns holding one annotator's (or slot's) label each; guessed from "
                          "names such as author, label2, rater_3 when left out."),
        click.option("--item", "item_column", metavar="COL", help="Long layout: the item id column."),
        click.option("--annotator", "annotator_column", metavar="COL", help="Long layout: the annotator column."),
        click.option("--label", "label_column", metavar="COL", help="Long layout: the label column."),
        click.option("--encoding", help="Force the text encoding (default: detected)."),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def read_annotations(file: Path, annotator_columns: str | None, item_column: str | None,
                     annotator_column: str | None, label_column: str | None,
                     encoding: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read FILE and its annotations as the options name them.

    Parameters
    ----------
    file : pathlib.Path
        The file.
    annotator_columns : str or None
        ``--annotators``: comma-separated annotator columns (wide layout).
    item_column, annotator_column, label_column : str or None
        ``--item``, ``--annotator``, ``--label``: the long layout's columns.
    encoding : str or None
        ``--encoding``.

    Returns
    -------
    frame : pandas.DataFrame
        The file as read.
    labels : pandas.DataFrame
        Items x annotators (see :func:`curate.annotators.reading.items_by_annotators`).
    """
    from curate.annotators.reading import items_by_annotators
    from curate.ingest.readers import read_table

    frame = read_table(file, encoding=encoding).frame
    chosen = [c.strip() for c in annotator_columns.split(",") if c.strip()] if annotator_columns else []
    labels = items_by_annotators(frame, annotators=chosen, item=item_column, annotator=annotator_column,
                                 label=label_column, source=file.name)
    if "duplicate_note" in labels.attrs:
        click.echo(f"note: {labels.attrs['duplicate_note']}", err=True)
    return frame, labels
