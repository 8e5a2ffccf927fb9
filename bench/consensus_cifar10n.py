"""Consensus of CIFAR-10N's three human annotators (CROWDLAB with curate's image model) against the truth.

The three independent CIFAR-10N annotations (``random1_label`` .. ``random3_label``) are the
annotators; the clean CIFAR-10 ``label`` is the truth. curate's consensus (curate's default image
features, EfficientNet-Lite0, with a cross-validated logistic regression trained on the
majority-vote labels) is compared with CIFAR-10N's own majority label ``aggre_label``, with each
annotator alone, and its annotator quality scores with each annotator's true accuracy. The
embedding cache is ``$CURATE_CACHE_DIR`` (the pictures already cached there are not embedded again).

    CURATE_CACHE_DIR=/work/cache-c10n .venv/bin/python bench/consensus_cifar10n.py [--rows N] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import DEFAULT_DATA_ROOT, REPO, fmt, machine_lines, markdown_table, shell_command, write_section

HEADING = "## Consensus: CIFAR-10N's three annotators, {rows} (issue 14)"
DEFAULT_DATA = DEFAULT_DATA_ROOT / "cifar10" / "train.parquet"
ANNOTATORS = ("random1_label", "random2_label", "random3_label")
PACKAGES = ("curate", "torch", "efficientnet-lite-pytorch", "scikit-learn", "numpy")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA, help="CIFAR-10N train.parquet")
    parser.add_argument("--rows", type=int, default=0, help="the first N rows by id (0 = all 50,000)")
    parser.add_argument("--out", type=Path, default=None, help="markdown file whose section is (re)written")
    return parser.parse_args(argv)


def measure(frame: pd.DataFrame) -> dict[str, object]:
    """Run the consensus on ``frame`` and compare it with the truth; the figures as a dict."""
    from curate.annotators import consensus_table
    from curate.core.progress import choose_progress
    from curate.features import FeatureCache, default_cache_path

    labels = frame[list(ANNOTATORS)].astype(str)
    truth = frame["label"].astype(str).to_numpy()
    started = time.perf_counter()
    found = consensus_table(labels, frame["image"], image=True, cache=FeatureCache(default_cache_path()),
                            progress=choose_progress(None))
    seconds = time.perf_counter() - started
    items = found.items()
    result = found.result
    consensus = items["consensus_label"].to_numpy(dtype=object)
    right = consensus == truth
    weak = items["weak"].to_numpy()
    majority = items["majority_label"].to_numpy(dtype=object)
    aggre = frame["aggre_label"].astype(str).to_numpy()
    ties = labels.nunique(axis=1).to_numpy() == len(ANNOTATORS)  # no two annotators agree
    model_alone = np.asarray(found.classes, dtype=object)[np.argmax(found.pred_probs, axis=1)]
    posterior_label = np.asarray(found.classes, dtype=object)[np.argmax(result.posterior, axis=1)]
    return {
        "seconds": seconds, "rows": len(frame), "model": found.model, "model_weight": result.model_weight,
        "consensus": float(right.mean()), "aggre": float((aggre == truth).mean()),
        "majority": float((majority == truth).mean()), "model_alone": float((model_alone == truth).mean()),
        "posterior_argmax": float((posterior_label == truth).mean()),
        "ties": float(ties.mean()), "consensus_ties": float(right[ties].mean()),
        "aggre_ties": float((aggre == truth)[ties].mean()), "consensus_rest": float(right[~ties].mean()),
        "aggre_rest": float((aggre == truth)[~ties].mean()),
        "annotators": [(name, float((labels[name].to_numpy() == truth).mean()), float(result.annotator_quality[j]),
                        float(result.annotator_weights[j])) for j, name in enumerate(ANNOTATORS)],
        "changed": int((consensus != majority).sum()),
        "changed_right": int(((consensus != majority) & right).sum()),
        "changed_was_right": int(((consensus != majority) & (majority == truth)).sum()),
        "weak": int(weak.sum()), "weak_wrong": float((~right[weak]).mean()) if weak.any() else float("nan"),
        "weak_expected": result.expected_wrong_share,
        "wrong_caught": float(weak[~right].mean()) if (~right).any() else float("nan"),
        "mean_quality": float(np.mean(result.quality)), "accuracy": float(right.mean()),
    }


def section(args: argparse.Namespace, given: Sequence[str], found: dict[str, object], peak_mib: float) -> list[str]:
    model = found["model"]
    assert isinstance(model, dict)
    rows = [["curate consensus (CROWDLAB + image model)", fmt(found["consensus"], 4)],
            ["CIFAR-10N `aggre_label` (their majority vote)", fmt(found["aggre"], 4)],
            ["majority vote, ties broken by the model", fmt(found["majority"], 4)],
            ["the model alone (out of fold, trained on the majority vote)", fmt(found["model_alone"], 4)],
            ["(not used) the most probable class of the quality's posterior", fmt(found["posterior_argmax"], 4)]]
    annotators = [[name, fmt(acc, 4), fmt(quality, 4), fmt(weight, 3)]
                  for name, acc, quality, weight in found["annotators"]]  # type: ignore[attr-defined]
    command = shell_command([f"CURATE_CACHE_DIR={os.environ.get('CURATE_CACHE_DIR', '')}", ".venv/bin/python",
                             "bench/consensus_cifar10n.py", *given])
    return [
        f"Data: `{DEFAULT_DATA}`, the first {found['rows']:,} rows by `id`. Annotators: `random1_label`, "
        "`random2_label`, `random3_label` (every image has all three); truth: the clean `label`. curate's consensus "
        "(`curate.annotators.consensus_table`, as `curate consensus FILE --annotators random1_label,random2_label,"
        "random3_label --image image` runs it): EfficientNet-Lite0 vectors of the pictures (curate's default image "
        "features) and a 5-fold cross-validated logistic regression trained on the majority-vote labels, weighed "
        "with the three annotators by CROWDLAB (Goh et al. 2022).",
        "",
        *markdown_table(["consensus", "accuracy against the clean label"], rows),
        "",
        f"Model: {model['embedder']} + {model['classifier']}, {model['folds']} folds, out-of-fold accuracy against "
        f"the majority vote {fmt(model['oof_accuracy'], 4)}; model weight {fmt(found['model_weight'], 3)}.",
        "",
        *markdown_table(["annotator", "true accuracy", "curate quality score", "weight"], annotators),
        "",
        f"On the {fmt(found['ties'], 4)} of images where no two annotators agree, the consensus is right on "
        f"{fmt(found['consensus_ties'], 3)} of them and `aggre_label` on {fmt(found['aggre_ties'], 3)}; on the others "
        f"{fmt(found['consensus_rest'], 4)} against {fmt(found['aggre_rest'], 4)}: most of the gain over `aggre_label` "
        "is the model breaking the three-way ties.",
        "",
        f"The consensus differs from the majority vote on {found['changed']:,} images: right on "
        f"{found['changed_right']:,} of them, where the majority vote was right on {found['changed_was_right']:,}. "
        f"Weak consensus (quality below 0.5): {found['weak']:,} images, of which {fmt(found['weak_wrong'], 3)} are "
        f"really wrong (estimated: {fmt(found['weak_expected'], 3)}); they hold {fmt(found['wrong_caught'], 3)} of "
        "the consensus labels that are wrong.",
        "",
        f"Time: {found['seconds']:.1f} s for the consensus (embedding, cross-validation, CROWDLAB), peak RSS "
        f"{peak_mib:,.0f} MiB of the process. The cache held the vectors of the first 10,000 images (made by an "
        "earlier run of bench/cifar10n_images.py); rows past them were embedded in this run. The machine is shared "
        "with other jobs (2 cores under contention): times are upper bounds.",
        "",
        f"Command: `{command}`",
        "",
        *machine_lines(PACKAGES),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    frame = pd.read_parquet(args.data, columns=["id", "image", "label", "aggre_label", *ANNOTATORS])
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    if args.rows:
        frame = frame.iloc[:args.rows].reset_index(drop=True)
    found = measure(frame)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for key, value in found.items():
        print(f"{key}: {value}")
    print(f"peak RSS MiB: {peak_mib:.0f}; cache: {os.environ.get('CURATE_CACHE_DIR', '(default)')}")
    if args.out is not None:
        given = [f"--rows={args.rows}", f"--out={args.out}"] if args.rows else [f"--out={args.out}"]
        rows = f"the first {args.rows:,} rows" if args.rows else "all 50,000 rows"
        write_section(args.out, HEADING.format(rows=rows), section(args, given, found, peak_mib))


if __name__ == "__main__":
    main()
