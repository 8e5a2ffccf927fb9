"""The command line: parse, call one library function, present the result. Nothing else."""

from __future__ import annotations

import dataclasses
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.cli.annotations import annotation_options, read_annotations
from curate.cli.errors import errors_as_messages

if TYPE_CHECKING:
    from curate.export import ExportSummary

__all__ = ["main"]

_WORKSPACE = click.option("--workspace", "-w", type=click.Path(path_type=Path), default=Path("curate-workspace"),
                          envvar="CURATE_WORKSPACE", show_default=True, help="Workspace folder.")


_errors_as_messages = errors_as_messages()
# The width of the console off a terminal: wider than any line or table row the CLI prints.
_UNWRAPPED = 100_000
# A tree export lists this many of its renamed pictures (source -> output), then a count of the rest.
_RENAMES_SHOWN = 5


def _console() -> Any:
    from rich.console import Console

    console = Console(highlight=False)
    if console.is_terminal:
        return console
    # A pipe or a file has no width: rich would fold every line at 80 columns ("time: 195.1 \ns"),
    # so a log or a grep would get lines no one wrote. Off a terminal, lines are as long as they are.
    return Console(highlight=False, soft_wrap=True, width=_UNWRAPPED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="curate")
def main() -> None:
    """curate: know your data, then fix it."""


def _sample_data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    # A sample is drawn from a file, not stored: no workspace, no dataset name.
    return _data_options(command, workspace=False, name=False)


def _data_options(command: Callable[..., Any], *, workspace: bool = True, name: bool = True) -> Callable[..., Any]:
    options = [
        click.argument("file", type=click.Path(path_type=Path)),
        click.option("--label", "-l", help="Label column (detected when left out)."),
        click.option("--text", "-t", multiple=True, help="Text column; repeat to join several."),
        click.option("--id", "id_column", help="Column with a unique id per row."),
        click.option("--split", help="Column naming each row's split (train/test/...)."),
        click.option("--test", type=click.Path(path_type=Path), help="A separate test file, same columns."),
        click.option("--encoding", help="Force the text encoding (utf-8, cp949, latin-1, ...)."),
        *([click.option("--name", help="Dataset name in the workspace (default: the file's stem).")] if name else []),
        *([_WORKSPACE] if workspace else []),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command("audit")
@_data_options
@click.option("--pred-probs", type=click.Path(path_type=Path), help="Your out-of-fold probabilities (.npy).")
@click.option("--detector", "detectors", multiple=True, help="Run only these detectors (repeatable).")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Where to write the HTML report (default: in the workspace).")
@click.option("--no-embed", is_flag=True,
              help="Use the fast features: hashed for text, the pixels for images (same as --set embedder=hashed).")
@click.option("--embedder", "embedder_name", metavar="NAME",
              help="Features: for text auto (by language: static for English), static, static:MODEL, "
                   "sentence, ngrams, hashed, st:MODEL or a sentence-transformers model folder; for images "
                   "efficientnet-lite0 (default) or pixels; or a plugin's.")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="A TOML file of run settings (folds, seed, embedder, classifier, detector parameters).")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Override one setting, e.g. label.min_error_probability=0.7 or folds=10 (repeatable).")
@click.option("--modality", help="The kind of input: text, tabular, image, or a plugin's (default: detected).")
@click.option("--engine", metavar="local|ray",
              help="Where the folds and the embedding run: local (default) or ray (same as --set engine=NAME).")
@click.option("--address", metavar="ADDR",
              help="The Ray cluster for --engine ray: HOST:PORT or ray://HOST:PORT (default: a local one).")
@click.option("--image", "image", metavar="COL", help="Column of images: encoded bytes or paths inside FILE's folder.")
@click.option("--fresh", is_flag=True,
              help="Start over: do not take up the finished stages of an interrupted audit of the same data.")
@click.option("--sensitive", "sensitive", multiple=True, metavar="COL",
              help="A column of groups (2 to 50) to report group by group: label errors, accuracy and the gaps "
                   "between groups (repeatable).")
