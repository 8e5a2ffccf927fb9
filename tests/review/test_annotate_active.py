"""Active learning in annotation mode: background retraining, the learning curve, the model's queue order."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from curate.annotators import next_items, retrain, text_vectors
from curate.annotators.live import fit_and_rank, item_texts, majority_labels
from curate.annotators.queue import REASONS
from curate.annotators.tasks import load_view
from curate.review.accounts import create_account
from curate.store import Workspace
from curate.store.annotations import append_annotation, import_annotations

from .conftest import CSRF

DATASET = "reviews"
PASSWORDS = {"boss": "boss-password-1", "ana": "ana-password-1", "bo": "bo-password-12"}
EVERY = 10
WAIT = 120.0  # seconds a test waits on the worker at most
GOOD = ["정말 좋았어요 최고예요", "배우들 연기가 훌륭했어요", "다시 보고 싶은 명작이에요"]
BAD = ["너무 별로였어요 최악이에요", "지루해서 졸았어요 시간 낭비", "돈이 아까운 영화였어요"]


def truth(i: int) -> str:
    """Even items are "pos", odd ones "neg"."""
    return "pos" if i % 2 == 0 else "neg"


def active_workspace(root: Path, per_item: int = 1) -> Workspace:
    """60 Korean reviews in two classes that the character n-grams separate; boss (admin), ana and bo."""
    ws = Workspace(root)
    texts = [f"{(GOOD if i % 2 == 0 else BAD)[i % 3]} {i}번" for i in range(60)]
    items = pd.DataFrame({"row_id": [f"m{i}" for i in range(60)],
                          "fields": [json.dumps({"text": t}, ensure_ascii=False) for t in texts],
                          "content_hash": [f"h{i}" for i in range(60)]})
    import_annotations(ws, DATASET, items, [], classes=["pos", "neg"], per_item=per_item, guidelines="",
                       reason="test", imported_by="test")
    for name, password in PASSWORDS.items():
        create_account(ws, name, "admin" if name == "boss" else "annotator", password)
    return ws


class Gate:
    """The worker's test hook: passes while open, waits while closed; counts the fits."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.waiting = threading.Event()
        self.fits = 0

    def __call__(self) -> None:
        self.waiting.set()
        assert self.open.wait(WAIT), "the test never opened the gate"
        self.waiting.clear()
        self.fits += 1


@contextmanager
def _client(ws: Workspace, gate: Gate) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from curate.review.annotate_web import create_annotation_app

    app = create_annotation_app(ws, DATASET, csrf_token=CSRF, retrain_every=EVERY, before_fit=gate)
    try:
        with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
            client.trainer = app.state.trainer
            yield client
    finally:
        gate.open.set()  # never leave a worker waiting
        assert app.state.trainer.wait(WAIT)


def sign_in(client: Any, name: str) -> None:
    answer = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": CSRF})
    assert answer.status_code == 303


def label_next(client: Any) -> tuple[str, str]:
    """Label the client's next item with its true class; returns the row id and the label."""
    row_id = client.get("/api/annotate").json()["item"]["row_id"]
    value = truth(int(row_id[1:]))
    answer = client.post("/api/annotate", json={"row_id": row_id, "label": value}, headers={"X-CSRF-Token": CSRF})
    assert answer.status_code == 200, answer.text
    return row_id, value


def expected_first(ws: Workspace) -> int:
    """The first item of a direct ``next_items`` call on the app's inputs."""
    view = load_view(ws, DATASET)
    _, codes, _ = majority_labels(view)
    features, _ = text_vectors(item_texts(view))
    fitted = retrain(features, codes, 2)
    return next_items(features, codes, probs=fitted.probs, n_classes=2, batch=50).items[0].position


@pytest.fixture
def active_ws(tmp_path: Path) -> Workspace:
    return active_workspace(tmp_path / "ws")


def test_retrain_curve_model_order_and_restart(active_ws: Workspace) -> None:
    gate = Gate()
    with _client(active_ws, gate) as client:
        first_part(client, gate, active_ws)
        before = [(p.labels, p.labelled_items, p.oof_accuracy, p.at) for p in client.trainer.curve()]
    # a restart replays the ledger: the same curve
    with _client(active_ws, Gate()) as restarted:
        assert restarted.trainer.wait(WAIT)
        assert [(p.labels, p.labelled_items, p.oof_accuracy, p.at) for p in restarted.trainer.curve()] == before


def first_part(client: Any, gate: Gate, active_ws: Workspace) -> None:
    """Cold start, a retrain after EVERY labels, the model's order, a blocked retrain, the admin's curve."""
    assert client.trainer.wait(WAIT)  # features, and a replay of an empty ledger: no fit
    sign_in(client, "ana")
    first = client.get("/api/annotate").json()
    assert (first["item"]["row_id"], first["reason"]) == ("m0", "order")  # cold start: today's order
    assert client.trainer.status()["state"] == "cold start" and client.trainer.curve() == []

    for _ in range(EVERY):
        label_next(client)
    assert client.trainer.wait(WAIT)
    curve = client.trainer.curve()
    assert [(p.labels, p.labelled_items) for p in curve] == [(EVERY, EVERY)]
    assert curve[0].oof_accuracy is not None
    assert client.trainer.status()["state"] == "ready" and gate.fits == 1

    # the queue now follows next_items on the same inputs
    task = client.get("/api/annotate").json()
    assert task["item"]["position"] == expected_first(active_ws)
    assert (task["reason"], task["why"]) == ("uncertainty", REASONS["uncertainty"])
    page = client.get("/annotate")
    assert f'id="row-id">{task["item"]["row_id"]}<' in page.text and 'data-reason="uncertainty"' in page.text

    # block the next fit: the pages still answer, with the last finished model
    gate.open.clear()
    for _ in range(EVERY):
        label_next(client)
    assert gate.waiting.wait(WAIT)
    assert client.trainer.status()["state"] == "training"
    assert client.get("/api/annotate").status_code == 200
    assert client.get("/annotate").status_code == 200
    assert len(client.trainer.curve()) == 1
    gate.open.set()
    assert client.trainer.wait(WAIT)
    assert [p.labels for p in client.trainer.curve()] == [EVERY, 2 * EVERY]

    # the admin sees the curve, as JSON and as a chart
    sign_in(client, "boss")
    admin = client.get("/api/admin").json()
    assert [p["labels"] for p in admin["learning_curve"]] == [EVERY, 2 * EVERY]
    assert admin["model"]["state"] == "ready" and admin["model"]["last_fit"]["n_labels"] == 2 * EVERY
    html = client.get("/admin").text
    assert 'id="learning-curve" src="data:image/svg+xml;base64,' in html and 'id="model-state">ready<' in html


