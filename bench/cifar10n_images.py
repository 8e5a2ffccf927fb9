"""Label errors on CIFAR-10N with curate's default image pipeline, against cleanlab on the same vectors.

The same rows as ``bench/cifar10n.py`` (the first N training images by id), read this time as
pictures: curate audits a parquet of ``id``, ``image`` (the JPEG bytes) and ``label`` (a noisy
column) with ``--image image``, its whole default image pipeline (EfficientNet-Lite0 vectors and the
pixel view). The pretrained vectors are computed once, by curate's own embedding code, into an
embedding cache both curate runs read; cleanlab gets those very vectors (cross-validated logistic
regression, then ``Datalab.find_issues``). Neither side's time includes embedding, which is
measured once, in its own child, and listed apart.

    .venv/bin/python bench/cifar10n_images.py [--data PATH] [--rows N | --dry] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    DRY_ROWS,
    REPO,
    VENV_BIN,
    Child,
    check_ok,
    fail,
    footer,
    require_files,
    run_measured,
    shell_command,
    write_section,
)
from cifar10n import NOISY_COLUMNS, cleanlab_side, column_lines, load_rows, oof_accuracy
from cifar10n import run_cleanlab as run_cleanlab_on_features
from label_errors import Detection, run_curate_label

HEADING = "## Label errors: CIFAR-10N with curate's default image pipeline"
DEFAULT_DATA = DEFAULT_DATA_ROOT / "cifar10" / "train.parquet"
PACKAGES = ("curate", "cleanlab", "torch", "efficientnet-lite-pytorch", "scikit-learn", "numpy", "pillow")
HAND_MADE = {"aggre_label": 0.282, "worst_label": 0.672}  # the best F1 with hand-made features (cifar10n.py)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA,
                        help=f"parquet with id, image (JPEG bytes), label and the noisy label columns "
                             f"(default: {DEFAULT_DATA})")
    parser.add_argument("--rows", type=int, default=10_000,
                        help="use the first N rows by id (0 = all 50,000); default 10,000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md",
                        help="markdown file whose section is (re)written")
    parser.add_argument("--dry", action="store_true",
                        help=f"a quick check: the first {DRY_ROWS} rows, results printed, never written")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="keep the embedding cache in DIR (filled on the first run, read by later ones) "
                             "instead of a fresh temporary folder")
    parser.add_argument("--side", choices=["compare", "features", "cleanlab"], default="compare",
                        help="'features' and 'cleanlab' are child processes the comparison starts")
    parser.add_argument("--folder", type=Path, help="with --side features: where to write the tables")
    parser.add_argument("--features", type=Path, help="with --side cleanlab: the vectors' parquet")
    parser.add_argument("--scores-out", type=Path, help="with --side cleanlab: the CSV of scores to write")
    return parser.parse_args(argv)


def features_side(data: Path, rows: int, folder: Path) -> None:
    """Write one picture table per noisy column and embed the pictures once, into the shared cache.

    The vectors come from curate's own image modality (the cache is ``$CURATE_CACHE_DIR``, set
    by the parent), so the audits that follow find every picture cached, and cleanlab's tables
    hold exactly the vectors curate reads.
    """
    from curate.core.progress import SilentProgress
    from curate.features.cache import FeatureCache, default_cache_path
    from curate.ingest.loading import load_data
    from curate.modalities import get_modality

    frame = load_rows(data, rows, ["id", "image", *NOISY_COLUMNS])
    frame["id"] = np.arange(len(frame))  # row ids 0..n-1, the order every score table is read in
    for column in NOISY_COLUMNS:
        table = frame[["id", "image", column]].rename(columns={column: "label"})
        table.to_parquet(folder / f"images_{column}.parquet", index=False)
    loaded = load_data(folder / f"images_{NOISY_COLUMNS[0]}.parquet", label="label", id="id", image="image")
    start = time.perf_counter()
    features = get_modality(loaded.dataset.modality).features(
        loaded.dataset, embedder=None, cache=FeatureCache(default_cache_path()), progress=SilentProgress())
    vectors = np.asarray(features.vectors, dtype=np.float32)
    print(f"embedded {vectors.shape} with {features.metrics.get('embedder')} in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    for column in NOISY_COLUMNS:
        table = pd.DataFrame(vectors, columns=[f"f{i:04d}" for i in range(vectors.shape[1])])
        table["label"] = frame[column].astype(str).to_numpy()
        table.to_parquet(folder / f"vectors_{column}.parquet", index=False)


def run_curate(images: Path, n_rows: int, tmp: Path, cache: Path) -> tuple[Detection, float | None, list[Child]]:
    """curate's default audit of the pictures (label detector only), reading the shared cache."""
    detection, commands = run_curate_label(
        [images, "--label", "label", "--image", "image", "--id", "id", "--workspace", tmp / "ws",
         "--detector", "label", "--report", tmp / "r.html"], n_rows, tmp, cache)
    return detection, oof_accuracy(tmp / "curate-audit.log"), commands


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.side == "features":
        if args.folder is None:
            fail("--side features needs --folder DIR")
        features_side(args.data, args.rows, args.folder)
        return
    if args.side == "cleanlab":
        if args.features is None or args.scores_out is None:
            fail("--side cleanlab needs --features PATH and --scores-out PATH")
        cleanlab_side(args.features, args.scores_out)
        return
    require_files([args.data], "--data PATH")
    if args.dry:
        args.rows = DRY_ROWS
    if args.rows < 0:
        fail("--rows must be at least 0")
    frame = load_rows(args.data, args.rows, ["id", "label", *NOISY_COLUMNS])
    clean = frame["label"].astype(str).to_numpy()
    body: list[str] = []
    commands: list[Child] = []
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        tmp = Path(name)
        cache = args.cache.resolve() if args.cache is not None else tmp / "cache"
        warm = (cache / "features.sqlite").exists()  # vectors kept from an earlier run of this script
        feature_argv = [REPO / VENV_BIN / "python", Path(__file__).resolve(), "--side", "features",
                        "--data", args.data, "--rows", args.rows, "--folder", tmp]
        log = tmp / "features.log"
        print("embedding ...", flush=True)
        run = run_measured([str(a) for a in feature_argv], log, {"CURATE_CACHE_DIR": str(cache)})
        check_ok(run, "the embedding side", log)
        commands.append((shell_command(feature_argv, tmp).replace(str(tmp), "$TMP"), run))
        print(log.read_text(encoding="utf-8").strip(), flush=True)
        for column in NOISY_COLUMNS:
            truth = frame[column].astype(str).to_numpy() != clean
            ours_tmp, theirs_tmp = tmp / f"{column}-curate", tmp / f"{column}-cleanlab"
            ours_tmp.mkdir()
            theirs_tmp.mkdir()
            ours, ours_accuracy, rows = run_curate(tmp / f"images_{column}.parquet", len(truth), ours_tmp, cache)
            commands += [(c.replace(str(tmp), "$TMP"), r) for c, r in rows]
            theirs, theirs_accuracy, rows = run_cleanlab_on_features(
                tmp / f"vectors_{column}.parquet", len(truth), theirs_tmp)
            commands += [(c.replace(str(tmp), "$TMP"), r) for c, r in rows]
            block = column_lines(column, truth, [ours, theirs], [ours_accuracy, theirs_accuracy])
            block.insert(-1, f"Hand-made features (`bench/cifar10n.py`): best F1 {HAND_MADE[column]:.3f}.")
            block.insert(-1, "")
            body += block
            print("\n".join(line for line in block if line.startswith(("|", "Ratios", "curate's", "Hand"))),
                  flush=True)
    given = sys.argv[1:] if argv is None else list(argv)
    intro = [
        f"Data: `{shell_command([args.data])}`, the first {len(frame):,} rows by `id` (the rows of the "
        "hand-made-feature section above). A row is a label error for a noisy column iff that column "
        "differs from the clean CIFAR-10 `label`. curate runs `curate audit images.parquet --label label "
        "--image image --id id --detector label` (its default image pipeline: EfficientNet-Lite0 "
        "vectors at 112 px with a logistic regression, beside the views of the pixels its image "
        "modality adds, mixed by weights fitted out of fold), then exports its label findings. "
        "cleanlab cross-validates `LogisticRegression(max_iter=2000)` (5 stratified folds, seed 0) on "
        "the same EfficientNet-Lite0 vectors and runs `Datalab.find_issues(pred_probs, features)`. "
        "The vectors are computed once, by curate's embedding code in its own child (first row of "
        "the commands below), into an embedding cache that curate's audits then read: neither "
        "side's time includes embedding"
        + (f" (the cache `{args.cache}` was kept from an earlier run of this script, so the embedding "
           "child found the vectors cached: its time is not the embedding's)" if warm else "")
        + ". Peak RSS is `ru_maxrss` of each process alone.",
        "",
    ]
    body = intro + body + footer("cifar10n_images.py", given, commands, PACKAGES)
    if not args.dry:
        write_section(args.out, HEADING, body)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
