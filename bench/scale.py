"""How curate's default audit grows with size: 10k, 100k and 1M rows of a table and of English text.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--kinds table,text] [--out bench/RESULTS.md]

Each size is a fresh dataset written to a temp folder, audited by ``curate audit`` in its own child
process (wall time, CPU time and peak RSS measured from outside, ``os.wait4``), with an empty
workspace and an empty feature cache. The distilled static text model is made once beforehand into
the cache folder each run starts from (it is a one-off of about half a minute, not a cost of size).

The data:

- ``table``: 12 numeric columns and one categorical column (8 levels); 3 classes from a noisy rule
  of five of the numbers and the category, seeded; 2 % of the labels flipped at random.
- ``text``: distinct English texts made from the shared text datasets: every sentence of NoisyAG-News
  (both files), 20 Newsgroups, IMDB and Banking77 is split out and labelled with its source and
  label (``imdb:pos``, ``20news:sci.space``, ...; Banking77 as one class ``banking``: 27 classes); a
  text is two sentences of the same label joined,
  drawn at random until the size is reached with no text twice.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import DEFAULT_DATA_ROOT, REPO, VENV_BIN, check_ok, finish, footer, markdown_table, run_measured

HEADING = "## Scale: the default audit at 10k, 100k and 1M rows (table and text)"
PACKAGES = ("curate", "numpy", "scikit-learn", "model2vec", "pyarrow", "pandas")
SEED = 0
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def make_table(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` rows: ``id``, ``x0``..``x11`` (float), ``kind`` (8 levels), ``label`` (3 classes, 2 % flipped),
    and ``planted`` (True where the label was flipped; taken out before the audit)."""
    rng = np.random.default_rng([seed, n])
    x = rng.normal(size=(n, 12)).astype(np.float32)
    kind = rng.integers(0, 8, size=n)
    score = x[:, 0] + 0.8 * x[:, 1] * x[:, 2] - 0.6 * x[:, 3] + 0.5 * np.sin(3 * x[:, 4]) + 0.4 * (kind % 3)
    score += rng.normal(scale=0.05, size=n)
    label = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    flip = rng.random(n) < 0.02
    label[flip] = (label[flip] + rng.integers(1, 3, size=int(flip.sum()))) % 3
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(12)])
    frame["kind"] = np.array([f"k{i}" for i in range(8)])[kind]
    frame["label"] = np.array(["low", "mid", "high"])[label]
    frame.insert(0, "id", np.arange(n))
    frame["planted"] = flip
    return frame


def _sentences(data: Path) -> pd.DataFrame:
    """Every sentence of the shared English text sets, with ``source:label``."""
    parts = []
    for name, path, text, label in [
        ("ag", data / "noisyag-news" / "noisy_10k.csv", "text", "true_label"),
        ("ag", data / "noisyag-news" / "clean_test.csv", "text", "true_label"),
        ("20news", data / "20news" / "test.parquet", "text", "label"),
        ("imdb", data / "imdb" / "test.parquet", "text", "label"),
        ("banking", data / "banking77" / "train.csv", "text", "category"),
        ("banking", data / "banking77" / "test.csv", "text", "category"),
    ]:
        if not path.exists():
            sys.exit(f"bench/scale.py: {path} is missing (the shared text datasets, see {data}/README.md)")
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        sentences = frame[text].astype(str).str.replace(r"<br\s*/?>", " ", regex=True).str.split(_SENTENCE_END)
        # Banking77's 77 intents are one class here: at 10,000 rows some would hold a single text.
        labels = f"{name}:" + frame[label].astype(str) if name != "banking" else pd.Series(name, index=frame.index)
        exploded = pd.DataFrame({"sentence": sentences, "label": labels}).explode("sentence")
        exploded["sentence"] = exploded["sentence"].str.strip()
        parts.append(exploded[exploded["sentence"].str.len().between(15, 600)])
    return pd.concat(parts, ignore_index=True).drop_duplicates("sentence")


