"""One placeholder text repeated many times: stored once per group, and no genuine row an outlier for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.detectors.exact_duplicates import COPIES_LISTED
from curate.store import Workspace

WORDS = ["river", "stone", "cloud", "paper", "green", "quick", "lamp", "violin", "orbit", "garden", "salt",
         "copper", "window", "tiger", "mango", "ladder", "planet", "cotton", "ember", "falcon"]
DETECTORS = ["exact_duplicate", "conflicting_labels", "outlier"]


def _table(copies: int, distinct: int) -> pd.DataFrame:
    """``copies`` rows of one placeholder text (three labels in turn), then ``distinct`` varied texts."""
    rng = np.random.default_rng(0)
    texts = ["Item not available"] * copies + [" ".join(rng.choice(WORDS, 8)) for _ in range(distinct)]
    labels = [("sport", "tech", "food")[i % 3] for i in range(copies + distinct)]
    return pd.DataFrame({"id": [f"r{i:05d}" for i in range(copies + distinct)], "text": texts, "label": labels})


def _audit(folder: Path, copies: int, distinct: int, detectors: list[str]) -> tuple[curate.AuditResult, Path]:
    workspace = folder / f"ws-{copies}"
    result = curate.audit(
        _table(copies, distinct),
        label="label",
        text="text",
        id="id",
        workspace=workspace,
        embedder="hashed",
        detectors=detectors,
        name="repeated",
    )
    return result, workspace


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[curate.AuditResult, Path]:
    """1,000 copies of one text among 1,100 rows, audited into a workspace."""
    return _audit(tmp_path_factory.mktemp("repeated"), 1000, 100, DETECTORS)


def _listed_ids(workspace: Path, run_id: int) -> dict[str, int]:
    findings = Workspace(workspace).findings(run_id, flagged_only=False)
    return {
        issue: int(sum(len(d.get("copies", [])) for d in rows["details"])) for issue, rows in findings.groupby("issue")
    }


def test_a_copy_group_is_listed_once_on_its_first_row(audited: tuple[curate.AuditResult, Path]) -> None:
    result, workspace = audited
    assert result.run_id is not None
    stored = Workspace(workspace).findings(result.run_id, flagged_only=False)
    exact = stored[stored["issue"] == "exact_duplicate"].set_index("row_id")["details"]
    assert exact["r00000"] == {
        "group": 0,
        "first": "r00000",
        "size": 1000,
        "is_first": True,
        "copies": [f"r{i:05d}" for i in range(1000)],
    }
    assert exact["r00999"] == {
        "group": 0,
        "first": "r00000",
        "size": 1000,
        "is_first": False,
        "copies": [f"r{i:05d}" for i in range(COPIES_LISTED)],
    }
    conflicting = stored[stored["issue"] == "conflicting_labels"].set_index("row_id")["details"]
    assert conflicting["r00000"]["size"] == 1000 and len(conflicting["r00000"]["copies"]) == 1000
    assert len(conflicting["r00500"]["copies"]) == COPIES_LISTED
    assert conflicting["r00500"]["labels"] == {"sport": 334, "tech": 333, "food": 333}
    # one full list per group, a short one per other copy: 1000 + 999 x 10 ids per detector
    assert _listed_ids(workspace, result.run_id) == {
        "conflicting_labels": 10_990,
        "exact_duplicate": 10_990,
        "outlier": 0,
    }


def test_stored_findings_grow_linearly_with_the_copies(tmp_path: Path) -> None:
    small, small_ws = _audit(tmp_path, 300, 30, DETECTORS[:2])
    large, large_ws = _audit(tmp_path, 600, 60, DETECTORS[:2])
    assert small.run_id is not None and large.run_id is not None
    listed_small = _listed_ids(small_ws, small.run_id)["exact_duplicate"]
    listed_large = _listed_ids(large_ws, large.run_id)["exact_duplicate"]
    assert (listed_small, listed_large) == (300 + 299 * COPIES_LISTED, 600 + 599 * COPIES_LISTED)
    size_small = (small_ws / "curate.db").stat().st_size
    size_large = (large_ws / "curate.db").stat().st_size
    assert size_large < 2.2 * size_small  # twice the rows, about twice the bytes (it was four times)


def test_no_genuine_row_is_an_outlier_because_of_the_repeats(audited: tuple[curate.AuditResult, Path]) -> None:
    result, _ = audited
    outliers = result.scores[result.scores["issue"] == "outlier"]
    assert outliers["flagged"].sum() == 0
    # the fence is taken over the 101 distinct inputs, not the 1,000 copies at distance 0
    genuine = outliers[outliers["position"] >= 1000]["details"].map(lambda d: d["knn_distance"])
    assert result.notes["outlier"]["distance_limit"] > genuine.max()
