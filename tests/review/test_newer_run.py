"""A running review after a new audit: it follows the newest run, or says that a newer one exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import curate
from curate.features import HashedTextEmbedder
from curate.review import ReviewSession, load_run
from curate.review.web import create_app
from curate.store import Workspace

from .conftest import CSRF, DATASET, WRONG_ROW, make_review_frame


def _re_audit(workspace: Path) -> int:
    """A second audit of the dataset, with the planted wrong label of WRONG_ROW corrected in the file."""
    frame = make_review_frame()
    frame.loc[frame["id"] == WRONG_ROW, "label"] = "food"
    result = curate.audit(frame, label="label", text="text", id="id", workspace=workspace, name=DATASET,
                          embedder=HashedTextEmbedder(), config={"detectors": {"near_duplicate": {"similarity": 0.9}}})
    assert result.run_id is not None
    return result.run_id


def _client(review_ws: Path, follow_newest: bool) -> Iterator[TestClient]:
    session = ReviewSession(load_run(Workspace(review_ws)), reviewer="tester")
    app = create_app(session, csrf_token=CSRF, follow_newest=follow_newest)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def following(review_ws: Path) -> Iterator[TestClient]:
    yield from _client(review_ws, follow_newest=True)


@pytest.fixture
def pinned(review_ws: Path) -> Iterator[TestClient]:
    yield from _client(review_ws, follow_newest=False)


def _label_flags(client: TestClient) -> set[str]:
    queue = client.get("/api/queue", params={"issue": "label", "state": "all", "limit": 1000}).json()
    return {entry["row_id"] for entry in queue["entries"]}


def test_a_running_review_follows_the_newest_run(following: TestClient, review_ws: Path) -> None:
    assert following.get("/api/session").json()["run_id"] == 1
    assert WRONG_ROW in _label_flags(following)
    newest = _re_audit(review_ws)
    assert newest == 2
    assert following.get("/api/session").json() == {"dataset": DATASET, "run_id": 2, "reviewer": "tester",
                                                     "csrf_token": CSRF}
    assert WRONG_ROW not in _label_flags(following)  # the new run's findings, not the old ones
    page = following.get("/").text
    assert f"{DATASET} · run 2 · reviewer" in page
    assert 'id="newer-run"' not in page


def test_a_review_of_a_chosen_run_says_on_every_page_that_a_newer_one_exists(pinned: TestClient,
                                                                             review_ws: Path) -> None:
    assert 'id="newer-run"' not in pinned.get("/").text
    _re_audit(review_ws)
    assert pinned.get("/api/session").json()["run_id"] == 1
    notice = ("A newer audit of tickets exists: run 2. This page shows run 1; restart <code>curate review</code> "
              "without <code>--run</code> to review run 2.")
    for path in ("/", "/queue", "/history", f"/item/{WRONG_ROW}", "/item/no-such-row"):
        assert notice in pinned.get(path).text, path
