"""The review web app: each handler parses, calls one library function, and presents the result.

Every page has a JSON twin under ``/api/...`` that returns the very object the page renders.
State changes are POSTs that need the CSRF token; see :mod:`curate.review.security`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from curate.errors import CurateError, InputError, NotFoundError
from curate.review import bulk, pages
from curate.review.confirmation import confirmation
from curate.review.models import (
    BulkPreview,
    BulkResult,
    Dashboard,
    DecisionRequest,
    DecisionResult,
    History,
    Item,
    LedgerEntry,
    Queue,
    QueueFilter,
)
from curate.review.render import STATIC, confirmed_url, item_url, queue_url, render_page
from curate.review.security import CSRF_FIELD, CSRF_HEADER, GuardMiddleware, new_secret, tokens_match
from curate.review.service import ReviewSession, load_run

__all__ = ["create_app"]

State = Literal["open", "decided", "all"]
PictureSize = Annotated[Literal["thumb", "large"], Query()]
# A row's picture changes only with a new run of its dataset; the browser may keep it a while.
PICTURE_HEADERS = {"Cache-Control": "private, max-age=600", "X-Content-Type-Options": "nosniff"}
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def _score(value: str | None, name: str) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        score = float(value)
    except ValueError:
        raise InputError(f"{name} must be a number between 0 and 1, not {value!r}") from None
    if not 0.0 <= score <= 1.0:
        raise InputError(f"{name} must be between 0 and 1, not {value!r}")
    return score


def _filter(issue: str | None, label: str | None, min_score: str | None, max_score: str | None,
            state: str | None, given: str | None = None, suggested: str | None = None,
            slice: str | None = None) -> QueueFilter:
    if state not in (None, "", "open", "decided", "all"):
        raise InputError(f"state must be open, decided or all, not {state!r}")
    if label and given and label != given:
        raise InputError(f"given is another name for label; got label={label!r} and given={given!r}: pass one")
    if slice and "=" not in slice:
        raise InputError(f"slice must be COLUMN=VALUE, not {slice!r}")
    return QueueFilter(issue or None, label or given or None, _score(min_score, "min_score"),
                       _score(max_score, "max_score"), state or "open", suggested or None,  # type: ignore[arg-type]
                       slice or None)


def queue_filter(issue: str | None = None, label: str | None = None, min_score: str | None = None,
                 max_score: str | None = None, state: State | Literal[""] = "open", given: str | None = None,
                 suggested: str | None = None, slice: str | None = None) -> QueueFilter:
    """The queue filter from query parameters (empty values mean no filter).

    ``given`` and ``suggested`` name a cell of the noise matrix, as the report links to it
    (``?issue=label&given=A&suggested=B``).

    Parameters
    ----------
    issue : str, optional
        Only this issue type; every issue when None or empty.
    label : str, optional
        Only rows given this class (as the run judged them); every class when None or empty.
    min_score, max_score : str, optional
        The score range, numbers in [0, 1]; open-ended when None or empty.
    state : {"open", "decided", "all", ""}, default "open"
        Rows not decided yet, decided rows, or every row; empty means ``open``.
    given : str, optional
        Another name for ``label``.
    suggested : str, optional
        Only findings that suggest this class instead; any when None or empty.
    slice : str, optional
        ``COLUMN=VALUE``: only rows of that slice (as the Views page links a slice); all when None.

    Returns
    -------
    QueueFilter
        The filter.

    Raises
    ------
    InputError
        When a score is not a number in [0, 1], the state is unknown, ``label`` and ``given``
        differ, or ``slice`` is not ``COLUMN=VALUE`` (answered 400).
    """
    return _filter(issue, label, min_score, max_score, state, given, suggested, slice)


def form_filter(issue: Annotated[str | None, Form()] = None, label: Annotated[str | None, Form()] = None,
                min_score: Annotated[str | None, Form()] = None, max_score: Annotated[str | None, Form()] = None,
                state: Annotated[str | None, Form()] = None,
                suggested: Annotated[str | None, Form()] = None,
                slice: Annotated[str | None, Form()] = None) -> QueueFilter:
    """The queue filter a form posts back, so the next page continues the same queue.

    Parameters
    ----------
    issue : str, optional
        Only this issue type; every issue when None or empty.
    label : str, optional
        Only rows given this class; every class when None or empty.
    min_score, max_score : str, optional
        The score range, numbers in [0, 1]; open-ended when None or empty.
    state : {"open", "decided", "all", ""}, optional
        Rows not decided yet, decided rows, or every row; empty means ``open``.
    suggested : str, optional
        Only findings that suggest this class instead; any when None or empty.
    slice : str, optional
        ``COLUMN=VALUE``: only rows of that slice.

    Returns
    -------
    QueueFilter
        The filter.

    Raises
    ------
    InputError
        When a score is not a number in [0, 1], or the state is unknown (answered 400).
    """
    return _filter(issue, label, min_score, max_score, state, suggested=suggested, slice=slice)


Filter = Annotated[QueueFilter, Depends(queue_filter)]
FormFilter = Annotated[QueueFilter, Depends(form_filter)]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=1000)]
# The ledger entry a page confirms after a form's redirect, and how many one action recorded.
Done = Annotated[int | None, Query(ge=1)]
Count = Annotated[int, Query(ge=1)]


async def require_csrf(request: Request) -> None:
    """403 unless the request carries this server's CSRF token (header or form field).

    Parameters
    ----------
    request : fastapi.Request
        The POST request; the token is read from the ``X-CSRF-Token`` header, else from the
        ``csrf_token`` field of a form body.

    Raises
    ------
    fastapi.HTTPException
        403, when the token is missing or wrong.
    """
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not tokens_match(token, request.app.state.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def _status(exc: CurateError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, bulk.BulkConflictError):
        return 409
    return 400 if isinstance(exc, InputError) else 500


def create_app(session: ReviewSession, *, token: str | None = None, csrf_token: str | None = None,
               follow_newest: bool = False) -> FastAPI:
    """The review app over ``session``; with ``token``, every request must carry that access token.

    Every page has a JSON twin under ``/api/`` (listed in ``/openapi.json``); every POST needs the
    CSRF token. A CurateError becomes an HTTP error: 404 for NotFoundError, 409 for a bulk
    conflict, 400 for other input errors, 500 otherwise; JSON under ``/api/``, a page elsewhere.

    Parameters
    ----------
    session : ReviewSession
        The run under review and the reviewer.
    token : str, optional
        The access token every request must carry (see :class:`GuardMiddleware`); None: only
        requests addressed to localhost are answered.
    csrf_token : str, optional
        The CSRF token; a fresh random one when None (tests pass their own).
    follow_newest : bool, default False
        Before each request, switch to the newest run of the session's dataset when a newer one
        was recorded (a re-audit while the server runs), keeping the reviewer. When False (a run
        chosen by id), every page says when a newer run exists instead.

    Returns
    -------
    fastapi.FastAPI
        The ASGI app, to serve with uvicorn.
    """
    workspace = session.data.workspace
    switching = threading.Lock()

    def follow() -> None:
        """Serve the newest run of the dataset from this request on (with ``follow_newest``)."""
        nonlocal session
        newest = workspace.latest_run_id(session.dataset.name)
        if newest is None or newest <= session.run_id:
            return
        with switching:
            if newest > session.run_id:
                session = ReviewSession(load_run(workspace, newest), session.reviewer)

    def newer_run() -> int | None:
        """A newer run of the dataset than the one served, if there is one.

        Returns
        -------
        int or None
            The newest run's id, or None when the served run is the newest.
        """
        newest = workspace.latest_run_id(session.dataset.name)
        return newest if newest is not None and newest > session.run_id else None

    app = FastAPI(title="curate review", version="1", docs_url=None, redoc_url=None,
                  description="Review the findings of a curate audit; every page's data as JSON.",
                  dependencies=[Depends(follow)] if follow_newest else [])
    app.add_middleware(GuardMiddleware, token=token)
    app.state.csrf_token = csrf_token or new_secret()
    csrf = str(app.state.csrf_token)

    def html(template: str, done: int | None = None, count: int = 1, refused: str | None = None,
             status_code: int = 200, **context: object) -> HTMLResponse:
        """Render a page with the session's reviewer, dataset, run and CSRF token.

        Parameters
        ----------
        template : str
            The template's file name.
        done : int, optional
            A ledger entry to confirm in the page's status line (after a decision).
        count : int, default 1
            How many entries, ending with ``done``, the decision recorded.
        refused : str, optional
            Why a decision was not recorded, said in the status line instead of a confirmation.
        status_code : int, default 200
            The response's status.
        **context : object
            The page's data.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        said = f"not recorded: {refused}" if refused is not None else confirmation(session, done, count)
        return HTMLResponse(render_page(template, csrf_token=csrf, reviewer=session.reviewer,
                                        dataset=session.dataset.name, run_id=session.run_id,
                                        newer_run=newer_run(), confirmed=said, **context),
                            status_code=status_code)

    @app.exception_handler(CurateError)
    async def curate_error(request: Request, exc: CurateError) -> Response:
        """Answer an expected failure with its message and status: JSON under ``/api/``, else a page.

        Parameters
        ----------
        request : fastapi.Request
            The request that failed.
        exc : CurateError
            The failure.

        Returns
        -------
        fastapi.responses.Response
            ``{"detail": message}`` or the error page, with 404, 409, 400 or 500.
        """
        return error_answer(request, str(exc), _status(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """Answer an HTTP error (a wrong CSRF token, a page that is not there) as an expected failure is.

        Parameters
        ----------
        request : fastapi.Request
            The request that failed.
        exc : fastapi.HTTPException
            The error.

        Returns
        -------
        fastapi.responses.Response
            ``{"detail": message}`` under ``/api/``, else the error page, with the error's status.
        """
        return error_answer(request, str(exc.detail), exc.status_code)

    def error_answer(request: Request, message: str, status: int) -> Response:
        """``message`` with ``status``: JSON under ``/api/`` (scripts), the error page elsewhere (a browser).

        Parameters
        ----------
        request : fastapi.Request
            The request that failed.
        message : str
            What went wrong, in words.
        status : int
            The HTTP status.

        Returns
        -------
        fastapi.responses.Response
            ``{"detail": message}`` or the rendered error page.
        """
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        return HTMLResponse(render_page("error.html", csrf_token=csrf, reviewer=session.reviewer,
                                        dataset=session.dataset.name, run_id=session.run_id, message=message,
                                        newer_run=newer_run(), status=status, confirmed=None),
                            status_code=status)

    # ------------------------------------------------------------ JSON twins
    def api_get(path: str) -> Callable[[Endpoint], Endpoint]:
        """Register a GET handler under ``/api``, tagged ``api`` in the OpenAPI document.

        Parameters
        ----------
        path : str
            The path after ``/api``.

        Returns
        -------
        callable
            The route decorator.
        """
        return app.get("/api" + path, tags=["api"])

    def post(path: str, *, api: bool = False) -> Callable[[Endpoint], Endpoint]:
        """Every state change is a POST, and every POST needs the CSRF token.

        Parameters
        ----------
        path : str
            The route's path.
        api : bool, default False
            A JSON twin: listed in the OpenAPI document under the ``api`` tag.

        Returns
        -------
        callable
            The route decorator.
        """
        return app.post(path, dependencies=[Depends(require_csrf)], tags=["api"] if api else None,
                        include_in_schema=api)

    @api_get("/dashboard")
    def api_dashboard() -> Dashboard:
        """The dashboard: counts by issue and class, review progress, precision estimates.

        \f
        Returns
        -------
        Dashboard
            See :func:`curate.review.pages.dashboard`.
        """
        return pages.dashboard(session)

    @api_get("/queue")
    def api_queue(filter: Filter, offset: Offset = 0, limit: Limit = 50) -> Queue:
        """One page of the queue of flagged rows matching the filter.

        \f
        Parameters
        ----------
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.
        offset : int, default 0
            Rows of the queue to skip.
        limit : int, default 50
            The most entries, 1 to 1000.

        Returns
        -------
        Queue
            See :func:`curate.review.pages.queue`.
        """
        return pages.queue(session, filter, offset, limit)

    @api_get("/items/{row_id:path}")
    def api_item(row_id: str, filter: Filter) -> Item:
        """Everything about one row: input, labels, findings, suggestions, copies, neighbours, history.

        \f
        Parameters
        ----------
        row_id : str
            The row's id (the rest of the path; it may contain slashes).
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.

        Returns
        -------
        Item
            See :func:`curate.review.pages.item`; 404 for an unknown row.
        """
        return pages.item(session, row_id, filter)

    @api_get("/history")
    def api_history() -> History:
        """The ledger, newest entry first.

        \f
        Returns
        -------
        History
            See :func:`curate.review.pages.history`.
        """
        return pages.history(session)

    @api_get("/bulk")
    def api_bulk_preview(operation: str, filter: Filter) -> BulkPreview:
        """What a bulk operation would change in the queue, and the fingerprint to confirm it with.

        \f
        Parameters
        ----------
        operation : str
            One of ``BULK_OPERATIONS``.
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.

        Returns
        -------
        BulkPreview
            See :func:`curate.review.bulk.preview_bulk`.
        """
        return bulk.preview_bulk(session, operation, filter)

    @api_get("/session")
    def api_session() -> dict[str, str | int]:
        """Who reviews what, and the CSRF token a script must send as X-CSRF-Token with every POST.

        \f
        Returns
        -------
        dict
            ``dataset``, ``run_id``, ``reviewer`` and ``csrf_token``.
        """
        return {"dataset": session.dataset.name, "run_id": session.run_id, "reviewer": session.reviewer,
                "csrf_token": csrf}

    @post("/api/decisions", api=True)
    def api_decide(request: DecisionRequest, filter: Filter) -> DecisionResult:
        """Record one decision about one row; returns the ledger entry and the queue's next row.

        \f
        Parameters
        ----------
        request : DecisionRequest
            The JSON body: row, action, new label (relabel only), issue.
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.

        Returns
        -------
        DecisionResult
            See :meth:`ReviewSession.decide`.
        """
        return session.decide(request, filter)

    @post("/api/undo", api=True)
    def api_undo() -> LedgerEntry:
        """Undo this reviewer's latest decision still in effect.

        \f
        Returns
        -------
        LedgerEntry
            The appended undo entry; 400 when there is nothing to undo.
        """
        return session.undo()

    @post("/api/bulk/undo", api=True)
    def api_bulk_undo() -> list[LedgerEntry]:
        """Undo this reviewer's latest bulk operation, every entry of it still in effect, in one transaction.

        \f
        Returns
        -------
        list of LedgerEntry
            The appended undo entries; 400 when the reviewer's latest decision was not a bulk one.
        """
        return session.undo_bulk()

    @post("/api/bulk", api=True)
    def api_bulk_apply(operation: str, fingerprint: str, filter: Filter) -> BulkResult:
        """Apply a previewed bulk operation; 409 when the queue changed since the preview.

        \f
        Parameters
        ----------
        operation : str
            One of ``BULK_OPERATIONS``.
        fingerprint : str
            The preview's fingerprint.
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.

        Returns
        -------
        BulkResult
            See :func:`curate.review.bulk.apply_bulk`.
        """
        return bulk.apply_bulk(session, operation, filter, fingerprint)

    # ------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page() -> HTMLResponse:
        """The dashboard page (the HTML of ``/api/dashboard``).

        \f
        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("dashboard.html", data=pages.dashboard(session))

    @app.get("/views", response_class=HTMLResponse, include_in_schema=False)
    def views_page() -> HTMLResponse:
        """The report's views: the noise matrix, each cell a link to its rows' queue, and the slices.

        \f
        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("views.html", data=pages.views(session))

    @app.get("/queue", response_class=HTMLResponse, include_in_schema=False)
    def queue_page(filter: Filter, offset: Offset = 0, limit: Limit = 50, done: Done = None) -> HTMLResponse:
        """The queue page (the HTML of ``/api/queue``).

        \f
        Parameters
        ----------
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.
        offset : int, default 0
            Rows of the queue to skip.
        limit : int, default 50
            The most entries, 1 to 1000.
        done : int, optional
            The ledger entry to confirm (after the queue's last decision).

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("queue.html", done, data=pages.queue(session, filter, offset, limit))

    @app.get("/item", response_class=HTMLResponse, include_in_schema=False)
    def item_by_query(row: str, filter: Filter, done: Done = None) -> HTMLResponse:
        """The item page of a row named in the query string (for ids made only of dots).

        \f
        Parameters
        ----------
        row : str
            The row's id.
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.
        done : int, optional
            The ledger entry to confirm (after a decision).

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("item.html", done, data=pages.item(session, row, filter))

    @app.get("/item/{row_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def item_page(row_id: str, filter: Filter, done: Done = None) -> HTMLResponse:
        """The item page of one row (the HTML of ``/api/items/{row_id}``).

        \f
        Parameters
        ----------
        row_id : str
            The row's id (the rest of the path; it may contain slashes).
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.
        done : int, optional
            The ledger entry to confirm (after a decision).

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("item.html", done, data=pages.item(session, row_id, filter))

    @app.get("/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(done: Done = None, count: Count = 1) -> HTMLResponse:
        """The ledger page (the HTML of ``/api/history``).

        \f
        Parameters
        ----------
        done : int, optional
            The ledger entry to confirm (after a bulk operation).
        count : int, default 1
            How many entries, ending with ``done``, the operation recorded.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("history.html", done, count, data=pages.history(session))

    @app.get("/bulk", response_class=HTMLResponse, include_in_schema=False)
    def bulk_page(filter: Filter, operation: str = "remove_duplicates") -> HTMLResponse:
        """The bulk preview page, with the form that confirms it.

        \f
        Parameters
        ----------
        filter : QueueFilter
            The queue, from the query parameters ``issue``, ``label`` (or ``given``),
            ``suggested``, ``min_score``, ``max_score`` and ``state``.
        operation : str, default "remove_duplicates"
            One of ``BULK_OPERATIONS``.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return html("bulk.html", data=bulk.preview_bulk(session, operation, filter))

    @post("/decide")
    def decide_form(row_id: Annotated[str, Form()], action: Annotated[str, Form()],
                    filter: FormFilter,
                    new_label: Annotated[str | None, Form()] = None,
                    decision_issue: Annotated[str | None, Form()] = None,
                    back_to: Annotated[str | None, Form()] = None) -> Response:
        """Record one decision, then show the next item of the queue (or ``back_to``, a row id).

        \f
        Parameters
        ----------
        row_id : str
            The row decided about.
        action : str
            ``keep``, ``relabel``, ``ambiguous``, ``remove`` or ``skip``.
        filter : QueueFilter
            The queue the reviewer works through, from the form's filter fields.
        new_label : str, optional
            The new label, for ``relabel``.
        decision_issue : str, optional
            The issue the reviewer was looking at.
        back_to : str, optional
            A row id to return to instead of the queue's next row.

        Returns
        -------
        fastapi.responses.Response
            303 to the next item, ``back_to``'s item, or the queue when it is done, with ``done``
            naming the new ledger entry so that page confirms it; a decision the ledger refuses
            (a relabel to the label the row has) answers 400 with the same item page, its status
            line saying why, so that the keyboard flow goes on from there.

        Raises
        ------
        InputError
            When ``action`` is unknown (answered 400).
        NotFoundError
            When ``row_id`` or ``back_to`` is not a row (answered 404).
        """
        if action not in ("keep", "relabel", "ambiguous", "remove", "skip"):
            raise InputError(f"unknown action {action!r}")
        if back_to:
            session.position_of(back_to)
        request = DecisionRequest(row_id, action, new_label or None, decision_issue or None)  # type: ignore[arg-type]
        try:
            result = session.decide(request, filter)
        except InputError as exc:
            return html("item.html", refused=str(exc), status_code=400, data=pages.item(session, row_id, filter))
        target = (item_url(back_to, filter) if back_to else
                  item_url(result.next_row_id, filter) if result.next_row_id else queue_url(filter))
        return RedirectResponse(confirmed_url(target, result.entry.id), status_code=303)

    @post("/undo")
    def undo_form(filter: FormFilter) -> RedirectResponse:
        """Undo this reviewer's latest decision, then show the row it was about.

        \f
        Parameters
        ----------
        filter : QueueFilter
            The queue the reviewer works through, from the form's filter fields.

        Returns
        -------
        fastapi.responses.RedirectResponse
            303 to the undone row's item page, confirming the undo (``done``).
        """
        entry = session.undo()
        return RedirectResponse(confirmed_url(item_url(entry.row_id, filter), entry.id), status_code=303)

    @post("/bulk")
    def bulk_form(operation: Annotated[str, Form()], fingerprint: Annotated[str, Form()],
                  filter: FormFilter) -> RedirectResponse:
        """Apply a confirmed bulk operation, then show the ledger.

        \f
        Parameters
        ----------
        operation : str
            One of ``BULK_OPERATIONS``.
        fingerprint : str
            The fingerprint of the preview the reviewer confirmed.
        filter : QueueFilter
            The queue the reviewer works through, from the form's filter fields.

        Returns
        -------
        fastapi.responses.RedirectResponse
            303 to the history page, confirming what was recorded; 409 instead when the queue
            changed since the preview.
        """
        result = bulk.apply_bulk(session, operation, filter, fingerprint)
        if not result.entry_ids:
            return RedirectResponse("/history", status_code=303)
        return RedirectResponse(confirmed_url("/history", result.entry_ids[-1], result.applied), status_code=303)

    @post("/undo-bulk")
    def undo_bulk_form() -> RedirectResponse:
        """Undo this reviewer's latest bulk operation as a whole, then show the ledger.

        \f
        Returns
        -------
        fastapi.responses.RedirectResponse
            303 to the history page, confirming the undo entries; 400 when the reviewer's latest
            decision was not a bulk one.
        """
        entries = session.undo_bulk()
        return RedirectResponse(confirmed_url("/history", entries[-1].id, len(entries)), status_code=303)

    def picture(row_id: str, size: str) -> Response:
        """A row's picture as a PNG made anew from its pixels; 404 with a line of text when it has none.

        Parameters
        ----------
        row_id : str
            The row's id.
        size : str
            ``thumb`` or ``large``.

        Returns
        -------
        fastapi.responses.Response
            ``image/png`` with ``nosniff`` and a cache header, or a 404 ``text/plain`` answer.
        """
        try:
            png = session.picture(row_id, size)
        except NotFoundError as exc:
            return PlainTextResponse(str(exc), status_code=404)
        return Response(png, media_type="image/png", headers=PICTURE_HEADERS)

    # HEAD too, as for any file a browser or a link checker may probe: same headers, no body
    @app.api_route("/rows/{row_id:path}/image", methods=["GET", "HEAD"], include_in_schema=False)
    def row_picture(row_id: str, size: PictureSize = "thumb") -> Response:
        """The picture of one row, by its id (never by a file name): the rows of an image dataset.

        \f
        Parameters
        ----------
        row_id : str
            The row's id (the path between ``/rows/`` and ``/image``; it may contain slashes).
        size : {"thumb", "large"}, default "thumb"
            About 96 or 512 pixels on the longer side.

        Returns
        -------
        fastapi.responses.Response
            The PNG; 404 for an unknown row, a row without a readable picture, or a dataset that
            is not images.
        """
        return picture(row_id, size)

    @app.api_route("/image", methods=["GET", "HEAD"], include_in_schema=False)
    def row_picture_by_query(row: str, size: PictureSize = "thumb") -> Response:
        """The picture of a row named in the query string (for ids made only of dots).

        \f
        Parameters
        ----------
        row : str
            The row's id.
        size : {"thumb", "large"}, default "thumb"
            About 96 or 512 pixels on the longer side.

        Returns
        -------
        fastapi.responses.Response
            As :func:`row_picture`.
        """
        return picture(row, size)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        """One of the app's fixed static files (script and style sheet), by name.

        \f
        Parameters
        ----------
        name : str
            ``review.js`` or ``review.css``.

        Returns
        -------
        fastapi.responses.Response
            The file, with its media type.

        Raises
        ------
        fastapi.HTTPException
            404 for any other name.
        """
        if name not in STATIC:
            raise HTTPException(404, "not found")
        body, media_type = STATIC[name]
        return Response(body, media_type=media_type)

    return app

