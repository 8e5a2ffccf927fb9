"""The review app after a re-audit: classes, filters and precision by the label the run judged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import curate
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.store import Workspace

from .conftest import CSRF, DATASET

RELABELLED = "x-wrong2"  # a sport sentence given as food, that a reviewer relabelled tech (wrong again)


@pytest.fixture
def reaudited(review_ws: Path, review_template: Path) -> Iterator:
    """The app over a second run (the label check) audited after the relabel of ``RELABELLED``."""
    from fastapi.testclient import TestClient

    from curate.review import ReviewSession, load_run
    from curate.review.web import create_app

    ws = Workspace(review_ws)
    first = ReviewSession(load_run(ws), reviewer="ana")
    record(ws, first.dataset, row_id=RELABELLED, action="relabel", new_label="tech", reviewer="ana")
    curate.audit(
        review_template.parent / f"{DATASET}.csv",
        label="label",
        text="text",
        id="id",
        workspace=ws,
        embedder=HashedTextEmbedder(),
        detectors=["label"],
        progress=False,
    )
    session = ReviewSession(load_run(ws), reviewer="tester")
    with TestClient(create_app(session, csrf_token=CSRF), base_url="http://127.0.0.1") as client:
        yield client


def test_the_dashboard_counts_a_relabelled_row_under_its_new_class(reaudited) -> None:
    board = reaudited.get("/api/dashboard").json()
    assert board["run_id"] == 2
    (label,) = board["issues"]
    assert label["by_class"] == {"food": 1, "sport": 4, "tech": 4}  # x-wrong2 among tech's, not food's
    html = reaudited.get("/").text
    assert '<a href="/queue?issue=label&amp;label=tech">4</a>' in html


def test_the_class_filter_and_the_precision_use_the_judged_label(reaudited) -> None:
    tech = reaudited.get("/api/queue", params={"issue": "label", "label": "tech", "state": "all"}).json()
    assert [e["row_id"] for e in tech["entries"]] == [RELABELLED, "x-wrong5", "x-wrong", "r26"]
    entry = tech["entries"][0]
    assert (entry["given_label"], entry["current_label"], entry["suggested_label"]) == ("food", "tech", "sport")
    assert entry["estimated_precision"]["label"] == "tech"
    food = reaudited.get("/api/queue", params={"issue": "label", "label": "food", "state": "all"}).json()
    assert [e["row_id"] for e in food["entries"]] == ["r9"]
    html = reaudited.get("/queue", params={"issue": "label", "label": "tech", "state": "all"}).text
    assert f'data-row-id="{RELABELLED}"' in html


def test_the_item_page_shows_the_source_the_judged_and_the_current_label(reaudited) -> None:
    data = reaudited.get(f"/api/items/{RELABELLED}").json()
    assert (data["given_label"], data["judged_label"], data["current_label"]) == ("food", "tech", "tech")
    # the run's probabilities are of tech, the label it judged: the top suggestion is sport, then food
    assert [s["label"] for s in data["suggestions"]] == ["sport", "food"]
    html = reaudited.get(f"/item/{RELABELLED}").text
    assert '<td id="given-label">food</td>' in html and '<td id="current-label">tech</td>' in html
    assert 'id="judged-label"' not in html  # the run judged the label it has now
    moved = reaudited.post(
        "/api/decisions",
        json={"row_id": RELABELLED, "action": "relabel", "new_label": "sport"},
        headers={"X-CSRF-Token": CSRF},
    )
    assert moved.status_code == 200, moved.text
    data = reaudited.get(f"/api/items/{RELABELLED}").json()
    assert (data["given_label"], data["judged_label"], data["current_label"]) == ("food", "tech", "sport")
    assert [s["label"] for s in data["suggestions"]] == ["tech", "food"]
    html = reaudited.get(f"/item/{RELABELLED}").text
    assert '<tr><th>run 2 judged</th><td id="judged-label">tech</td></tr>' in html
    # the flag stays in the class the run flagged it in
    tech = reaudited.get("/api/queue", params={"issue": "label", "label": "tech", "state": "all"}).json()
    assert tech["entries"][0]["row_id"] == RELABELLED and tech["entries"][0]["current_label"] == "sport"
