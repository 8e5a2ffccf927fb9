"""Alembic's environment for curate: migrations always run on a connection curate opened.

:func:`curate.store.upgrade.upgrade` passes its connection, already inside the write transaction
(``BEGIN IMMEDIATE`` on SQLite), in ``config.attributes["connection"]``; Alembic sees the open
transaction and leaves committing or rolling back to curate, so a failed command leaves the schema
as it was.
"""

from __future__ import annotations

from alembic import context

from curate.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "curate's migrations run inside curate on an open connection (curate.store.upgrade.upgrade); "
        "open the workspace with curate instead of running 'alembic' on it"
    )
# target_metadata lets 'alembic check' and autogenerate compare the revisions with curate.store.schema.
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
