"""The admin page's "Annotator quality and consensus" section and its JSON twin, through a test client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from curate.review.accounts import create_account
from curate.store import Workspace
from curate.store.annotations import import_annotations

from .conftest import CSRF

DATASET = "planted"
PASSWORDS = {"boss": "boss-password-1", "ana": "ana-password-1"}
TEXTS = ["좋아요", "최고", "별로", "싫어요", "그저 그래요", "<b>애매</b> & 모호", "아직"]
# r0-r3 unanimous, r4 two of three, r5 a three-way split (the one weak consensus), r6 unlabelled
LABELS = [(0, "a", "pos"), (0, "b", "pos"), (0, "c", "pos"), (1, "a", "pos"), (1, "b", "pos"), (1, "c", "pos"),
          (2, "a", "neg"), (2, "b", "neg"), (2, "c", "neg"), (3, "a", "neg"), (3, "b", "neg"), (3, "c", "neg"),
          (4, "a", "pos"), (4, "b", "neg"), (4, "c", "neg"), (5, "a", "pos"), (5, "b", "neg"), (5, "c", "meh")]


@pytest.fixture
def client(tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from curate.review.annotate_web import create_annotation_app

    ws = Workspace(tmp_path / "ws")
    items = pd.DataFrame({"row_id": [f"r{i}" for i in range(7)],
                          "fields": [json.dumps({"text": t}, ensure_ascii=False) for t in TEXTS],
                          "content_hash": [f"h{i}" for i in range(7)]})
    import_annotations(ws, DATASET, items, LABELS, classes=["pos", "neg", "meh"], per_item=4, guidelines="",
                       reason="planted", imported_by="test")
    for name, password in PASSWORDS.items():
        create_account(ws, name, "admin" if name == "boss" else "annotator", password)
    with TestClient(create_annotation_app(ws, DATASET, csrf_token=CSRF), base_url="http://127.0.0.1",
                    follow_redirects=False) as test_client:
        yield test_client


def _sign_in(client, name: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": CSRF})
    assert answer.status_code == 303


def test_admin_json_has_annotator_quality_and_the_weak_items(client) -> None:  # type: ignore[no-untyped-def]
    _sign_in(client, "boss")
    found = client.get("/api/admin").json()["consensus"]
    assert found["method"] == "weighted_vote" and "without the model" in found["how"]
    assert [(a["annotator"], a["labels"]) for a in found["annotators"]] == [("c", 6), ("b", 6), ("a", 6)]
    # c gave r5 the label that became its consensus; a disagrees on r4 and r5
    assert [a["agreement_with_consensus"] for a in found["annotators"]] == [1.0, 0.8333, 0.6667]
    assert (found["weak_items"], found["weak_below"], found["unlabelled_items"]) == (1, 0.5, 1)
    assert len(found["weak"]) == 1
    weak = found["weak"][0]
    assert (weak["item"], weak["preview"], weak["consensus_label"]) == ("r5", "<b>애매</b> & 모호", "meh")
    assert weak["consensus_quality"] < 0.5 and weak["labels"] == {"a": "pos", "b": "neg", "c": "meh"}


def test_admin_page_shows_the_section_escaped(client) -> None:  # type: ignore[no-untyped-def]
    _sign_in(client, "boss")
    page = client.get("/admin")
    assert page.status_code == 200
    html = page.text
    assert 'aria-label="Annotator quality and consensus"' in html and "without the model" in html
    assert '<span id="weak-items">1</span>' in html
    assert '<tr data-item="r5"><td>r5</td><td>&lt;b&gt;애매&lt;/b&gt; &amp; 모호</td><td>meh</td>' in html
    assert "<b>애매</b>" not in html
    for name in ("a", "b", "c"):
        assert f'<tr data-annotator="{name}"><td>{name}</td><td class="num">' in html


def test_the_section_follows_new_labels(client) -> None:  # type: ignore[no-untyped-def]
    _sign_in(client, "boss")
    assert client.get("/api/admin").json()["consensus"]["unlabelled_items"] == 1
    client.post("/logout", data={"csrf_token": CSRF})
    _sign_in(client, "ana")
    answer = client.post("/api/annotate", json={"row_id": "r6", "label": "pos"}, headers={"X-CSRF-Token": CSRF})
    assert answer.status_code == 200, answer.text
    client.post("/logout", data={"csrf_token": CSRF})
    _sign_in(client, "boss")
    found = client.get("/api/admin").json()["consensus"]
    assert found["unlabelled_items"] == 0
    assert ("ana", 1) in [(a["annotator"], a["labels"]) for a in found["annotators"]]


def test_annotators_get_403_on_the_consensus(client) -> None:  # type: ignore[no-untyped-def]
    _sign_in(client, "ana")
    assert client.get("/api/admin").status_code == 403
    page = client.get("/admin")
    assert page.status_code == 403 and "meh" not in page.text and "r5" not in page.text


def test_the_cache_keeps_the_figures_until_a_new_entry(tmp_path: Path) -> None:
    from curate.annotators.standing import ConsensusCache
    from curate.annotators.tasks import load_view
    from curate.store.annotations import append_annotation

    ws = Workspace(tmp_path / "ws")
    items = pd.DataFrame({"row_id": ["r0", "r1"], "fields": [json.dumps({"text": t}) for t in ("a", "b")],
                          "content_hash": ["h0", "h1"]})
    import_annotations(ws, DATASET, items, [], classes=["pos", "neg"], per_item=2, guidelines="", reason="t",
                       imported_by="test")
    cache = ConsensusCache()
    empty = cache.get(load_view(ws, DATASET))
    assert empty == {"method": None, "how": "No labels yet, so no consensus.", "annotators": [], "weak_items": 0,
                     "weak_below": None, "unlabelled_items": 2, "weak": []}
    assert cache.get(load_view(ws, DATASET)) is empty
    append_annotation(ws, DATASET, row_id="r0", annotator="ana", action="annotate", label="pos")
    now = cache.get(load_view(ws, DATASET))
    assert now is not empty and now["unlabelled_items"] == 1 and now["annotators"][0]["annotator"] == "ana"
