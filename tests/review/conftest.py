"""Fixtures of the review tests: a small audited workspace with planted problems, a session, a client."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import CLASSES, make_sentence

SCRIPT_TEXT = "<script>alert(1)</script> the bread and the soup near the garlic"
SCRIPT_ROW = "x-script"
SCRIPT_COPY = "d-script"
WRONG_ROW = "x-wrong"
# more mislabelled rows, so the label queue has several to act on: (id, true class, sentence index, given label)
MORE_WRONG = (("x-wrong2", "sport", 31, "food"), ("x-wrong3", "tech", 32, "sport"), ("x-wrong4", "food", 33, "sport"),
              ("x-wrong5", "sport", 34, "tech"))
DATASET = "tickets"
CSRF = "test-csrf-token-0123456789abcdef"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def make_review_frame() -> pd.DataFrame:
    """45 text rows in three classes (ids r0..r35, then the planted rows).

    Planted: ``d0`` repeats ``r0``; ``n1`` is ``r1`` with different punctuation (a near copy); a
    ``<script>`` text twice (``x-script`` and its copy ``d-script``);
    ``x-wrong``, a food sentence labelled tech, and the four wrong labels of MORE_WRONG.
    """
    rows = [{"id": f"r{i * 3 + k}", "text": make_sentence(label, i), "label": label}
            for i in range(12) for k, label in enumerate(CLASSES)]
    rows.append({"id": "d0", "text": rows[0]["text"], "label": rows[0]["label"]})
    rows.append({"id": "n1", "text": rows[1]["text"].capitalize() + "!!", "label": rows[1]["label"]})
    rows.append({"id": SCRIPT_ROW, "text": SCRIPT_TEXT, "label": "food"})
    rows.append({"id": SCRIPT_COPY, "text": SCRIPT_TEXT, "label": "food"})
    rows.append({"id": WRONG_ROW, "text": make_sentence("food", 30), "label": "tech"})
    rows += [{"id": row_id, "text": make_sentence(true, i), "label": given} for row_id, true, i, given in MORE_WRONG]
    return pd.DataFrame(rows)


# A long text with markup that would run if shown as HTML, twice (so an exact duplicate: in the queue for sure),
# only in the ``long_ws`` workspace: longer than the queue's one line at any width.
LONG_ROW = "x-long"
LONG_TEXT = ("the bread and the soup near the garlic <img src=x onerror=alert(1)> " + "then the butter, the noodle "
             "and the tomato with basil, the salmon with pepper, " * 6 + "and a cake: 오늘 김치찌개 소식이 나왔습니다")


def _audit(frame: pd.DataFrame, root: Path) -> Path:
    """A workspace holding one audit of ``frame`` (hashed features, near copies from 0.9), in ``root``."""
    import curate
    from curate.features import HashedTextEmbedder

    data = root / f"{DATASET}.csv"
    frame.to_csv(data, index=False)
    workspace = root / "ws"
    curate.audit(data, label="label", text="text", id="id", workspace=workspace, embedder=HashedTextEmbedder(),
                 config={"detectors": {"near_duplicate": {"similarity": 0.9}}})
    return workspace


@pytest.fixture(scope="session")
def review_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding one audit of the 45-row review CSV (hashed features, no model), built once.

    Near copies from a similarity of 0.9: the templated sentences that differ only in their story
    number ("... made news in story 0" / "... story 12") then count, which gives the review tests
    near-copy flags in every class (at the default 0.98 one changed word in twelve is no copy).
    """
    return _audit(make_review_frame(), tmp_path_factory.mktemp("review"))


@pytest.fixture
def long_ws(tmp_path: Path) -> Path:
    """The review rows plus ``LONG_TEXT`` twice (``x-long`` and ``x-long-copy``), audited afresh."""
    long_rows = pd.DataFrame({"id": [LONG_ROW, f"{LONG_ROW}-copy"], "text": [LONG_TEXT] * 2, "label": ["food"] * 2})
    return _audit(pd.concat([make_review_frame(), long_rows], ignore_index=True), tmp_path)


@pytest.fixture
def long_live_server(long_ws: Path) -> Iterator[str]:
    """The review app over ``long_ws``, served like ``live_server``."""
    yield from serve(_session(long_ws))


def _private_copy(template: Path, target: Path) -> Path:
    """A copy of an audited workspace that one test may change."""
    shutil.copytree(template, target)
    return target


def _session(workspace: Path):  # type: ignore[no-untyped-def]
    from curate.review import ReviewSession, load_run
    from curate.store import Workspace

    return ReviewSession(load_run(Workspace(workspace)), reviewer="tester")


def _client(session) -> Iterator:  # type: ignore[no-untyped-def]
    """A test client of the app, addressed to 127.0.0.1 like a browser on this machine."""
    from fastapi.testclient import TestClient

    from curate.review.web import create_app

    with TestClient(create_app(session, csrf_token=CSRF), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def review_ws(tmp_path: Path, review_template: Path) -> Path:
    """A private copy of the audited review workspace."""
    return _private_copy(review_template, tmp_path / "review-ws")


@pytest.fixture
def session(review_ws: Path):  # type: ignore[no-untyped-def]
    return _session(review_ws)


@pytest.fixture
def client(session) -> Iterator:  # type: ignore[no-untyped-def]
    """A test client of the app over the text workspace."""
    yield from _client(session)


def csrf_from(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, "no csrf meta tag in the page"
    return found.group(1)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a downloaded browser (``playwright install`` is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: 'make test' installs it, or run 'apt-get install -y chromium' as root")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1200, "height": 800}}


@pytest.fixture
def live_server(session) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The review app served by uvicorn in a thread on a free 127.0.0.1 port; yields its base URL."""
    yield from serve(session)


def serve(session) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve the review app of ``session`` with uvicorn in a thread on a free 127.0.0.1 port; yield its base URL."""
    from curate.review.web import create_app

    yield from serve_app(create_app(session))


def serve_app(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``app`` with uvicorn in a thread on a free 127.0.0.1 port; yield its base URL."""
    import threading
    import time

    import uvicorn

    from curate.cli.review import open_socket

    sock = open_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def image_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding one audit of the drawn shapes (``image_data.make_shape_frame``, pixel features)."""
    import curate

    from .image_data import IMAGE_DATASET, make_shape_frame

    workspace = tmp_path_factory.mktemp("image-review") / "ws"
    curate.audit(make_shape_frame(), label="label", id="id", split="split", image="picture", embedder="pixels",
                 workspace=workspace, name=IMAGE_DATASET, progress=False)
    return workspace


@pytest.fixture
def image_ws(tmp_path: Path, image_template: Path) -> Path:
    """A private copy of the audited workspace of drawn shapes."""
    return _private_copy(image_template, tmp_path / "image-ws")


@pytest.fixture
def image_session(image_ws: Path):  # type: ignore[no-untyped-def]
    return _session(image_ws)


@pytest.fixture
def image_client(image_session) -> Iterator:  # type: ignore[no-untyped-def]
    """A test client of the app over the drawn shapes."""
    yield from _client(image_session)


@pytest.fixture
def image_live_server(image_session) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The review app over the drawn shapes, served like ``live_server``."""
    yield from serve(image_session)


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: the tests name full addresses. (This also replaces pytest-playwright's fallback
    fixture, an instance method that pytest 9 warns about.)"""
    return None
