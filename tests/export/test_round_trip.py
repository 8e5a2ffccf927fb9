"""Exports read like their source: types, header bytes, line ends and cell text survive a round trip."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import curate
from curate.export import export_version
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.review import DecisionRequest, ReviewSession, load_run
from curate.store import Workspace

from ..conftest import make_text_frame


def _audit(path: Path, ws: Workspace, **options: object) -> curate.AuditResult:
    return curate.audit(path, workspace=ws, embedder=HashedTextEmbedder(), **options)  # type: ignore[arg-type]


def _typed_frame() -> pd.DataFrame:
    """60 rows: a bool label, a bool flag, a float, an int, text codes with leading zeros, and lists."""
    frame = make_text_frame()
    return pd.DataFrame(
        {
            "text": frame["text"],
            "is_sport": frame["label"] == "sport",
            "flag": [i % 3 == 0 for i in range(60)],
            "n": [i / 4 for i in range(60)],
            "count": list(range(60)),
            "code": [f"{i:05d}" for i in range(60)],
            "tags": [["a", "b"] if i % 2 else ["c"] for i in range(60)],
        }
    )


@pytest.fixture
def bool_parquet(tmp_path: Path) -> tuple[Workspace, Path]:
    """A Parquet source with a bool label, audited; row 2 (False) relabelled to "True", row 3 removed."""
    source = tmp_path / "bools.parquet"
    _typed_frame().to_parquet(source, index=False)
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="is_sport", text=["text"])
    assert list(result.dataset.labels[:4]) == ["False", "True", "False", "False"]
    session = ReviewSession(load_run(ws), reviewer="ana")  # as the review app records "True" typed in
    session.decide(DecisionRequest(row_id="2", action="relabel", new_label="True"))
    record(ws, result.dataset, row_id="3", action="remove", reviewer="ana")
    return ws, source


def test_parquet_to_parquet_keeps_the_source_schema(bool_parquet: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, source = bool_parquet
    summary = export_version(ws, None, "latest", None, tmp_path / "out.parquet")
    assert (summary.rows, summary.relabelled, summary.removed) == (59, 1, 1)
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.equals(pq.read_table(source).schema)
    assert out.schema.field("is_sport").type == pa.bool_() and out.schema.field("tags").type == pa.list_(pa.string())
    rows = out.to_pylist()
    assert [r["is_sport"] for r in rows[:4]] == [False, True, True, True]
    assert rows[2] == {**_typed_frame().iloc[2].to_dict(), "is_sport": True} and rows[3]["code"] == "00004"


def test_parquet_to_jsonl_and_json_keep_json_types(bool_parquet: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = bool_parquet
    export_version(ws, None, "latest", "jsonl", tmp_path / "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["is_sport"] for line in lines[:4]] == [False, True, True, True]
    assert json.loads(lines[2]) == {
        "text": _typed_frame().loc[2, "text"],
        "is_sport": True,
        "flag": False,
        "n": 0.5,
        "count": 2,
        "code": "00002",
        "tags": ["c"],
    }
    assert len(lines) == 59
    export_version(ws, None, "latest", None, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == [json.loads(line) for line in lines]


def test_parquet_to_csv_writes_the_values_as_text(bool_parquet: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = bool_parquet
    export_version(ws, None, "latest", None, tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_bytes().decode("utf-8").split("\n")
    assert lines[0] == "text,is_sport,flag,n,count,code,tags"
    assert lines[3].endswith(',True,False,0.5,2,00002,"[""c""]"')
    assert lines[2].endswith(',True,False,0.25,1,00001,"[""a"", ""b""]"')


# ------------------------------------------------------------------ delimited text, byte for byte
HEADER = "id,review text, note ,Größe (cm),a.b[c],gold label"


def _csv_source() -> list[str]:
    """The lines of a CSV with odd header cells, quoted commas and quotes, codes and decimals as text."""
    frame = make_text_frame()
    lines = [HEADER]
    for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True)):
        text = f'"{text}, said ""{i}"""' if i % 5 == 0 else text
        lines.append(f"{i:05d},{text},{'' if i % 4 else 'n/a'},{i}.50,{i % 7},{label}")
    return lines


