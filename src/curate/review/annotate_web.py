"""The app of annotation mode (``curate annotate serve``): sign-in, blind labelling, the admin page.

It keeps the review app's guards (:class:`~curate.review.security.GuardMiddleware`: loopback or
access token, the security headers and strict CSP; a CSRF token on every POST) and adds accounts:
a signed-in session is a random server-side token in an HttpOnly, SameSite=Strict cookie. Pages
without a session redirect to ``/login`` (their JSON twins answer 401); admin pages answer 403 to
annotators. Each handler parses, calls one library function and presents the result; the pages
render exactly what their ``/api`` twins return, and neither carries anyone else's label for an
item before the annotator has given their own.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from curate.annotators.live import Trainer
from curate.annotators.standing import ConsensusCache
from curate.annotators.tasks import AnnotationView, annotation_summary, labels_of_item, load_view, next_item
from curate.errors import ConflictError, CurateError, InputError, NotFoundError
from curate.features import FeatureCache
from curate.review.accounts import SESSION_COOKIE, Sessions, Throttle, authenticate
from curate.review.annotate_auth import Admin, SignInRequired, User
from curate.review.annotate_learning import learning_chart, learning_data
from curate.review.render import STATIC, render_page
from curate.review.security import GuardMiddleware, new_secret
from curate.review.web import require_csrf
from curate.store import Workspace
from curate.store.accounts import AccountRecord, list_accounts
from curate.store.annotations import ANNOTATE, annotation_version, append_annotation, append_settings

__all__ = ["AnnotationRequest", "create_annotation_app"]

_FILES = {
    "annotate.js": "text/javascript; charset=utf-8",
    "annotate.css": "text/css; charset=utf-8",
}
_STATIC = {**STATIC, **{name: (resources.files("curate.review").joinpath("static", name).read_bytes(), kind)
                        for name, kind in _FILES.items()}}
_WRONG = "wrong user name or password"
_PAUSED = "too many failed sign-ins for this name in a row: wait 30 seconds, then try again"


class AnnotationRequest(BaseModel):
    """A label (or a skip) of one item, as the JSON API takes it.

    Attributes
    ----------
    row_id : str
        The item.
    label : str or None
        One of the classes; None to skip the item.
    """

    row_id: str
    label: str | None = None


def _status(exc: CurateError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 400 if isinstance(exc, InputError) else 500


def create_annotation_app(workspace: Workspace, dataset: str, *, token: str | None = None,
                          csrf_token: str | None = None, sessions: Sessions | None = None,
                          retrain_every: int | None = None, feature_cache: FeatureCache | None = None,
                          before_fit: Callable[[], None] | None = None) -> FastAPI:
    """The annotation app over ``dataset`` of ``workspace``.

    Parameters
    ----------
    workspace : Workspace
        The workspace holding the accounts and the annotation dataset.
    dataset : str
        The annotation dataset (from ``curate annotate import``).
    token : str, optional
        The access token every request must carry (needed off loopback); see
        :class:`~curate.review.security.GuardMiddleware`.
    csrf_token : str, optional
        The CSRF token; a fresh random one when None (tests pass their own).
    sessions : Sessions, optional
        Where signed-in sessions live; a new, empty store when None.
    retrain_every : int, optional
        Active learning: compute the items' features and replay the learning curve in the
        background now, retrain after this many new labels, and serve the model's ranking
        (:class:`~curate.annotators.live.Trainer`, on ``app.state.trainer``); None serves the
        fewest labels first, without a model.
    feature_cache : FeatureCache, optional
        Where the text features are cached.
    before_fit : callable, optional
        Called in the retraining worker before each fit (a test hook).

    Returns
    -------
    fastapi.FastAPI
        The ASGI app, to serve with uvicorn.

    Raises
    ------
    InputError
        When ``dataset`` is not an annotation dataset.
    """
    views: dict[str, Any] = {"key": None, "view": None}
    view_lock = threading.Lock()

    def read_view() -> AnnotationView:
        """The dataset as it stands, read again only when the ledger or the settings changed.

        Returns
        -------
        AnnotationView
            The latest read.
        """
        key = annotation_version(workspace, dataset)
        with view_lock:
            if views["key"] != key:
                views["view"], views["key"] = load_view(workspace, dataset), key
            return views["view"]

    read_view()  # refuse a dataset that is not one, before serving anything
    trainer = None if retrain_every is None else Trainer(read_view, every=retrain_every, cache=feature_cache,
                                                         before_fit=before_fit)
    store = sessions if sessions is not None else Sessions()
    throttle = Throttle()
    standings = ConsensusCache()
    app = FastAPI(title="curate annotate", version="1", docs_url=None, redoc_url=None,
                  description="Blind labelling by several annotators; every page's data as JSON.")
    app.add_middleware(GuardMiddleware, token=token)
    app.state.csrf_token = csrf_token or new_secret()
    app.state.sessions = store
    app.state.workspace = workspace
    app.state.trainer = trainer
    if trainer is not None:
        trainer.start()
    csrf = str(app.state.csrf_token)

    def page(template: str, user: AccountRecord | None, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render an annotation page with the dataset, the user and the CSRF token.

        Parameters
        ----------
        template : str
            The template's file name.
        user : AccountRecord or None
            Who is signed in.
        status_code : int, default 200
            The HTTP status.
        **context : Any
            The page's data.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return HTMLResponse(render_page(template, csrf_token=csrf, dataset=dataset, user=user, **context),
                            status_code=status_code)

    Csrf = [Depends(require_csrf)]

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        """Send a visitor without a session to the sign-in page; 401 under ``/api/``.

        Parameters
        ----------
        request : fastapi.Request
            The request.
        exc : SignInRequired
            The reason.

        Returns
        -------
        fastapi.responses.Response
            A redirect to ``/login`` or a 401 JSON answer.
        """
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """Answer an HTTP error as JSON under ``/api/`` and POSTs of scripts, as a page elsewhere.

        Parameters
        ----------
        request : fastapi.Request
            The request.
        exc : fastapi.HTTPException
            The error.

        Returns
        -------
        fastapi.responses.Response
            ``{"detail": ...}`` or the error page, with the error's status.
        """
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page("annotate_error.html", None, exc.status_code, status=exc.status_code,
                    message=str(exc.detail))

    @app.exception_handler(CurateError)
    async def curate_error(request: Request, exc: CurateError) -> Response:
        """Answer an expected failure with its message: 404, 409, 400 or 500.

        Parameters
        ----------
        request : fastapi.Request
            The request.
        exc : CurateError
            The failure.

        Returns
        -------
        fastapi.responses.Response
            ``{"detail": message}`` under ``/api/``, else the error page.
        """
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=_status(exc))
        return page("annotate_error.html", None, _status(exc), status=_status(exc), message=str(exc))

    # ----------------------------------------------------------------- sign-in
    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page() -> HTMLResponse:
        """The sign-in form.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        return page("login.html", None, message=None)

    @app.post("/login", dependencies=Csrf, include_in_schema=False)
    def login(name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "") -> Response:
        """Sign in: a session cookie and a redirect home, or the form again with one generic message.

        Parameters
        ----------
        name : str
            The user name.
        password : str
            The password.

        Returns
        -------
        fastapi.responses.Response
            303 to ``/`` with the cookie, 401 with the form, or 429 with the form while five
            failures in a row for that name pause it for 30 seconds.
        """
        given = name.strip()
        if throttle.blocked(given):
            # Counted by the name typed, existing or not, so saying so reveals no account; no hash work.
            return page("login.html", None, 429, message=_PAUSED)
        found = authenticate(workspace, given, password)
        throttle.record(given, found is not None)
        if found is None:
            return page("login.html", None, 401, message=_WRONG)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, store.start(found.name), httponly=True, samesite="strict", path="/")
        return response

    @app.post("/logout", dependencies=Csrf, include_in_schema=False)
    def logout(request: Request) -> Response:
        """Sign out: the session ends on the server and the cookie is cleared.

        Parameters
        ----------
        request : fastapi.Request
            The request carrying the session cookie.

        Returns
        -------
        fastapi.responses.Response
            303 to ``/login``.
        """
        store.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # --------------------------------------------------------------- annotators
    @app.get("/", include_in_schema=False)
    def home(user: User) -> Response:
        """Annotators go to their next item, admins to the admin page.

        Parameters
        ----------
        user : AccountRecord
            The signed-in account.

        Returns
        -------
        fastapi.responses.Response
            A 303 redirect.
        """
        return RedirectResponse("/admin" if user.role == "admin" else "/annotate", status_code=303)

    @app.get("/api/annotate", tags=["api"])
    def api_next(user: User) -> dict[str, Any]:
        """The signed-in annotator's next item, without anyone's labels, and their progress.

        \f
        Parameters
        ----------
        user : AccountRecord
            The signed-in account.

        Returns
        -------
        dict
            See :func:`curate.annotators.tasks.next_item`, plus ``user``.
        """
        return {**_task(read_view(), user.name), "user": user.name}

    @app.get("/api/items/{row_id:path}/labels", tags=["api"])
    def api_labels(row_id: str, user: User) -> dict[str, Any]:
        """Everyone's labels of an item: only for someone who has labelled or skipped it (else 403).

        \f
        Parameters
        ----------
        row_id : str
            The item.
        user : AccountRecord
            The signed-in account.

        Returns
        -------
        dict
            See :func:`curate.annotators.tasks.labels_of_item`.

        Raises
        ------
        fastapi.HTTPException
            403 before the asker's own label.
        """
        try:
            return labels_of_item(read_view(), row_id, user.name)
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from None

    @app.get("/annotate", response_class=HTMLResponse, include_in_schema=False)
    def annotate_page(user: User, after: str | None = None) -> HTMLResponse:
        """The next item, the guidelines and the class buttons; after a label, how the others labelled.

        Parameters
        ----------
        user : AccountRecord
            The signed-in account.
        after : str, optional
            The item the annotator just labelled; its labels are shown if they did.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        view = read_view()
        previous = None
        if after:
            try:
                previous = labels_of_item(view, after, user.name)
            except (PermissionError, NotFoundError):
                previous = None
        return page("annotate.html", user, task=_task(view, user.name), previous=previous)

    def _task(view: AnnotationView, name: str) -> dict[str, Any]:
        model = None if trainer is None else trainer.model
        if model is None:
            return next_item(view, name)
        return next_item(view, name, model.ranking, model.reasons)

    def _record(user: AccountRecord, row_id: str, label: str | None) -> int:
        entry = append_annotation(workspace, dataset, row_id=row_id, annotator=user.name,
                                  action=ANNOTATE if label is not None else "skip", label=label)
        if trainer is not None and label is not None:
            trainer.notify()
        return entry.id

    @app.post("/annotate", dependencies=Csrf, include_in_schema=False)
    def annotate(user: User, row_id: Annotated[str, Form()], label: Annotated[str | None, Form()] = None) -> Response:
        """Record the annotator's label (or a skip, without ``label``), then the next item.

        Parameters
        ----------
        user : AccountRecord
            The signed-in account.
        row_id : str
            The item.
        label : str, optional
            One of the classes; a skip when left out.

        Returns
        -------
        fastapi.responses.Response
            303 to ``/annotate?after=ROW``.
        """
        _record(user, row_id, label)
        return RedirectResponse(f"/annotate?{_query(after=row_id)}", status_code=303)

    @app.post("/api/annotate", dependencies=Csrf, tags=["api"])
    def api_annotate(request: AnnotationRequest, user: User) -> dict[str, Any]:
        """Record a label (or a skip, with ``label`` null); answers with the ledger entry's id.

        \f
        Parameters
        ----------
        request : AnnotationRequest
            The item and the label.
        user : AccountRecord
            The signed-in account.

        Returns
        -------
        dict
            ``entry`` (the ledger id), ``row_id`` and ``label``; 409 when the item is full or
            was labelled by this annotator already.
        """
        return {"entry": _record(user, request.row_id, request.label), "row_id": request.row_id,
                "label": request.label}

    # -------------------------------------------------------------------- admin
    # The agreement figures are recomputed only when the labels change: the admin page polls every
    # 10 s, and on KLUE-NLI's 3,000 items with five labels each one summary takes over a second.
    summaries: dict[str, Any] = {"view": None, "summary": None}
    summary_lock = threading.Lock()

    def _summary(view: AnnotationView) -> dict[str, Any]:
        with summary_lock:
            if summaries["view"] is not view:
                summaries["summary"], summaries["view"] = annotation_summary(view), view
            return copy.deepcopy(summaries["summary"])

    def _admin_data() -> dict[str, Any]:
        view = read_view()
        summary = _summary(view)
        summary["consensus"] = standings.get(view)
        summary.update(learning_data(trainer))
        summary["accounts"] = [{"name": a.name, "role": a.role, "disabled": a.disabled, "created_at": a.created_at}
                               for a in list_accounts(workspace)]
        return summary

    @app.get("/api/admin", tags=["api"])
    def api_admin(user: Admin) -> dict[str, Any]:
        """Progress, labels per annotator, agreement (Fleiss, Krippendorff, per class, per pair), settings.

        \f
        Parameters
        ----------
        user : AccountRecord
            The signed-in admin.

        Returns
        -------
        dict
            See :func:`curate.annotators.tasks.annotation_summary`, plus ``accounts`` and ``consensus`` (see
            :func:`curate.annotators.standing.consensus_standing`).
        """
        return _admin_data()

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def admin_page(user: Admin) -> HTMLResponse:
        """The admin page: settings, progress, annotators and agreement.

        Parameters
        ----------
        user : AccountRecord
            The signed-in admin.

        Returns
        -------
        fastapi.responses.HTMLResponse
            The page.
        """
        data = _admin_data()
        return page("annotate_admin.html", user, summary=data, learning_chart=learning_chart(data["learning_curve"]))

    @app.post("/admin/settings", dependencies=Csrf, include_in_schema=False)
    def save_settings(user: Admin, per_item: Annotated[int, Form(ge=1, le=100)],
                      guidelines: Annotated[str, Form()] = "") -> Response:
        """Append new settings (annotators per item, guidelines); the old ones stay in the history.

        Parameters
        ----------
        user : AccountRecord
            The signed-in admin.
        per_item : int
            Annotators per item, 1-100.
        guidelines : str
            The guidelines text.

        Returns
        -------
        fastapi.responses.Response
            303 to ``/admin``.
        """
        append_settings(workspace, dataset, per_item=per_item, guidelines=guidelines.replace("\r\n", "\n"),
                        changed_by=user.name)
        return RedirectResponse("/admin", status_code=303)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        """One of the app's fixed static files, by name.

        Parameters
        ----------
        name : str
            The file's name.

        Returns
        -------
        fastapi.responses.Response
            The file; 404 for any other name.

        Raises
        ------
        fastapi.HTTPException
            404 for a name that is not one of the fixed files.
        """
        if name not in _STATIC:
            raise HTTPException(404, "no such file")
        body, media_type = _STATIC[name]
        return Response(body, media_type=media_type, headers={"Cache-Control": "no-cache"})

    return app


def _query(**values: str) -> str:
    from urllib.parse import urlencode

    return urlencode(values)
