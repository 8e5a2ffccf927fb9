"""``curate profile`` and ``curate card``: what a dataset holds, and the card that documents it."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.cli.errors import errors_as_messages

if TYPE_CHECKING:
    from curate.profile import DataCard, DataProfile

__all__ = ["card_group", "make_profile_command", "print_card", "print_profile"]

_errors_as_messages = errors_as_messages("interrupted: nothing was written")
_WORKSPACE = click.option("--workspace", "-w", type=click.Path(path_type=Path), default=Path("curate-workspace"),
                          envvar="CURATE_WORKSPACE", show_default=True, help="Workspace folder.")
_DATASET = click.option("--dataset", "-d", help="Dataset name (default: the most recent one).")
# Top values shown per column in the table; the JSON has them all.
_TOP_SHOWN = 3


def _console(file: Any = None) -> Any:
    from rich.console import Console

    console = Console(file=file, highlight=False)
    if console.is_terminal:
        return console
    # Off a terminal, lines are as long as they are (see curate.cli.main._console).
    return Console(file=file, highlight=False, soft_wrap=True, width=100_000)


def _values(column: Any) -> str:
    if (summary := column.values_summary()) is not None:  # bytes: what they are, not their garbage
        return str(summary)
    if column.numbers is not None:
        n = column.numbers
        return f"min {n.min:g} · median {n.median:g} · mean {n.mean:g} · max {n.max:g}"
    return ", ".join(f"{value} ({count})" for value, count in column.top[:_TOP_SHOWN])


def print_profile(console: Any, profile: DataProfile) -> None:
    """Print a profile: one line about the data, a table of its columns, then a line per topic.

    Parameters
    ----------
    console : rich.console.Console
        Where to print; values from the data are printed as text, never as markup.
    profile : DataProfile
        The profile.
    """
    from rich.markup import escape

    from curate.cli.present import print_table
    from curate.profile import fact_lines

    encoding = f", {profile.encoding}" if profile.encoding else ""
    console.print(escape(f"{profile.name}: {profile.rows:,} rows, {len(profile.classes.counts)} classes, "
                         f"{profile.modality} input ({profile.source}{encoding})"), soft_wrap=True)
    rows = [[c.name, c.role, c.kind, f"{c.missing:,}", f"{c.nan:,}", f"{c.infinite:,}", f"{c.distinct:,}",
             _values(c)] for c in profile.columns]
    if console.is_terminal:  # a rich table reads its cells as markup
        rows = [[escape(cell) for cell in row] for row in rows]
    print_table(console, ["column", "role", "kind", "missing", "NaN", "inf", "distinct", "values"], rows)
    for topic, sentence in fact_lines(profile):
        console.print(f"[bold]{escape(topic)}[/]: {escape(sentence)}", soft_wrap=True)
    for note in profile.notes:
        console.print(f"[dim]note: {escape(note)}[/]", soft_wrap=True)


def _write_output(output: Path, text: str) -> None:
    from curate.core.files import write_atomically

    write_atomically(output, lambda partial: partial.write_text(text, encoding="utf-8"))
    click.echo(f"wrote {output}", err=True)


def _profile(file: Path, label: str | None, text: tuple[str, ...], id_column: str | None, split: str | None,
             test: Path | None, encoding: str | None, name: str | None, image: str | None, modality: str | None,
             fmt: str, output: Path | None, no_tokens: bool, ignore: tuple[str, ...] = ()) -> None:
    """Profile FILE: columns, classes, text lengths and languages, pictures, copies. Nothing is written to a workspace.

    Reads FILE exactly as `curate audit` does (same options, formats and errors).

    \f
    Calls :func:`curate.profile.profile_data`.

    Parameters
    ----------
    file : pathlib.Path
        FILE: the CSV/TSV/JSONL/Parquet/Excel file, or a folder of pictures in class subfolders.
    label : str or None
        ``--label``: the label column; detected when None.
    text : tuple of str
        ``--text``: the text column(s); detected when empty.
    id_column : str or None
        ``--id``: a column with a unique id per row.
    split : str or None
        ``--split``: a column naming each row's split.
    test : pathlib.Path or None
        ``--test``: a separate test file with the same columns, profiled with the rest.
    encoding : str or None
        ``--encoding``: force the text encoding; detected when None.
    name : str or None
        ``--name``: the dataset's name in the profile (default: the file's stem).
    image : str or None
        ``--image``: the column of images; detected when None.
    modality : str or None
        ``--modality``: the kind of input; detected when None.
    fmt : str
        ``--format``: ``table`` (for people) or ``json`` (every fact, for programs).
    output : pathlib.Path or None
        ``--output``: write the profile to this file instead of stdout.
    no_tokens : bool
        ``--no-tokens``: do not count model tokens (skips loading the tokenizer).
    ignore : tuple of str
        ``--ignore``: columns not read at all, as for an audit.
    """
    from curate.core.files import check_output_path
    from curate.profile import profile_data

    if output is not None:
        check_output_path(output)  # before the work
    profile = profile_data(file, label=label, text=list(text) or None, id=id_column, split=split, test=test,
                           encoding=encoding, name=name, modality=modality, image=image, tokens=not no_tokens,
                           ignore=list(ignore))
    if fmt == "json":
        rendered = json.dumps(profile.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif output is not None:
        buffer = io.StringIO()
        print_profile(_console(buffer), profile)
        rendered = buffer.getvalue()
    else:
        print_profile(_console(), profile)
        return
    if output is not None:
        _write_output(output, rendered)
    else:
        click.echo(rendered, nl=False)


def make_profile_command(data_options: Callable[[Callable[..., Any]], Callable[..., Any]]) -> click.Command:
    """Build ``curate profile`` with the data options the reading commands share (``curate audit``'s).

    Parameters
    ----------
    data_options : callable
        The decorator that adds FILE and ``--label``, ``--text``, ``--id``, ``--split``, ``--test``,
        ``--encoding`` and ``--name`` (the CLI's own, so the options stay the same everywhere).

    Returns
    -------
    click.Command
        The command, to add to the CLI's group.
    """
    command = _errors_as_messages(_profile)
    for option in reversed([
        data_options,
        click.option("--image", "image", metavar="COL", help="Column of images: encoded bytes or paths."),
        click.option("--modality", help="The kind of input: text, tabular, image, or a plugin's (default: detected)."),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                     help="table for people, json for programs (every fact)."),
        click.option("--output", "--out", "-o", "output", type=click.Path(path_type=Path),
                     help="Write to this file instead of stdout."),
        click.option("--no-tokens", is_flag=True, help="Do not count model tokens (skips loading the tokenizer)."),
        click.option("--ignore", "ignore", multiple=True, metavar="COL",
                     help="A column not to read at all, as `curate audit --ignore` (repeatable)."),
    ]):
        command = option(command)
    return click.command("profile", context_settings={"help_option_names": ["-h", "--help"]})(command)


@click.group("card", context_settings={"help_option_names": ["-h", "--help"]})
def card_group() -> None:
    """The data card of a workspace's dataset: set its fields, show it, export it as Markdown with measured facts."""


def print_card(console: Any, card: DataCard) -> None:
    """Print every card field: its text, or that it is not stated and what it asks.

    Parameters
    ----------
    console : rich.console.Console
        Where to print; the fields are printed as text, never as markup.
    card : DataCard
        The card.
    """
    from rich.markup import escape

    from curate.profile import CARD_FIELDS

    console.print(f"data card of {escape(card.dataset)}", soft_wrap=True)
    for name, (heading, question) in CARD_FIELDS.items():
        value = card.fields.get(name)
        said = escape(value) if value else f"[dim](not stated: {escape(question)})[/]"
        console.print(f"[bold]{name}[/] ({heading}): {said}", soft_wrap=True)


@card_group.command("set")
@click.argument("field")
@click.argument("value")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def card_set_command(field: str, value: str, dataset: str | None, workspace: Path) -> None:
    """Set FIELD of the data card to VALUE ('-' reads VALUE from stdin; '' clears the field).

    Fields: summary, provenance, collection, annotators, guidelines, license, intended_use,
    out_of_scope, limitations, contact.

    \f
    Parameters
    ----------
    field : str
        FIELD: a card field (``intended-use`` and ``intended_use`` are the same).
    value : str
        VALUE: its text (Markdown); ``-`` reads it from stdin; empty clears the field.
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.profile import card_field, set_card_fields
    from curate.store import Workspace

    key = card_field(field)  # before stdin is read
    text = sys.stdin.read() if value == "-" else value
    card = set_card_fields(Workspace(workspace), {key: text}, dataset)
    state = "set" if key in card.fields else "cleared"
    click.echo(f"{card.dataset}: {key} {state}")


@card_group.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for programs.")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def card_show_command(fmt: str, dataset: str | None, workspace: Path) -> None:
    """Show the data card's fields, the unset ones with the question they answer.

    \f
    Parameters
    ----------
    fmt : str
        ``--format``: ``text`` or ``json``.
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.profile import read_card
    from curate.store import Workspace

    card = read_card(Workspace(workspace), dataset)
    if fmt == "json":
        click.echo(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_card(_console(), card)


@card_group.command("export")
@click.option("--output", "--out", "-o", "output", type=click.Path(path_type=Path),
              help="The Markdown file to write (default: stdout).")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def card_export_command(output: Path | None, dataset: str | None, workspace: Path) -> None:
    """Export the data card as Markdown, with the dataset's facts measured now and the latest audit's flags.

    \f
    Calls :func:`curate.profile.export_card`.

    Parameters
    ----------
    output : pathlib.Path or None
        ``--output``: the Markdown file (written atomically); stdout when None.
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.core.files import check_output_path
    from curate.profile import export_card
    from curate.store import Workspace

    if output is not None:
        check_output_path(output)
    markdown = export_card(Workspace(workspace), dataset)
    if output is None:
        click.echo(markdown, nl=False)
    else:
        _write_output(output, markdown)
