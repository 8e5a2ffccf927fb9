"""Who may talk to the review server: loopback binding, the access token, CSRF tokens, safe headers.

- The server binds 127.0.0.1 by default; any other address needs an access token, which every
  request must then carry (cookie, ``X-Curate-Token`` header, ``Authorization: Bearer`` or
  ``?token=``).
- Without a token, requests must name a loopback host in their Host header, which stops a web page
  elsewhere from reaching the server through DNS rebinding.
- Every POST carries the per-server-start CSRF token (hidden form field or ``X-CSRF-Token``).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from curate.errors import InputError

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "BindError",
    "GuardMiddleware",
    "check_bind",
    "is_loopback",
    "new_secret",
    "tokens_match",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "curate_token"
TOKEN_HEADER = "x-curate-token"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BindError(InputError):
    """The server was asked to listen where it may not."""


def new_secret() -> str:
    """A fresh random token (CSRF secret per server start, or a generated access token).

    Returns
    -------
    str
        32 random bytes from :mod:`secrets`, URL-safe base64 (43 characters).
    """
    return secrets.token_urlsafe(32)


def tokens_match(given: str | None, expected: str) -> bool:
    """Compare a token a request carries with the expected one, in constant time.

    Parameters
    ----------
    given : str or None
        The token the request carries; None when it carries none.
    expected : str
        The server's token.

    Returns
    -------
    bool
        True when ``given`` equals ``expected``; the comparison takes the same time wherever
        they differ, so it does not leak the token.
    """
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach (localhost, 127.0.0.0/8, ::1).

    Parameters
    ----------
    host : str
        A host name or IP address, IPv6 optionally in brackets; case and surrounding spaces are
        ignored.

    Returns
    -------
    bool
        True for a loopback name or address; False for anything else, unresolved names included.

    Examples
    --------
    >>> is_loopback("[::1]"), is_loopback("127.0.0.2"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen on a non-loopback ``host`` unless an access ``token`` protects every request.

    Raises BindError for ``check_bind("0.0.0.0", None)``; ``check_bind("127.0.0.1", None)`` passes.

    Parameters
    ----------
    host : str
        The address the server would listen on.
    token : str or None
        The access token every request would need; None for none.

    Raises
    ------
    BindError
        When ``token`` is shorter than 16 characters, or ``host`` is not loopback and there is
        no token.
    """
    if token is not None and len(token) < 16:
        raise BindError("--token must be at least 16 characters; generate one with: "
                        "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not is_loopback(host) and token is None:
        raise BindError(f"refusing to serve on {host} without an access token: other machines could read and "
                        "change the data; pass --token (at least 16 random characters) or bind 127.0.0.1")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _given_token(scope: Scope) -> tuple[str | None, bool]:
    """The access token a request carries, and whether it came in the query string."""
    header = _header(scope, TOKEN_HEADER.encode())
    if header:
        return header, False
    authorization = _header(scope, b"authorization") or ""
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    cookies = SimpleCookie()
    try:
        cookies.load(_header(scope, b"cookie") or "")
    except Exception:  # a malformed cookie header is the same as none
        cookies = SimpleCookie()
    if TOKEN_COOKIE in cookies:
        return cookies[TOKEN_COOKIE].value, False
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    return query.get("token"), "token" in query


class GuardMiddleware:
    """ASGI middleware: access token and Host checks on every request, security headers on every response.

    A GET that brings the token in its query string is answered with a cookie and a redirect to the
    same address without the token, so the token does not linger in the address bar or history.

    Without a token, a request whose Host header is not loopback is answered 403 (against DNS
    rebinding); with one, a request without the right token is answered 401.

    Parameters
    ----------
    app : ASGI application
        The application to guard.
    token : str or None
        The access token every request must carry; None: only the Host check applies.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token is None:
            host = _host_name(_header(scope, b"host") or "")
            if not is_loopback(host):
                await _plain(send, 403, "forbidden: this server only answers requests addressed to localhost")
                return
        else:
            given, in_query = _given_token(scope)
            if not tokens_match(given, self.token):
                await _plain(send, 401, "unauthorized: pass the access token (?token=..., cookie or header)")
                return
            if in_query and scope["method"] == "GET":
                query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
                         if k != "token"]
                target = scope["path"] + (f"?{urlencode(query)}" if query else "")
                cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                await _plain(send, 303, "see other", [(b"location", _quote_location(target)),
                                                      (b"set-cookie", cookie.encode())])
                return

        async def send_with_headers(message: Message) -> None:
            """Pass ``message`` on, adding the security headers a response start lacks.

            Parameters
            ----------
            message : MutableMapping
                An ASGI message; headers the application set are kept.
            """
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _quote_location(path: str) -> bytes:
    from urllib.parse import quote

    return quote(path, safe="/?&=%:@!$'()*+,;~-._").encode("latin-1")


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text + "\n").encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *SECURITY_HEADERS, *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
