"""Row ids exactly as written, everywhere: findings (CLI and files), export, the HTML report, the review JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.features import HashedTextEmbedder
from curate.store import Workspace

from ..conftest import make_text_frame, run_cli

LEADING_ZEROS = [f"{i:05d}" for i in range(60)]
TWENTY_TWO_DIGITS = [str(10**21 + 7 * i) for i in range(60)]


def _write(tmp_path: Path, ids: list[str], suffix: str) -> Path:
    """The 60-row text fixture with ``ids``; rows 7 and 31 are exact copies (both 'sport')."""
    frame = make_text_frame()
    frame["id"] = ids
    frame.loc[31, "text"] = frame.loc[7, "text"]
    path = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:  # JSONL with the ids as JSON numbers, as a database dump writes big keys
        path.write_text(
            "".join(
                json.dumps({"id": int(r["id"]), "text": r["text"], "label": r["label"]}, ensure_ascii=False) + "\n"
                for r in frame.to_dict("records")
            ),
            encoding="utf-8",
        )
    return path


CASES = [
    pytest.param(LEADING_ZEROS, ".csv", id="leading-zeros"),
    pytest.param(TWENTY_TWO_DIGITS, ".csv", id="22-digits-csv"),
    pytest.param(TWENTY_TWO_DIGITS, ".jsonl", id="22-digits-json-numbers"),
]


@pytest.mark.parametrize(("ids", "suffix"), CASES)
def test_findings_keep_the_ids_as_written(tmp_path: Path, ids: list[str], suffix: str) -> None:
    data, workspace = _write(tmp_path, ids, suffix), tmp_path / "ws"
    assert run_cli(["audit", data, "--id", "id", "--no-embed", "-w", workspace]).exit_code == 0
    copies = sorted([ids[7], ids[31]])

    printed = run_cli(["findings", "--issue", "exact_duplicate", "-w", workspace])
    assert printed.exit_code == 0, printed.output
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert sorted(r["row_id"] for r in rows) == copies
    assert json.loads(rows[0]["details"])["copies"] == [ids[7], ids[31]]

    as_json = run_cli(["findings", "--all", "--format", "json", "-w", workspace])
    assert {r["row_id"] for r in json.loads(as_json.stdout)} == set(ids)
    # in JSON the details are an object, not JSON text inside a string
    copy = next(r for r in json.loads(as_json.stdout) if r["issue"] == "exact_duplicate" and r["flagged"])
    assert copy["details"]["copies"] == [ids[7], ids[31]]
    lines = run_cli(["findings", "--issue", "exact_duplicate", "--format", "jsonl", "-w", workspace]).stdout
    assert json.loads(lines.splitlines()[0])["details"]["copies"] == [ids[7], ids[31]]

    parquet = tmp_path / "findings.parquet"
    assert run_cli(["findings", "--all", "--format", "parquet", "-o", parquet, "-w", workspace]).exit_code == 0
    table = pd.read_parquet(parquet)
    assert table["row_id"].map(type).eq(str).all() and set(table["row_id"]) == set(ids)


def test_an_id_column_of_plain_numbers_stays_text_in_findings(tmp_path: Path) -> None:
    ids = [str(i) for i in range(60)]
    data, workspace = _write(tmp_path, ids, ".csv"), tmp_path / "ws"
    assert run_cli(["audit", data, "--id", "id", "--no-embed", "-w", workspace]).exit_code == 0
    as_json = run_cli(["findings", "--issue", "exact_duplicate", "--format", "json", "-w", workspace])
    assert sorted(r["row_id"] for r in json.loads(as_json.stdout)) == ["31", "7"]


@pytest.mark.parametrize(("ids", "suffix"), CASES)
def test_export_report_and_review_keep_the_ids_as_written(tmp_path: Path, ids: list[str], suffix: str) -> None:
    from fastapi.testclient import TestClient

    from curate.export import export_version
    from curate.report import from_workspace, render
    from curate.review import ReviewSession, load_run
    from curate.review.web import create_app

    data, ws = _write(tmp_path, ids, suffix), Workspace(tmp_path / "ws")
    curate.audit(data, label="label", text="text", id="id", workspace=ws, embedder=HashedTextEmbedder())

    export_version(ws, None, "latest", "csv", tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        assert [r["id"] for r in csv.DictReader(handle)] == ids

    html = render(from_workspace(ws, None))
    assert ids[7] in html and ids[31] in html

    session = ReviewSession(load_run(ws), reviewer="tester")
    with TestClient(create_app(session), base_url="http://127.0.0.1") as client:
        queue = client.get("/api/queue", params={"issue": "exact_duplicate"}).json()
        assert sorted(e["row_id"] for e in queue["entries"]) == sorted([ids[7], ids[31]])
        item = client.get(f"/api/items/{ids[7]}").json()
        assert item["row_id"] == ids[7]
        assert [d["row_id"] for d in item["duplicates"]] == [ids[31]]
