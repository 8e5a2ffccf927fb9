"""``--ignore COL``: a column curate does not read at all, kept out of every later read of the stored copy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.ledger.versions import load_stored_version
from curate.store import Workspace

from .conftest import assert_one_line_error, run_cli, snapshot


def _table(rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    label = np.where(x[:, 0] + 0.5 * x[:, 1] > 0, "high", "low")
    return pd.DataFrame({"id": [f"r{i:03d}" for i in range(rows)], "a": x[:, 0], "b": x[:, 1], "c": x[:, 2],
                         "label": label, "label copy": label, "note": ["see ticket"] * rows})


def test_an_ignored_leaking_column_is_not_read_now_or_when_the_stored_copy_is_read_again(tmp_path: Path) -> None:
    data, ws = tmp_path / "t.csv", tmp_path / "ws"
    _table().to_csv(data, index=False)
    leaked = run_cli(["audit", data, "--label", "label", "--id", "id", "--detector", "label", "-w", ws])
    assert leaked.exit_code == 0, leaked.output
    assert "[leaked_label_column]" in leaked.stdout and "audit again with --ignore 'label copy'" in leaked.stdout
    again = run_cli(["audit", data, "--label", "label", "--id", "id", "--detector", "label", "-w", ws,
                     "--ignore", "Label Copy", "--ignore", "note"])
    assert again.exit_code == 0, again.output
    assert "leaked_label_column" not in again.stdout
    assert "ignored (--ignore): 'label copy', 'note'" in again.stderr + again.stdout
    stored = load_stored_version(Workspace(ws), run_id=2).loaded
    assert stored.dataset.input_columns == ("a", "b", "c")
    assert stored.dataset.metadata is None or "label copy" not in stored.dataset.metadata.columns
    assert Workspace(ws).run(2).params["options"]["ignore"] == ["label copy", "note"]


def test_a_test_file_need_not_have_an_ignored_column(tmp_path: Path) -> None:
    frame = _table(160)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:120].to_csv(train, index=False)
    frame.iloc[120:].drop(columns=["note"]).to_csv(test, index=False)
    result = run_cli(["audit", train, "--test", test, "--label", "label", "--id", "id", "--ignore", "note",
                      "--ignore", "label copy", "--detector", "label", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("ignored", "keywords"), [
    ("nope", ["t.csv has no column 'nope' to ignore", "its columns are: id, a, b"]),
    ("label", ["--ignore 'label' is also the label column"]),
    ("id", ["--ignore 'id' is also the id column"]),
])
def test_ignoring_a_missing_column_or_one_with_a_part_is_one_line(tmp_path: Path, ignored: str,
                                                                   keywords: list[str]) -> None:
    data, ws = tmp_path / "t.csv", tmp_path / "ws"
    _table().to_csv(data, index=False)
    assert run_cli(["audit", data, "--label", "label", "--id", "id", "--detector", "label", "-w", ws]).exit_code == 0
    before = snapshot(ws)
    failed = run_cli(["audit", data, "--label", "label", "--id", "id", "--ignore", ignored, "-w", ws])
    assert_one_line_error(failed, *keywords)
    assert snapshot(ws) == before
