"""Bad input: a non-zero exit, one stderr line naming the problem, and the workspace untouched.

Every case runs against a workspace that does not exist yet (it must still not exist afterwards)
and against one that already holds a successful audit (its files must stay byte-identical).
The audits here leave out ``--no-embed`` on purpose: each case fails while loading, before any
embedding, and without the flag the CLI prints nothing before the error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import (
    CLASSES,
    assert_one_line_error,
    make_tabular_frame,
    make_text_frame,
    run_cli,
    snapshot,
)

N_ROWS = 3 * 20  # the text fixture: 20 rows in each of 3 classes


@dataclass
class Case:
    """A bad command: ``build(folder)`` writes its files, returns the arguments after 'audit'."""

    build: Callable[[Path], list[str | Path]]
    keywords: tuple[str, ...]


def _text_csv(folder: Path, frame: pd.DataFrame | None = None, name: str = "reviews.csv") -> Path:
    path = folder / name
    (make_text_frame() if frame is None else frame).to_csv(path, index=False)
    return path


def _lines_csv(folder: Path, lines: list[str], name: str = "ragged.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ragged(folder: Path, line_4: str, line_5: str) -> Path:
    lines = ["text,label", "one two three four,a", "five six seven eight,b", line_4, line_5]
    return _lines_csv(folder, lines)


def _probs(folder: Path, probs: np.ndarray) -> list[str | Path]:
    path = folder / "probs.npy"
    np.save(path, probs)
    return [_text_csv(folder), "--pred-probs", path]


def _uniform(rows: int = N_ROWS, classes: int = len(CLASSES)) -> np.ndarray:
    return np.full((rows, classes), 1.0 / classes)


def _with(probs: np.ndarray, row: int, col: int | slice, value: float | list[float]) -> np.ndarray:
    probs[row, col] = value
    return probs


def _single_class(folder: Path) -> list[str | Path]:
    return [_text_csv(folder, make_text_frame().assign(label="same"))]


def _one_row_class(folder: Path) -> list[str | Path]:
    frame = make_text_frame()
    frame.loc[4, "label"] = "lonely"
    return [_text_csv(folder, frame)]


def _duplicate_ids(folder: Path) -> list[str | Path]:
    frame = make_text_frame()
    frame.loc[5, "id"] = "r3"
    return [_text_csv(folder, frame), "--id", "id"]


def _numeric_junk(folder: Path) -> list[str | Path]:
    frame = make_tabular_frame().astype({"age": str})
    frame.loc[7, "age"] = "abc"  # row 7 is line 9 of the file (line 1 is the header)
    path = folder / "people.csv"
    frame.to_csv(path, index=False)
    return [path, "--label", "label"]


def _invalid_utf8(folder: Path) -> list[str | Path]:
    lines = make_text_frame().to_csv(index=False).encode("utf-8").split(b"\n")
    lines[10] += b" \xff\xfe"  # line 11
    path = folder / "broken.csv"
    path.write_bytes(b"\n".join(lines))
    return [path, "--encoding", "utf-8"]


def _missing_label_value(folder: Path) -> list[str | Path]:
    frame = make_text_frame()
    frame.loc[6, "label"] = None
    return [_text_csv(folder, frame)]


def _empty_file(folder: Path) -> list[str | Path]:
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return [path]


def _bad_json_line(folder: Path) -> list[str | Path]:
    path = folder / "data.jsonl"
    path.write_text(
        '{"text": "a b c d", "label": "x"}\n{"text": "e f g h", "label": "y"}\n{"text": oops}\n',
        encoding="utf-8",
    )
    return [path]


CASES: dict[str, Case] = {
    "missing label column": Case(
        lambda d: [_text_csv(d), "--label", "nope"], ("'nope'", "label", "id, text, label")
    ),
    "missing text column": Case(lambda d: [_text_csv(d), "--text", "body"], ("'body'", "text")),
    "single class": Case(_single_class, ("'same'", "two classes")),
    "class with one row": Case(_one_row_class, ("'lonely'", "single row", "row_id 4")),
    "row without a label": Case(_missing_label_value, ("no label", "'label'", "row_id 6")),
    "empty file": Case(_empty_file, ("empty.csv", "empty")),
    "header only": Case(
        lambda d: [_lines_csv(d, ["id,text,label"], "header.csv")], ("header.csv", "no rows")
    ),
    "row with an extra field": Case(
        lambda d: [_ragged(d, "nine ten eleven twelve,a,EXTRA", "thirteen fourteen,b")],
        ("line 4", "3 fields", "header has 2"),
    ),
    "row with a missing field": Case(
        lambda d: [_ragged(d, "nine ten eleven twelve,a", "thirteen fourteen")],
        ("line 5", "1 fields", "header has 2"),
    ),
    "junk in a numeric column": Case(_numeric_junk, ("'age'", "line 9", "'abc'")),
    "duplicated ids": Case(_duplicate_ids, ("'id'", "not unique", "'r3'")),
    "NaN in pred_probs": Case(
        lambda d: _probs(d, _with(_uniform(), 4, 1, np.nan)), ("nan", "row 4", "column 1")
    ),
    "inf in pred_probs": Case(
        lambda d: _probs(d, _with(_uniform(), 7, 2, np.inf)), ("inf", "row 7", "column 2")
    ),
    "pred_probs of the wrong shape": Case(
        lambda d: _probs(d, _uniform(classes=2)), ("(60, 2)", "(60, 3)")
    ),
    "pred_probs with too few rows": Case(
        lambda d: _probs(d, _uniform(rows=59)), ("(59, 3)", "(60, 3)")
    ),
    "pred_probs rows not summing to 1": Case(
        lambda d: _probs(d, _with(_uniform(), 9, slice(None), [0.5] * 3)),
        ("row 9", "sums to 1.5000"),
    ),
    "negative pred_probs": Case(
        lambda d: _probs(d, _with(_uniform(), 3, slice(None), [-0.5, 1.0, 0.5])),
        ("negative", "row 3"),
    ),
    "pred_probs file missing": Case(
        lambda d: [_text_csv(d), "--pred-probs", d / "nothere.npy"],
        ("nothere.npy", "does not exist"),
    ),
    "non-existent file": Case(lambda d: [d / "nothere.csv"], ("nothere.csv", "does not exist")),
    "unsupported suffix": Case(
        lambda d: [_lines_csv(d, ["a,b"], "book.xls")], ("book.xls", "'.xls'")
    ),
    "damaged workbook": Case(
        lambda d: [_lines_csv(d, ["a,b"], "book.xlsx")],
        ("book.xlsx", "not a readable Excel workbook"),
    ),
    "invalid bytes for a forced utf-8": Case(_invalid_utf8, ("broken.csv", "line 11", "utf-8")),
    "unknown encoding name": Case(
        lambda d: [_text_csv(d), "--encoding", "klingon"], ("'klingon'",)
    ),
    "unknown detector": Case(
        lambda d: [_text_csv(d), "--detector", "nope"], ("'nope'", "no detector")
    ),
    "bad JSON line": Case(_bad_json_line, ("data.jsonl", "line 3", "JSON")),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_fresh_workspace(case: str, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    args = CASES[case].build(tmp_path)
    result = run_cli(["audit", *args, "-w", workspace])
    assert_one_line_error(result, *CASES[case].keywords)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert not workspace.exists()


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_existing_workspace(case: str, tmp_path: Path, audited_workspace: Path) -> None:
    before = snapshot(audited_workspace)
    assert before is not None and "curate.db" in before and "reports/run-1.html" in before
    args = CASES[case].build(tmp_path)
    result = run_cli(["audit", *args, "-w", audited_workspace])
    assert_one_line_error(result, *CASES[case].keywords)
    assert snapshot(audited_workspace) == before


@pytest.mark.parametrize(
    "case",
    [
        "missing label column",
        "single class",
        "row with an extra field",
        "duplicated ids",
        "non-existent file",
    ],
)
def test_bad_input_on_import(case: str, tmp_path: Path, audited_workspace: Path) -> None:
    args = CASES[case].build(tmp_path)
    before = snapshot(audited_workspace)
    result = run_cli(["import", *args, "-w", audited_workspace])
    assert_one_line_error(result, *CASES[case].keywords)
    assert snapshot(audited_workspace) == before
    fresh = tmp_path / "fresh-ws"
    assert_one_line_error(run_cli(["import", *args, "-w", fresh]), *CASES[case].keywords)
    assert not fresh.exists()


# ------------------------------------------------------------------ the line named is the right one
def test_junk_line_counts_blank_lines(tmp_path: Path) -> None:
    """A blank line before the junk row moves it one line down; the message must follow."""
    frame = make_tabular_frame().astype({"age": str})
    frame.loc[7, "age"] = "abc"
    lines = frame.to_csv(index=False).splitlines()
    lines.insert(3, "")
    path = _lines_csv(tmp_path, lines, "people.csv")
    assert path.read_text(encoding="utf-8").splitlines()[9].startswith("abc,")  # line 10
    result = run_cli(["audit", path, "--label", "label", "-w", tmp_path / "ws"])
    assert_one_line_error(result, "'age'", "line 10", "'abc'")


def test_junk_line_in_jsonl(tmp_path: Path) -> None:
    """JSONL has no header: row 7 is line 8 (a string among numbers; a column of JSON strings is text)."""
    frame = make_tabular_frame().astype({"age": object})
    frame.loc[7, "age"] = "abc"
    path = tmp_path / "people.jsonl"
    frame.to_json(path, orient="records", lines=True)
    assert '"abc"' in path.read_text(encoding="utf-8").splitlines()[7]  # line 8
    result = run_cli(["audit", path, "--label", "label", "-w", tmp_path / "ws"])
    assert_one_line_error(result, "'age'", "line 8", "'abc'")


def test_junk_line_in_test_file_names_the_test_file(tmp_path: Path) -> None:
    frame = make_tabular_frame()
    train = frame.iloc[::2].reset_index(drop=True)
    test = frame.iloc[1::2].reset_index(drop=True).astype({"age": str})
    test.loc[3, "age"] = "abc"  # line 5 of the test file
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    result = run_cli(
        [
            "audit",
            tmp_path / "train.csv",
            "--test",
            tmp_path / "test.csv",
            "--label",
            "label",
            "-w",
            tmp_path / "ws",
        ]
    )
    line = assert_one_line_error(result, "test.csv", "'age'", "line 5", "'abc'")
    assert "train.csv" not in line


def test_unknown_detector_is_refused_before_any_work(tmp_path: Path) -> None:
    """Detector names are options: a wrong one must fail before embedding or writing anything."""
    data = _text_csv(tmp_path)
    workspace = tmp_path / "ws"
    result = run_cli(
        [
            "audit",
            data,
            "--no-embed",
            "--detector",
            "outlier",
            "--detector",
            "nope",
            "-w",
            workspace,
        ]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: no detector named 'nope'")
    assert "embedding" not in result.stderr
    assert not workspace.exists()


# ------------------------------------------------------------------ the real executable
def _curate_command() -> list[str]:
    script = Path(sys.executable).parent / "curate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "curate.cli"]


@pytest.mark.parametrize(
    "case", ["missing label column", "row with an extra field", "NaN in pred_probs"]
)
def test_bad_input_in_a_real_process(case: str, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    args = [str(a) for a in CASES[case].build(tmp_path)]
    proc = subprocess.run(
        [*_curate_command(), "audit", *args, "-w", str(workspace)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:")
    assert all(k in lines[0] for k in CASES[case].keywords)
    assert proc.stdout == ""
    assert not workspace.exists()
