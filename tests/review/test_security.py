"""Safety of the review app: escaping, CSRF, no filesystem paths, loopback binding, access token."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from curate.review.security import BindError, check_bind, is_loopback
from curate.store import Workspace
from curate.store.decisions import read_decisions

from ..conftest import assert_one_line_error
from .conftest import CSRF, DATASET, SCRIPT_COPY, SCRIPT_ROW, SCRIPT_TEXT, csrf_from

LITERAL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _ledger(workspace: Path) -> list:
    return read_decisions(Workspace(workspace), DATASET)


# ------------------------------------------------------------------ XSS
@pytest.mark.parametrize("url", ["/queue?issue=exact_duplicate", f"/item/{SCRIPT_ROW}", f"/item/{SCRIPT_COPY}",
                                 "/bulk?operation=remove_duplicates&issue=exact_duplicate&state=all"])
def test_dataset_text_is_escaped(client, url: str) -> None:
    html = client.get(url).text
    assert LITERAL not in html
    assert ESCAPED in html


def test_escaping_check_would_catch_autoescape_off(client, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above has teeth: with autoescape off, the literal tag reaches the page."""
    from curate.review import render

    monkeypatch.setattr(render, "_ENV", render._ENV.overlay(autoescape=False, cache_size=0))
    html = client.get(f"/item/{SCRIPT_ROW}").text
    assert LITERAL in html


def test_template_environment_autoescapes() -> None:
    from curate.review import render

    assert render._ENV.autoescape is True
    assert isinstance(render._ENV.undefined, type) and issubclass(render._ENV.undefined, jinja2.StrictUndefined)


def test_json_twin_returns_raw_text_and_html_the_escaped_form(client) -> None:
    data = client.get(f"/api/items/{SCRIPT_ROW}").json()
    assert data["input"]["text"] == SCRIPT_TEXT
    assert client.get(f"/item/{SCRIPT_ROW}").headers["content-security-policy"].startswith("default-src 'none'")


