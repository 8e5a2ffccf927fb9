"""Stored versions: the store's record of where a version's source is, and the one loader over it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.errors import InputError, NotFoundError
from curate.features import HashedTextEmbedder
from curate.ledger.versions import StoredVersion, load_stored_version
from curate.store import StoredSource, VersionRecord, Workspace

from ..conftest import CLASSES, make_sentence, make_text_frame, run_cli

OPTIONS = {"encoding": "utf-8", "id": "id", "label": "label", "split": None, "text": ["text"]}


def _copy_name(path: Path) -> str:
    return f"sources/{hashlib.sha256(path.read_bytes()).hexdigest()}{path.suffix}"


@pytest.fixture
def two_versions(text_csv: Path, workspace: Path, tmp_path: Path) -> tuple[Workspace, Path, Path]:
    """Run 1 audits version 1 of ``reviews``; version 2 (row r0 relabelled) is imported after it."""
    curate.audit(text_csv, id="id", workspace=workspace, embedder=HashedTextEmbedder())
    (tmp_path / "v2").mkdir()
    changed = tmp_path / "v2" / "reviews.csv"
    make_text_frame().assign(label=lambda f: f["label"].where(f.index != 0, "tech")).to_csv(changed, index=False)
    assert run_cli(["import", changed, "--id", "id", "-w", workspace]).exit_code == 0
    return Workspace(workspace), text_csv, changed


def test_the_record_of_a_runs_version(two_versions: tuple[Workspace, Path, Path]) -> None:
    ws, first, _ = two_versions
    stored = ws.stored_source(run_id=1)
    assert stored == StoredSource(
        version=VersionRecord(1, "reviews", 1, str(first), 60, stored.version.created_at),
        source_copy=_copy_name(first), test_source_copy=None, test_source_path=None, format="csv",
        encoding="utf-8", options=OPTIONS,
    )


def test_a_datasets_latest_version(two_versions: tuple[Workspace, Path, Path]) -> None:
    ws, _, changed = two_versions
    stored = ws.stored_source(dataset="reviews")
    assert (stored.version.id, stored.version.number, stored.version.source_path) == (2, 2, str(changed))
    assert stored.source_copy == _copy_name(changed)


@pytest.mark.parametrize(("where", "error", "message"), [
    ({}, InputError, "either a run or a dataset"),
    ({"run_id": 1, "dataset": "reviews"}, InputError, "either a run or a dataset"),
    ({"run_id": 7}, NotFoundError, "no run 7 in"),
    ({"dataset": "other"}, NotFoundError, "no dataset 'other' in"),
])
def test_what_is_not_there(two_versions: tuple[Workspace, Path, Path], where: dict, error: type,
                           message: str) -> None:
    ws, _, _ = two_versions
    with pytest.raises(error, match=message):
        ws.stored_source(**where)
    with pytest.raises(error, match=message):
        load_stored_version(ws, **where)


def test_source_of_run_keeps_its_0_1_0_shape(two_versions: tuple[Workspace, Path, Path]) -> None:
    ws, first, _ = two_versions
    assert ws.source_of_run(1) == {"source_copy": _copy_name(first), "test_source_copy": None,
                                   "options": json.dumps(OPTIONS, sort_keys=True), "format": "csv",
                                   "encoding": "utf-8"}
    assert ws.source_of_run(7) is None


def test_loading_the_version_a_run_audited(two_versions: tuple[Workspace, Path, Path]) -> None:
    ws, first, _ = two_versions
    stored = load_stored_version(ws, run_id=1)
    assert isinstance(stored, StoredVersion) and stored.raw is None
    assert stored.record == ws.stored_source(run_id=1)
    expected = make_text_frame()
    assert list(stored.dataset.row_ids) == list(expected["id"])
    assert list(stored.dataset.labels) == list(expected["label"])
    assert stored.dataset.name == "reviews"
    assert stored.loaded.source.fingerprint == curate.load_data(first, id="id", name="reviews").source.fingerprint


def test_loading_the_latest_version_with_its_raw_table(two_versions: tuple[Workspace, Path, Path]) -> None:
    ws, first, changed = two_versions
    first.unlink()
    changed.rename(changed.with_suffix(".moved"))  # the stored copies are enough
    stored = load_stored_version(ws, dataset="reviews", raw=True)
    assert stored.dataset.labels[0] == "tech"
    assert stored.raw is not None
    pd.testing.assert_frame_equal(stored.raw, pd.read_csv(changed.with_suffix(".moved")))


def test_a_separate_test_file_is_loaded_from_its_copy(tmp_path: Path) -> None:
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    make_text_frame().drop(columns="id").to_csv(train, index=False)
    pd.DataFrame({"text": [make_sentence(c, 100 + i) for i in range(2) for c in CLASSES],
                  "label": [c for _ in range(2) for c in CLASSES]}).to_csv(test, index=False)
    ws = Workspace(tmp_path / "ws")
    curate.audit(train, test=test, workspace=ws, embedder=HashedTextEmbedder())
    copy = _copy_name(test)
    train.unlink()
    test.unlink()
    stored = load_stored_version(ws, run_id=1)
    assert (stored.record.test_source_copy, stored.record.test_source_path) == (copy, str(test))
    assert stored.dataset.n_rows == 66
    assert list(stored.dataset.row_ids)[60:] == [f"test:{i}" for i in range(6)]
    assert stored.dataset.splits is not None and list(stored.dataset.splits).count("test") == 6
