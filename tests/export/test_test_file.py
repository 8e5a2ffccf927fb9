"""Decisions on rows of a separate ``--test`` file: written to ``--test-output``, or named as unwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

import curate
from curate.errors import InputError
from curate.export import export_version
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.review import DecisionRequest, ReviewSession, load_run
from curate.store import Workspace

from ..conftest import assert_one_line_error, make_sentence, make_text_frame, run_cli, snapshot

# The test file: tab-separated with CRLF line ends, its own header spelling and a column of codes.
TEST_LINES = [
    "text\tlabel\tcode",
    "the soup and the spice near the bread made news in story 90\tfood\t007",
    "the match and the coach near the goal made news in story 91\tsport\t008",
    "the chip and the code near the cloud made news in story 92\ttech\t009",
    "the bake and the flavor near the soup made news in story 93\tfood\t010",
]


@pytest.fixture
def with_test(tmp_path: Path) -> Workspace:
    """A 60-row CSV audited with a 4-row TSV --test file; test:1 and train row 0 relabelled, test:3 removed."""
    train = tmp_path / "train.csv"
    make_text_frame()[["text", "label"]].assign(code=[f"{i:03d}" for i in range(60)]).to_csv(train, index=False)
    test = tmp_path / "test.tsv"
    test.write_bytes(("\r\n".join(TEST_LINES) + "\r\n").encode("utf-8"))
    ws = Workspace(tmp_path / "ws")
    dataset = curate.audit(
        train, test=test, label="label", text="text", workspace=ws, embedder=HashedTextEmbedder()
    ).dataset
    assert list(dataset.row_ids[-4:]) == ["test:0", "test:1", "test:2", "test:3"]
    record(ws, dataset, row_id="0", action="relabel", new_label="tech", reviewer="ana")  # food -> tech
    session = ReviewSession(load_run(ws), reviewer="ana")  # as the review app records it
    session.decide(DecisionRequest(row_id="test:1", action="relabel", new_label="food"))
    record(ws, dataset, row_id="test:3", action="remove", reviewer="ana")
    return ws


def test_test_output_writes_the_test_rows_in_the_test_files_own_format(with_test: Workspace, tmp_path: Path) -> None:
    summary = export_version(with_test, None, "latest", None, tmp_path / "o.csv", test_output=tmp_path / "t.tsv")
    assert (summary.rows, summary.relabelled, summary.removed, summary.test_decisions_unwritten) == (60, 1, 0, 0)
    assert summary.test is not None
    assert (summary.test.path, summary.test.version, summary.test.rows, summary.test.relabelled) == (
        tmp_path / "t.tsv",
        3,
        3,
        1,
    )
    assert summary.test.removed == 1
    expected = [TEST_LINES[0], TEST_LINES[1], TEST_LINES[2].replace("sport", "food"), TEST_LINES[3]]
    assert (tmp_path / "t.tsv").read_bytes() == ("\r\n".join(expected) + "\r\n").encode("utf-8")
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").split("\n")[:2] == [
        "text,label,code",
        f"{make_sentence('food', 0)},tech,000",
    ]
    export_version(
        with_test, None, "latest", None, tmp_path / "o.csv", test_output=tmp_path / "t.jsonl", with_status=True
    )
    assert (tmp_path / "t.jsonl").read_text(encoding="utf-8").split("\n")[1] == (
        '{"text": "the match and the coach near the goal made news in story 91", "label": "food", "code": "008", '
        '"review_status": "relabelled"}'
    )


def test_without_test_output_the_summary_counts_the_unwritten_decisions(with_test: Workspace, tmp_path: Path) -> None:
    summary = export_version(with_test, None, "latest", None, tmp_path / "o.csv")
    assert (summary.rows, summary.relabelled, summary.test, summary.test_decisions_unwritten) == (60, 1, None, 2)
    assert export_version(with_test, None, 1, None, tmp_path / "v1.csv").test_decisions_unwritten == 0


def test_cli_warns_of_unwritten_test_decisions_and_writes_test_output(with_test: Workspace, tmp_path: Path) -> None:
    result = run_cli(["export", tmp_path / "o.csv", "-w", with_test.path])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {tmp_path / 'o.csv'}: version 3, 60 rows (1 relabelled, 0 removed)\n"
    assert result.stderr == (
        "warning: 2 decisions on rows of the --test file were not written: add --test-output PATH\n"
    )
    result = run_cli(["export", tmp_path / "o.csv", "--test-output", tmp_path / "t.csv", "-w", with_test.path])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"wrote {tmp_path / 'o.csv'}: version 3, 60 rows (1 relabelled, 0 removed)\n"
        f"wrote {tmp_path / 't.csv'}: version 3, 3 rows (1 relabelled, 1 removed)\n"
    )
    assert result.stderr == ""
    assert (tmp_path / "t.csv").read_bytes().split(b"\r\n")[2] == (
        b"the match and the coach near the goal made news in story 91,food,008"
    )


def test_an_export_without_test_output_says_the_test_split_is_not_in_it(tmp_path: Path) -> None:
    # A user trial: a train/val/test picture tree exported to one CSV lost its 22 test/ pictures unsaid.
    import pandas as pd

    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    pd.DataFrame({"text": [f"row {i} {'ab'[i % 2]}" for i in range(20)], "label": list("ab" * 10)}).to_csv(train,
                                                                                                           index=False)
    pd.DataFrame({"text": ["row x a", "row y b", "row z a"], "label": list("aba")}).to_csv(test, index=False)
    workspace = tmp_path / "ws"
    assert run_cli(["audit", train, "--test", test, "--label", "label", "--text", "text", "--no-embed",
                    "-w", workspace]).exit_code == 0
    result = run_cli(["export", tmp_path / "o.csv", "-w", workspace])
    assert result.exit_code == 0, result.output
    assert result.stderr == ("note: the 3 rows of the test split are not in o.csv: add --test-output PATH to write "
                             "them too\n")
    both = run_cli(["export", tmp_path / "o.csv", "--test-output", tmp_path / "t.csv", "-w", workspace])
    assert both.exit_code == 0 and both.stderr == ""


def test_test_output_is_refused_without_a_test_file_or_onto_the_output(tmp_path: Path, with_test: Workspace) -> None:
    before = snapshot(with_test.path)
    result = run_cli(["export", tmp_path / "o.csv", "--test-output", tmp_path / "o.csv", "-w", with_test.path])
    assert_one_line_error(result, "--test-output", "is the output file too")
    result = run_cli(["export", tmp_path / "o.csv", "--test-output", tmp_path / "t.xls", "-w", with_test.path])
    assert_one_line_error(result, "cannot write '.xls' files")
    assert not (tmp_path / "o.csv").exists() and snapshot(with_test.path) == before
    source = tmp_path / "plain.csv"
    make_text_frame().to_csv(source, index=False)
    ws = Workspace(tmp_path / "ws2")
    curate.audit(source, label="label", text="text", workspace=ws, embedder=HashedTextEmbedder())
    with pytest.raises(InputError) as refused:
        export_version(ws, None, "latest", None, tmp_path / "p.csv", test_output=tmp_path / "pt.csv")
    assert str(refused.value) == "dataset 'plain' was audited without a --test file; drop --test-output"
    assert not (tmp_path / "p.csv").exists()