def make_text(n: int, data: Path, seed: int = SEED) -> pd.DataFrame:
    """``n`` distinct texts of two same-label sentences each: ``id``, ``text``, ``label`` (2 % flipped to
    another label at random) and ``planted`` (True where flipped; taken out before the audit)."""
    pool = _sentences(data)
    rng = np.random.default_rng([seed, n])
    groups = {label: frame["sentence"].to_numpy() for label, frame in pool.groupby("label")}
    labels = np.array(sorted(groups))
    weights = np.array([len(groups[label]) for label in labels], dtype=float)
    texts: dict[str, str] = {}
    while len(texts) < n:
        want = int((n - len(texts)) * 1.05) + 16
        chosen = rng.choice(len(labels), size=want, p=weights / weights.sum())
        for code in chosen:
            sentences = groups[labels[code]]
            a, b = rng.integers(0, len(sentences), size=2)
            if a != b:
                texts.setdefault(f"{sentences[a]} {sentences[b]}", labels[code])
            if len(texts) == n:
                break
    label = np.array(list(texts.values()), dtype=object)
    flip = rng.random(n) < 0.02
    codes = np.searchsorted(labels, label[flip])
    label[flip] = labels[(codes + rng.integers(1, len(labels), size=int(flip.sum()))) % len(labels)]
    return pd.DataFrame({"id": np.arange(n), "text": list(texts), "label": label, "planted": flip})


def _label_quality(workspace: Path, planted: np.ndarray, out: Path) -> tuple[float, float, float]:
    """Precision, recall and F1 of the run's label flags against the planted flips."""
    import subprocess

    subprocess.run([str(REPO / VENV_BIN / "curate"), "findings", "--workspace", str(workspace), "--issue", "label",
                    "--all", "--format", "csv", "--output", str(out)], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL)
    findings = pd.read_csv(out, low_memory=False)
    flagged_ids = findings.loc[(findings["issue"] == "label") & findings["flagged"].astype(bool), "row_id"]
    flagged = np.zeros(len(planted), bool)
    flagged[flagged_ids.to_numpy(dtype=np.int64)] = True
    tp = float((flagged & planted).sum())
    p = tp / flagged.sum() if flagged.any() else 0.0
    r = tp / planted.sum() if planted.any() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _distil_once(cache: Path) -> None:
    """Make the static text model in ``cache`` (outside the measured runs)."""
    import os

    os.environ["CURATE_CACHE_DIR"] = str(cache)
    from curate.features import StaticEmbedder

    StaticEmbedder().embed(["warm up"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--kinds", default="table,text")
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA_ROOT)
    parser.add_argument("--out", type=Path, help="rewrite this script's section of this markdown file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = args.kinds.split(",")
    rows, children = [], []
    with tempfile.TemporaryDirectory(prefix="curate-scale-") as tmp_name:
        tmp = Path(tmp_name)
        model_cache = tmp / "model-cache"
        if "text" in kinds:
            _distil_once(model_cache)
        for kind in kinds:
            for n in sizes:
                frame = make_table(n) if kind == "table" else make_text(n, args.data)
                planted = frame.pop("planted").to_numpy(dtype=bool)
                path = tmp / f"{kind}_{n}.parquet"
                frame.to_parquet(path, index=False)
                cache = tmp / f"cache-{kind}-{n}"
                shutil.copytree(model_cache, cache) if model_cache.exists() else cache.mkdir()
                workspace = tmp / f"ws-{kind}-{n}"
                argv_ = [str(VENV_BIN / "curate"), "audit", str(path), "--label", "label", "--id", "id",
                         "--workspace", str(workspace)]
                log = tmp / f"{kind}_{n}.log"
                print(f"{kind} {n:,} rows ...", flush=True)
                run = run_measured(argv_, log, {"CURATE_CACHE_DIR": str(cache)})
                check_ok(run, f"the {kind} audit of {n:,} rows", log)
                stages = [line for line in log.read_text(encoding="utf-8").splitlines()
                          if re.match(r"^(embedding|cross-validation|neighbour search|label evidence|checks)"
                                      r": [0-9,/]+ in ", line)]
                print("\n".join(stages), flush=True)
                p, r, f = _label_quality(workspace, planted, tmp / f"{kind}_{n}.csv")
                rows.append([kind, f"{n:,}", f"{run.seconds:.0f}", f"{run.cpu_seconds:.0f}",
                             f"{run.peak_rss_mib:,.0f}", f"{p:.3f} / {r:.3f} / {f:.3f}",
                             "; ".join(s.replace("|", "/") for s in stages)])
                children.append((" ".join(argv_).replace(str(tmp), "$TMP").replace(f"{REPO}/", ""), run))
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(tmp / f"ws-{kind}-{n}", ignore_errors=True)
                path.unlink()
    body = [
        "The default `curate audit` of each generated dataset (see the script's docstring for the data), "
        "empty workspace and feature cache, on this machine:",
        "",
        *markdown_table(["data", "rows", "wall time s", "CPU time s", "peak RSS MiB",
                         "label flags P / R / F1 (planted 2 %)", "stages (from the run's progress lines)"], rows),
        "",
        *footer("scale.py", sys.argv[1:] if argv is None else list(argv), children, PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
