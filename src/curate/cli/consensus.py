"""``curate consensus``: consensus labels, their quality and annotator quality from a file of annotations."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.cli.annotations import annotation_options, read_annotations
from curate.cli.errors import errors_as_messages

if TYPE_CHECKING:
    from curate.annotators import ConsensusTable

__all__ = ["consensus_command", "print_consensus", "write_items"]

_WEAK_SHOWN = 10


@click.command("consensus")
@annotation_options
@click.option("--text", "text_column", metavar="COL", multiple=True,
              help="The items' text: a model trained on it (out of fold) joins the annotators. Repeat it for "
                   "several columns (joined by a newline, as an audit joins them).")
@click.option("--image", "image_column", metavar="COL",
              help="The items' pictures (encoded bytes, or paths inside FILE's folder), for the model.")
@click.option("--id", "id_column", metavar="COL",
              help="Wide layout: the file's id column; items are named by it instead of their row position.")
@click.option("--out", "--output", "-o", "out", type=click.Path(path_type=Path),
              help="Write one row per item (consensus label, quality, every annotator's label): .csv or .parquet.")
@errors_as_messages("interrupted: nothing was written")
def consensus_command(file: Path, annotator_columns: str | None, item_column: str | None,
                      annotator_column: str | None, label_column: str | None, encoding: str | None, fmt: str,
                      text_column: tuple[str, ...], image_column: str | None, id_column: str | None,
                      out: Path | None) -> None:
    """Consensus label per item of FILE, how sure it is, and how good each annotator is (CROWDLAB).

    With --text or --image, a model trained on the items' inputs (curate's default features and
    classifier, out of fold, on the majority-vote labels) is weighed with the annotators.

    \f
    Calls :func:`curate.annotators.consensus_table`.

    Parameters
    ----------
    file : pathlib.Path
        FILE: a CSV/TSV/JSON/JSONL/Parquet/Excel file of annotations.
    annotator_columns : str or None
        ``--annotators``: comma-separated annotator columns (wide layout).
    item_column, annotator_column, label_column : str or None
        ``--item``, ``--annotator``, ``--label``: the long layout's columns.
    encoding : str or None
        ``--encoding``: force the text encoding.
    fmt : str
        ``--format``: ``table`` or ``json``.
    text_column : tuple of str
        ``--text``: the items' text column(s), for the model.
    image_column : str or None
        ``--image``: the items' picture column, for the model.
    id_column : str or None
        ``--id``: the id column (wide layout).
    out : pathlib.Path or None
        ``--out``: where to write the per-item table.
    """
    import pandas as pd

    from curate.annotators import consensus_table
    from curate.annotators.modelled import inputs_per_item
    from curate.core.files import check_output_path
    from curate.core.progress import choose_progress
    from curate.errors import ColumnError, InputError
    from curate.features import FeatureCache, default_cache_path

    if text_column and image_column:
        raise InputError("give --text or --image, not both: the model reads one input column")
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"--out {out}: write .csv or .parquet")
    if out is not None:
        check_output_path(out)
        if not os.access(out.parent.resolve(), os.W_OK):
            raise InputError(f"--out {out}: the folder {out.parent.resolve()} is not writable; choose another")
    frame, labels = read_annotations(file, annotator_columns, item_column, annotator_column, label_column, encoding)
    if id_column is not None:
        if item_column is not None:
            raise InputError("--id is for the wide layout; in the long layout --item already names the items")
        if id_column not in frame.columns:
            raise ColumnError(f"{file.name}: no id column {id_column!r} "
                              f"(columns: {', '.join(map(str, frame.columns))})")
        labels = labels.set_axis(pd.Index(frame[id_column].astype(str).to_numpy(), name=id_column), axis=0)
    column: list[str] | str | None = list(text_column) or image_column
    inputs = None if column is None else inputs_per_item(frame, labels, column, item=item_column, source=file.name)
    found = consensus_table(labels, inputs, image=image_column is not None,
                            cache=None if column is None else FeatureCache(default_cache_path()),
                            progress=choose_progress(None), root=str(file.resolve().parent))
    if out is not None:
        write_items(found, out, id_column or item_column)
    if fmt == "json":
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    from curate.cli.main import _console

    print_consensus(_console(), found)
    if out is not None:
        click.echo(f"wrote {out}: {len(found.labels):,} items")


def write_items(found: ConsensusTable, out: Path, item_name: str | None = None) -> None:
    """Write the per-item table to ``out`` (.csv or .parquet).

    Parameters
    ----------
    found : ConsensusTable
        The consensus.
    out : pathlib.Path
        The file; its suffix names the format.
    item_name : str, optional
        The items' column as the source named it (``--id`` or ``--item``), so the table joins back
        to the source by name; ``item`` when None (or when another output column has that name).
    """
    table = found.items()
    table["item"] = table["item"].astype(str)
    if item_name is not None and item_name not in table.columns:
        table = table.rename(columns={"item": item_name})
    if out.suffix.lower() == ".parquet":
        table.to_parquet(out, index=False)
    else:
        table.to_csv(out, index=False)


def print_consensus(console: Any, found: ConsensusTable) -> None:
    """Print the summary, the annotators' quality and the first weak-consensus items.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    found : ConsensusTable
        From :func:`curate.annotators.consensus_table`.
    """
    from rich.markup import escape

    from curate.cli.present import print_table

    summary = found.result.summary()
    model = found.model
    if model.get("dropped"):
        console.print(f"the model does not explain the labels here (accuracy {model['oof_accuracy']:.3f} against "
                      f"chance {model['chance']:.3f}, binomial p = {model['p_value']:.2g}): annotators only")
        model = {}
    using = (f"annotators and a model ({model['embedder']} + {model['classifier']}, {model['folds']}-fold, "
             f"out-of-fold accuracy {model['oof_accuracy']:.3f} against the majority vote), model weight "
             f"{summary['model_weight']:.3f}" if model else "annotators alone (weighted vote, no model)")
    console.print(escape(f"{summary['items']:,} items, {summary['labels']:,} labels, {len(found.labels.columns)} "
                         f"annotators; consensus from {using}"), soft_wrap=True)
    if summary["unlabelled_items"]:
        console.print(f"{summary['unlabelled_items']:,} items have no label and no consensus")
    ties = summary["majority_ties"]
    console.print(f"{summary['changed_from_majority']:,} consensus labels differ from the majority vote"
                  + (f"; {ties:,} majority votes are ties nothing breaks (flagged weak)" if ties else ""))
    print_table(console, ["annotator", "labels", "quality", "agreement_with_consensus", "weight"],
                [[escape(str(r["annotator"])), f"{r['labels']:,}", _f(r["quality"]),
                  _f(r["agreement_with_consensus"]), _f(r["weight"])] for r in found.annotators().to_dict("records")])
    weak = found.weak_items()
    expected = summary["weak_expected_wrong"]
    console.print(f"{len(weak):,} items with weak consensus (quality below {summary['weak_below']}: more likely "
                  f"wrong than right" + (f"; about {expected:.0%} of their consensus labels expected wrong)"
                                         if expected is not None else ")"))
    if len(weak):
        annotators = [c for c in weak.columns if c.startswith("label_")]
        rows = [[escape(str(r["item"])), escape(str(r["consensus_label"])), _f(r["consensus_quality"]),
                 escape(" ".join("-" if r[c] is None else str(r[c]) for c in annotators))]
                for _, r in weak.head(_WEAK_SHOWN).iterrows()]
        print_table(console, ["item", "consensus", "quality", "labels (" + " ".join(
            c.removeprefix("label_") for c in annotators) + ")"], rows)
        if len(weak) > _WEAK_SHOWN:
            console.print(f"... and {len(weak) - _WEAK_SHOWN:,} more (--out FILE writes every item)")


def _f(value: Any) -> str:
    return "-" if value is None or value != value else f"{float(value):.3f}"
