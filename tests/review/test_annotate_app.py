"""The annotation app through a test client: sign-in, roles, blind pages and JSON, the queue's limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from curate.review.accounts import create_account
from curate.store import Workspace
from curate.store.accounts import set_disabled
from curate.store.annotations import import_annotations, settings_history
from curate.store.decisions import read_decisions

from .conftest import CSRF

DATASET = "reviews"
PASSWORDS = {"boss": "boss-password-1", "ana": "ana-password-1", "bo": "bo-password-12", "cy": "cy-password-123"}
# Korean items and one with markup; imported labels: "imported" gave item k0 "pos"
TEXTS = ["정말 좋았습니다", "너무 별로였어요", "<script>alert(1)</script> 그냥 그래요", "다시 보고 싶어요"]


def annotation_workspace(root: Path, per_item: int = 2) -> Workspace:
    """Four Korean items, one imported label on k0, accounts boss (admin), ana, bo and cy (annotators)."""
    ws = Workspace(root)
    items = pd.DataFrame({"row_id": [f"k{i}" for i in range(4)],
                          "fields": [json.dumps({"text": t}, ensure_ascii=False) for t in TEXTS],
                          "content_hash": [f"h{i}" for i in range(4)]})
    import_annotations(ws, DATASET, items, [(0, "imported", "pos")], classes=["pos", "neg"], per_item=per_item,
                       guidelines="Read it all.\n<b>escaped</b>", reason="imported from test", imported_by="test")
    for name, password in PASSWORDS.items():
        create_account(ws, name, "admin" if name == "boss" else "annotator", password)
    return ws


@pytest.fixture
def annotation_ws(tmp_path: Path) -> Workspace:
    return annotation_workspace(tmp_path / "ws")


def _client(ws: Workspace) -> Iterator:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from curate.review.annotate_web import create_annotation_app

    with TestClient(create_annotation_app(ws, DATASET, csrf_token=CSRF), base_url="http://127.0.0.1",
                    follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(annotation_ws: Workspace) -> Iterator:  # type: ignore[no-untyped-def]
    yield from _client(annotation_ws)


@pytest.fixture
def other(annotation_ws: Workspace) -> Iterator:  # type: ignore[no-untyped-def]
    """A second browser: its own cookies."""
    yield from _client(annotation_ws)


def sign_in(client, name: str, password: str | None = None):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"name": name, "password": password or PASSWORDS[name], "csrf_token": CSRF})


def label(client, row_id: str, value: str | None):  # type: ignore[no-untyped-def]
    data = {"row_id": row_id, "csrf_token": CSRF, **({"label": value} if value is not None else {})}
    return client.post("/annotate", data=data)


def test_anonymous_visitors_go_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/annotate", "/admin"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert client.get("/api/annotate").status_code == 401
    assert client.get("/api/admin").status_code == 401
    page = client.get("/login")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_out_and_generic_failures(client, annotation_ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    wrong = sign_in(client, "ana", "not-her-password")
    unknown = sign_in(client, "nobody", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong.text) == strip(unknown.text)  # no user enumeration
    assert "wrong user name or password" in wrong.text and "curate_session" not in wrong.headers.get("set-cookie", "")
    assert client.post("/login", data={"name": "ana", "password": PASSWORDS["ana"]}).status_code == 403  # no CSRF
    ok = sign_in(client, "ana")
    assert ok.status_code == 303 and "HttpOnly" in ok.headers["set-cookie"]
    assert "samesite=strict" in ok.headers["set-cookie"].lower()
    assert client.get("/").headers["location"] == "/annotate"
    assert client.get("/api/annotate").json()["user"] == "ana"
    assert client.post("/logout", data={"csrf_token": CSRF}).status_code == 303
    assert client.get("/api/annotate").status_code == 401
    sign_in(client, "ana")
    set_disabled(annotation_ws, "ana")
    assert client.get("/api/annotate").status_code == 401  # a disabled account's session ends
    assert sign_in(client, "ana").status_code == 401


def test_admin_pages_refuse_annotators(client, other) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "ana")
    assert client.get("/admin").status_code == 403
    assert client.get("/api/admin").status_code == 403
    assert client.post("/admin/settings", data={"per_item": "5", "csrf_token": CSRF}).status_code == 403
    sign_in(other, "boss")
    assert other.get("/").headers["location"] == "/admin"
    assert other.get("/admin").status_code == 200


def _words(html: str) -> list[str]:
    return re.sub(r"<[^>]+>", " ", html).split()


def test_blind_until_one_labels_then_the_others_show(client, other) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "ana")
    sign_in(other, "bo")
    first = client.get("/api/annotate").json()
    assert first["item"]["row_id"] == "k1"  # fewest labels first: k0 has the imported one
    assert set(first) == {"item", "classes", "guidelines", "per_item", "remaining", "done", "reason", "why", "user"}
    assert (first["reason"], first["why"]) == ("order", "items with the fewest labels come first")
    for row_id in ("k1", "k2", "k3"):  # bo labels three items: now every item has one label
        assert label(other, row_id, "neg").status_code == 303
    # ana's next item is k0 (position order): neither the page nor the JSON shows the imported label
    page = client.get("/annotate")
    assert 'id="row-id">k0<' in page.text and 'id="previous"' not in page.text
    assert "imported" not in _words(page.text) and "bo" not in _words(page.text)
    assert "&lt;b&gt;escaped&lt;/b&gt;" in page.text  # guidelines are text, never HTML
    assert "imported" not in json.dumps(client.get("/api/annotate").json())
    assert client.get("/api/items/k0/labels").status_code == 403
    assert client.get("/api/items/k1/labels").status_code == 403
    answer = label(client, "k0", "pos")
    assert (answer.status_code, answer.headers["location"]) == (303, "/annotate?after=k0")
    after = client.get("/annotate?after=k0")
    assert 'id="previous-mine">pos<' in after.text and "imported: pos" in after.text
    # the next item, k1, was labelled by bo: his label stays hidden from ana until she gives hers
    assert 'id="row-id">k1<' in after.text and "bo" not in _words(after.text)
    assert "bo" not in json.dumps(client.get("/api/annotate").json())
    assert client.get("/api/items/k1/labels").status_code == 403
    label(client, "k1", "pos")
    assert client.get("/api/items/k1/labels").json()["others"] == [{"annotator": "bo", "label": "neg"}]
    assert "bo: neg" in client.get("/annotate?after=k1").text
    # ?after= of an item one has not labelled shows nothing
    assert 'id="previous"' not in client.get("/annotate?after=k2").text


def test_never_the_same_item_twice_and_at_most_k(client, other, annotation_ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "ana")
    seen = []
    while (task := client.get("/api/annotate").json())["item"] is not None:
        seen.append(task["item"]["row_id"])
        assert label(client, seen[-1], "pos" if len(seen) % 2 else None).status_code == 303  # label, skip, ...
    # fewest labels first, then position: k0 has the imported label
    assert seen == ["k1", "k2", "k3", "k0"]
    assert label(client, "k1", "neg").status_code == 409  # twice: refused
    assert client.post("/api/annotate", json={"row_id": "k1", "label": "neg"},
                       headers={"x-csrf-token": CSRF}).status_code == 409
    sign_in(other, "bo")
    bo_items = []
    while (task := other.get("/api/annotate").json())["item"] is not None:
        bo_items.append(task["item"]["row_id"])
        answer = other.post("/api/annotate", json={"row_id": bo_items[-1], "label": "neg"},
                            headers={"x-csrf-token": CSRF})
        assert answer.status_code == 200, answer.text
    assert bo_items == ["k2", "k0", "k1", "k3"]
    third = _client(annotation_ws)
    cy = next(third)
    sign_in(cy, "cy")
    assert cy.get("/api/annotate").json()["item"]["row_id"] == "k2"  # the only item below K = 2
    assert cy.post("/api/annotate", json={"row_id": "k0", "label": "neg"},
                   headers={"x-csrf-token": CSRF}).status_code == 409  # k0 has its 2 labels
    entries = [e for e in read_decisions(annotation_ws, DATASET) if e.action == "annotate"]
    assert pd.Series([e.row_id for e in entries]).value_counts().sort_index().to_dict() == {
        "k0": 2, "k1": 2, "k2": 1, "k3": 2}
    assert [e.row_id for e in read_decisions(annotation_ws, DATASET) if e.action == "skip"] == ["k2", "k0"]


def test_admin_sees_agreement_and_edits_settings(client, other, annotation_ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "boss")
    before = client.get("/api/admin").json()
    assert (before["complete"], before["labels"], before["agreement"]) == (0, 1, None)
    sign_in(other, "ana")
    label(other, "k0", "pos")
    now = client.get("/api/admin").json()
    assert (now["complete"], now["labels"], now["annotators"]["ana"]) == (1, 2, {"labels": 1, "skips": 0})
    assert now["agreement"]["raw_agreement"] == 1.0
    page = client.get("/admin")
    assert 'id="raw-agreement">1.000<' in page.text and 'data-annotator="ana"' in page.text
    # the count of items, and the items each pair shares, as numbers (not a method of the figures' dict)
    assert f'<span id="items">{now["items"]}</span>' in page.text and "built-in method" not in page.text
    saved = client.post("/admin/settings", data={"per_item": "3", "guidelines": "새 지침\r\n<i>x</i>",
                                                 "csrf_token": CSRF})
    assert saved.status_code == 303
    history = settings_history(annotation_ws, DATASET)
    assert [(s.per_item, s.guidelines, s.changed_by) for s in history][-1] == (3, "새 지침\n<i>x</i>", "boss")
    assert len(history) == 2
    assert "&lt;i&gt;x&lt;/i&gt;" in other.get("/annotate").text
    assert client.post("/admin/settings", data={"per_item": "0", "csrf_token": CSRF}).status_code in (400, 422)


def test_korean_and_markup_are_escaped(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "ana")
    page = client.get("/annotate")
    assert 'id="row-id">k1<' in page.text and "너무 별로였어요" in page.text
    label(client, "k1", "pos")
    page = client.get("/annotate?after=k1")
    assert 'id="row-id">k2<' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 그냥 그래요" in page.text and "<script>alert" not in page.text
    assert client.get("/api/annotate").json()["item"]["fields"] == {"text": TEXTS[2]}


def test_every_post_needs_the_csrf_token(client) -> None:  # type: ignore[no-untyped-def]
    from curate.review.annotate_web import create_annotation_app

    sign_in(client, "boss")
    posts = sorted(r.path for r in create_annotation_app(client.app.state.workspace, DATASET).routes
                   if "POST" in getattr(r, "methods", set()))
    assert posts == ["/admin/settings", "/annotate", "/api/annotate", "/login", "/logout"]
    for path in posts:
        assert client.post(path, data={"row_id": "k1", "label": "pos", "per_item": "2"}).status_code == 403, path
    assert client.get("/api/annotate").status_code == 200  # still signed in: /logout without the token did nothing


def test_repeated_failures_pause_a_name(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert sign_in(client, "ana", "guess-guess").status_code == 401
    paused = sign_in(client, "ana")  # the right password, but the name is paused for 30 s
    assert paused.status_code == 429 and "too many failed sign-ins for this name" in paused.text
    # a name no account has is paused the same way, so the pause tells nobody which names exist
    for _ in range(5):
        assert sign_in(client, "nobody", "guess-guess").status_code == 401
    assert sign_in(client, "nobody", "guess-guess").status_code == 429
    assert sign_in(client, "bo").status_code == 303  # other names are not affected


def test_agreement_is_recomputed_only_when_the_labels_change(client, other, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The admin page polls every 10 s; the summary (agreement, kappas) is computed once per state of the labels.
    import curate.review.annotate_web as annotate_web

    calls: list[int] = []
    summarise = annotate_web.annotation_summary
    monkeypatch.setattr(annotate_web, "annotation_summary", lambda view: calls.append(1) or summarise(view))
    sign_in(client, "boss")
    first = client.get("/api/admin").json()
    first["labels"] = -1  # a caller changing its copy leaves the cached summary as it was
    assert client.get("/api/admin").json()["labels"] == 1 and client.get("/admin").status_code == 200
    assert len(calls) == 1
    sign_in(other, "ana")
    label(other, "k0", "pos")
    assert client.get("/api/admin").json()["labels"] == 2
    assert len(calls) == 2