# ------------------------------------------------------------------ CSRF
def test_form_post_without_csrf_is_refused_and_records_nothing(client, review_ws: Path) -> None:
    form = {"row_id": "x-wrong", "action": "relabel", "new_label": "food"}
    for extra in ({}, {"csrf_token": "wrong"}, {"csrf_token": ""}):
        response = client.post("/decide", data={**form, **extra}, follow_redirects=False)
        assert response.status_code == 403
    assert _ledger(review_ws) == []
    token = csrf_from(client.get("/item/x-wrong").text)
    assert token == CSRF
    response = client.post("/decide", data={**form, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    entries = _ledger(review_ws)
    assert [(e.row_id, e.action, e.new_value) for e in entries] == [("x-wrong", "relabel", "food")]


def test_json_post_without_csrf_is_refused(client, review_ws: Path) -> None:
    body = {"row_id": "x-wrong", "action": "keep"}
    assert client.post("/api/decisions", json=body).status_code == 403
    assert client.post("/api/decisions", json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert _ledger(review_ws) == []
    response = client.post("/api/decisions", json=body, headers={"X-CSRF-Token": CSRF})
    assert response.status_code == 200
    assert len(_ledger(review_ws)) == 1


def test_every_post_route_needs_the_csrf_token(client, review_ws: Path) -> None:
    posts = [r.path for r in client.app.routes if "POST" in getattr(r, "methods", set())]
    assert set(posts) >= {"/decide", "/undo", "/bulk", "/api/decisions", "/api/undo", "/api/bulk"}
    assert set(posts) >= {"/undo-bulk", "/api/bulk/undo"}
    for path in posts:
        refused = client.post(path, data={"row_id": "x-wrong", "action": "keep"})
        assert refused.status_code == 403, path
        if path.startswith("/api/"):  # a script gets JSON, a browser the error page
            assert refused.json() == {"detail": "missing or wrong CSRF token: reload the page and try again"}
        else:
            assert refused.headers["content-type"].startswith("text/html"), path
            assert "missing or wrong CSRF token: reload the page and try again" in refused.text
    assert _ledger(review_ws) == []


# ------------------------------------------------------------------ no path reaches the filesystem
@pytest.mark.parametrize("url", [
    "/item/..%2F..%2Fetc%2Fpasswd", "/item/%2e%2e/", "/item/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/item/../../etc/passwd",
    "/item//etc/passwd", "/item/%2Fetc%2Fpasswd", "/item?row=../../etc/passwd", "/item?row=/etc/passwd",
    "/api/items/..%2F..%2Fetc%2Fpasswd", "/api/items/%2Fetc%2Fpasswd", "/static/..%2F..%2Fcurate.db",
    "/static/..%2Fservice.py", "/static/%2Fetc%2Fpasswd", "/item/curate.db", "/api/items/sources",
])
def test_paths_are_not_rows(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert "root:" not in response.text and "SQLite format" not in response.text


def test_row_ids_that_are_workspace_paths_are_unknown(client, review_ws: Path) -> None:
    for row_id in (str(review_ws / "curate.db"), "../curate.db", "sources"):
        assert client.get("/item", params={"row": row_id}).status_code == 404
        response = client.post("/decide", data={"row_id": row_id, "action": "remove", "csrf_token": CSRF})
        assert response.status_code == 404
    assert _ledger(review_ws) == []


# ------------------------------------------------------------------ binding and access token
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_need_no_token(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", ""])
def test_other_hosts_are_refused_without_a_token(host: str) -> None:
    with pytest.raises(BindError, match="without an access token"):
        check_bind(host, None)
    check_bind(host, "t" * 32)


def test_a_short_token_is_refused() -> None:
    with pytest.raises(BindError, match="at least 16"):
        check_bind("0.0.0.0", "short")


def test_cli_refuses_a_public_host_without_a_token(review_ws: Path) -> None:
    from click.testing import CliRunner

    from curate.cli.review import review_command

    result = CliRunner().invoke(review_command, ["-w", str(review_ws), "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert_one_line_error(result, "refusing to serve on 0.0.0.0", "--token")


def test_cli_reports_a_missing_workspace(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from curate.cli.review import review_command

    result = CliRunner().invoke(review_command, ["-w", str(tmp_path / "nowhere"), "--port", "0"])
    assert result.exit_code == 2
    assert_one_line_error(result, "no curate workspace", "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_requests_for_other_hosts_are_refused(client) -> None:
    """DNS rebinding: a page elsewhere that resolves its name to 127.0.0.1 still names its own host."""
    assert client.get("/api/dashboard", headers={"Host": "evil.example"}).status_code == 403
    assert client.get("/api/dashboard", headers={"Host": "localhost:8000"}).status_code == 200


def test_access_token_is_required_on_every_request(session) -> None:
    from fastapi.testclient import TestClient

    from curate.review.web import create_app

    token = "s3cret-token-0123456789"
    app = create_app(session, token=token, csrf_token=CSRF)
    with TestClient(app, base_url="http://192.168.1.20") as anonymous:
        for url in ("/", "/queue", "/api/dashboard", "/openapi.json", "/static/review.js"):
            assert anonymous.get(url).status_code == 401, url
        assert anonymous.get("/", params={"token": "wrong"}).status_code == 401
        assert anonymous.post("/api/undo", headers={"X-CSRF-Token": CSRF}).status_code == 401
        assert anonymous.get("/api/dashboard", headers={"X-Curate-Token": token}).status_code == 200
        assert anonymous.get("/api/dashboard", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        # the token in the address: answered with a cookie and the same address without it
        first = anonymous.get("/queue", params={"token": token, "issue": "label"}, follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/queue?issue=label"
        assert "HttpOnly" in first.headers["set-cookie"]
        assert anonymous.get("/queue?issue=label").status_code == 200  # the cookie now


def test_a_busy_port_is_a_clear_error() -> None:
    from curate.cli.review import open_socket
    from curate.errors import InputError

    with open_socket("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}.*--port"):
            open_socket("127.0.0.1", port)
