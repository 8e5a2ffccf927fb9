"""`curate findings --with-text`: each finding with the row's input, as the review app shows it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..conftest import make_tabular_frame, make_text_frame, run_cli


def test_findings_with_text_adds_each_rows_text(tmp_path: Path) -> None:
    frame = make_text_frame()
    frame.loc[31, "text"] = frame.loc[7, "text"] = 'same, "quoted"\ntext'
    data, workspace = tmp_path / "reviews.csv", tmp_path / "ws"
    frame.to_csv(data, index=False)
    assert run_cli(["audit", data, "--id", "id", "--no-embed", "-w", workspace]).exit_code == 0
    result = run_cli(["findings", "--with-text", "--issue", "exact_duplicate", "-w", workspace])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:3] == ["row_id", "input", "issue"]
    assert sorted((r["row_id"], r["input"]) for r in rows) == [
        ("r31", 'same, "quoted"\ntext'),
        ("r7", 'same, "quoted"\ntext'),
    ]
    everything = json.loads(run_cli(["findings", "--all", "--with-text", "--format", "json", "-w", workspace]).stdout)
    texts = dict(zip(frame["id"], frame["text"], strict=True))
    assert all(r["input"] == texts[r["row_id"]] for r in everything)
    plain = run_cli(["findings", "-w", workspace])
    assert "input" not in plain.stdout.split("\n")[0].split(",")


def test_findings_with_text_of_a_table_are_its_fields(tmp_path: Path) -> None:
    data, workspace = tmp_path / "people.csv", tmp_path / "ws"
    make_tabular_frame().to_csv(data, index=False)
    assert run_cli(["audit", data, "--label", "label", "-w", workspace]).exit_code == 0
    out = tmp_path / "findings.jsonl"
    assert run_cli(["findings", "--all", "--with-text", "-o", out, "-w", workspace]).exit_code == 0
    first = json.loads(out.read_text(encoding="utf-8").split("\n")[0])
    assert set(json.loads(first["input"])) == {"age", "income", "city"}
