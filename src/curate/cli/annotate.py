"""``curate annotate``: import items and labels, manage accounts and settings, serve annotation mode."""

from __future__ import annotations

import os
from pathlib import Path

import click

from curate.cli.errors import errors_as_messages
from curate.errors import InputError, MissingExtraError

__all__ = ["annotate_group"]

PASSWORD_ENV = "CURATE_ANNOTATE_PASSWORD"
_errors = errors_as_messages()
_WORKSPACE = click.option("--workspace", "-w", type=click.Path(path_type=Path), default=Path("curate-workspace"),
                          envvar="CURATE_WORKSPACE", show_default=True, help="Workspace folder.")
_NAME = click.option("--name", "dataset", help="The annotation dataset (default: the only one, or the newest).")


def _split(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


def _dataset(workspace: Path, name: str | None) -> str:
    from curate.store import Workspace
    from curate.store.annotations import annotation_datasets

    found = annotation_datasets(Workspace(workspace))
    if name is not None:
        if name not in found:
            raise InputError(f"no annotation dataset {name!r} in {workspace}; it has: {', '.join(found) or 'none'}")
        return name
    if not found:
        raise InputError(f"no annotation dataset in {workspace}; run 'curate annotate import FILE --text COL' first")
    return found[-1]


@click.group("annotate", context_settings={"help_option_names": ["-h", "--help"]})
def annotate_group() -> None:
    """Annotation mode: several annotators label items blind in a browser; labels go to the ledger."""


@annotate_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--text", "text", multiple=True, required=True, metavar="COL", help="Input column (repeatable).")
@click.option("--id", "id_column", metavar="COL", help="Wide layout: the item id column (default: row position).")
@click.option("--annotators", metavar="COL,COL,...",
              help="Wide layout: one label column per annotator slot (default: guessed, e.g. author,label2..label5).")
@click.option("--item", "item_column", metavar="COL", help="Long layout: the item id column.")
@click.option("--annotator", "annotator_column", metavar="COL", help="Long layout: the annotator column.")
@click.option("--label", "label_column", metavar="COL", help="Long layout: the label column.")
@click.option("--labels", "classes", metavar="CLASS,...", help="The classes (default: the labels found).")
@click.option("--name", "dataset", help="The dataset's name (default: the file's stem).")
@click.option("--per-item", type=click.IntRange(1, 100), default=3, show_default=True,
              help="Annotators per item (K).")
@click.option("--encoding", help="Force the text encoding (default: detected).")
@_WORKSPACE
@_errors
def import_command(file: Path, text: tuple[str, ...], id_column: str | None, annotators: str | None,
                   item_column: str | None, annotator_column: str | None, label_column: str | None,
                   classes: str | None, dataset: str | None, per_item: int, encoding: str | None,
                   workspace: Path) -> None:
    """Import FILE's items and the labels its annotators gave them, in one transaction.

    \f
    Parameters
    ----------
    file : pathlib.Path
        FILE: CSV/TSV/JSON/JSONL/Parquet/Excel.
    text : tuple of str
        ``--text``: input columns.
    id_column : str or None
        ``--id``: item ids (wide layout).
    annotators : str or None
        ``--annotators``: slot columns (wide layout).
    item_column, annotator_column, label_column : str or None
        ``--item``, ``--annotator``, ``--label``: the long layout.
    classes : str or None
        ``--labels``: the classes.
    dataset : str or None
        ``--name``: the dataset's name.
    per_item : int
        ``--per-item``: annotators per item.
    encoding : str or None
        ``--encoding``: the file's encoding.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.annotators.importing import import_annotation_file
    from curate.store import Workspace

    summary = import_annotation_file(
        Workspace(workspace), file, text=list(text), name=dataset, id_column=id_column, annotators=_split(annotators),
        item=item_column, annotator=annotator_column, label=label_column, classes=_split(classes),
        per_item=per_item, encoding=encoding)
    if summary.already:
        from curate.store.annotations import settings_history

        click.echo(f"{file} is imported already as {summary.dataset} ({summary.items:,} items, "
                   f"{summary.labels:,} labels): nothing to do")
        in_force = settings_history(Workspace(workspace), summary.dataset)[-1].per_item
        if in_force != per_item:
            click.echo(f"note: --per-item {per_item} was not applied ({in_force} stays); change it with "
                       f"'curate annotate settings --name {summary.dataset} --per-item {per_item}'", err=True)
        return
    labels = (f"{summary.labels:,} labels from {', '.join(summary.annotators)}" if summary.annotators
              else "no labels yet")
    click.echo(f"imported {summary.dataset}: {summary.items:,} items ({summary.labelled:,} labelled), "
               f"{labels}; classes {', '.join(summary.classes)}; {per_item} annotators per item")


@annotate_group.group("user")
def user_group() -> None:
    """Accounts: who may sign in to 'curate annotate serve'."""


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InputError(f"cannot read --password-file {password_file}: {exc.strerror or exc}") from None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "annotator"]), default="annotator", show_default=True)
@click.option("--password-file", type=click.Path(path_type=Path),
              help=f"Read the password from this file's first line (else ${PASSWORD_ENV}, else a prompt).")
@_WORKSPACE
@_errors
def user_add(name: str, role: str, password_file: Path | None, workspace: Path) -> None:
    """Add an account NAME; its password is stored only as an argon2 hash.

    \f
    Parameters
    ----------
    name : str
        NAME: the user name.
    role : str
        ``--role``: admin or annotator.
    password_file : pathlib.Path or None
        ``--password-file``: where to read the password.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.review.accounts import create_account
    from curate.store import Workspace

    created = create_account(Workspace(workspace), name, role, _password(password_file))
    click.echo(f"added {created.role} {created.name!r}")


@user_group.command("list")
@_WORKSPACE
@_errors
def user_list(workspace: Path) -> None:
    """List the accounts: name, role, state, when added.

    \f
    Parameters
    ----------
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.store import Workspace
    from curate.store.accounts import list_accounts

    for a in list_accounts(Workspace(workspace)):
        click.echo(f"{a.name}\t{a.role}\t{'disabled' if a.disabled else 'active'}\t{a.created_at}")


@user_group.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@_WORKSPACE
@_errors
def user_disable(name: str, enable: bool, workspace: Path) -> None:
    """Disable account NAME: it can no longer sign in, and its open sessions end. Its labels stay.

    \f
    Parameters
    ----------
    name : str
        NAME: the user name.
    enable : bool
        ``--enable``: enable it again.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.store import Workspace
    from curate.store.accounts import set_disabled

    changed = set_disabled(Workspace(workspace), name, not enable)
    click.echo(f"{changed.name!r} is {'disabled' if changed.disabled else 'enabled'}")


@annotate_group.command("settings")
@click.option("--per-item", type=click.IntRange(1, 100), help="Annotators per item (K).")
@click.option("--guidelines", "guidelines_file", type=click.Path(path_type=Path),
              help="A plain text or Markdown file of guidelines, shown beside every item.")
@click.option("--by", "changed_by", default="admin", show_default=True, help="Recorded as who changed them.")
@_NAME
@_WORKSPACE
@_errors
def settings_command(per_item: int | None, guidelines_file: Path | None, changed_by: str, dataset: str | None,
                     workspace: Path) -> None:
    """Show, or change, the annotators per item and the guidelines; changes are appended, never overwritten.

    \f
    Parameters
    ----------
    per_item : int or None
        ``--per-item``: annotators per item.
    guidelines_file : pathlib.Path or None
        ``--guidelines``: the guidelines file.
    changed_by : str
        ``--by``: who changes them.
    dataset : str or None
        ``--name``: the annotation dataset.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.store import Workspace
    from curate.store.annotations import append_settings, settings_history

    ws = Workspace(workspace)
    name = _dataset(workspace, dataset)
    if per_item is not None or guidelines_file is not None:
        guidelines = None
        if guidelines_file is not None:
            try:
                guidelines = guidelines_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read --guidelines {guidelines_file}: {exc}; pass a UTF-8 text file") \
                    from None
        append_settings(ws, name, per_item=per_item, guidelines=guidelines, changed_by=changed_by)
    history = settings_history(ws, name)
    now = history[-1]
    click.echo(f"{name}: {now.per_item} annotators per item; classes {', '.join(now.classes)}; "
               f"guidelines {len(now.guidelines):,} characters; {len(history)} version(s), "
               f"latest {now.created_at} by {now.changed_by}")


@annotate_group.command("export")
@click.argument("dataset", required=False)
@click.option("--out", "--output", "-o", "out", type=click.Path(path_type=Path), required=True,
              help="The file to write: .csv, .parquet or .jsonl.")
@click.option("--annotator-labels", is_flag=True, help="Add one column per annotator (account or slot): their label.")
@click.option("--no-model", is_flag=True, help="Annotators only: no model trained on the items' texts.")
@_WORKSPACE
@errors_as_messages("interrupted: nothing was written")
def export_command(dataset: str | None, out: Path, annotator_labels: bool, no_model: bool, workspace: Path) -> None:
    """Write DATASET's consensus labels: one row per item, its inputs, consensus label and quality.

    \f
    Calls :func:`curate.annotators.exporting.export_annotations`.

    Parameters
    ----------
    dataset : str or None
        DATASET: the annotation dataset (default: the only one, or the newest).
    out : pathlib.Path
        ``--out``: the file.
    annotator_labels : bool
        ``--annotator-labels``: one column per annotator.
    no_model : bool
        ``--no-model``: the annotators alone.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.annotators.exporting import export_annotations, export_format, write_export
    from curate.annotators.tasks import load_view
    from curate.features import FeatureCache, default_cache_path
    from curate.store import Workspace

    export_format(out)
    name = _dataset(workspace, dataset)
    exported = export_annotations(load_view(Workspace(workspace), name), annotator_labels=annotator_labels,
                                  model=not no_model, cache=None if no_model else FeatureCache(default_cache_path()))
    write_export(exported, out)
    click.echo(f"wrote {out}: {exported.summary_line()}")


@annotate_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--token", envvar="CURATE_REVIEW_TOKEN", help="Access token every request must carry.")
@click.option("--retrain-every", type=click.IntRange(min=1), default=20, show_default=True,
              help="Retrain the active-learning model in the background after this many new labels.")
@_NAME
@_WORKSPACE
@errors_as_messages("stopped: every label acknowledged so far is in the ledger")
def serve_command(host: str, port: int, token: str | None, retrain_every: int, dataset: str | None,
                  workspace: Path) -> None:
    """Serve annotation mode: annotators sign in and label blind; admins see agreement and progress.

    \f
    Parameters
    ----------
    host : str
        ``--host``: the address.
    port : int
        ``--port``: the port.
    token : str or None
        ``--token``: the access token.
    retrain_every : int
        ``--retrain-every``: labels between background retrainings.
    dataset : str or None
        ``--name``: the annotation dataset.
    workspace : pathlib.Path
        ``--workspace``.
    """
    from curate.cli.review import open_socket
    from curate.features import FeatureCache, default_cache_path
    from curate.review.security import check_bind

    check_bind(host, token)
    try:
        import uvicorn

        from curate.review.annotate_web import create_annotation_app
    except ImportError:
        raise MissingExtraError("curate annotate serve", "review") from None
    from curate.store import Workspace
    from curate.store.accounts import list_accounts

    ws = Workspace(workspace)
    name = _dataset(workspace, dataset)
    if not any(a.role == "admin" and not a.disabled for a in list_accounts(ws)):
        click.echo("note: no admin account yet; add one with 'curate annotate user add NAME --role admin'", err=True)
    app = create_annotation_app(ws, name, token=token, retrain_every=retrain_every,
                                feature_cache=FeatureCache(default_cache_path()))
    sock = open_socket(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"curate annotate: {name}; open http://{shown}:{sock.getsockname()[1]}/login"
               + (f"?token={token}" if token else "") + "  (Ctrl+C to stop)", err=True)
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off", server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
