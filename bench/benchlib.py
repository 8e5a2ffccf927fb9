"""Shared plumbing for the benchmarks: data paths, measured children, machine facts, RESULTS.md.

Each benchmark runs the tools it compares as child processes, so that wall time and peak memory
are those of one tool's process alone, measured from outside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "CHILD_HEADERS",
    "DEFAULT_DATA_ROOT",
    "DRY_ROWS",
    "REPO",
    "SAMPLE_SEED",
    "VENV_BIN",
    "Child",
    "Measured",
    "add_size_options",
    "check_ok",
    "child_env",
    "children_table",
    "combined",
    "fail",
    "finish",
    "flag_quality",
    "flip_labels",
    "fmt",
    "footer",
    "machine_lines",
    "markdown_table",
    "require_files",
    "run_measured",
    "sample_rows",
    "shell_command",
    "size_limit",
    "stated_precision",
    "write_section",
]

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_ROOT = Path("..") / "shared" / "data"
VENV_BIN = Path(".venv") / "bin"
RESULTS_TITLE = "# Benchmarks"
OTHER_WORK_NOTICE = 0.1  # cores' worth of other work, on average, worth a warning
CHILD_HEADERS = ("child process", "wall time s", "CPU time s", "peak RSS MiB",
                 "other processes' CPU s")


def fail(message: str) -> None:
    """Stop the benchmark with one line on stderr and exit status 1, never a traceback."""
    sys.exit(f"bench: {message}")


def require_files(paths: Sequence[Path], option: str = "--data") -> None:
    """Exit with a clear message when a data file the benchmark reads is absent."""
    for path in paths:
        if not path.is_file():
            fail(
                f"data file {path} not found; the benchmark data lives in ../shared/data beside "
                f"the repository (see its README.md); pass {option} to point at another copy"
            )


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for measured children: offline model loading, quiet tokenizers."""
    env = dict(os.environ)
    env["HF_HUB_OFFLINE"] = "1"
    env["TOKENIZERS_PARALLELISM"] = "false"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Measured:
    """One child process: exit status, wall time, CPU time, peak resident memory, and the CPU
    time everything else on the machine used meanwhile (other work slows the child's wall time)."""

    returncode: int
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    other_cpu_seconds: float


def _machine_busy_seconds() -> float:
    """CPU time the whole machine has spent not idle since boot (all cores, steal included)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return float("nan")
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def run_measured(command: Sequence[str], log: Path,
                 env: Mapping[str, str] | None = None) -> Measured:
    """Run ``command`` from the repository root, output to ``log``; measure that process alone.

    ``os.wait4`` returns the resource usage of exactly the child waited for (``ru_maxrss`` is in
    KiB on Linux), unlike ``RUSAGE_CHILDREN``, which is the maximum over every child so far.
    """
    busy = _machine_busy_seconds()
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(list(command), cwd=REPO, env=child_env(env), stdout=out,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    other = max(0.0, _machine_busy_seconds() - busy - cpu)
    return Measured(proc.returncode, seconds, cpu, usage.ru_maxrss / 1024, other)


def combined(runs: Sequence[Measured]) -> Measured:
    """Several commands run one after another as one side: times add up, memory is the max."""
    return Measured(max(r.returncode for r in runs), sum(r.seconds for r in runs),
                    sum(r.cpu_seconds for r in runs), max(r.peak_rss_mib for r in runs),
                    sum(r.other_cpu_seconds for r in runs))


Child = tuple[str, Measured]  # a command line as shown, and its measurements


def children_table(children: Sequence[Child]) -> list[str]:
    """The table of child processes, and a warning when other work was running on the machine."""
    rows = [[f"`{command}`", f"{run.seconds:.1f}", f"{run.cpu_seconds:.1f}",
             f"{run.peak_rss_mib:.0f}", f"{run.other_cpu_seconds:.1f}"]
            for command, run in children]
    lines = markdown_table(CHILD_HEADERS, rows)
    other = [run.other_cpu_seconds / run.seconds for _, run in children if run.seconds > 0]
    if max(other, default=0.0) > OTHER_WORK_NOTICE:
        lines += ["", f"Other processes kept up to {max(other):.2f} of the {os.cpu_count()} cores "
                  "busy while a child ran (last column), so wall times are inflated by varying "
                  "amounts; CPU time and peak RSS are the steadier comparison."]
    return lines


def check_ok(run: Measured, what: str, log: Path) -> None:
    """Exit with the end of the child's log when it failed."""
    if run.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        fail(f"{what} exited with status {run.returncode}; last lines of {log}:\n{tail}")