@click.option("--verified", "verified", type=click.Path(path_type=Path), metavar="FILE", multiple=True,
              help="Labels a person checked on a random sample of rows (columns row_id, verified_label; "
                   "`curate verify-sample` writes one to fill in): the label check learns from them how "
                   "often its flags are right (repeatable).")
@click.option("--ignore", "ignore", multiple=True, metavar="COL",
              help="A column not to read at all, neither as input nor for slices: one that leaks the label, "
                   "a free-text note (repeatable).")
@_errors_as_messages
def audit_command(file: Path, label: str | None, text: tuple[str, ...], id_column: str | None,
                  split: str | None, test: Path | None, encoding: str | None, name: str | None,
                  workspace: Path, pred_probs: Path | None, detectors: tuple[str, ...],
                  report_path: Path | None, no_embed: bool, embedder_name: str | None, config_file: Path | None,
                  assignments: tuple[str, ...], modality: str | None, engine: str | None, address: str | None,
                  image: str | None, fresh: bool, sensitive: tuple[str, ...], verified: tuple[Path, ...],
                  ignore: tuple[str, ...]) -> None:
    """Import FILE, audit it, print a summary and write an HTML report.

    \f
    Calls :func:`curate.audit` and records the run in the workspace.

    Parameters
    ----------
    file : pathlib.Path
        FILE: the CSV/TSV/JSONL/Parquet file, or a folder of pictures in class subfolders.
    label : str or None
        ``--label``: the label column; detected when None.
    text : tuple of str
        ``--text``: the text column(s); detected when empty.
    id_column : str or None
        ``--id``: a column with a unique id per row.
    split : str or None
        ``--split``: a column naming each row's split.
    test : pathlib.Path or None
        ``--test``: a separate test file with the same columns.
    encoding : str or None
        ``--encoding``: force the text encoding; detected when None.
    name : str or None
        ``--name``: the dataset's name in the workspace (default: the file's stem).
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    pred_probs : pathlib.Path or None
        ``--pred-probs``: a ``.npy`` file of out-of-fold probabilities, shape (n_rows, n_classes).
    detectors : tuple of str
        ``--detector``: run only these detectors; all registered ones when empty.
    report_path : pathlib.Path or None
        ``--report``: where to write the HTML report (default: ``reports/run-N.html`` in the workspace).
    no_embed : bool
        ``--no-embed``: use the fast features, hashed for text and the pixels for images (same as
        ``--set embedder=hashed``).
    embedder_name : str or None
        ``--embedder``: the embedder, of text or images (same as ``--set embedder=NAME``); see
        :func:`curate.features.check_embedder_name` for the names it takes.
    config_file : pathlib.Path or None
        ``--config``: a TOML file of run settings.
    assignments : tuple of str
        ``--set``: ``KEY=VALUE`` overrides, applied after ``--no-embed`` and the config file.
    modality : str or None
        ``--modality``: the kind of input; detected when None.
    engine : str or None
        ``--engine``: ``local`` or ``ray`` (same as ``--set engine=NAME``); the configuration's when None.
    address : str or None
        ``--address``: the Ray cluster (same as ``--set ray_address=ADDR``).
    image : str or None
        ``--image``: the column of images; detected when None.
    fresh : bool
        ``--fresh``: do not resume an interrupted audit of the same data and settings (see
        :mod:`curate.audit.resume`).
    sensitive : tuple of str
        ``--sensitive``: columns of groups to report group by group.
    verified : tuple of pathlib.Path
        ``--verified``: files of labels checked on a random sample of rows (see
        :mod:`curate.ingest.verified`).
    ignore : tuple of str
        ``--ignore``: columns not read at all.
    """
    from curate.audit import audit
    from curate.cli.present import print_summary, write_report
    from curate.core.config import AuditConfig
    from curate.core.progress import choose_progress
    from curate.errors import ConfigError

    config = AuditConfig.from_toml(config_file) if config_file is not None else AuditConfig()
    if report_path is not None:  # before the audit: its minutes are not to be lost to a mistyped path
        from curate.core.files import check_output_path

        check_output_path(report_path)
    if no_embed and embedder_name is not None:
        raise ConfigError("--no-embed and --embedder both choose the embedder; give one "
                          "(--no-embed is --embedder hashed)")
    if no_embed or embedder_name is not None:
        config = dataclasses.replace(config, embedder="hashed" if no_embed else str(embedder_name))
    if engine is not None or address is not None:
        # Replaced together: the configuration checks the pair (an address is for the ray engine only).
        config = dataclasses.replace(config, engine=engine or config.engine,
                                     ray_address=address if address is not None else config.ray_address)
    config = config.with_overrides(list(assignments))
    progress = choose_progress()  # bars on a terminal, plain lines in a log or a pipe
    result = audit(file, label=label, text=list(text) or None, id=id_column, split=split, test=test,
                   pred_probs=pred_probs, workspace=workspace, name=name, encoding=encoding,
                   detectors=list(detectors) or None, progress=progress, config=config, modality=modality,
                   image=image, resume=not fresh, sensitive=sensitive,
                   verified=list(verified) if verified else None, ignore=list(ignore))
    console = _console()
    print_summary(console, result)
    path = write_report(result.to_html(), report_path or workspace / "reports" / f"run-{result.run_id}.html",
                        in_workspace=report_path is None)
    click.echo(f"report: {path}")


