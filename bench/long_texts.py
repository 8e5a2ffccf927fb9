"""Label flags on long English texts (20 Newsgroups test, an IMDB sample): how many, and a sample to read.

There is no ground truth (these test sets hold some real, confirmed label errors, not named here), so
the benchmark counts: the share of rows curate flags as label errors (issue 9's target: at most 6 %
each, from 12.9 % and 12.4 % before) and as ambiguous, the precision curate states, and cleanlab's
flag count beside it on the same MiniLM embeddings. It also writes 20 random flagged rows per set to a
side file (id, given, suggested, first 300 characters) so that a person can judge precision by hand.

    .venv/bin/python bench/long_texts.py [--limit N | --dry] [--out bench/RESULTS.md] [--samples DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    SAMPLE_SEED,
    add_size_options,
    fail,
    finish,
    fmt,
    footer,
    markdown_table,
    require_files,
    sample_rows,
    shell_command,
    size_limit,
)
from sides import Side, run_side, write_table

HEADING = "## Label trust: long English texts (20 Newsgroups test, IMDB sample)"
DATA = {"20news": DEFAULT_DATA_ROOT / "20news" / "test.parquet", "imdb": DEFAULT_DATA_ROOT / "imdb" / "test.parquet"}
IMDB_ROWS = 5_000
SAMPLE_FLAGS = 20
PREVIEW_CHARS = 300
PACKAGES = ("curate", "cleanlab", "scikit-learn", "sentence-transformers", "torch", "numpy", "pandas")
HEADERS = ("data", "rows", "median characters", "tool", "OOF accuracy", "label flags", "share", "ambiguous",
           "estimated precision (expected true)", "warnings", "target <= 6 % met")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=REPO / DEFAULT_DATA_ROOT,
                        help="the folder holding 20news/test.parquet and imdb/test.parquet")
    parser.add_argument("--samples", type=Path,
                        help="folder for the flagged-row samples (default: bench/samples with --out, "
                             "else a folder under /tmp)")
    parser.add_argument("--sets", default=",".join(DATA), help=f"comma-separated subset of {', '.join(DATA)}")
    parser.add_argument("--warm-cache", type=Path, default=None, metavar="DIR",
                        help="an embedding cache folder both sides read and fill (e.g. ~/.cache/curate) instead of "
                             "an empty one each: embedding 20 Newsgroups takes tens of minutes on a small machine; "
                             "times then leave out most of the embedding")
    add_size_options(parser)
    return parser.parse_args(argv)


def load_sets(root: Path, names: Sequence[str], limit: int) -> dict[str, pd.DataFrame]:
    """20 Newsgroups (all rows, or ``limit``) and a seeded IMDB sample (5,000 rows, or ``limit``)."""
    if not names or any(name not in DATA for name in names):
        fail(f"--sets takes a comma-separated subset of {', '.join(DATA)}, got {','.join(names)!r}")
    paths = {name: root / DATA[name].relative_to(DEFAULT_DATA_ROOT) for name in names}
    require_files(list(paths.values()), "--data-root DIR")
    sizes = {"20news": limit, "imdb": min(limit or IMDB_ROWS, IMDB_ROWS)}
    return {name: sample_rows(pd.read_parquet(path, columns=["id", "text", "label"]), sizes[name])
            for name, path in paths.items()}


def write_samples(folder: Path, name: str, frame: pd.DataFrame, side: Side) -> Path:
    """SAMPLE_FLAGS flagged rows drawn at random (seeded), as markdown for a person to judge."""
    flagged = np.flatnonzero(side.flagged)
    rng = np.random.default_rng(SAMPLE_SEED)
    chosen = np.sort(rng.choice(flagged, size=min(SAMPLE_FLAGS, len(flagged)), replace=False))
    lines = [f"# {name}: {len(chosen)} of curate's {len(flagged):,} label flags, drawn at random "
             f"(seed {SAMPLE_SEED})", "",
             "For each row: is the given label wrong (and the suggestion right)? Write `error`, `ambiguous` "
             "or `fine` after *verdict*. Precision by hand = errors / rows judged.", ""]
    for i in chosen:
        preview = " ".join(str(frame.at[i, "text"]).split())[:PREVIEW_CHARS]
        lines += [f"## id {frame.at[i, 'id']}: given `{frame.at[i, 'label']}`, suggested `{side.suggested[i]}`",
                  "", f"> {preview}", "", "*verdict*: ", ""]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}_flagged.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def result_row(name: str, frame: pd.DataFrame, side: Side) -> list[str]:
    expected = side.facts.get("expected_true_errors")
    estimate = fmt(side.estimated_precision) + ("" if expected is None else f" ({fmt(float(expected), 0)})")
    share = side.flagged.mean()
    met = ("yes" if share <= 0.06 else "no") if side.tool == "curate" else "-"
    return [name, f"{len(frame):,}", f"{frame['text'].str.len().median():,.0f}", side.tool,
            fmt(side.facts.get("oof_accuracy")), str(int(side.flagged.sum())), f"{share:.1%}",
            str(int(side.ambiguous.sum())) if side.tool == "curate" else "-", estimate,
            "; ".join(side.warning_codes()) or "-", met]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    limit = size_limit(args)
    sets = load_sets(args.data_root, [n.strip() for n in args.sets.split(",") if n.strip()], limit)
    samples = args.samples or (REPO / "bench" / "samples" if args.out else Path(tempfile.gettempdir()) /
                               "curate-bench-samples")
    rows, children, written, used = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        tmp = Path(name)
        for set_name, frame in sets.items():
            table = write_table(frame[["text", "label"]], tmp / f"{set_name}.parquet")
            for kind, features in (("curate", None), ("cleanlab", "minilm")):
                side = run_side(kind, table, ["text"], tmp / f"{set_name}-{kind}", features, args.warm_cache)
                rows.append(result_row(set_name, frame, side))
                children.append(side.child())
                if kind == "curate":
                    written.append(write_samples(samples, set_name, frame, side))
                    used.append(f"{set_name}: {side.used()}")
    given_args = sys.argv[1:] if argv is None else list(argv)
    described = {"20news": lambda n: "every post" if not limit else f"a seeded random sample of {n:,} posts",
                 "imdb": lambda n: f"a seeded random sample of {n:,} reviews"}
    body = [
        "Data: " + "; ".join(f"`{shell_command([args.data_root / DATA[name].relative_to(DEFAULT_DATA_ROOT)])}` "
                             f"({described[name](len(frame))})" for name, frame in sets.items())
        + f" (samples: `DataFrame.sample(n, random_state={SAMPLE_SEED})`), original labels. No ground truth: the table "
        "counts flags. curate: `curate.audit(frame, label='label', text='text')`; cleanlab: "
        "`Datalab.find_issues(pred_probs, features)` on 5-fold logistic-regression out-of-fold "
        "probabilities over all-MiniLM-L6-v2 embeddings (curate's `SentenceEmbedder`: the model reads "
        "what that embedder gives it). Estimated precision is what curate states in "
        "`notes['label']['estimated_precision']` (`-` when not stated). "
        + ("Each child started with an empty embedding cache. " if args.warm_cache is None else
           f"Both sides read and filled the embedding cache `{args.warm_cache}` (warm from earlier runs), so "
           "the times leave out most of the embedding. ")
        + "Samples of curate's flags to judge "
        "by hand: " + ", ".join(f"`{shell_command([p])}`" for p in written) + ". curate used: "
        + "; ".join(used) + ".",
        "",
        *markdown_table(HEADERS, rows),
        "",
        *footer("long_texts.py", given_args, children, PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
