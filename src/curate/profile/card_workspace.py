"""A workspace's data cards: read and edit a dataset's card, and export it with the facts measured now."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime

import pandas as pd

from curate.errors import InputError
from curate.export import latest_dataset
from curate.ingest.readers import read_table
from curate.ledger.versions import load_stored_version
from curate.profile.card import AuditFacts, DataCard, card_field, card_markdown
from curate.profile.profiling import DataProfile, profile_dataset
from curate.store import Workspace
from curate.store.cards import read_card_document, write_card_document
from curate.store.decisions import read_decisions

__all__ = ["export_card", "profile_workspace_dataset", "read_card", "set_card_fields"]

# A field is prose, not a file: this many characters is far beyond any card's longest section.
MAX_FIELD_CHARACTERS = 20_000


def read_card(workspace: Workspace, dataset: str | None = None) -> DataCard:
    """The data card of ``dataset`` (the most recent dataset when None).

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str, optional
        The dataset's name; the one most recently imported or audited when None.

    Returns
    -------
    DataCard
        The fields set so far (none for a new card).

    Raises
    ------
    WorkspaceError
        When the workspace does not exist or its card cannot be read.
    NotFoundError
        When it has no dataset, or none named ``dataset``.
    """
    name = latest_dataset(workspace, dataset)
    stored = read_card_document(workspace, name)
    return DataCard(name, {k: v["value"] for k, v in stored.items()}, {k: v["updated_at"] for k, v in stored.items()})


def set_card_fields(workspace: Workspace, values: dict[str, str | None], dataset: str | None = None) -> DataCard:
    """Set card fields (None or blank text clears one), all checked before the card is written.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    values : dict of str to str or None
        Field name (any spelling :func:`~curate.profile.card.card_field` takes) to its new text.
    dataset : str, optional
        The dataset's name; the most recent one when None.

    Returns
    -------
    DataCard
        The card as now stored.

    Raises
    ------
    InputError
        When a field name is unknown or a text is longer than 20,000 characters; nothing is written.
    WorkspaceError
        When the workspace does not exist or cannot be written.
    NotFoundError
        When it has no such dataset.

    Examples
    --------
    >>> set_card_fields(Workspace("ws"), {"license": "CC BY 4.0"}).fields["license"]  # doctest: +SKIP
    'CC BY 4.0'
    """
    checked: dict[str, str | None] = {}
    for name, value in values.items():
        key = card_field(name)
        text = value.strip() if value is not None else ""
        if len(text) > MAX_FIELD_CHARACTERS:
            raise InputError(f"the card field {key!r} is {len(text):,} characters; keep it under "
                             f"{MAX_FIELD_CHARACTERS:,} and link to a longer document")
        checked[key] = text or None
    name = latest_dataset(workspace, dataset)
    write_card_document(workspace, name, checked)
    return read_card(workspace, name)


def profile_workspace_dataset(workspace: Workspace, dataset: str | None = None) -> tuple[DataProfile, str]:
    """Profile the latest version of a workspace's dataset, read from the workspace's own copy.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str, optional
        The dataset's name; the most recent one when None.

    Returns
    -------
    profile : DataProfile
        The profile of the version as imported (the ledger's decisions are not applied).
    version : str
        Which data was measured, for people: ``version 2 of reviews (imported ...)``, with the
        number of ledger decisions not applied when there are any.

    Raises
    ------
    WorkspaceError
        When the workspace does not exist.
    NotFoundError
        When it has no such dataset.
    InputError
        When the stored copy cannot be read.
    """
    name = latest_dataset(workspace, dataset)
    stored = load_stored_version(workspace, dataset=name, raw=True)
    record = stored.record
    raw = stored.raw
    if raw is not None and record.test_source_copy:
        test = read_table(workspace.path / record.test_source_copy, encoding=stored.test_encoding).frame
        raw = pd.concat([raw, test], ignore_index=True)
    if record.format == "image_folder":
        raw = None  # the stored table of paths and labels: the dataset's own columns say the same
    profile = profile_dataset(stored.dataset, raw=raw, split=record.options.get("split"),
                              source=record.version.source_path, encoding=record.encoding)
    decisions = len(read_decisions(workspace, name))
    said = f"version {record.version.number} of {name}, imported {record.version.created_at}"
    if decisions:
        said += f", as imported: the ledger's {decisions} decision(s) are not applied"
    return profile, said


def _version() -> str:
    # From the installed distribution: importing curate's own __version__ would load the audit above us.
    try:
        return importlib.metadata.version("curate")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


def _latest_audit(workspace: Workspace, dataset: str) -> AuditFacts | None:
    runs = workspace.runs(dataset)
    if not runs:
        return None
    run = runs[-1]
    metrics = run.metrics
    accuracy = metrics.get("oof_accuracy")
    return AuditFacts(run.id, run.version, run.finished_at,
                      {str(k): int(v) for k, v in (metrics.get("flagged") or {}).items()},
                      metrics.get("rows_with_any_issue"), float(accuracy) if accuracy is not None else None)


def export_card(workspace: Workspace, dataset: str | None = None) -> str:
    """The data card as Markdown, with the facts measured now on the dataset's latest version.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    dataset : str, optional
        The dataset's name; the most recent one when None.

    Returns
    -------
    str
        The Markdown document (see :func:`curate.profile.card.card_markdown`): the written fields,
        the measured facts, and the latest audit's flags per issue when the dataset has been audited.

    Raises
    ------
    WorkspaceError
        When the workspace does not exist.
    NotFoundError
        When it has no such dataset.

    Examples
    --------
    >>> markdown = export_card(Workspace("ws"))  # doctest: +SKIP
    >>> markdown.splitlines()[0]  # doctest: +SKIP
    '# Data card: reviews'
    """
    card = read_card(workspace, dataset)
    profile, version = profile_workspace_dataset(workspace, card.dataset)
    made = f"curate {_version()} on {datetime.now(UTC).date().isoformat()}"
    return card_markdown(card, profile, version=version, audit=_latest_audit(workspace, card.dataset),
                         generated_by=made)
