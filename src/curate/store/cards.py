"""Where a dataset's data card is kept: a JSON document per dataset in the workspace, replaced atomically.

A card is a handful of prose fields a person writes (provenance, license, ...), edited one at a
time, so it is one small document rather than table rows: ``cards/<dataset id>.json`` in the
workspace folder, named by the dataset's id in the database (names may hold any character). Each
write puts the whole new document beside the old one and renames it into place, so a failed or
interrupted command leaves the old card as it was, never half of one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curate.core.files import write_atomically
from curate.errors import WorkspaceError
from curate.store.decisions import dataset_id
from curate.store.workspace import Workspace

__all__ = ["card_path", "read_card_document", "write_card_document"]

_FOLDER = "cards"
# The document's own version, so that a later curate can read cards an older one wrote.
_FORMAT = 1


def card_path(workspace: Workspace, dataset: str) -> Path:
    """The file that holds ``dataset``'s card (which need not exist yet).

    Parameters
    ----------
    workspace : Workspace
        An existing workspace.
    dataset : str
        The dataset's name.

    Returns
    -------
    pathlib.Path
        ``cards/<id>.json`` in the workspace folder.

    Raises
    ------
    WorkspaceError
        When the workspace does not exist.
    NotFoundError
        When it has no such dataset.
    """
    with workspace._read() as con:
        number = dataset_id(con, dataset)
    return workspace.path / _FOLDER / f"{number}.json"


def read_card_document(workspace: Workspace, dataset: str) -> dict[str, dict[str, str]]:
    """The card's fields as stored: each field's value and when it was set.

    Parameters
    ----------
    workspace : Workspace
        An existing workspace.
    dataset : str
        The dataset's name.

    Returns
    -------
    dict of str to dict
        Field name to ``{"value": ..., "updated_at": ...}`` (ISO 8601 in UTC); empty when no field is set.

    Raises
    ------
    WorkspaceError
        When the workspace does not exist, or the card file is not a card curate wrote.
    NotFoundError
        When it has no such dataset.
    """
    path = card_path(workspace, dataset)
    if not path.exists():
        return {}
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        fields = document["fields"]
        if not isinstance(fields, dict) or not all(isinstance(v, dict) and isinstance(v.get("value"), str)
                                                   for v in fields.values()):
            raise TypeError("fields")
    except (ValueError, KeyError, TypeError):
        raise WorkspaceError(f"{path} is not a data card curate can read; move it away to start the card "
                             "again") from None
    return {str(k): {"value": v["value"], "updated_at": str(v.get("updated_at", ""))} for k, v in fields.items()}


def write_card_document(workspace: Workspace, dataset: str, values: dict[str, str | None]) -> dict[str, dict[str, str]]:
    """Set (or, with None, remove) card fields of ``dataset`` and write the whole card atomically.

    Parameters
    ----------
    workspace : Workspace
        An existing workspace.
    dataset : str
        The dataset's name.
    values : dict of str to str or None
        Field name to its new value; None removes the field. Other fields keep theirs.

    Returns
    -------
    dict of str to dict
        The card's fields as now stored (see :func:`read_card_document`).

    Raises
    ------
    WorkspaceError
        When the workspace does not exist or was written by a newer curate, or its card cannot be read.
    NotFoundError
        When it has no such dataset.
    """
    workspace.check_writable()
    fields = read_card_document(workspace, dataset)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for name, value in values.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = {"value": value, "updated_at": now}
    document = {"format": _FORMAT, "dataset": dataset, "fields": fields}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = card_path(workspace, dataset)
    made_folder = not path.parent.exists()
    try:
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"), make_folder=True)
    except BaseException:
        if made_folder and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()  # leave the workspace as it was
        raise
    return fields
