"""Who is signed in to annotation mode: FastAPI dependencies over the app's server-side sessions.

Pages and their JSON twins declare ``user: User`` (any signed-in, enabled account) or
``user: Admin`` (admins only, 403 for annotators). Without a session the dependency raises
:class:`SignInRequired`, which the app answers with a redirect to ``/login`` (401 under ``/api/``).
The app keeps its :class:`~curate.review.accounts.Sessions` in ``app.state.sessions`` and its
workspace in ``app.state.workspace``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from curate.review.accounts import SESSION_COOKIE, Sessions
from curate.store.accounts import AccountRecord, account

__all__ = ["Admin", "SignInRequired", "User", "admin_account", "current_account"]


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page, the API answers 401."""


def current_account(request: Request) -> AccountRecord:
    """The signed-in, enabled account of the request (a FastAPI dependency).

    Parameters
    ----------
    request : fastapi.Request
        The request; its session cookie is looked up in the app's sessions.

    Returns
    -------
    AccountRecord
        The account.

    Raises
    ------
    SignInRequired
        When there is no session, or its account is gone or disabled.
    """
    store: Sessions = request.app.state.sessions
    cookie = request.cookies.get(SESSION_COOKIE)
    name = store.name(cookie)
    found = account(request.app.state.workspace, name) if name is not None else None
    if found is None or found.disabled:
        store.end(cookie)
        raise SignInRequired()
    return found


def admin_account(user: Annotated[AccountRecord, Depends(current_account)]) -> AccountRecord:
    """The signed-in account, if it is an admin (a FastAPI dependency).

    Parameters
    ----------
    user : AccountRecord
        The signed-in account.

    Returns
    -------
    AccountRecord
        The account.

    Raises
    ------
    fastapi.HTTPException
        403 for an annotator.
    """
    if user.role != "admin":
        raise HTTPException(403, "this page is for admins")
    return user


User = Annotated[AccountRecord, Depends(current_account)]
Admin = Annotated[AccountRecord, Depends(admin_account)]
