"""The Alembic script directory of the workspace database: one revision per schema change.

curate runs these itself, inside the write transaction of the command that opens the workspace
(:func:`curate.store.upgrade.upgrade`); users need no ``alembic.ini``. Revision ids are numbers,
``0001``, ``0002``, ..., so that a newer workspace can be told apart from an older one.

Adding a revision: copy the latest file in ``versions/``, bump its number in the file name,
``revision`` and ``down_revision``, write ``upgrade()``, and call :func:`mark_schema_version` with the
new number, so that curate 0.1.0 (which knows only ``schema_migrations``) refuses the workspace
rather than writing rows it does not understand. Never edit a revision that has shipped, and never
import :mod:`curate.store.schema` in a revision: it must keep creating what it created when it shipped.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

__all__ = ["mark_schema_version"]


def mark_schema_version(number: int) -> None:
    """Record schema ``number`` in ``schema_migrations``, the table curate 0.1.0 reads.

    Parameters
    ----------
    number : int
        The number of the revision that calls this (revision ``0003`` records 3).

    Returns
    -------
    None
    """
    table = sa.table("schema_migrations", sa.column("version", sa.Integer), sa.column("applied_at", sa.Text))
    # The format of SQLite's datetime('now'), which 0.1.0 wrote here.
    applied_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    op.bulk_insert(table, [{"version": number, "applied_at": applied_at}])