@main.command("verify-sample")
@_sample_data_options
@click.option("--size", default=300, show_default=True, type=int, help="How many rows to draw at random.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seeds the draw.")
@click.option("--output", "--out", "-o", "output", required=True, type=click.Path(path_type=Path),
              help="The file to write: .csv, .tsv or .xlsx (never overwritten: it may hold a person's checks).")
@_errors_as_messages
def verify_sample_command(file: Path, label: str | None, text: tuple[str, ...], id_column: str | None,
                          split: str | None, test: Path | None, encoding: str | None,
                          size: int, seed: int, output: Path) -> None:
    """Draw rows of FILE at random for a person to check; pass the filled-in file to audit --verified.

    \f
    Writes ``row_id``, the input columns, ``given_label`` and an empty ``verified_label`` (see
    :func:`curate.ingest.verified.verification_sample`).

    Parameters
    ----------
    file : pathlib.Path
        FILE: the data file, as ``curate audit`` reads it.
    label : str or None
        ``--label``: the label column; detected when None.
    text : tuple of str
        ``--text``: the text column(s); detected when empty.
    id_column : str or None
        ``--id``: a column with a unique id per row (the ids the sample names rows by).
    split : str or None
        ``--split``: a column naming each row's split.
    test : pathlib.Path or None
        ``--test``: a separate test file with the same columns.
    encoding : str or None
        ``--encoding``: force the text encoding; detected when None.
    size : int
        ``--size``: rows to draw.
    seed : int
        ``--seed``: seeds the draw.
    output : pathlib.Path
        ``--output``: the CSV to write; refused when it exists.
    """
    from curate.core.files import check_output_path
    from curate.errors import InputError
    from curate.ingest.loading import load_data
    from curate.ingest.verified import verification_sample

    if output.exists():
        raise InputError(f"{output} exists; it may hold checked labels, so it is not overwritten (choose another name)")
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise InputError(f"{output}: write the sample as .csv, .tsv or .xlsx (a spreadsheet to fill in)")
    check_output_path(output)
    loaded = load_data(file, label=label, text=list(text) or None, id=id_column, split=split, test=test,
                       encoding=encoding)
    table = verification_sample(loaded.dataset, size=size, seed=seed)
    partial = output.with_name(output.name + ".partial")
    if suffix == ".xlsx":
        from curate.export.writing import excel_writer

        excel_writer(table, "check")(partial)  # text as text: a review reading "=1+1" is no formula
    else:
        # With a byte-order mark: Excel reads a CSV without one in the system's code page (CP949 on
        # Korean Windows), turning UTF-8 Hangul into junk; curate's readers take the mark as UTF-8.
        table.to_csv(partial, index=False, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8-sig")
    partial.replace(output)
    n_rows = loaded.dataset.n_rows
    drawn = (f"all {n_rows} rows (the data has no more than --size {size})" if size >= n_rows
             else f"{len(table)} rows drawn at random from {n_rows}")
    command = ["curate", "audit", str(file), "--label", loaded.dataset.label_column,
               *(word for t in loaded.dataset.text_columns for word in ("--text", t)),
               *(["--id", loaded.dataset.id_column] if loaded.dataset.id_column else []),
               *(["--split", split] if split else []), *(["--test", str(test)] if test else []),
               *(["--encoding", encoding] if encoding else []), "--verified", str(output)]
    click.echo(f"{output}: {drawn}; fill in verified_label with each row's true label (leave it empty for rows "
               f"not checked), then: {shlex.join(command)}")


@main.command("import")
@_data_options
@_errors_as_messages
def import_command(file: Path, label: str | None, text: tuple[str, ...], id_column: str | None,
                   split: str | None, test: Path | None, encoding: str | None, name: str | None,
                   workspace: Path) -> None:
    """Import FILE into the workspace as a dataset version (a no-op when nothing changed).

    \f
    Calls :func:`curate.audit.importing.import_data`; nothing is audited.

    Parameters
    ----------
    file : pathlib.Path
        FILE: the CSV/TSV/JSONL/Parquet file, or a folder of pictures in class subfolders.
    label : str or None
        ``--label``: the label column; detected when None.
    text : tuple of str
        ``--text``: the text column(s); detected when empty.
    id_column : str or None
        ``--id``: a column with a unique id per row.
    split : str or None
        ``--split``: a column naming each row's split.
    test : pathlib.Path or None
        ``--test``: a separate test file with the same columns.
    encoding : str or None
        ``--encoding``: force the text encoding; detected when None.
    name : str or None
        ``--name``: the dataset's name in the workspace (default: the file's stem).
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.audit.importing import import_data

    version, loaded = import_data(file, workspace=workspace, label=label, text=list(text) or None,
                                  id=id_column, split=split, test=test, encoding=encoding, name=name)
    for note in loaded.dataset.notes:
        click.echo(note, err=True)
    state = "imported as" if version.is_new else "unchanged: already"
    click.echo(f"{state} {version.dataset} version {version.number} ({version.n_rows} rows)")


@main.command("runs")
@click.option("--verbose", "-v", is_flag=True, help="Also show each run's full configuration and parameters.")
@_WORKSPACE
@_errors_as_messages
def runs_command(verbose: bool, workspace: Path) -> None:
    """List the audit runs in the workspace.

    \f
    Parameters
    ----------
    verbose : bool
        ``--verbose``: also print each run's source, detectors and full configuration as TOML.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.present import print_run_configs, print_runs
    from curate.store import Workspace

    runs = Workspace(workspace).runs()
    print_runs(_console(), runs)
    if verbose:
        print_run_configs(_console(), runs)


@main.command("compare")
@click.argument("first", type=int)
@click.argument("second", type=int, required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: a summary and the changed findings; json: everything, for scripts.")
@click.option("--rows", "max_rows", type=int, default=20, show_default=True,
              help="How many changed findings the table lists (0: none, -1: all).")
@_WORKSPACE
@_errors_as_messages
def compare_command(first: int, second: int | None, fmt: str, max_rows: int, workspace: Path) -> None:
    """Compare run FIRST (before the fixes) with run SECOND (after them; default the latest run of FIRST's dataset).

    \f
    Prints the out-of-fold accuracy of both, per issue the flags resolved, kept by a reviewer,
    dropped (the row untouched), removed with their rows, persisting and new, the class balance of
    both and the changed findings row by row.

    Parameters
    ----------
    first : int
        FIRST: the earlier run's id.
    second : int or None
        SECOND: the later run's id; the latest run of FIRST's dataset when None.
    fmt : str
        ``--format``: ``table`` or ``json``.
    max_rows : int
        ``--rows``: changed findings listed by the table (-1: all).
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    import json

    from curate.cli.present import print_comparison
    from curate.compare import compare_runs
    from curate.store import Workspace

    comparison = compare_runs(Workspace(workspace), first, second)
    if fmt == "json":
        click.echo(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
        return
    print_comparison(_console(), comparison, max_rows)


@main.command("agreement")
@annotation_options
@_errors_as_messages
def agreement_command(file: Path, annotator_columns: str | None, item_column: str | None,
                      annotator_column: str | None, label_column: str | None, encoding: str | None,
                      fmt: str) -> None:
    """How much the annotators of FILE agree: raw agreement, Fleiss' kappa, Krippendorff's alpha, pairs.

    \f
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
    """
    import json

    from curate.annotators import agreement
    from curate.cli.present import print_agreement

    _, labels = read_annotations(file, annotator_columns, item_column, annotator_column, label_column, encoding)
    found = agreement(labels)
    if fmt == "json":
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    print_agreement(_console(), found, list(map(str, labels.columns)), long=item_column is not None)


def _register_consensus() -> None:
    from curate.cli.consensus import consensus_command  # next to agreement; its own module (main.py is long)

    main.add_command(consensus_command, "consensus")


_register_consensus()


@main.command("report")
@click.argument("run", type=int, required=False)
@click.option("--output", "--out", "-o", "output", type=click.Path(path_type=Path),
              help="Where to write the HTML file.")
@_WORKSPACE
@_errors_as_messages
def report_command(run: int | None, output: Path | None, workspace: Path) -> None:
    """Write the HTML report of RUN (default: the latest run).

    \f
    Parameters
    ----------
    run : int or None
        RUN: the run's id; the latest run when None.
    output : pathlib.Path or None
        ``--output``: the HTML file (default: ``reports/run-N.html`` in the workspace).
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.datasets import note_latest_run
    from curate.cli.present import write_report
    from curate.report import from_workspace, render
    from curate.store import Workspace

    ws = Workspace(workspace)
    data = from_workspace(ws, run)
    note_latest_run(ws, run)
    path = write_report(render(data), output or workspace / "reports" / f"run-{data.run_id}.html",
                        in_workspace=output is None)
    if data.pictures_lost:
        shown = ", ".join(repr(r) for r in data.pictures_lost[:3])
        root = data.pictures_root
        gone = root is not None and not Path(root).is_dir()
        click.echo(f"note: {len(data.pictures_lost)} of the pictures the report shows cannot be read now ({shown}"
                   f"{', ...' if len(data.pictures_lost) > 3 else ''}): "
                   + (f"the folder {root!r} the run read them from no longer exists"
                      if gone else "moved or changed since the audit?")
                   + ". The report shows those rows without them", err=True)
    click.echo(f"report: {path}")


@main.command("findings")
@click.argument("run", type=int, required=False)
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "json", "jsonl", "parquet"]), default=None,
              help="Output format: csv (default) or json on stdout; with --output, must match its suffix.")
