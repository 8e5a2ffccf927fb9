"""The review web app: each handler parses, calls one library function, and presents the result.

Every page has a JSON twin under ``/api/...`` that returns the very object the page renders.
State changes are POSTs that need the CSRF token; see :mod:`curate.review.security`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from curate.errors import CurateError, InputError, NotFoundError
from curate.review import bulk, pages
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
from curate.review.render import STATIC, item_url, queue_url, render_page
from curate.review.security import CSRF_FIELD, CSRF_HEADER, GuardMiddleware, new_secret, tokens_match
from curate.review.service import ReviewSession

__all__ = ["create_app"]

State = Literal["open", "decided", "all"]
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
            state: str | None) -> QueueFilter:
    if state not in (None, "", "open", "decided", "all"):
        raise InputError(f"state must be open, decided or all, not {state!r}")
    return QueueFilter(issue or None, label or None, _score(min_score, "min_score"), _score(max_score, "max_score"),
                       state or "open")  # type: ignore[arg-type]


def queue_filter(issue: str | None = None, label: str | None = None, min_score: str | None = None,
                 max_score: str | None = None, state: State | Literal[""] = "open") -> QueueFilter:
    """The queue filter from query parameters (empty values mean no filter)."""
    return _filter(issue, label, min_score, max_score, state)


def form_filter(issue: Annotated[str | None, Form()] = None, label: Annotated[str | None, Form()] = None,
                min_score: Annotated[str | None, Form()] = None, max_score: Annotated[str | None, Form()] = None,
                state: Annotated[str | None, Form()] = None) -> QueueFilter:
    """The queue filter a form posts back, so the next page continues the same queue."""
    return _filter(issue, label, min_score, max_score, state)


Filter = Annotated[QueueFilter, Depends(queue_filter)]
FormFilter = Annotated[QueueFilter, Depends(form_filter)]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=1000)]


async def require_csrf(request: Request) -> None:
    """403 unless the request carries this server's CSRF token (header or form field)."""
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


def create_app(session: ReviewSession, *, token: str | None = None, csrf_token: str | None = None) -> FastAPI:
    """The review app over ``session``; with ``token``, every request must carry that access token."""
    app = FastAPI(title="curate review", version="1", docs_url=None, redoc_url=None,
                  description="Review the findings of a curate audit; every page's data as JSON.")
    app.add_middleware(GuardMiddleware, token=token)
    app.state.csrf_token = csrf_token or new_secret()
    csrf = str(app.state.csrf_token)

    def html(template: str, **context: object) -> HTMLResponse:
        return HTMLResponse(render_page(template, csrf_token=csrf, reviewer=session.reviewer,
                                        dataset=session.dataset.name, run_id=session.run_id, **context))

    @app.exception_handler(CurateError)
    async def curate_error(request: Request, exc: CurateError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=_status(exc))
        return HTMLResponse(render_page("error.html", csrf_token=csrf, reviewer=session.reviewer,
                                        dataset=session.dataset.name, run_id=session.run_id, message=str(exc),
                                        status=_status(exc)), status_code=_status(exc))

    # ------------------------------------------------------------ JSON twins
    def api_get(path: str) -> Callable[[Endpoint], Endpoint]:
        return app.get("/api" + path, tags=["api"])

    def post(path: str, *, api: bool = False) -> Callable[[Endpoint], Endpoint]:
        """Every state change is a POST, and every POST needs the CSRF token."""
        return app.post(path, dependencies=[Depends(require_csrf)], tags=["api"] if api else None,
                        include_in_schema=api)

    @api_get("/dashboard")
    def api_dashboard() -> Dashboard:
        return pages.dashboard(session)

    @api_get("/queue")
    def api_queue(filter: Filter, offset: Offset = 0, limit: Limit = 50) -> Queue:
        return pages.queue(session, filter, offset, limit)

    @api_get("/items/{row_id:path}")
    def api_item(row_id: str, filter: Filter) -> Item:
        return pages.item(session, row_id, filter)

    @api_get("/history")
    def api_history() -> History:
        return pages.history(session)

    @api_get("/bulk")
    def api_bulk_preview(operation: str, filter: Filter) -> BulkPreview:
        return bulk.preview_bulk(session, operation, filter)

    @api_get("/session")
    def api_session() -> dict[str, str | int]:
        """Who reviews what, and the CSRF token a script must send as X-CSRF-Token with every POST."""
        return {"dataset": session.dataset.name, "run_id": session.run_id, "reviewer": session.reviewer,
                "csrf_token": csrf}

    @post("/api/decisions", api=True)
    def api_decide(request: DecisionRequest, filter: Filter) -> DecisionResult:
        return session.decide(request, filter)

    @post("/api/undo", api=True)
    def api_undo() -> LedgerEntry:
        return session.undo()

    @post("/api/bulk", api=True)
    def api_bulk_apply(operation: str, fingerprint: str, filter: Filter) -> BulkResult:
        return bulk.apply_bulk(session, operation, filter, fingerprint)

    # ------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page() -> HTMLResponse:
        return html("dashboard.html", data=pages.dashboard(session))

    @app.get("/queue", response_class=HTMLResponse, include_in_schema=False)
    def queue_page(filter: Filter, offset: Offset = 0, limit: Limit = 50) -> HTMLResponse:
        return html("queue.html", data=pages.queue(session, filter, offset, limit))

    @app.get("/item", response_class=HTMLResponse, include_in_schema=False)
    def item_by_query(row: str, filter: Filter) -> HTMLResponse:
        return html("item.html", data=pages.item(session, row, filter))

    @app.get("/item/{row_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def item_page(row_id: str, filter: Filter) -> HTMLResponse:
        return html("item.html", data=pages.item(session, row_id, filter))

    @app.get("/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page() -> HTMLResponse:
        return html("history.html", data=pages.history(session))

    @app.get("/bulk", response_class=HTMLResponse, include_in_schema=False)
    def bulk_page(filter: Filter, operation: str = "remove_duplicates") -> HTMLResponse:
        return html("bulk.html", data=bulk.preview_bulk(session, operation, filter))

    @post("/decide")
    def decide_form(row_id: Annotated[str, Form()], action: Annotated[str, Form()],
                    filter: FormFilter,
                    new_label: Annotated[str | None, Form()] = None,
                    decision_issue: Annotated[str | None, Form()] = None,
                    back_to: Annotated[str | None, Form()] = None) -> RedirectResponse:
        """Record one decision, then show the next item of the queue (or ``back_to``, a row id)."""
        if action not in ("keep", "relabel", "ambiguous", "remove", "skip"):
            raise InputError(f"unknown action {action!r}")
        if back_to:
            session.position_of(back_to)
        request = DecisionRequest(row_id, action, new_label or None, decision_issue or None)  # type: ignore[arg-type]
        result = session.decide(request, filter)
        target = (item_url(back_to, filter) if back_to else
                  item_url(result.next_row_id, filter) if result.next_row_id else queue_url(filter))
        return RedirectResponse(target, status_code=303)

    @post("/undo")
    def undo_form(filter: FormFilter) -> RedirectResponse:
        entry = session.undo()
        return RedirectResponse(item_url(entry.row_id, filter), status_code=303)

    @post("/bulk")
    def bulk_form(operation: Annotated[str, Form()], fingerprint: Annotated[str, Form()],
                  filter: FormFilter) -> RedirectResponse:
        bulk.apply_bulk(session, operation, filter, fingerprint)
        return RedirectResponse("/history", status_code=303)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "not found")
        body, media_type = STATIC[name]
        return Response(body, media_type=media_type)

    return app

