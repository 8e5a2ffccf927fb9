"""HTML of the review pages: autoescaping Jinja2 templates, so dataset content is never markup."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2

from curate.report.readable import readable_details
from curate.review.models import QueueFilter

__all__ = ["STATIC", "confirmed_url", "image_url", "item_url", "queue_url", "render_page"]


def item_url(row_id: str, filter: QueueFilter | None = None) -> str:
    """The item page of ``row_id``, keeping the queue filter; ids made only of dots go in the query.

    Parameters
    ----------
    row_id : str
        The row's id; percent-encoded into the path.
    filter : QueueFilter, optional
        The queue to keep in the query string.

    Returns
    -------
    str
        A site-relative URL, ``/item/ID?...`` or ``/item?row=ID&...``.

    Examples
    --------
    >>> item_url("a/b"), item_url("..")
    ('/item/a%2Fb', '/item?row=..')
    """
    query = dict(filter.query()) if filter is not None else {}
    if row_id.strip(".") == "":  # browsers collapse "." and ".." path segments, even percent-encoded
        return "/item?" + urlencode({"row": row_id, **query})
    return f"/item/{quote(row_id, safe='')}" + (f"?{urlencode(query)}" if query else "")


def image_url(row_id: str, size: str) -> str:
    """The address of ``row_id``'s picture at ``size``; ids made only of dots go in the query.

    Parameters
    ----------
    row_id : str
        The row's id; percent-encoded into the path.
    size : {"thumb", "large"}
        The picture's size.

    Returns
    -------
    str
        A site-relative URL, ``/rows/ID/image?size=...`` or ``/image?row=ID&size=...``.

    Examples
    --------
    >>> image_url("a/b", "thumb"), image_url("..", "large")
    ('/rows/a%2Fb/image?size=thumb', '/image?row=..&size=large')
    """
    if row_id.strip(".") == "":  # browsers collapse "." and ".." path segments, even percent-encoded
        return "/image?" + urlencode({"row": row_id, "size": size})
    return f"/rows/{quote(row_id, safe='')}/image?" + urlencode({"size": size})


def queue_url(filter: QueueFilter, **extra: Any) -> str:
    """The queue page of ``filter``, with extra query parameters.

    Parameters
    ----------
    filter : QueueFilter
        The queue.
    **extra : Any
        More query parameters (e.g. ``offset``); None values are left out.

    Returns
    -------
    str
        A site-relative URL, ``/queue?...``.
    """
    query = {**filter.query(), **{k: str(v) for k, v in extra.items() if v is not None}}
    return "/queue?" + urlencode(query)


def confirmed_url(url: str, entry_id: int, count: int = 1) -> str:
    """``url`` asking its page to confirm ledger entry ``entry_id`` (see :mod:`curate.review.confirmation`).

    The entry's id travels in the address, so the page after a form's redirect says what was
    recorded with no script and no server-side state.

    Parameters
    ----------
    url : str
        A site-relative URL, with or without a query string.
    entry_id : int
        The ledger entry to confirm.
    count : int, default 1
        How many entries the action recorded, ending with ``entry_id``.

    Returns
    -------
    str
        ``url`` with ``done`` (and ``count`` above 1) added to its query.

    Examples
    --------
    >>> confirmed_url("/item/r1?state=open", 7), confirmed_url("/history", 9, count=3)
    ('/item/r1?state=open&done=7', '/history?done=9&count=3')
    """
    query = {"done": str(entry_id), **({"count": str(count)} if count > 1 else {})}
    return url + ("&" if "?" in url else "?") + urlencode(query)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("curate.review", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals.update(image_url=image_url, item_url=item_url, queue_url=queue_url)
_ENV.filters["score"] = _score
_ENV.filters["readable"] = readable_details


def render_page(template: str, *, csrf_token: str, **context: Any) -> str:
    """Render ``template`` (a file in ``templates/``) with ``context`` and the page's CSRF token.

    Parameters
    ----------
    template : str
        The template's file name, e.g. ``queue.html``.
    csrf_token : str
        The server's CSRF token, put into every form.
    **context : Any
        The template's variables; every value is HTML-escaped when rendered.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    jinja2.UndefinedError
        When the template uses a variable ``context`` does not give.
    """
    return _ENV.get_template(template).render(csrf_token=csrf_token, **context)


def _static(name: str) -> bytes:
    return resources.files("curate.review").joinpath("static", name).read_bytes()


# The only files the server sends: read once, by fixed name; no request path ever reaches the disk.
STATIC: dict[str, tuple[bytes, str]] = {
    "review.js": (_static("review.js"), "text/javascript; charset=utf-8"),
    "review.css": (_static("review.css"), "text/css; charset=utf-8"),
}