def shell_command(argv: Sequence[object], tmp: Path | None = None) -> str:
    """The command line as typed from the repository root, with the temp folder shown as $TMP."""
    words = []
    for arg in argv:
        word = str(arg)
        if tmp is not None:
            word = word.replace(str(tmp), "$TMP")
        words.append(word.replace(f"{REPO}/", ""))
    return " ".join(words)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def _memory_gib() -> str:
    try:
        text = Path("/proc/meminfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, flags=re.MULTILINE)
    return f"{int(match.group(1)) / 1024**2:.1f} GiB" if match else "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(packages: Sequence[str]) -> list[str]:
    """Markdown bullet lines naming the machine, Python, the library versions and the date."""
    versions = ", ".join(f"{p} {_version(p)}" for p in packages)
    return [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {os.cpu_count()} CPU cores (nproc), {_memory_gib()} memory, {_cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A GitHub markdown table as lines."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The preamble and the (heading, body) pairs of the ``## `` sections of a markdown file."""
    parts = re.split(r"^(## .*)$", text, flags=re.MULTILINE)
    preamble, rest = parts[0], parts[1:]
    return preamble, [(rest[i].strip(), rest[i + 1]) for i in range(0, len(rest), 2)]


def write_section(path: Path, heading: str, body: Sequence[str]) -> None:
    """Replace (or append) the section ``heading`` of the markdown file ``path``; keep the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else RESULTS_TITLE + "\n\n"
    preamble, sections = _split_sections(text)
    new_body = "\n\n" + "\n".join(body).strip() + "\n\n"
    if any(h == heading for h, _ in sections):
        sections = [(h, new_body if h == heading else b) for h, b in sections]
    else:
        sections.append((heading, new_body))
    out = preamble.rstrip() + "\n\n" + "".join(h + b for h, b in sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.rstrip() + "\n", encoding="utf-8")


# --- shared by the label-trust benchmarks (nsmc, klue_nli, controls, long_texts) ------------------

DRY_ROWS = 400
SAMPLE_SEED = 0


def add_size_options(parser: argparse.ArgumentParser) -> None:
    """``--limit N``, ``--dry`` and ``--out MD``: every benchmark can run small and print only."""
    parser.add_argument("--limit", type=int, default=0,
                        help="use a seeded random sample of N rows of each data set (0 = all rows)")
    parser.add_argument("--dry", action="store_true",
                        help=f"a quick check of the script: {DRY_ROWS} rows, results printed, never written")
    parser.add_argument("--out", type=Path,
                        help="the markdown file whose section this script rewrites (bench/RESULTS.md for "
                             "the record); without it the results are only printed")


def size_limit(args: argparse.Namespace) -> int:
    """The rows to sample (0 = all); ``--dry`` means DRY_ROWS and no ``--out``."""
    if args.limit < 0:
        fail(f"--limit must be 0 (all rows) or more, got {args.limit}")
    if args.dry:
        args.out = None
        return args.limit or DRY_ROWS
    return args.limit


def sample_rows(frame: pd.DataFrame, limit: int, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """A seeded random sample of ``limit`` rows in their original order (all rows when 0 or more)."""
    if limit and limit < len(frame):
        frame = frame.sample(n=limit, random_state=seed).sort_index()
    return frame.reset_index(drop=True)


def flip_labels(labels: np.ndarray, positions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``labels`` with each row in ``positions`` moved to another class drawn at random."""
    classes = np.unique(labels)
    out = labels.astype(object).copy()
    for i in positions:
        others = classes[classes != labels[i]]
        out[i] = others[rng.integers(len(others))]
    return out


def fmt(value: object, digits: int = 3) -> str:
    """A number for a table: ``-`` for None and NaN (e.g. the precision of no flags), fixed decimals for floats."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "-"
    if isinstance(value, float | np.floating):
        return f"{value:.{digits}f}"
    return str(value)


def flag_quality(truth: np.ndarray, flagged: np.ndarray, error_score: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 of the flags and AUPRC of the ranking, against ``truth``."""
    from sklearn.metrics import average_precision_score

    hits = int((truth & flagged).sum())
    precision = hits / flagged.sum() if flagged.sum() else float("nan")
    recall = hits / truth.sum() if truth.sum() else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    auprc = float(average_precision_score(truth, error_score)) if 0 < truth.sum() < len(truth) else float("nan")
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1), "auprc": auprc}


def finish(args: argparse.Namespace, heading: str, body: Sequence[str]) -> None:
    """Print the section; with ``--out``, (re)write it in that markdown file."""
    print("\n".join([heading, "", *body]))
    if args.out is not None:
        write_section(args.out, heading, body)
        print(f"wrote {args.out}")


def footer(script: str, given: Sequence[str], children: Sequence[Child], packages: Sequence[str]) -> list[str]:
    """The end of a section: the exact command, the children it ran, and the machine."""
    command = shell_command([".venv/bin/python", f"bench/{script}", *given])
    return [f"Command: `{command}`, which runs:", "", *children_table(children), "", *machine_lines(packages)]


def stated_precision(workspace: Path) -> tuple[float | None, float | None]:
    """The estimated precision and expected true errors curate's latest run in ``workspace`` stated.

    Read from the workspace database with the standard library (the parent stays small), from the
    run's ``notes["label"]``; (None, None) when the run states none (older code, or no flags).
    """
    import json
    import sqlite3

    try:
        with sqlite3.connect(f"file:{workspace / 'curate.db'}?mode=ro", uri=True) as con:
            row = con.execute("SELECT notes FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None, None
    label = (json.loads(row[0]) if row else {}).get("label") or {}
    values = (label.get("estimated_precision"), label.get("expected_true_errors"))
    return tuple(None if v is None else float(v) for v in values)  # type: ignore[return-value]
