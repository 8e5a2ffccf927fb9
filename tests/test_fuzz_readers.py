"""A property-based fuzz of the readers: any file either audits or fails in one ``error:`` line.

Hypothesis builds tables (random column names, types, missing and extreme values, long fields,
unusual Unicode), writes each as CSV (any delimiter, quoting and encoding), TSV, JSON Lines, a JSON
array or Parquet, and also writes raw random bytes under those names. ``curate audit`` of each must
either finish or exit non-zero with one ``error:`` line and no traceback, and a failed audit must
leave no workspace behind. At least half of the generated tables must get through to a finished
audit: a reader that refuses everything would pass the first property and fail this one.

The examples are derandomised (a fixed seed) so that CI runs the same files every time; a crash
found here becomes its own test in the module of the code that crashed.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import run_cli, snapshot

pytestmark = pytest.mark.slow

TABLE_EXAMPLES = 150
BYTES_EXAMPLES = 60
# No shrinking: a failing file is printed as generated, and CI must not spend minutes shrinking it.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp949", "latin-1")

# Column names and cells: printable text from every script, plus the characters that trip readers.
_TRICKY = st.sampled_from(["", " ", "\u00a0", "\ufeff", "\x00", "\r\n", "\"", "'", ",", ";", "\t", "|",
                           "NaN", "null", "None", "NA", "-", "0", "00", "1e308", "한국어", "🙂", "\u200b"])
_WORDS = st.sampled_from(["team", "goal", "server", "cloud", "영화", "배우", "재미", "match", "code",
                          "chip", "referee", "app", "Größe", "naïve", "日本語"])
_NAME = st.one_of(st.text(min_size=0, max_size=12), _TRICKY, _WORDS)


@dataclass(frozen=True)
class Table:
    """A generated table, the format to write it in and how to write it."""

    frame: pd.DataFrame
    label: str
    fmt: str
    delimiter: str
    encoding: str
    quote_all: bool


def _cell_column(kind: str, n: int) -> st.SearchStrategy[list[object]]:
    if kind == "int":
        element: st.SearchStrategy[object] = st.integers(min_value=-(2**63), max_value=2**63 - 1)
    elif kind == "float":
        element = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                            st.sampled_from([1e308, -1e308, 5e-324, 0.0]))
    elif kind == "bool":
        element = st.booleans()
    elif kind == "text":
        element = st.one_of(st.lists(_WORDS, min_size=1, max_size=8).map(" ".join), _TRICKY,
                            st.text(max_size=40), st.text(min_size=200, max_size=3000))
    else:  # mixed: what an object column in a spreadsheet export holds
        element = st.one_of(st.integers(-1000, 1000), st.text(max_size=8), st.none(), st.floats())
    return st.lists(st.one_of(element, st.none()) if kind != "bool" else element, min_size=n, max_size=n)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A table as users save them: mostly well formed (which must audit), some broken on purpose."""
    broken = draw(st.sampled_from([False, False, False, True]))
    n = draw(st.integers(min_value=0, max_value=60) if broken else st.integers(min_value=12, max_value=60))
    classes = draw(st.lists(st.one_of(_WORDS, _NAME) if broken else _WORDS, min_size=1 if broken else 2,
                            max_size=4, unique=True))
    if broken:
        label_values = draw(st.lists(st.sampled_from(classes), min_size=n, max_size=n))
    else:  # every class on at least a few rows, in a shuffled order
        label_values = draw(st.permutations([classes[i % len(classes)] for i in range(n)]))
    names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=not broken))
    label = draw(_NAME if broken else st.sampled_from(["label", "gold label", "라벨", "class"]))
    columns: dict[str, list[object]] = {}
    if not broken:  # something a model can read: a few words per row
        text_name = draw(st.sampled_from(["text", "Review Text", "본문", " body "]))
        # hypothesis likes to repeat one minimal text; a row number keeps the rows apart, as real rows are
        texts = draw(st.lists(st.lists(_WORDS, min_size=1, max_size=12).map(" ".join), min_size=n, max_size=n))
        columns[text_name] = [f"{words} no{i}" for i, words in enumerate(texts)]
    for name in names:
        if name == label or name in columns:
            continue
        kind = draw(st.sampled_from(["int", "float", "bool", "text", "text", "mixed"]))
        columns.setdefault(name, draw(_cell_column(kind, n)))
    columns[label] = list(label_values)
    frame = pd.DataFrame(columns)
    return Table(frame, label, draw(st.sampled_from(FORMATS)), draw(st.sampled_from(DELIMITERS)),
                 draw(st.sampled_from(ENCODINGS)), draw(st.booleans()))