def test_blind_json_with_a_model(tmp_path: Path) -> None:
    ws = active_workspace(tmp_path / "ws", per_item=2)
    for i in range(EVERY):  # bo labels the first ten, so a model is trained at start
        append_annotation(ws, DATASET, row_id=f"m{i}", annotator="bo", action="annotate", label=truth(i))
    with _client(ws, Gate()) as client:
        assert client.trainer.wait(WAIT)
        assert [p.labels for p in client.trainer.curve()] == [EVERY]
        sign_in(client, "ana")
        task = client.get("/api/annotate").json()
        assert set(task) == {"item", "classes", "guidelines", "per_item", "remaining", "done", "reason", "why",
                             "user"}
        assert task["reason"] in ("uncertainty", "more_labels")  # never "disagreement": that would not be blind
        # no label anywhere but the class list: not the item, not the reason
        rest = json.dumps({k: v for k, v in task.items() if k != "classes"})
        assert '"pos"' not in rest and '"neg"' not in rest
        assert client.get("/api/items/m0/labels").status_code == 403


def test_a_restart_fits_the_labels_as_they_stand_not_only_the_last_multiple(tmp_path: Path) -> None:
    # A user trial: after importing 28 labels (every 20) the admin page said "Last fit ... (20 labels)"
    # and the queue ignored the last 8 until 12 more came in.
    ws = active_workspace(tmp_path / "ws", per_item=2)
    for i in range(EVERY + 3):
        append_annotation(ws, DATASET, row_id=f"m{i}", annotator="bo", action="annotate", label=truth(i))
    with _client(ws, Gate()) as client:
        assert client.trainer.wait(WAIT)
        assert [p.labels for p in client.trainer.curve()] == [EVERY, EVERY + 3]
        assert client.trainer.status()["labels"] == EVERY + 3
        sign_in(client, "boss")
        html = client.get("/admin").text
        assert f"({EVERY + 3} labels).</p>" in html and '<p class="muted" id="model-features">Features: ' in html


def test_majority_leaves_ties_out(tmp_path: Path) -> None:
    ws = active_workspace(tmp_path / "ws", per_item=3)
    given = [("m0", "ana", "pos"), ("m0", "bo", "pos"), ("m0", "boss", "neg"), ("m1", "ana", "pos"),
             ("m1", "bo", "neg"), ("m2", "bo", "neg")]
    for row_id, who, value in given:
        append_annotation(ws, DATASET, row_id=row_id, annotator=who, action="annotate", label=value)
    labels, codes, votes = majority_labels(load_view(ws, DATASET))
    assert labels == 6
    assert codes[:4].tolist() == [0, -1, 1, -1]
    np.testing.assert_array_equal(votes[:3], [[2, 1], [1, 1], [0, 1]])


def test_order_puts_the_ranked_open_items_first() -> None:
    from curate.annotators.queue import annotation_order

    counts = np.array([0, 2, 1, 0, 1])
    open_ = np.array([0, 2, 3, 4])
    assert annotation_order(open_, counts).tolist() == [0, 3, 2, 4]  # no model: fewest labels, then position
    # ranked and open first (1 is not open, 4 ranked twice counts once), then the rest as before
    assert annotation_order(open_, counts, [4, 1, 2, 4]).tolist() == [4, 2, 0, 3]


def test_admin_without_a_model_says_off() -> None:
    from curate.review.annotate_learning import learning_chart, learning_data

    assert learning_data(None) == {"learning_curve": [], "model": {"state": "off"}}
    assert learning_chart([{"labels": 10, "oof_accuracy": None}]) is None


def test_a_model_no_better_than_chance_does_not_rank() -> None:
    # Labels that have nothing to do with the features: the fit's out-of-fold accuracy cannot beat the commonest class,
    # so only the disputed open item is ranked and the note says why, as curate consensus drops such a model.
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 8))
    codes = rng.integers(0, 2, 200)
    votes = np.zeros((200, 2), dtype=int)
    votes[np.arange(200), codes] = 1
    votes[7] = [1, 1]  # two annotators disagree on item 7, which still has room for a third label
    codes[7] = -1
    model = fit_and_rank(features, codes, votes, 2, per_item=3, labels=201)
    assert model.cold_start and "does not explain the labels" in model.note
    assert (model.ranking, model.reasons) == ([7], {7: "disagreement"})
    # labels the features predict, and 50 items nobody labelled yet: a ranked model, uncertainty among its reasons
    learnable = np.where(features[:, 0] > 0, 1, 0)
    learnable[150:] = -1
    votes = np.zeros((200, 2), dtype=int)
    votes[np.arange(150), learnable[:150]] = 1
    model = fit_and_rank(features, learnable, votes, 2, per_item=3, labels=150)
    assert not model.cold_start and "uncertainty" in model.reasons.values()
