"""The workspace database's engine: which URLs curate accepts, SQLite's settings, reads and writes.

The settings that make an acknowledged decision durable live here and nowhere else: foreign keys on,
the write-ahead log, ``synchronous = FULL`` (a committed write survives the process being killed),
and ``BEGIN IMMEDIATE`` for writes, so that two writers queue at the start of their transactions
instead of one failing half-way through. Reads begin a deferred transaction and see one snapshot.

Only SQLite is accepted for now. What a PostgreSQL backend needs, besides a test run of the suite
against a server:

- ``"postgresql"`` in :data:`SUPPORTED_DIALECTS` and the ``psycopg`` driver as an optional extra;
- the append-only guard of revision ``0002`` for PostgreSQL (a trigger function that raises);
- writers serialised the way ``BEGIN IMMEDIATE`` does on SQLite, e.g. a transaction-level
  advisory lock taken in :func:`_on_begin`;
- :meth:`curate.store.Workspace.exists` asking the server rather than looking for a file.
The queries themselves are SQLAlchemy Core and need no change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from curate.errors import WorkspaceError

__all__ = [
    "SUPPORTED_DIALECTS",
    "begin",
    "insert_many",
    "make_engine",
    "parse_url",
    "sqlite_file",
    "sqlite_url",
]

SUPPORTED_DIALECTS = ("sqlite",)
_SQLITE_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL")
_WRITE = "curate_write"  # execution option that makes the next BEGIN an IMMEDIATE one
_BUSY_TIMEOUT_S = 30


def sqlite_url(path: Path) -> str:
    """The URL of the SQLite database file at ``path``.

    Parameters
    ----------
    path : Path
        The database file; it need not exist yet.

    Returns
    -------
    str
        A ``sqlite:///`` URL naming ``path``.
    """
    return URL.create("sqlite", database=str(path)).render_as_string()


def parse_url(url: str) -> URL:
    """Parse a workspace database URL and check that curate can use it.

    Parameters
    ----------
    url : str
        An SQLAlchemy database URL, e.g. ``sqlite:////data/curate.db``.

    Returns
    -------
    URL
        The parsed URL.

    Raises
    ------
    WorkspaceError
        When the URL cannot be parsed, names a database curate does not support yet, or names an
        in-memory SQLite database (it would vanish between two commands).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WorkspaceError(f"{url!r} is not a database URL; use e.g. 'sqlite:////path/to/curate.db'") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_DIALECTS:
        raise WorkspaceError(
            f"curate stores workspaces in {', '.join(SUPPORTED_DIALECTS)} only for now, not {backend!r}; "
            "leave out the database URL to use the workspace's own curate.db"
        )
    if parsed.database in (None, "", ":memory:"):
        raise WorkspaceError(f"{url!r} is an in-memory database; a workspace needs a file, e.g. 'sqlite:////path/to/curate.db'")
    return parsed


def sqlite_file(url: str) -> Path:
    """The database file a SQLite URL names.

    Parameters
    ----------
    url : str
        A URL accepted by :func:`parse_url`.

    Returns
    -------
    Path
        The file, as the URL names it.
    """
    return Path(parse_url(url).database or "")


def make_engine(url: str) -> Engine:
    """An engine for the workspace database at ``url``, with curate's settings.

    Each connection is opened for one read or write and closed after it (no pool), as a workspace
    is used by short commands and by threads of the review server alike, and an idle pooled
    connection would keep the write-ahead log open after a command ends.

    Parameters
    ----------
    url : str
        A URL accepted by :func:`parse_url`.

    Returns
    -------
    Engine
        The engine; it opens no connection until one is asked for.

    Raises
    ------
    WorkspaceError
        When the URL is not one curate can use.
    """
    parsed = parse_url(url)
    engine = create_engine(parsed, poolclass=NullPool, connect_args={"timeout": _BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling would begin transactions lazily and in DEFERRED mode;
    # turning it off lets _on_begin say BEGIN IMMEDIATE itself (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def begin(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """A connection inside a transaction, committed when the block ends and rolled back if it raises.

    Parameters
    ----------
    engine : Engine
        An engine from :func:`make_engine`.
    write : bool
        Take the write lock at the start (``BEGIN IMMEDIATE``); otherwise a read transaction, which
        sees one consistent snapshot and blocks no writer.

    Returns
    -------
    Iterator[Connection]
        The connection, inside its transaction; closed when the block ends.
    """
    with engine.connect() as connection:
        if write:
            connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


def insert_many(connection: Connection, table: Table, columns: Sequence[str],
                values: Sequence[tuple[Any, ...]]) -> None:
    """Insert many rows at once, e.g. every finding of a run.

    SQLAlchemy compiles the INSERT once for the connection's dialect and the rows go to the driver
    as tuples: building and binding one dict per row costs seconds for a few hundred thousand
    findings, all of it inside the write transaction that makes reviewers wait.

    Parameters
    ----------
    connection : Connection
        A connection inside a write transaction.
    table : Table
        The table to insert into.
    columns : sequence of str
        The columns each row gives, in order.
    values : sequence of tuple
        The rows: plain Python values (int, float, str, None) the driver accepts as they are.
    """
    if not values:
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(columns))
    if compiled.positional:
        order = [list(columns).index(name) for name in compiled.positiontup or ()]
        if order != list(range(len(columns))):
            values = [tuple(row[i] for i in order) for row in values]
        connection.exec_driver_sql(compiled.string, list(values))
    else:
        connection.exec_driver_sql(compiled.string, [dict(zip(columns, row, strict=True)) for row in values])
