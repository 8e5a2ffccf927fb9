"""Shared fixtures: small datasets written into ``tmp_path`` and helpers to compare workspaces."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

# The sentence model must load from the installed package, never from the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Embedding cache of the test session only: tests must not read or fill the user's cache.
os.environ["CURATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="curate-test-cache-")
atexit.register(shutil.rmtree, os.environ["CURATE_CACHE_DIR"], ignore_errors=True)

# Each class has its own English and Korean vocabulary: even hashed n-gram features separate them.
_VOCAB = {
    "food": (
        [
            "bread",
            "noodle",
            "garlic",
            "butter",
            "salmon",
            "tomato",
            "basil",
            "cake",
            "soup",
            "pepper",
        ],
        [
            "김치찌개",
            "된장국",
            "비빔밥",
            "떡볶이",
            "불고기",
            "냉면",
            "삼겹살",
            "잡채",
            "만두",
            "김밥",
        ],
    ),
    "sport": (
        [
            "football",
            "goal",
            "striker",
            "tennis",
            "marathon",
            "coach",
            "stadium",
            "referee",
            "league",
            "playoff",
        ],
        ["축구", "야구", "농구", "골키퍼", "감독", "경기장", "마라톤", "선수단", "리그", "결승전"],
    ),
    "tech": (
        [
            "laptop",
            "processor",
            "compiler",
            "server",
            "database",
            "smartphone",
            "software",
            "kernel",
            "graphics",
            "network",
        ],
        [
            "노트북",
            "컴퓨터",
            "서버",
            "데이터베이스",
            "스마트폰",
            "소프트웨어",
            "프로그램",
            "네트워크",
            "반도체",
            "인공지능",
        ],
    ),
}
CLASSES = tuple(sorted(_VOCAB))


def make_sentence(label: str, i: int) -> str:
    """A distinct synthetic sentence of class ``label``; even ``i`` English, odd ``i`` Korean."""
    english, korean = _VOCAB[label]
    n = len(english)
    if i % 2 == 0:
        a, b, c = english[i % n], english[(i * 3 + 1) % n], english[(i * 7 + 2) % n]
        return f"the {a} and the {b} near the {c} made news in story {i}"
    a, b, c = korean[i % n], korean[(i * 3 + 1) % n], korean[(i * 7 + 2) % n]
    return f"오늘 {a} 그리고 {b} 관련 {c} 소식이 {i}번째로 나왔습니다"


def make_text_frame(n_per_class: int = 20) -> pd.DataFrame:
    """Columns id (``r0``, ``r1``, ...), text and label; classes interleaved food, sport, tech."""
    rows = []
    for i in range(n_per_class):
        for label in CLASSES:
            rows.append({"text": make_sentence(label, i), "label": label})
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    return frame


def make_tabular_frame(n_per_class: int = 25, seed: int = 0) -> pd.DataFrame:
    """Two well-separated numeric clusters and a categorical column: age, income, city, label."""
    rng = np.random.default_rng(seed)
    young = pd.DataFrame(
        {
            "age": rng.integers(18, 30, n_per_class),
            "income": rng.normal(20_000, 2_000, n_per_class).round(2),
            "city": rng.choice(["seoul", "busan"], n_per_class),
            "label": "low",
        }
    )
    old = pd.DataFrame(
        {
            "age": rng.integers(55, 80, n_per_class),
            "income": rng.normal(90_000, 5_000, n_per_class).round(2),
            "city": rng.choice(["seoul", "busan"], n_per_class),
            "label": "high",
        }
    )
    return pd.concat([young, old], ignore_index=True)


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` (relative name -> bytes), or None when there is no folder."""
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(autouse=True)
def _no_stages_left_to_resume() -> Iterator[None]:
    """Each test starts with no interrupted audit to take up (the cache folder is shared by the session)."""
    resume = Path(os.environ["CURATE_CACHE_DIR"]) / "resume"
    shutil.rmtree(resume, ignore_errors=True)
    yield
    shutil.rmtree(resume, ignore_errors=True)


@pytest.fixture
def text_frame() -> pd.DataFrame:
    return make_text_frame()


@pytest.fixture
def text_csv(tmp_path: Path, text_frame: pd.DataFrame) -> Path:
    """A 60-row UTF-8 CSV (id, text, label) in three classes, English and Korean rows."""
    path = tmp_path / "reviews.csv"
    text_frame.to_csv(path, index=False)
    return path


@pytest.fixture
def tabular_frame() -> pd.DataFrame:
    return make_tabular_frame()


@pytest.fixture
def tabular_csv(tmp_path: Path, tabular_frame: pd.DataFrame) -> Path:
    """A 50-row tabular CSV: age, income, city, label (two classes)."""
    path = tmp_path / "people.csv"
    tabular_frame.to_csv(path, index=False)
    return path


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text (UTF-8) or bytes to ``tmp_path / name`` and return the path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace path that does not exist yet."""
    return tmp_path / "ws"


@pytest.fixture
def take_snapshot() -> Callable[[Path], dict[str, bytes] | None]:
    return snapshot


def run_cli(args: list[str | Path]) -> Result:
    """Invoke ``curate`` in-process with stdout and stderr kept apart."""
    from curate.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def assert_one_line_error(result: Result, *keywords: str, prefix: str = "error:") -> str:
    """A non-zero exit and stderr exactly one line, starting with ``prefix``, with every keyword."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(prefix), line
    for keyword in keywords:
        assert keyword in line, f"{keyword!r} not in {line!r}"
    return line


def assert_clean_failure(result: Result, *keywords: str) -> str:
    """A non-zero exit ending in one ``error:`` line that holds every keyword, and no traceback.

    Looser than :func:`assert_one_line_error`: progress lines may come before the error, for
    failures that can only be found after some work.
    """
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines, "nothing on stderr"
    line = lines[-1]
    assert line.startswith("error:"), line
    for keyword in keywords:
        assert keyword in line, f"{keyword!r} not in {line!r}"
    return line


@pytest.fixture(scope="session")
def audited_workspace_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding one successful audit (run 1) of the 60-row text CSV, built once."""
    root = tmp_path_factory.mktemp("template")
    data = root / "reviews.csv"
    make_text_frame().to_csv(data, index=False)
    workspace = root / "ws"
    result = run_cli(["audit", data, "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    return workspace


@pytest.fixture
def audited_workspace(tmp_path: Path, audited_workspace_template: Path) -> Path:
    """A private copy of a workspace that holds one successful audit."""
    target = tmp_path / "audited-ws"
    shutil.copytree(audited_workspace_template, target)
    return target