@click.option("--output", "--out", "-o", "output", type=click.Path(path_type=Path),
              help="File to write (.csv, .tsv, .json, .jsonl, .parquet; default: stdout).")
@click.option("--all", "include_all", is_flag=True, help="Also list rows each detector scored but did not flag.")
@click.option("--issue", "issues", multiple=True, help="Only these issue types (repeatable).")
@click.option("--with-text", "with_input", is_flag=True,
              help="Add an input column: each row's text (a table's fields as JSON).")
@_WORKSPACE
@_errors_as_messages
def findings_command(run: int | None, fmt: str | None, output: Path | None, include_all: bool,
                     issues: tuple[str, ...], with_input: bool, workspace: Path) -> None:
    """Write the findings of RUN (default: the latest run), one row per finding.

    \f
    Parameters
    ----------
    run : int or None
        RUN: the run's id; the latest run when None.
    fmt : str or None
        ``--format``: ``csv`` (default) or ``json`` on stdout; with ``--output``, must match its suffix.
    output : pathlib.Path or None
        ``--output``: the file to write, in its suffix's format; stdout when None.
    include_all : bool
        ``--all``: also list the rows each detector scored but did not flag.
    issues : tuple of str
        ``--issue``: only these issue types; every issue when empty.
    with_input : bool
        ``--with-text``: add an ``input`` column with each row's input.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.datasets import note_latest_run
    from curate.export.findings import export_findings
    from curate.store import Workspace

    ws = Workspace(workspace)
    written = export_findings(ws, run, fmt=fmt, output=output, include_all=include_all,
                              issues=list(issues) or None, with_input=with_input)
    note_latest_run(ws, run)  # after: a missing workspace or run has been said already
    if written is not None:
        # On a terminal, control characters from the data (an ANSI escape in a review) would act on
        # the terminal; they are shown as escapes there. A pipe or a file gets the text as it is.
        click.echo(terminal_safe(written) if sys.stdout.isatty() else written, nl=False)


# C0 and C1 control characters other than tab and line feed (the table's own separators)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with its control characters (but tab and line feed) written as escapes, e.g. ``\\x1b``.

    Parameters
    ----------
    text : str
        What is about to be printed on a terminal.

    Returns
    -------
    str
        The same text, each such character replaced by its Python escape.
    """
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
_DATASET = click.option("--dataset", "-d", help="Dataset name (default: the most recent one).")