def _json_safe(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_table(table: Table, folder: Path) -> Path | None:
    """Write ``table`` in its format; None when the format cannot hold it (e.g. an encoding)."""
    path = folder / f"data.{table.fmt}"
    frame = table.frame
    if table.fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, sep="\t" if table.fmt == "tsv" else table.delimiter,
                     quoting=csv.QUOTE_ALL if table.quote_all else csv.QUOTE_MINIMAL)
        try:
            path.write_bytes(buffer.getvalue().encode(table.encoding))
        except UnicodeEncodeError:
            return None  # cp949 / latin-1 cannot hold every script: the user could not save it either
    elif table.fmt == "jsonl":
        records = [{str(k): _json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    elif table.fmt == "json":
        records = [{str(k): _json_safe(v) for k, v in row.items()} for row in frame.to_dict("records")]
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    else:
        try:
            frame.astype({c: "object" for c in frame.columns}).to_parquet(path)
        except Exception:  # pyarrow cannot store every mixed object column; nor could the user
            return None
    return path


class Tally:
    """How many generated tables were written and how many finished an audit."""

    def __init__(self) -> None:
        self.written = 0
        self.audited = 0
        self.errors: list[str] = []


def _audit_or_clean_error(path: Path, workspace: Path, extra: list[str]) -> str | None:
    """Run the audit; None when it finished, else its error line. Fails on a traceback or a changed workspace."""
    before = snapshot(workspace)
    result = run_cli(["audit", path, "--no-embed", "-w", workspace, *extra])
    if result.exit_code == 0:
        return None
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{path.name}: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("error:"), f"{path.name}: {result.stderr!r}"
    assert snapshot(workspace) == before, f"{path.name}: a failed audit changed the workspace"
    return lines[-1]


def test_generated_tables_audit_or_fail_in_one_line(tmp_path_factory: pytest.TempPathFactory) -> None:
    tally = Tally()

    @settings(max_examples=TABLE_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=PHASES, suppress_health_check=list(HealthCheck))
    @given(tables())
    def check(table: Table) -> None:
        folder = tmp_path_factory.mktemp("fuzz")
        path = write_table(table, folder)
        if path is None:
            return
        tally.written += 1
        error = _audit_or_clean_error(path, folder / "ws", ["--label", table.label])
        if error is None:
            tally.audited += 1
        else:
            tally.errors.append(f"{table.fmt}/{table.encoding}/{table.delimiter!r}: {error}")

    check()
    print(f"fuzz: {tally.audited} of {tally.written} written tables audited")  # shown with -s / -rP
    assert tally.written >= TABLE_EXAMPLES // 2
    refusals = "\n".join(tally.errors)
    assert tally.audited >= tally.written / 2, (
        f"{tally.audited} of {tally.written} tables audited; refusals:\n{refusals}")


def test_random_bytes_fail_in_one_line(tmp_path_factory: pytest.TempPathFactory) -> None:
    @settings(max_examples=BYTES_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=PHASES, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=2000), st.sampled_from((*FORMATS, "txt", "xlsx")))
    def check(data: bytes, suffix: str) -> None:
        folder = tmp_path_factory.mktemp("bytes")
        path = folder / f"data.{suffix}"
        path.write_bytes(data)
        _audit_or_clean_error(path, folder / "ws", [])

    check()
