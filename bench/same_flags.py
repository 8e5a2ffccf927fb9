"""Do two revisions of curate flag the same rows? Both read one embedding cache, so only the code differs.

The label benchmark re-embeds its texts on every run, and the sentence model's CPU arithmetic is
not bit-for-bit repeatable, so F1 can move by 0.001 between runs of the same code (cleanlab's side
moves too). To tell a refactor's effect from that noise, this script embeds the data once into a
shared cache, runs the label and ambiguous checks with this checkout and with an earlier revision
(checked out into a temporary git worktree, imported through PYTHONPATH), and compares the flagged
row ids and scores.

    .venv/bin/python bench/same_flags.py --rev df7ca1c [--data PATH] [--rows N]

Uninstall plugins first (an older revision may not import them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchlib import DEFAULT_DATA_ROOT, REPO

DEFAULT_DATA = DEFAULT_DATA_ROOT / "noisyag-news" / "noisy_10k.csv"
CHILD = """
import json, sys
import pandas as pd
import curate
frame = pd.read_csv(sys.argv[1], nrows=int(sys.argv[2]) or None)
result = curate.audit(frame, label="label", text="text", detectors=["label", "ambiguous"])
scores = result.scores
json.dump({"source": curate.__file__,
           "flags": {issue: sorted(map(str, scores.loc[(scores["issue"] == issue) & scores["flagged"], "row_id"]))
                     for issue in ("label", "ambiguous")},
           "label_scores": scores.loc[scores["issue"] == "label", "score"].tolist()}, open(sys.argv[3], "w"))
"""


def run_child(src: Path, data: Path, rows: int, out: Path, cache: Path) -> dict:
    """Run the label and ambiguous checks with the curate package under ``src``; return its flags."""
    env = dict(os.environ, PYTHONPATH=str(src), CURATE_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    subprocess.run([sys.executable, "-c", CHILD, str(data), str(rows), str(out)], check=True, env=env,
                   cwd=tempfile.gettempdir())
    found = json.loads(out.read_text())
    if not found["source"].startswith(str(src)):
        raise SystemExit(f"the child imported curate from {found['source']}, not from {src}")
    return found


def main() -> None:
    """Compare this checkout's flags with those of ``--rev`` on the same cached embeddings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", required=True, help="the earlier git revision to compare with")
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=0, help="use the first N rows (0: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        worktree = tmp_path / "earlier"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(worktree), args.rev],
                       check=True)
        try:
            now = run_child(REPO / "src", args.data, args.rows, tmp_path / "now.json", tmp_path / "cache")
            before = run_child(worktree / "src", args.data, args.rows, tmp_path / "before.json", tmp_path / "cache")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=True)
    for issue in ("label", "ambiguous"):
        a, b = set(now["flags"][issue]), set(before["flags"][issue])
        print(f"{issue}: {len(a)} flagged now, {len(b)} at {args.rev}; only now {len(a - b)}, only before {len(b - a)}")
    diff = np.abs(np.array(now["label_scores"]) - np.array(before["label_scores"]))
    print(f"label scores: largest difference {diff.max():.6f}, mean {diff.mean():.7f}")


if __name__ == "__main__":
    main()
