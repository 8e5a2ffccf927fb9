"""Threads sized to the work: a 120-row tabular audit with the libraries' default threads and capped.

Each side is one ``curate audit --no-embed`` child process over the same generated table (120 rows,
8 numeric columns, 3 classes, seeded). "default threads" switches curate's sizing off
(``curate.core.threads.SMALL_WORK_CELLS = 0``), so BLAS and OpenMP start as many threads as the
machine has cores, as before; "sized" is curate as shipped (one thread below 1,000,000 cells).
``OMP_NUM_THREADS`` and the BLAS thread variables are removed from both children's environment.
The sides alternate ``--repeat`` times; the table keeps every run.

    .venv/bin/python bench/threads.py [--repeat 3] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import VENV_BIN, Child, check_ok, children_table, finish, machine_lines, markdown_table, run_measured

HEADING = "## Threads sized to the work: a 120-row tabular audit"
ROWS, COLUMNS, CLASSES = 120, 8, 3
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
UNSIZED = "import sys, curate.core.threads as t; t.SMALL_WORK_CELLS = 0; from curate.cli import main; sys.exit(main())"


def write_table(path: Path) -> None:
    """The seeded 120-row table: class means apart by one standard deviation per column."""
    rng = np.random.default_rng(0)
    labels = np.arange(ROWS) % CLASSES
    values = rng.normal(size=(ROWS, COLUMNS)) + labels[:, None]
    frame = pd.DataFrame(values.round(4), columns=[f"x{i}" for i in range(COLUMNS)])
    frame.insert(0, "id", [f"r{i:03d}" for i in range(ROWS)])
    frame["label"] = [f"class_{c}" for c in labels]
    frame.to_csv(path, index=False)


def main(argv: list[str] | None = None) -> None:
    """Run both sides ``--repeat`` times, alternating; print (and with ``--out``, write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    for name in THREAD_VARIABLES:
        os.environ.pop(name, None)
    python = str(VENV_BIN / "python")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        table = tmp / "table.csv"
        write_table(table)
        env = {"PYTHONPATH": str(Path("src").resolve()), "CURATE_CACHE_DIR": str(tmp / "cache")}
        sides = {"default threads": [python, "-c", UNSIZED], "sized": [python, "-m", "curate.cli"]}
        children: list[Child] = []
        seconds: dict[str, list[float]] = {side: [] for side in sides}
        for attempt in range(args.repeat):
            for side, prefix in sides.items():
                workspace = tmp / f"ws-{side.replace(' ', '-')}-{attempt}"
                command = [
                    *prefix,
                    "audit",
                    str(table),
                    "--label",
                    "label",
                    "--id",
                    "id",
                    "--no-embed",
                    "--workspace",
                    str(workspace),
                ]
                log = tmp / f"{workspace.name}.log"
                run = run_measured(command, log, env)
                check_ok(run, side, log)
                seconds[side].append(run.seconds)
                shown = " ".join(command).replace(str(tmp), "$TMP").replace(UNSIZED, "<sizing off>")
                children.append((f"[{side}] {shown}", run))
    rows = [
        [side, len(times), f"{min(times):.1f}", f"{float(np.median(times)):.1f}", f"{max(times):.1f}"]
        for side, times in seconds.items()
    ]
    given = " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    body = [
        f"A generated table of {ROWS} rows, {COLUMNS} numeric columns and {CLASSES} classes, audited with "
        "`--no-embed` (the tabular modality: histogram gradient boosting, OpenMP) in one child process per "
        'run. "default threads" turns curate\'s sizing off (as before it existed); "sized" is curate as '
        "shipped: one BLAS/OpenMP thread below 1,000,000 rows x features (`curate.core.threads`). Thread "
        "variables (`OMP_NUM_THREADS`, ...) are unset in both children. Wall time includes starting Python.",
        "",
        *markdown_table(["side", "runs", "min wall s", "median wall s", "max wall s"], rows),
        "",
        f"Command: `{' '.join(['.venv/bin/python bench/threads.py', given]).rstrip()}`, which runs:",
        "",
        *children_table(children),
        "",
        *machine_lines(["scikit-learn", "numpy", "threadpoolctl"]),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