@pytest.mark.parametrize(("ending", "bom"), [("\r\n", b""), ("\n", codecs.BOM_UTF8)], ids=["crlf", "lf-bom"])
def test_csv_exports_reproduce_the_source_bytes(tmp_path: Path, ending: str, bom: bytes) -> None:
    lines = _csv_source()
    source = tmp_path / "odd.csv"
    source.write_bytes(bom + (ending.join(lines) + ending).encode("utf-8"))
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="gold label", text=["review text"], id="id")
    assert result.dataset.labels[1] == "sport"

    export_version(ws, None, 0, None, tmp_path / "v0.csv")
    assert (tmp_path / "v0.csv").read_bytes() == source.read_bytes()

    record(ws, result.dataset, row_id="00001", action="relabel", new_label="tech", reviewer="ana")
    record(ws, result.dataset, row_id="00005", action="remove", reviewer="ana")
    export_version(ws, None, "latest", None, tmp_path / "latest.csv")
    expected = [*lines[:2], lines[2].removesuffix("sport") + "tech", *lines[3:6], *lines[7:]]
    assert (tmp_path / "latest.csv").read_bytes() == bom + (ending.join(expected) + ending).encode("utf-8")

    export_version(ws, None, "latest", "tsv", tmp_path / "latest.tsv")
    tsv = (tmp_path / "latest.tsv").read_bytes().removeprefix(bom).decode("utf-8").split(ending)
    assert tsv[0] == HEADER.replace(",", "\t") and tsv[2] == expected[2].replace(",", "\t")


def test_csv_to_jsonl_and_parquet_keep_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    source.write_text("\r\n".join(_csv_source()) + "\r\n", encoding="utf-8", newline="")
    ws = Workspace(tmp_path / "ws")
    _audit(source, ws, label="gold label", text=["review text"], id="id")
    export_version(ws, None, "latest", None, tmp_path / "out.jsonl")
    first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").split("\n")[0])
    assert list(first) == HEADER.split(",")
    # "0.50" reads back as 0.5, not its own text: it stays text; the plain ints of a.b[c] are numbers
    assert (first["id"], first[" note "], first["Größe (cm)"], first["a.b[c]"]) == ("00000", "n/a", "0.50", 0)
    export_version(ws, None, "latest", None, tmp_path / "out.parquet")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == HEADER.split(",")
    assert table.schema.types == [pa.string()] * 4 + [pa.int64(), pa.string()]
    assert table.column("id").to_pylist()[:2] == ["00000", "00001"] and table.column(" note ").to_pylist()[1] is None


# ------------------------------------------------------------------ JSONL, line for line
def _jsonl_lines() -> list[str]:
    frame = make_text_frame()
    labels = {"food": 0, "sport": 1, "tech": 2}
    return [
        json.dumps(
            {
                "id": 10**21 + i,
                "text": text,
                "label": labels[label],
                "tags": ["x", str(i)],
                "ok": i % 2 == 0,
                "w": i / 8,
                "note": None if i % 3 else "0012",
            },
            ensure_ascii=False,
            separators=(", ", ": "),
        )
        for i, (text, label) in enumerate(zip(frame["text"], frame["label"], strict=True))
    ]


def test_jsonl_export_keeps_lines_and_json_types(tmp_path: Path) -> None:
    lines = _jsonl_lines()
    source = tmp_path / "typed.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws, label="label", text=["text"], id="id")
    export_version(ws, None, 0, None, tmp_path / "v0.jsonl")
    assert (tmp_path / "v0.jsonl").read_bytes() == source.read_bytes()

    row = str(10**21 + 1)
    assert result.dataset.labels[1] == "1"
    record(ws, result.dataset, row_id=row, action="relabel", new_label="2", reviewer="ana")
    export_version(ws, None, "latest", None, tmp_path / "latest.jsonl")
    out = (tmp_path / "latest.jsonl").read_text(encoding="utf-8").split("\n")
    assert out[0] == lines[0] and out[2:] == [*lines[2:], ""]
    assert json.loads(out[1]) == {**json.loads(lines[1]), "label": 2}

    export_version(ws, None, "latest", None, tmp_path / "latest.parquet")
    table = pq.read_table(tmp_path / "latest.parquet")
    assert table.schema.field("label").type == pa.int64() and table.column("label").to_pylist()[:3] == [0, 2, 2]
    assert table.schema.field("tags").type == pa.list_(pa.string()) and table.column("tags").to_pylist()[1] == [
        "x",
        "1",
    ]
    assert table.schema.field("ok").type == pa.bool_()
    # integers beyond 64 bits cannot be Parquet integers: they keep every digit as text
    assert table.column("id").to_pylist()[:2] == [str(10**21), row]
    assert table.column("note").to_pylist()[:4] == ["0012", None, None, "0012"]