@main.command("log")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def log_command(dataset: str | None, workspace: Path) -> None:
    """List the ledger: every decision, in order (its number is the version it creates).

    \f
    Parameters
    ----------
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.datasets import choose_dataset
    from curate.cli.present import print_log
    from curate.errors import NotFoundError
    from curate.store import Workspace
    from curate.store.annotations import annotation_datasets
    from curate.store.decisions import read_decisions

    ws = Workspace(workspace)
    try:
        chosen = choose_dataset(ws, dataset)
    except NotFoundError:
        # An annotation project (curate annotate import) has a ledger but no audited version.
        projects = annotation_datasets(ws)
        if not projects or (dataset is not None and dataset not in projects):
            raise
        chosen = dataset if dataset is not None else projects[-1]
    print_log(_console(), read_decisions(ws, chosen))


@main.command("diff")
@click.argument("first")
@click.argument("second", default="latest")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def diff_command(first: str, second: str, dataset: str | None, workspace: Path) -> None:
    """Show what changed between versions FIRST and SECOND (ledger entry numbers; 0 = the source).

    \f
    Prints the changed rows as CSV, or ``no differences``.

    Parameters
    ----------
    first : str
        FIRST: a ledger entry number (``0``: the untouched source) or ``latest``.
    second : str
        SECOND: the same, default ``latest``.
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.datasets import choose_dataset
    from curate.export import diff_versions
    from curate.store import Workspace

    ws = Workspace(workspace)
    changes = diff_versions(ws, choose_dataset(ws, dataset), first, second)
    if changes.empty:
        click.echo("no differences")
        return
    click.echo(changes.to_csv(index=False), nl=False)


