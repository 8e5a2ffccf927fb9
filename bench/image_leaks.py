"""Train/test leakage in images (CIFAR-10): how many planted near copies of test images curate finds.

A seeded sample of the training and test sets; 200 test images (50 per kind) are copied into the
training set after a change a leak survives: resized (32 -> 40 -> 32 px, bicubic), re-encoded as
JPEG at quality 70, cropped 2 px on each side and resized back to 32 px, or colour-shifted (each
RGB channel moved by a seeded -10..+10 levels). curate's CLI audits the planted training file with
``--test`` and ``--no-embed`` (pixel features; EfficientNet-Lite0 embeds about 17 images/s on 2
cores) in a measured child; a planted copy is found when its ``leakage`` finding names its test
original. Every other leakage finding is counted apart (CIFAR-10 holds a few real near copies
across its splits, so not every one is false).

Beside it, cleanlab's near-duplicate check (``Datalab.find_issues`` with only ``near_duplicate``) on
the same features curate's ``--no-embed`` audit reads (16x16 grey pixels of the training and test
pictures together), in its own measured child: how many planted pairs it puts in one near-duplicate
set, and how many other pairs (across the splits or not) its sets hold.

    .venv/bin/python bench/image_leaks.py [--train PARQUET] [--test PARQUET] [--rows N] [--test-rows N]
                                          [--dry] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    VENV_BIN,
    Child,
    check_ok,
    fail,
    finish,
    fmt,
    footer,
    markdown_table,
    require_files,
    run_measured,
    sample_rows,
    shell_command,
)

HEADING = "## Train/test leakage: CIFAR-10 images with planted near copies"
DEFAULT_TRAIN = DEFAULT_DATA_ROOT / "cifar10" / "train.parquet"
DEFAULT_TEST = DEFAULT_DATA_ROOT / "cifar10" / "test.parquet"
PACKAGES = ("curate", "cleanlab", "pillow", "imagehash", "scikit-learn", "numpy", "pandas")
SEED = 0
KINDS = ("resized", "jpeg q70", "cropped 2 px", "colour-shifted")
PER_KIND = 50
PLANTED_ID = 1_000_000  # planted rows' ids start here, above CIFAR-10's
TEST_PREFIX = "test:"
DRY_ROWS, DRY_TEST_ROWS, DRY_PER_KIND = 400, 100, 5
TARGET_RECALL = 0.9
HEADERS = ("kind of copy", "planted", "found by curate", "share found", "found by cleanlab")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=REPO / DEFAULT_TRAIN,
                        help=f"training parquet with id, image (bytes), label (default: {DEFAULT_TRAIN})")
    parser.add_argument("--test", type=Path, default=REPO / DEFAULT_TEST,
                        help=f"test parquet, same columns (default: {DEFAULT_TEST})")
    parser.add_argument("--rows", type=int, default=5000,
                        help="seeded random sample of training images, before the planted copies (0 = all)")
    parser.add_argument("--test-rows", type=int, default=1000,
                        help="seeded random sample of test images the copies are drawn from (0 = all)")
    parser.add_argument("--dry", action="store_true",
                        help=f"a quick check of the script: {DRY_ROWS} + {DRY_TEST_ROWS} images, "
                             f"{DRY_PER_KIND} copies per kind, results printed, never written")
    parser.add_argument("--out", type=Path,
                        help="the markdown file whose section this script rewrites (bench/RESULTS.md for "
                             "the record); without it the results are only printed")
    parser.add_argument("--side", choices=["compare", "cleanlab"], default="compare",
                        help="'cleanlab' is the child process the comparison starts")
    parser.add_argument("--output", type=Path, help="with --side cleanlab: the JSON of near-duplicate sets to write")
    args = parser.parse_args(argv)
    if args.rows < 0 or args.test_rows < 0:
        fail(f"--rows and --test-rows must be 0 (all) or more, got {args.rows} and {args.test_rows}")
    args.per_kind = PER_KIND
    if args.dry:
        args.out, args.rows, args.test_rows, args.per_kind = None, DRY_ROWS, DRY_TEST_ROWS, DRY_PER_KIND
    return args


# --- the planted copies ---------------------------------------------------------------------------


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def changed_copy(data: bytes, kind: str, rng: np.random.Generator) -> bytes:
    """The picture's bytes after one change of ``kind`` (see KINDS), as PNG (JPEG for ``jpeg q70``)."""
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = picture.size
    if kind == "resized":
        bigger = picture.resize((width * 5 // 4, height * 5 // 4), Image.Resampling.BICUBIC)
        return _png(bigger.resize((width, height), Image.Resampling.BICUBIC))
    if kind == "jpeg q70":
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=70)
        return out.getvalue()
    if kind == "cropped 2 px":
        return _png(picture.crop((2, 2, width - 2, height - 2)).resize((width, height), Image.Resampling.BICUBIC))
    if kind == "colour-shifted":
        shift = rng.integers(-10, 11, size=3)
        return _png(Image.fromarray(np.clip(np.asarray(picture, dtype=np.int16) + shift, 0, 255).astype(np.uint8)))
    raise ValueError(f"unknown kind of copy {kind!r}")


def plant(train: pd.DataFrame, test: pd.DataFrame, per_kind: int) -> tuple[pd.DataFrame, dict[int, tuple[str, int]]]:
    """``train`` with ``per_kind`` changed copies of distinct test images per kind appended.

    Returns the planted table and, per planted id, its kind and its test original's id.
    """
    rng = np.random.default_rng([SEED, 1])
    chosen = rng.choice(len(test), per_kind * len(KINDS), replace=False)
    rows, planted = [], {}
    for n, position in enumerate(chosen):
        kind = KINDS[n // per_kind]
        original = test.iloc[position]
        rows.append({"id": PLANTED_ID + n, "image": changed_copy(original["image"], kind, rng),
                     "label": original["label"]})
        planted[PLANTED_ID + n] = (kind, int(original["id"]))
    return pd.concat([train, pd.DataFrame(rows)], ignore_index=True), planted


# --- curate ---------------------------------------------------------------------------------------


def run_curate(train: Path, test: Path, tmp: Path) -> tuple[pd.DataFrame, list[Child]]:
    """curate's CLI audit of ``train`` with ``--test`` in measured children; its leakage findings."""
    curate = [REPO / VENV_BIN / "python", "-m", "curate.cli"]
    audit = [*curate, "audit", train, "--test", test, "--label", "label", "--image", "image", "--id", "id",
             "--no-embed", "--workspace", tmp / "ws", "--report", tmp / "r.html"]
    export = [*curate, "findings", "--workspace", tmp / "ws", "--issue", "leakage",
              "--format", "csv", "--output", tmp / "leakage.csv"]
    children: list[Child] = []
    # This checkout's curate, and a private embedding cache (the pixels are never cached anyway).
    env = {"CURATE_CACHE_DIR": str(tmp / "cache"), "PYTHONPATH": str(REPO / "src")}
    for name, argv in (("audit", audit), ("findings", export)):
        log = tmp / f"curate-{name}.log"
        print(f"curate {name} ...", flush=True)
        run = run_measured([str(a) for a in argv], log, env)
        check_ok(run, f"curate {name}", log)
        children.append((shell_command(argv, tmp), run))
    findings = pd.read_csv(tmp / "leakage.csv", dtype={"row_id": str}, keep_default_na=False)
    return findings[findings["issue"] == "leakage"], children


def score(findings: pd.DataFrame, planted: dict[int, tuple[str, int]]) -> tuple[dict[str, int], int, list[str]]:
    """Planted copies found per kind, test rows flagged for a planted copy, and every other finding.

    A planted copy is found when its own finding (training side) names its test original.
    """
    found = dict.fromkeys(KINDS, 0)
    test_side, other = 0, []
    for row_id, raw in zip(findings["row_id"].astype(str), findings["details"], strict=True):
        matches = [str(m) for m in json.loads(raw).get("matches", [])]
        if row_id.isdigit() and int(row_id) in planted:
            kind, original = planted[int(row_id)]
            if f"{TEST_PREFIX}{original}" in matches:
                found[kind] += 1
                continue
        elif row_id.startswith(TEST_PREFIX) and matches and all(
                m.isdigit() and int(m) in planted for m in matches):
            test_side += 1
            continue
        other.append(f"{row_id} ~ {', '.join(matches)}")
    return found, test_side, other


# --- cleanlab's side (runs in its own process) -----------------------------------------------------


def cleanlab_side(train: Path, test: Path, output: Path) -> None:
    """cleanlab's near-duplicate sets over curate's pixel features of ``train`` then ``test``, as JSON.

    Writes ``{"sets": {row id: [row ids]}, "seconds": find_issues time}``; test rows' ids carry
    TEST_PREFIX, as in curate's findings.
    """
    import time

    from cleanlab import Datalab

    from curate.features.image import PixelEmbedder

    frames = [pd.read_parquet(train, columns=["id", "image", "label"]),
              pd.read_parquet(test, columns=["id", "image", "label"])]
    ids = [str(i) for i in frames[0]["id"]] + [f"{TEST_PREFIX}{i}" for i in frames[1]["id"]]
    pictures = [Image.open(io.BytesIO(cell)).convert("RGB") for f in frames for cell in f["image"]]
    features = PixelEmbedder().embed(pictures)  # what curate's --no-embed audit reads
    labels = np.concatenate([f["label"].to_numpy() for f in frames])
    start = time.perf_counter()
    lab = Datalab(data={"label": labels}, label_name="label", verbosity=0)
    lab.find_issues(features=features, issue_types={"near_duplicate": {}})
    seconds = time.perf_counter() - start
    issues = lab.get_issues("near_duplicate")
    sets = {ids[i]: [ids[j] for j in members] for i, members in enumerate(issues["near_duplicate_sets"])
            if len(members)}
    output.write_text(json.dumps({"sets": sets, "seconds": seconds}), encoding="utf-8")


def run_cleanlab(train: Path, test: Path, tmp: Path) -> tuple[dict[str, list[str]], float, Child]:
    """cleanlab's side in a measured child: its near-duplicate sets, find_issues seconds, the child."""
    argv = [REPO / VENV_BIN / "python", REPO / "bench" / "image_leaks.py", "--side", "cleanlab",
            "--train", train, "--test", test, "--output", tmp / "cleanlab.json"]
    log = tmp / "cleanlab.log"
    print("cleanlab near_duplicate ...", flush=True)
    run = run_measured([str(a) for a in argv], log, {"PYTHONPATH": str(REPO / "src")})
    check_ok(run, "cleanlab", log)
    found = json.loads((tmp / "cleanlab.json").read_text(encoding="utf-8"))
    return found["sets"], float(found["seconds"]), (shell_command(argv, tmp), run)


def score_sets(sets: dict[str, list[str]], planted: dict[int, tuple[str, int]]) -> tuple[dict[str, int], int, int]:
    """Planted pairs in one of cleanlab's sets per kind, and the other pairs: across the splits, and all.

    Pairs are unordered; a set names each of its row's near duplicates.
    """
    found = dict.fromkeys(KINDS, 0)
    pairs = {tuple(sorted((row, other))) for row, members in sets.items() for other in members}
    planted_pairs = {tuple(sorted((str(pid), f"{TEST_PREFIX}{original}"))): kind
                     for pid, (kind, original) in planted.items()}
    for pair in pairs & planted_pairs.keys():
        found[planted_pairs[pair]] += 1
    other = pairs - planted_pairs.keys()
    across = sum(1 for a, b in other if a.startswith(TEST_PREFIX) != b.startswith(TEST_PREFIX))
    return found, across, len(other)


# --- the report -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.side == "cleanlab":
        if args.output is None:
            fail("--side cleanlab needs --output PATH")
        cleanlab_side(args.train, args.test, args.output)
        return
    require_files([args.train, args.test], "--train/--test PATH")
    train = sample_rows(pd.read_parquet(args.train, columns=["id", "image", "label"]), args.rows)
    test = sample_rows(pd.read_parquet(args.test, columns=["id", "image", "label"]), args.test_rows, SEED + 1)
    if len(test) < args.per_kind * len(KINDS):
        fail(f"--test-rows {len(test)} is too few to draw {args.per_kind * len(KINDS)} distinct originals")
    planted_train, planted = plant(train, test, args.per_kind)
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        tmp = Path(name)
        planted_train.to_parquet(tmp / "train.parquet", index=False)
        test.to_parquet(tmp / "test.parquet", index=False)
        findings, children = run_curate(tmp / "train.parquet", tmp / "test.parquet", tmp)
        sets, cleanlab_seconds, cleanlab_child = run_cleanlab(tmp / "train.parquet", tmp / "test.parquet", tmp)
    children.append(cleanlab_child)
    found, test_side, other = score(findings, planted)
    by_cleanlab, cleanlab_across, cleanlab_other = score_sets(sets, planted)
    total = sum(found.values())
    rows = [[kind, args.per_kind, found[kind], fmt(found[kind] / args.per_kind), by_cleanlab[kind]]
            for kind in KINDS]
    rows.append(["all", len(planted), total, fmt(total / len(planted)), sum(by_cleanlab.values())])
    audit_seconds = children[0][1].seconds
    given = sys.argv[1:] if argv is None else list(argv)
    body = [
        f"Data: `{shell_command([args.train])}` (a seeded random sample of {len(train):,} images) and "
        f"`{shell_command([args.test])}` ({len(test):,}); {len(planted)} test images copied into the "
        f"training set, {args.per_kind} per kind of change (see the script). curate audits with `--no-embed` (16x16 "
        "grey pixels propose the neighbours; pHash and grey thumbnails, or the best of 60 small crops of one "
        "picture against the other, confirm a near copy).",
        "",
        *markdown_table(HEADERS, rows),
        "",
        f"Target: at least {TARGET_RECALL:.0%} found; {'met' if total >= TARGET_RECALL * len(planted) else 'not met'}. "
        f"Test rows flagged for a planted copy: {test_side}. Other leakage findings (not a planted pair): "
        f"{len(other)}" + (f" ({'; '.join(other[:5])}{' ...' if len(other) > 5 else ''})." if other else ".")
        + f" The whole audit of {len(planted_train) + len(test):,} images took {audit_seconds:.1f} s "
        f"({(len(planted_train) + len(test)) / audit_seconds:,.0f} images/s, every detector).",
        "",
        f"cleanlab's near-duplicate check on the same pixel features put {sum(by_cleanlab.values())} of the "
        f"{len(planted)} planted pairs in one set; its sets hold {cleanlab_other} other pairs, {cleanlab_across} "
        f"of them across the splits. Its find_issues took {cleanlab_seconds:.1f} s; its whole child (decoding "
        f"and pixel features included) {cleanlab_child[1].seconds:.1f} s, peak RSS "
        f"{cleanlab_child[1].peak_rss_mib:.0f} MiB, against curate's audit with every detector "
        f"{audit_seconds:.1f} s, {children[0][1].peak_rss_mib:.0f} MiB.",
        "",
        *footer("image_leaks.py", given, children, PACKAGES),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    main()
