"""``curate queue``: which rows of a file to label next, in order, and why each one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.cli.errors import errors_as_messages
from curate.cli.profile import _console  # off a terminal, lines as long as they are

if TYPE_CHECKING:
    from curate.annotators import LabelQueue

__all__ = ["print_queue", "queue_command", "queue_json"]

_errors_as_messages = errors_as_messages("interrupted: nothing was written")
_PREVIEW_CHARS = 80
# Control characters and the bidirectional overrides a text could use to disguise what follows it.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    shown = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        flat)
    return shown if len(shown) <= _PREVIEW_CHARS else shown[:_PREVIEW_CHARS - 1] + "…"


def _why(item: dict[str, Any]) -> str:
    if item["reason"] == "uncertainty":
        return f"uncertain {item['uncertainty']:.3f}"
    if item["reason"] == "disagreement":
        return f"disagreement {item['disagreement']:.3f}"
    if item["diversity"] is None:
        return item["reason"]
    return f"{item['reason']} (distance {item['diversity']:.3f})"


def queue_json(found: LabelQueue) -> str:
    """The queue as indented JSON with stable keys (see :meth:`curate.annotators.LabelQueue.to_dict`).

    Parameters
    ----------
    found : LabelQueue
        The queue.

    Returns
    -------
    str
        JSON text, non-ASCII characters as they are.
    """
    return json.dumps(found.to_dict(), ensure_ascii=False, indent=2)


def print_queue(console: Any, found: LabelQueue) -> None:
    """Print the queue: a line on the model and the choice, the table of rows in order, the note.

    Parameters
    ----------
    console : rich.console.Console
        Where to print; texts from the data are printed as text, never as markup.
    found : LabelQueue
        The queue.
    """
    from rich.markup import escape

    from curate.cli.present import print_table

    data = found.to_dict()
    model = data["model"]
    votes = data.get("annotator_labels")
    trained = (("no model (vote entropy needs none)" if data["strategy"] == "disagreement" else "no model yet")
               if model is None else
               f"model: logistic regression on {model['n_labels']:,} labels, out-of-fold accuracy "
               + ("n/a" if model["oof_accuracy"] is None else f"{model['oof_accuracy']:.3f}"))
    items = len(found.texts)
    counted = (f"{data['labelled']:,} labelled, {data['unlabelled']:,} unlabelled" if votes is None else
               f"{items:,} items, {votes:,} annotator labels ({votes / max(items, 1):.1f} per item)")
    console.print(escape(f"{counted}; {trained}; {data['features']}"), soft_wrap=True)
    rows = [[str(item["rank"]), str(item.get("id", item["position"])), _why(item), item["predicted"] or "",
             _preview(item["text"])]
            for item in data["items"]]
    if console.is_terminal:  # a rich table reads its cells as markup
        rows = [[escape(cell) for cell in row] for row in rows]
    print_table(console, ["rank", "id" if found.ids is not None else "row", "why", "predicted", "text"], rows)
    # A cold start's note begins "cold start: ..." itself.
    console.print(escape(data["note"]) if data["cold_start"] else f"[bold]how[/]: {escape(data['note'])}",
                  soft_wrap=True)


@click.command("queue")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--text", "-t", "text_column", required=True, multiple=True,
              help="The text column; repeat it for several (joined by a newline, as an audit joins them).")
@click.option("--label", "-l", "label_column", help="The label column; rows with an empty label are unlabelled.")
@click.option("--annotators", "annotator_columns", metavar="COL,COL,...",
              help="Columns with one annotator's label each (for --strategy disagreement).")
@click.option("--id", "id_column", metavar="COL", help="The id column: each row is shown with its id.")
@click.option("--batch", type=int, default=20, show_default=True, help="How many rows to list.")
@click.option("--strategy", default="combined", show_default=True,
              help="combined, margin, entropy, diversity, disagreement or random.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the strategy's random draws.")
@click.option("--encoding", help="Force the text encoding (default: detected).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--out", "--output", "-o", "out", type=click.Path(path_type=Path),
              help="Write the output to this file instead.")
@_errors_as_messages
def queue_command(file: Path, text_column: tuple[str, ...], label_column: str | None, annotator_columns: str | None,
                  id_column: str | None, batch: int, strategy: str, seed: int, encoding: str | None, fmt: str,
                  out: Path | None) -> None:
    """The rows of FILE to label next, in order, with the reason for each.

    \f
    Parameters
    ----------
    file : pathlib.Path
        FILE: a CSV/TSV/JSON/JSONL/Parquet/Excel file.
    text_column : tuple of str
        ``--text``: the text column(s).
    label_column : str or None
        ``--label``: the label column (empty cells are unlabelled rows).
    annotator_columns : str or None
        ``--annotators``: comma-separated annotator columns.
    id_column : str or None
        ``--id``: the id column.
    batch : int
        ``--batch``: how many rows.
    strategy : str
        ``--strategy``: the acquisition strategy.
    seed : int
        ``--seed``: the seed.
    encoding : str or None
        ``--encoding``: force the text encoding.
    fmt : str
        ``--format``: ``table`` or ``json``.
    out : pathlib.Path or None
        ``--out``: the file to write instead of standard output.
    """
    from curate.annotators import label_queue
    from curate.features import FeatureCache, default_cache_path
    from curate.ingest.readers import read_table

    frame = read_table(file, encoding=encoding).frame
    annotators = [c.strip() for c in annotator_columns.split(",") if c.strip()] if annotator_columns else []
    found = label_queue(frame, text=list(text_column), label=label_column, annotators=annotators, batch=batch,
                        strategy=strategy, seed=seed, cache=FeatureCache(default_cache_path()), source=file.name,
                        id_column=id_column)
    if out is None:
        if fmt == "json":
            click.echo(queue_json(found))
        else:
            print_queue(_console(), found)
        return
    import io

    from curate.core.files import write_atomically

    if fmt == "json":
        text = queue_json(found) + "\n"
    else:
        buffer = io.StringIO()
        print_queue(_console(buffer), found)
        text = buffer.getvalue()
    write_atomically(out, lambda partial: partial.write_text(text, encoding="utf-8"))
    click.echo(f"wrote {out}", err=True)
