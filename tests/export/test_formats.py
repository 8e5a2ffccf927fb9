"""The output format follows the file's suffix; an unknown suffix or a --format that disagrees is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from curate.errors import InputError
from curate.export.writing import output_format

from ..conftest import assert_one_line_error, run_cli, snapshot

SUPPORTED = ".csv, .tsv, .jsonl, .json, .parquet"
EXPORTABLE = f"{SUPPORTED}, .txt, .xlsx"


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("a.csv", None, "csv"),
        ("a.TSV", None, "tsv"),
        ("a.jsonl", "jsonl", "jsonl"),
        ("a.json", None, "json"),
        ("a.parquet", "parquet", "parquet"),
    ],
)
def test_the_suffix_names_the_format(name: str, fmt: str | None, expected: str) -> None:
    assert output_format(Path(name), fmt) == expected


def test_unknown_and_mismatched_formats_are_refused() -> None:
    with pytest.raises(InputError) as unknown:
        output_format(Path("out.xlsx"))
    assert str(unknown.value) == f"cannot write '.xlsx' files (out.xlsx); end the output name with one of {SUPPORTED}"
    with pytest.raises(InputError) as mismatch:
        output_format(Path("out.csv"), "parquet")
    assert str(mismatch.value) == (
        "--format parquet does not match the output out.csv (a csv file); drop --format or name the file *.parquet"
    )


@pytest.mark.parametrize(
    ("args", "keywords"),
    [
        (["out.xls"], ["'.xls'", EXPORTABLE]),
        (["out"], ["'no suffix'", EXPORTABLE]),
        (["out.csv", "--format", "parquet"], ["--format parquet", "out.csv"]),
        (["out.txt", "--format", "xlsx"], ["--format xlsx", "out.txt"]),
    ],
)
def test_export_refuses_a_bad_output_name_and_writes_nothing(
    audited_workspace: Path, tmp_path: Path, args: list[str], keywords: list[str]
) -> None:
    before = snapshot(audited_workspace)
    result = run_cli(["export", tmp_path / args[0], *args[1:], "-w", audited_workspace])
    assert_one_line_error(result, *keywords)
    assert not (tmp_path / args[0]).exists() and snapshot(audited_workspace) == before


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".jsonl", ".json", ".parquet", ".xlsx"])
def test_export_writes_the_suffix_format(audited_workspace: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"fixed{suffix}"
    assert run_cli(["export", out, "-w", audited_workspace]).exit_code == 0
    read = {
        ".csv": lambda p: pd.read_csv(p, dtype=str),
        ".tsv": lambda p: pd.read_csv(p, sep="\t", dtype=str),
        ".txt": lambda p: pd.read_csv(p, dtype=str),  # the source's delimiter: a comma
        ".jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
        ".json": lambda p: pd.read_json(p, dtype=False),
        ".parquet": pd.read_parquet,
        ".xlsx": pd.read_excel,
    }[suffix]
    frame = read(out)
    assert list(frame.columns) == ["id", "text", "label"] and len(frame) == 60 and frame.loc[0, "id"] == "r0"


def test_findings_file_format_follows_the_suffix(audited_workspace: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "findings.parquet"
    assert run_cli(["findings", "--all", "-o", parquet, "-w", audited_workspace]).exit_code == 0
    assert len(pd.read_parquet(parquet)) > 0
    jsonl = tmp_path / "findings.jsonl"
    assert run_cli(["findings", "--all", "-o", jsonl, "-w", audited_workspace]).exit_code == 0
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"row_id", "issue", "score", "flagged", "suggested_label", "given_label", "current_label",
                          "split", "details"}
    tsv = tmp_path / "findings.tsv"
    assert run_cli(["findings", "-o", tsv, "-w", audited_workspace]).exit_code == 0
    assert tsv.read_text(encoding="utf-8").split("\n")[0] == "\t".join(first)


@pytest.mark.parametrize(
    ("args", "keywords"),
    [
        (["-o", "f.csv", "--format", "json"], ["--format json", "f.csv"]),
        (["-o", "f.xlsx"], ["'.xlsx'", SUPPORTED]),
        (["--format", "parquet"], ["--format parquet", "--output"]),
    ],
)
def test_findings_refuse_a_bad_output(
    audited_workspace: Path, tmp_path: Path, args: list[str], keywords: list[str]
) -> None:
    args = [str(tmp_path / a) if a.startswith("f.") else a for a in args]
    assert_one_line_error(run_cli(["findings", *args, "-w", audited_workspace]), *keywords)
    assert list(tmp_path.glob("f.*")) == []
