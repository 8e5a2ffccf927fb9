"""SQL of annotation mode's accounts: who may sign in, with which role; argon2 hashes, never passwords.

Hashing and checking passwords is :mod:`curate.review.accounts`' job; this module only stores the
hash. Only an account's ``disabled`` flag ever changes in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from curate.errors import InputError, NotFoundError
from curate.store.schema import accounts
from curate.store.workspace import Workspace

__all__ = ["ROLES", "AccountRecord", "account", "add_account", "list_accounts", "set_disabled"]

ROLES = ("admin", "annotator")


@dataclass(frozen=True)
class AccountRecord:
    """One account of annotation mode.

    Attributes
    ----------
    name : str
        The user name (unique).
    role : str
        ``admin`` or ``annotator``.
    created_at : str
        When it was added, ISO 8601 in UTC.
    disabled : bool
        Whether it may no longer sign in.
    password_hash : str
        The argon2 hash (never the password); left out of the repr.
    """

    name: str
    role: str
    created_at: str
    disabled: bool
    password_hash: str = field(repr=False)


def _account(row: Any) -> AccountRecord:
    return AccountRecord(row.name, row.role, row.created_at, bool(row.disabled), row.password_hash)


def add_account(workspace: Workspace, name: str, role: str, password_hash: str) -> AccountRecord:
    """Add an account; the caller hashes the password (see ``curate.review.accounts``).

    Parameters
    ----------
    workspace : Workspace
        The workspace; created if it does not exist yet.
    name : str
        The user name: 1-64 characters, no spaces at either end.
    role : {"admin", "annotator"}
        What the account may do.
    password_hash : str
        The argon2 hash of the password.

    Returns
    -------
    AccountRecord
        The new account.

    Raises
    ------
    InputError
        When the name is empty, too long or taken, or the role is unknown.
    """
    if role not in ROLES:
        raise InputError(f"--role must be admin or annotator, not {role!r}")
    if not name or name != name.strip() or len(name) > 64:
        raise InputError(f"user name {name!r} must be 1-64 characters with no spaces at either end")
    with workspace.transaction() as txn:
        con = txn.connection
        if con.execute(select(accounts.c.id).where(accounts.c.name == name)).first() is not None:
            raise InputError(f"an account named {name!r} exists already; pick another name")
        con.execute(insert(accounts).values(name=name, role=role, password_hash=password_hash,
                                            created_at=datetime.now(UTC).isoformat(timespec="seconds"), disabled=0))
        row = con.execute(select(accounts).where(accounts.c.name == name)).one()
    return _account(row)


def account(workspace: Workspace, name: str) -> AccountRecord | None:
    """The account called ``name``, or None.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.
    name : str
        The user name.

    Returns
    -------
    AccountRecord or None
        None when there is no such account or no workspace yet.
    """
    if not workspace.exists():
        return None
    with workspace._read() as con:
        row = con.execute(select(accounts).where(accounts.c.name == name)).first()
    return None if row is None else _account(row)


def list_accounts(workspace: Workspace) -> list[AccountRecord]:
    """Every account, in the order they were added.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read.

    Returns
    -------
    list of AccountRecord
        Empty when there is no workspace yet.
    """
    if not workspace.exists():
        return []
    with workspace._read() as con:
        return [_account(r) for r in con.execute(select(accounts).order_by(accounts.c.id))]


def set_disabled(workspace: Workspace, name: str, disabled: bool = True) -> AccountRecord:
    """Disable (or enable again) an account; a disabled account cannot sign in, and its sessions end.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    name : str
        The user name.
    disabled : bool, default True
        The new state.

    Returns
    -------
    AccountRecord
        The account after the change.

    Raises
    ------
    NotFoundError
        When there is no such account.
    """
    with workspace.transaction() as txn:
        con = txn.connection
        done = con.execute(update(accounts).where(accounts.c.name == name).values(disabled=int(disabled)))
        if done.rowcount == 0:
            raise NotFoundError(f"no account named {name!r}; 'curate annotate user list' shows them")
        row = con.execute(select(accounts).where(accounts.c.name == name)).one()
    return _account(row)
