"""Bring a workspace database to this curate's schema with Alembic, inside the caller's transaction.

Three kinds of database arrive here: a new one (no tables), one Alembic already manages (an
``alembic_version`` table), and one written by curate 0.1.0, which recorded its two SQL migrations
in ``schema_migrations`` and has no ``alembic_version``. Revisions ``0001`` and ``0002`` create what
those two migrations created, so a 0.1.0 database is stamped at the matching revision and upgraded
from there. A database at a revision this curate does not know comes from a newer curate: reading
or writing it is refused, since rows written by an older schema's rules could corrupt it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, select, table
from sqlalchemy import column as sql_column

from curate.errors import WorkspaceError

__all__ = ["head_revision", "refuse_newer_schema", "upgrade"]

SCRIPT_LOCATION = Path(__file__).with_name("migrations")
# Alembic's own table and 0.1.0's, read here without being part of curate.store.schema's queries.
_alembic_version = table("alembic_version", sql_column("version_num"))
_schema_migrations = table("schema_migrations", sql_column("version"))


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this curate knows.

    Returns
    -------
    str
        A revision id such as ``"0002"``.
    """
    head = _scripts().get_current_head()
    assert head is not None, "the migrations directory has no revision"
    return head


@cache
def _known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _legacy_version(connection: Connection) -> int | None:
    """The newest of 0.1.0's schema versions recorded in the database, or None."""
    if not inspect(connection).has_table(_schema_migrations.name):
        return None
    return connection.execute(select(func.max(_schema_migrations.c.version))).scalar()


def _alembic_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(_alembic_version.name):
        return None
    return connection.execute(select(_alembic_version.c.version_num)).scalar()


def _refuse(managed: str | None, legacy: int | None, where: Path | str) -> None:
    head = head_revision()
    found = None
    if managed is not None and managed not in _known_revisions():
        found = _number(managed)
    elif legacy is not None and legacy > int(head):
        found = str(legacy)
    if found is not None:
        raise WorkspaceError(
            f"{where} was written by a newer curate (schema {found} > {_number(head)}); upgrade curate")


def _number(revision: str) -> str:
    return str(int(revision)) if revision.isdigit() else repr(revision)


def refuse_newer_schema(connection: Connection, where: Path | str) -> None:
    """Raise if the database was written by a newer curate.

    Both markers are checked: a revision Alembic does not know here, and a number in
    ``schema_migrations`` beyond this curate's newest revision.

    Parameters
    ----------
    connection : Connection
        An open connection to the workspace database.
    where : Path or str
        The workspace, named in the message.

    Raises
    ------
    WorkspaceError
        When the database is at a schema revision this curate does not know.
    """
    _refuse(_alembic_revision(connection), _legacy_version(connection), where)


def upgrade(connection: Connection, where: Path | str) -> None:
    """Bring the database to the newest revision inside the caller's open transaction.

    Nothing is committed here: when the caller's transaction rolls back, so does the upgrade.

    Parameters
    ----------
    connection : Connection
        A connection inside a write transaction.
    where : Path or str
        The workspace, named in error messages.

    Raises
    ------
    WorkspaceError
        When the database was written by a newer curate.
    """
    managed, legacy = _alembic_revision(connection), _legacy_version(connection)
    _refuse(managed, legacy, where)
    if managed == head_revision():
        return
    config = _config(connection)
    if managed is None and legacy is not None:
        # Written by curate 0.1.0: its migrations 1..legacy are revisions 0001..legacy, already applied.
        command.stamp(config, f"{legacy:04d}")
    command.upgrade(config, "head")