@main.command("export")
@click.argument("output", type=click.Path(path_type=Path), required=False)
@click.option("--version", "version", default="latest", show_default=True,
              help="Ledger entry number (0 = the untouched source) or 'latest'.")
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "txt", "jsonl", "json", "parquet", "xlsx"]),
              default=None, help="Output format; must match OUTPUT's suffix (default: the suffix's).")
@click.option("--with-status", is_flag=True,
              help="Add a review_status column: relabelled, kept, ambiguous or unreviewed.")
@click.option("--drop-ambiguous", is_flag=True, help="Leave out the rows marked ambiguous.")
@click.option("--test-output", type=click.Path(path_type=Path), default=None,
              help="Also write the rows of the audit's --test file here (its suffix names the format).")
@click.option("--tree", "tree", type=click.Path(path_type=Path), default=None, metavar="OUT_DIR",
              help="A folder of pictures: also copy it to OUT_DIR (new or empty), each kept picture in its "
                   "label's folder.")
@_DATASET
@_WORKSPACE
@_errors_as_messages
def export_command(output: Path | None, version: str, fmt: str | None, with_status: bool, drop_ambiguous: bool,
                   test_output: Path | None, tree: Path | None, dataset: str | None, workspace: Path) -> None:
    """Write the dataset with the ledger applied up to VERSION to OUTPUT (.csv .tsv .txt .jsonl .json .parquet .xlsx).

    A dataset read from a folder of pictures can also be copied as a tree with --tree OUT_DIR.

    \f
    Parameters
    ----------
    output : pathlib.Path or None
        OUTPUT: the file to write; its suffix names the format. It may be left out with ``--tree``.
    version : str
        ``--version``: a ledger entry number (``0``: the untouched source) or ``latest``.
    fmt : str or None
        ``--format``: ``csv``, ``tsv``, ``txt``, ``jsonl``, ``json``, ``parquet`` or ``xlsx``; must match
        OUTPUT's suffix.
    with_status : bool
        ``--with-status``: add a ``review_status`` column.
    drop_ambiguous : bool
        ``--drop-ambiguous``: leave out the rows marked ambiguous.
    test_output : pathlib.Path or None
        ``--test-output``: where to write the rows of the separate ``--test`` file.
    tree : pathlib.Path or None
        ``--tree``: for a dataset imported from a folder of pictures, copy the tree at VERSION here.
    dataset : str or None
        ``--dataset``: the dataset's name; the most recent one when None.
    workspace : pathlib.Path
        ``--workspace``: the workspace folder.
    """
    from curate.cli.datasets import choose_dataset
    from curate.export import export_tree, export_version
    from curate.export.tree import check_tree_output
    from curate.store import Workspace

    if output is None and tree is None:
        raise click.UsageError("give OUTPUT, --tree OUT_DIR, or both")
    if output is None and (fmt or with_status or test_output):
        raise click.UsageError("--format, --with-status and --test-output are about OUTPUT; give OUTPUT too")
    if tree is not None:
        check_tree_output(tree)  # before the file is written
    ws = Workspace(workspace)
    dataset = choose_dataset(ws, dataset)
    if output is not None:
        summary = export_version(ws, dataset, version, fmt, output, with_status=with_status,
                                 drop_ambiguous=drop_ambiguous, test_output=test_output)
        _echo_export(summary, drop_ambiguous)
    if tree is not None:
        copied = export_tree(ws, dataset, version, tree, drop_ambiguous=drop_ambiguous)
        dropped = f", {copied.ambiguous_dropped} ambiguous left out" if drop_ambiguous else ""
        renamed = f", {copied.renamed} renamed to avoid a clash" if copied.renamed else ""
        click.echo(f"wrote {copied.folder}: version {copied.version}, {copied.files} pictures "
                   f"({copied.relabelled} relabelled, {copied.removed} removed{dropped}{renamed})")
        for source, target in copied.renames[:_RENAMES_SHOWN]:
            click.echo(f"  {source} -> {target}")
        if len(copied.renames) > _RENAMES_SHOWN:
            click.echo(f"  ... and {len(copied.renames) - _RENAMES_SHOWN} more renamed")
        for note in copied.notes:
            click.echo(f"note: {note}", err=True)


