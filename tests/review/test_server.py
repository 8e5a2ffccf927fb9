"""The real server in its own process: acknowledged decisions survive SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from curate.store import Workspace
from curate.store.decisions import read_decisions

from .conftest import DATASET, WRONG_ROW, csrf_from


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(review_ws: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """``python -m curate.cli review`` on a free 127.0.0.1 port, stopped (killed) at the end."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "review", "-w", str(review_ws), "--port", str(port), "--reviewer", "kim"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(base + "/api/session", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the server did not start within 60 s")
        time.sleep(0.1)
    try:
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.slow
def test_acknowledged_decisions_survive_sigkill(server: tuple[subprocess.Popen, str], review_ws: Path) -> None:
    process, base = server
    with httpx.Client(base_url=base, timeout=10) as http:
        queue = http.get("/api/queue", params={"state": "all", "limit": 10}).json()["entries"]
        token = csrf_from(http.get(f"/item/{WRONG_ROW}").text)
        acknowledged = []
        response = http.post("/decide", data={"csrf_token": token, "row_id": WRONG_ROW, "action": "relabel",
                                              "new_label": "food"})
        assert response.status_code == 303
        acknowledged.append((WRONG_ROW, "relabel"))
        for entry, action in zip(queue[:5], ["keep", "ambiguous", "remove", "skip", "keep"], strict=True):
            response = http.post("/api/decisions", json={"row_id": entry["row_id"], "action": action},
                                 headers={"X-CSRF-Token": token})
            assert response.status_code == 200
            assert response.json()["entry"]["row_id"] == entry["row_id"]
            acknowledged.append((entry["row_id"], action))
        assert http.post("/api/undo", headers={"X-CSRF-Token": token}).status_code == 200
        acknowledged.append((queue[4]["row_id"], "undo"))
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [(e.row_id, e.action) for e in entries] == acknowledged
    assert {e.reviewer for e in entries} == {"kim"}
    assert entries[-1].undoes == entries[-2].id


def test_python_m_curate_review_help() -> None:
    result = subprocess.run([sys.executable, "-m", "curate.cli", "review", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0
    for option in ("--workspace", "--host", "--port", "--reviewer", "--token"):
        assert option in result.stdout
