"""Annotation mode in a real browser (Debian's headless Chromium): two annotators label blind, the admin watches."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from curate.store import Workspace
from curate.store.decisions import read_decisions

from .conftest import serve_app
from .test_annotate_app import DATASET, PASSWORDS, TEXTS, annotation_workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def annotation_server(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    """The annotation app over four Korean items (K = 2) served by uvicorn on a free 127.0.0.1 port."""
    from curate.review.annotate_web import create_annotation_app

    ws = annotation_workspace(tmp_path / "ws", per_item=2)
    for base in serve_app(create_annotation_app(ws, DATASET)):
        yield base, ws


def _sign_in(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/annotate")
    assert page.url.endswith("/login")  # anonymous: sent to sign in
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORDS[name])
    page.click("#login-submit")
    page.wait_for_selector("#user")


def _json(page, base: str, path: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """GET ``path`` with the page's own session cookie, as its script would."""
    answer = page.request.get(f"{base}{path}")
    return answer.status, answer.text()


def _ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("html[data-keys=ready]", state="attached")


def test_two_annotators_label_blind_and_the_admin_sees_agreement(  # type: ignore[no-untyped-def]
        browser, annotation_server: tuple[str, Workspace]) -> None:
    from playwright.sync_api import expect

    base, ws = annotation_server
    contexts = {name: browser.new_context(viewport={"width": 1200, "height": 800}) for name in ("ana", "bo", "boss")}
    try:
        ana, bo, boss = (contexts[n].new_page() for n in ("ana", "bo", "boss"))
        _sign_in(boss, base, "boss")
        expect(boss.locator("#agreement-none")).to_be_visible()  # only the one imported label so far
        expect(boss.locator("#raw-agreement")).to_have_text("\u2013")

        _sign_in(ana, base, "ana")
        _sign_in(bo, base, "bo")
        # both start on k1 (no labels); the Korean text is shown as text
        for page in (ana, bo):
            _ready(page)
            expect(page.locator("#row-id")).to_have_text("k1")
            expect(page.locator(".item-text")).to_have_text(TEXTS[1])
            expect(page.locator("#guidelines")).to_contain_text("<b>escaped</b>")

        # ana labels k1 (key 2: neg), k2 and k3 (key 1: pos); nobody else has labelled them yet
        ana.keyboard.press("2")
        expect(ana.locator("#previous-mine")).to_have_text("neg")
        expect(ana.locator("#previous-others")).to_have_text("Nobody else has labelled it yet.")
        for row_id in ("k2", "k3"):
            _ready(ana)
            expect(ana.locator("#row-id")).to_have_text(row_id)
            ana.keyboard.press("1")
            expect(ana.locator("#previous-row")).to_have_text(row_id)
        expect(ana.locator("#row-id")).to_have_text("k0")  # every item has one label now: position order

        # bo's queue is k0 (the imported label), k1, k2, k3: blind to both the import and ana
        bo.reload()
        _ready(bo)
        expect(bo.locator("#row-id")).to_have_text("k0")
        assert "imported" not in re.sub(r"<[^>]+>", " ", bo.content()).split()
        assert _json(bo, base, "/api/items/k0/labels")[0] == 403
        bo.keyboard.press("1")
        expect(bo.locator("#previous-others")).to_have_text("imported: pos")

        _ready(bo)
        expect(bo.locator("#row-id")).to_have_text("k1")
        assert "ana" not in re.sub(r"<[^>]+>", " ", bo.content()).split()
        status, body = _json(bo, base, "/api/annotate")
        assert status == 200 and "ana" not in body and json.loads(body)["item"]["row_id"] == "k1"
        assert _json(bo, base, "/api/items/k1/labels")[0] == 403
        bo.keyboard.press("2")  # neg, as ana: after his own label he sees hers
        expect(bo.locator("#previous-mine")).to_have_text("neg")
        expect(bo.locator("#previous-others")).to_have_text("ana: neg")
        status, body = _json(bo, base, "/api/items/k1/labels")
        assert status == 200 and json.loads(body)["others"] == [{"annotator": "ana", "label": "neg"}]

        # k2: the markup shows as text; bo clicks neg where ana chose pos
        _ready(bo)
        expect(bo.locator("#row-id")).to_have_text("k2")
        expect(bo.locator(".item-text")).to_have_text(TEXTS[2])
        assert "ana" not in re.sub(r"<[^>]+>", " ", bo.content()).split()
        bo.locator("button.class-button[data-label=neg]").click()
        expect(bo.locator("#previous-others")).to_have_text("ana: pos")

        # the admin's page updates by itself (every 10 s): k0, k1, k2 complete (K = 2); raw agreement 2 of 3 items
        expect(boss.locator("#raw-agreement")).to_have_text("0.667", timeout=15_000)
        expect(boss.locator("#complete")).to_have_text("3")
        boss.reload()  # the tables come with a reload
        expect(boss.locator("#complete")).to_have_text("3")
        expect(boss.locator("#labels")).to_have_text("7")
        expect(boss.locator("#raw-agreement")).to_have_text("0.667")
        expect(boss.locator("#annotators tr[data-annotator=ana] td.num").first).to_have_text("3")
        expect(boss.locator("#annotators tr[data-annotator=bo] td.num").first).to_have_text("3")
        expect(boss.locator("#pairs")).to_contain_text("ana")
        figures = json.loads(_json(boss, base, "/api/admin")[1])["agreement"]
        # every pair is listed, those sharing fewer than two items with kappa undefined
        assert (figures["ratings"], [(p["first"], p["second"], p["items"]) for p in figures["pairs"]]) == (
            7, [("imported", "ana", 0), ("imported", "bo", 1), ("ana", "bo", 2)])
        assert [p["cohen_kappa"] for p in figures["pairs"][:2]] == [None, None]

        # annotators cannot open the admin page
        assert _json(ana, base, "/api/admin")[0] == 403
        ana.goto(f"{base}/admin")
        expect(ana.locator("#error-message")).to_have_text("this page is for admins")
        annotated = [(e.row_id, e.reviewer, e.new_value) for e in read_decisions(ws, DATASET) if e.action == "annotate"]
        assert annotated == [("k0", "imported", "pos"), ("k1", "ana", "neg"), ("k2", "ana", "pos"),
                             ("k3", "ana", "pos"), ("k0", "bo", "pos"), ("k1", "bo", "neg"), ("k2", "bo", "neg")]
    finally:
        for context in contexts.values():
            context.close()
