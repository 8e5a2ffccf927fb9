"""Accounts of annotation mode: argon2 password hashes, sign-in checks, server-side sessions.

Passwords are hashed with argon2id by ``argon2-cffi`` (its default parameters, RFC 9106's second
recommended setting); a password never reaches the database, a log or an error message. Signing in
with an unknown name costs the same hash as a wrong password, and both get the same answer, so the
sign-in page does not tell which names exist. A session is a random token the server keeps in
memory: signing out, a server restart or disabling the account ends it.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from curate.errors import InputError
from curate.store import Workspace
from curate.store.accounts import AccountRecord, account, add_account

__all__ = ["MIN_PASSWORD", "SESSION_COOKIE", "Sessions", "Throttle", "authenticate", "create_account", "hash_password"]

MIN_PASSWORD = 8
SESSION_COOKIE = "curate_session"
SESSION_SECONDS = 12 * 3600
_HASHER = PasswordHasher()
# Verified against when the name is unknown or disabled, so that case takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, in PHC string form (parameters and salt included).

    Parameters
    ----------
    password : str
        At least 8 characters.

    Returns
    -------
    str
        ``$argon2id$v=19$m=...``.

    Raises
    ------
    InputError
        When the password is shorter than 8 characters.
    """
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def create_account(workspace: Workspace, name: str, role: str, password: str) -> AccountRecord:
    """Add an account with the hash of ``password``.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    name : str
        The user name.
    role : {"admin", "annotator"}
        What the account may do.
    password : str
        The password, at least 8 characters; only its hash is stored.

    Returns
    -------
    AccountRecord
        The new account.

    Raises
    ------
    InputError
        When the password is too short, the name is taken or unusable, or the role unknown.
    """
    return add_account(workspace, name, role, hash_password(password))


def authenticate(workspace: Workspace, name: str, password: str) -> AccountRecord | None:
    """The account if ``password`` is its password and it is enabled; None otherwise, whatever the reason.

    Parameters
    ----------
    workspace : Workspace
        The workspace.
    name : str
        The user name given.
    password : str
        The password given.

    Returns
    -------
    AccountRecord or None
        None for an unknown name, a disabled account or a wrong password alike.
    """
    found = account(workspace, name) if name else None
    usable = found is not None and not found.disabled
    try:
        _HASHER.verify(found.password_hash if usable and found is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return found if usable else None


@dataclass(frozen=True)
class _Session:
    name: str
    expires: float


class Sessions:
    """Signed-in users by session token, kept in the server's memory (thread-safe).

    Parameters
    ----------
    lifetime : float, default 43200
        Seconds a session lasts from sign-in.
    """

    def __init__(self, lifetime: float = SESSION_SECONDS) -> None:
        self.lifetime = lifetime
        self._by_token: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def start(self, name: str) -> str:
        """A new session for ``name``.

        Parameters
        ----------
        name : str
            The account name.

        Returns
        -------
        str
            The token for the session cookie: 32 random bytes, URL-safe.
        """
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token[token] = _Session(name, time.monotonic() + self.lifetime)
        return token

    def name(self, token: str | None) -> str | None:
        """Whose session ``token`` is, or None (no token, unknown, or expired).

        Parameters
        ----------
        token : str or None
            The cookie's value.

        Returns
        -------
        str or None
            The account name.
        """
        if not token:
            return None
        with self._lock:
            found = self._by_token.get(token)
            if found is not None and found.expires < time.monotonic():
                del self._by_token[token]
                found = None
        return None if found is None else found.name

    def end(self, token: str | None) -> None:
        """End the session ``token`` (sign out); nothing happens for an unknown one.

        Parameters
        ----------
        token : str or None
            The cookie's value.
        """
        if token:
            with self._lock:
                self._by_token.pop(token, None)


class Throttle:
    """Slows password guessing: after ``limit`` failed sign-ins for one name, that name waits ``pause`` seconds.

    Counted by the name given, whether or not an account has it, so the pause does not tell which
    names exist; a successful sign-in clears the count.

    Parameters
    ----------
    limit : int, default 5
        Failures allowed in a row.
    pause : float, default 30
        Seconds every attempt for that name is refused after the limit.
    """

    def __init__(self, limit: int = 5, pause: float = 30.0) -> None:
        self.limit = limit
        self.pause = pause
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def blocked(self, name: str) -> bool:
        """Whether attempts for ``name`` are paused now.

        Parameters
        ----------
        name : str
            The user name given.

        Returns
        -------
        bool
            True within ``pause`` seconds of the ``limit``-th failure in a row.
        """
        with self._lock:
            count, last = self._failures.get(name, (0, 0.0))
        return count >= self.limit and time.monotonic() - last < self.pause

    def record(self, name: str, success: bool) -> None:
        """Count a failed attempt for ``name``, or clear its count after a success.

        Parameters
        ----------
        name : str
            The user name given.
        success : bool
            Whether the attempt signed in.
        """
        with self._lock:
            if success:
                self._failures.pop(name, None)
            else:
                count, _ = self._failures.get(name, (0, 0.0))
                self._failures[name] = (count + 1, time.monotonic())
