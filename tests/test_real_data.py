"""Audits of real public data from ../shared/data; each test skips with a reason when it is absent."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

import curate

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BANKING = DATA / "banking77"


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@pytest.mark.slow
@pytest.mark.skipif(not (BANKING / "train.csv").exists(), reason="../shared/data/banking77 is not present")
def test_banking77_exact_train_test_leaks_match_a_brute_force_check(tmp_path: Path) -> None:
    train = pd.read_csv(BANKING / "train.csv")
    test = pd.read_csv(BANKING / "test.csv")
    train_keys: dict[str, list[int]] = {}
    for i, text in enumerate(train["text"]):
        train_keys.setdefault(_key(text), []).append(i)
    expected = {(str(i), f"test:{j}") for j, text in enumerate(test["text"]) for i in train_keys.get(_key(text), [])}
    assert len(expected) == 7

    result = curate.audit(BANKING / "train.csv", test=BANKING / "test.csv", label="category", text="text",
                          workspace=tmp_path / "ws", detectors=["leakage"])
    leaks = result.findings
    exact = leaks[leaks["details"].map(lambda d: d["kind"] == "exact")]
    found = {(row_id, match) for row_id, details in zip(exact["row_id"], exact["details"], strict=True)
             if not row_id.startswith("test:") for match in details["matches"]}
    assert found == expected
    assert set(exact["row_id"]) == {r for pair in expected for r in pair}
    assert json.dumps(result.notes["leakage"]["flagged_by_split"])
