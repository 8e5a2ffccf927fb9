"""A training file and a ``--test`` file in different encodings: each is read again in its own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from curate.ledger.versions import load_stored_version
from curate.store import Workspace

from ..conftest import make_text_frame, run_cli


def _korean_frame(start: int, n: int) -> pd.DataFrame:
    """``n`` rows of Korean (odd rows of the shared synthetic frame), so a CP949 file is not ASCII."""
    frame = make_text_frame()[["text", "label"]]
    korean = frame.iloc[1::2].reset_index(drop=True)
    return korean.iloc[start:start + n].reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path, encoding: str) -> Path:
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


@pytest.fixture(params=[("utf-8", "cp949"), ("cp949", "utf-8")], ids=["utf8-train", "cp949-train"])
def mixed(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A workspace that audited a training file in one encoding with a test file in the other."""
    train_encoding, test_encoding = request.param
    train = _write(_korean_frame(0, 24), tmp_path / "학습.csv", train_encoding)
    test = _write(_korean_frame(24, 6), tmp_path / "평가.csv", test_encoding)
    workspace = tmp_path / "wst"
    result = run_cli(["audit", train, "--test", test, "--no-embed", "-w", workspace])
    assert result.exit_code == 0, result.output
    return workspace, train, test


def test_each_file_is_read_again_in_its_own_encoding(mixed: tuple[Path, Path, Path]) -> None:
    workspace = mixed[0]
    stored = load_stored_version(Workspace(workspace), run_id=1)
    expected = _korean_frame(0, 24)["text"].tolist() + _korean_frame(24, 6)["text"].tolist()
    assert stored.dataset.frame["text"].tolist() == expected
    assert stored.test_encoding != stored.record.options["encoding"]


def test_commands_that_read_the_stored_copies_work(mixed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    workspace, _, test = mixed
    for args in (["report", "-o", tmp_path / "r.html"], ["findings", "--with-text"],
                 ["export", tmp_path / "t.csv"],
                 ["export", tmp_path / "t2.csv", "--test-output", tmp_path / "e.csv"]):
        result = run_cli([*args, "-w", workspace])
        assert result.exit_code == 0, (args, result.output)
    # the test rows are written back in the test file's own encoding, byte for byte
    assert (tmp_path / "e.csv").read_bytes() == test.read_bytes()


def test_a_workspace_recorded_without_the_test_files_encoding_still_reads(mixed: tuple[Path, Path, Path],
                                                                          tmp_path: Path) -> None:
    workspace, _, test = mixed
    with sqlite3.connect(workspace / "curate.db") as con:  # as a curate before the per-file record wrote it
        (options,) = con.execute("SELECT options FROM dataset_versions").fetchone()
        recorded = json.loads(options)
        assert "test_encoding" in recorded
        del recorded["test_encoding"]
        con.execute("UPDATE dataset_versions SET options = ?", (json.dumps(recorded, sort_keys=True),))
    stored = load_stored_version(Workspace(workspace), run_id=1)
    assert stored.dataset.frame["text"].tolist()[-6:] == _korean_frame(24, 6)["text"].tolist()
    result = run_cli(["export", tmp_path / "t.csv", "--test-output", tmp_path / "e.csv", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "e.csv").read_bytes() == test.read_bytes()


def test_files_in_one_encoding_record_no_second_one(tmp_path: Path) -> None:
    train = _write(_korean_frame(0, 24), tmp_path / "a.csv", "cp949")
    test = _write(_korean_frame(24, 6), tmp_path / "b.csv", "cp949")
    result = run_cli(["audit", train, "--test", test, "--no-embed", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    # the options enter the version's fingerprint: the same files make the same version as before
    assert "test_encoding" not in Workspace(tmp_path / "ws").stored_source(run_id=1).options


def test_profiling_the_files_reads_each_in_its_own_encoding(tmp_path: Path) -> None:
    from curate.profile.profiling import profile_data

    train = _write(_korean_frame(0, 24), tmp_path / "학습.csv", "utf-8")
    test = _write(_korean_frame(24, 6), tmp_path / "평가.csv", "cp949")
    profile = profile_data(train, test=test)
    assert profile.rows == 30