def _echo_export(summary: ExportSummary, drop_ambiguous: bool) -> None:
    """Say what an export wrote, its notes, and warn of decisions on test rows no file holds."""
    for written in (summary, summary.test):
        if written is not None:
            dropped = f", {written.ambiguous_dropped} ambiguous left out" if drop_ambiguous else ""
            click.echo(f"wrote {written.path}: version {written.version}, {written.rows} rows "
                       f"({written.relabelled} relabelled, {written.removed} removed{dropped})")
            for note in written.notes:
                click.echo(f"note: {note}", err=True)
    if unwritten := summary.test_decisions_unwritten:
        decisions, were = ("decision", "was") if unwritten == 1 else ("decisions", "were")
        click.echo(f"warning: {unwritten} {decisions} on rows of the --test file {were} not written: "
                   "add --test-output PATH", err=True)


def _register_review() -> None:
    from curate.cli.review import review_command  # cheap: the web stack loads only when it runs

    main.add_command(review_command, "review")
    from curate.cli.annotate import annotate_group  # cheap too: each subcommand imports what it needs

    main.add_command(annotate_group, "annotate")


_register_review()


def _register_profile() -> None:
    from curate.cli.profile import card_group, make_profile_command  # the profile's libraries load when it runs

    main.add_command(make_profile_command(lambda command: _data_options(command, workspace=False)), "profile")
    main.add_command(card_group, "card")


_register_profile()


def _register_queue() -> None:
    from curate.cli.queue import queue_command  # the model and the features load only when it runs

    main.add_command(queue_command, "queue")


_register_queue()

if __name__ == "__main__":
    main()
