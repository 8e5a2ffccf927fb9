"""The label-flag rule on every label benchmark at once, from saved evidence.

The label detector's rule (which rows to flag, given the calibrated evidence) is cheap; the evidence
(embeddings, cross-validated classifiers, neighbour votes) is not. ``dump`` runs curate's default
audit on one benchmark condition and saves the evidence the label detector saw, with the truth where
the condition has one; ``score`` then applies flag rules to every saved condition in seconds, so a
change of rule is judged on all benchmarks together instead of on the one it was tuned on.

    python bench/evidence_lab.py dump NAME [--lab DIR]   # NAME from CONDITIONS; one audit
    python bench/evidence_lab.py score [--lab DIR]      # every saved condition, every rule

Saved per condition: ``NAME.npz`` with ``probs`` (n_rows, n_classes), ``codes`` (n_rows,),
``ambiguous``, ``reliable_class``, ``truth`` (bool, or empty when the condition has none) and the
flags the shipped rule gave (``flagged``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib import DEFAULT_DATA_ROOT, flip_labels, machine_lines, sample_rows, shell_command, write_section

SEED = 0
DEFAULT_LAB = Path(os.environ.get("CURATE_LAB", "/tmp/curate-lab"))
CASES = DEFAULT_DATA_ROOT.parent / "cases" / "robustness"
Frame = tuple[pd.DataFrame, np.ndarray | None, dict]
HEADING = "## Label-flag rules on saved evidence (every label benchmark at once)"
INTRO = [
    "Each condition is audited once with curate's defaults (`python bench/evidence_lab.py dump NAME`; English text "
    "read by the static embeddings distilled from all-MiniLM-L6-v2, curate's default since 2026-12-01), and the "
    "evidence the label detector saw is saved; each rule is then applied to the same evidence, so the rules differ "
    "in nothing else. The conditions are those of the other sections: `noisyag` (NoisyAG-News, 10,000 rows, "
    "truth = `true_label`), `nsmc_*` (NSMC, 10,000 reviews: the given labels, 10 % and 20 % random flips and 10 % "
    "confusable flips, truth = the planted rows only, so the star ratings' own errors count against precision), "
    "`ctl_*` (the 75x10 and 300-class controls and 75x10 with 5 % flipped), `imdb` (5,000-review sample) and "
    "`20news` (test set) without truth, `c10n_*` (CIFAR-10N, first 10,000 images, default image pipeline, "
    "truth = the clean CIFAR-10 label) and `mnist` (10,000 test digits, 5 % flipped). `current` is curate's "
    "rule now (a label is flagged when it is more likely wrong than right under the noise estimated from the "
    "confident joint, `curate.evidence.noise_model`); `previous` the rule it replaced (given label below 0.6 x "
    "its class's typical confidence, another class at least 0.4 probable); `prune_by_class` confident "
    "learning's count on curate's evidence; `dawid_skene` the given label and each view's top class as "
    "annotators. A run warning that withholds the flags (the 300-class set) zeroes them for every rule. "
    "The bar column is issue 9's or 11's target for that condition. Sections of this file dated before "
    "2026-12-01 09:00 UTC were measured with the previous rule; for curate's side of those benchmarks, this "
    "section's `current` rows are what the rule now gives on the same evidence.",
]


def _nsmc(kind: str, rate: float) -> Frame:
    import nsmc

    frame = pd.read_csv(DEFAULT_DATA_ROOT / "nsmc" / "reviews_10k.csv", usecols=["text", "label"])
    given = frame["label"].astype(str).to_numpy()
    if kind == "given":
        return frame, None, {"text": "text"}
    if kind == "random":
        planted = nsmc.random_flips(given, rate)
        labels = flip_labels(given, planted, np.random.default_rng([SEED, round(rate * 100), 1]))
    else:
        from sides import _features, _oof_probs

        classes, codes = np.unique(given, return_inverse=True)
        probs = _oof_probs(_features("words", frame["text"].astype(str).tolist()), codes)
        planted, targets = nsmc.confusable_flips(probs, codes, rate)
        labels = given.astype(object).copy()
        labels[planted] = classes[targets]
    return frame.assign(label=labels), np.isin(np.arange(len(given)), planted), {"text": "text"}


def _noisyag() -> Frame:
    frame = pd.read_csv(DEFAULT_DATA_ROOT / "noisyag-news" / "noisy_10k.csv")
    truth = frame["label"].astype(str).to_numpy() != frame["true_label"].astype(str).to_numpy()
    return frame[["text", "label"]], truth, {"text": "text"}


def _controls(case: str) -> Frame:
    many = pd.read_csv(CASES / "many_classes_75x10_all_correct.csv", usecols=["text", "label"])
    if case == "many":
        return many, np.zeros(len(many), bool), {"text": "text"}
    if case == "tiny":
        tiny = pd.read_csv(CASES / "tiny_classes_300x2to3_all_correct.csv", usecols=["text", "label"])
        return tiny, np.zeros(len(tiny), bool), {"text": "text"}
    labels = many["label"].astype(str).to_numpy()
    planted = np.sort(np.random.default_rng([SEED, 5]).choice(len(labels), round(0.05 * len(labels)), replace=False))
    flipped = many.assign(label=flip_labels(labels, planted, np.random.default_rng([SEED, 5, 1])))
    return flipped, np.isin(np.arange(len(many)), planted), {"text": "text"}


def _long(name: str) -> Frame:
    path = DEFAULT_DATA_ROOT / ("20news" if name == "20news" else "imdb") / "test.parquet"
    frame = sample_rows(pd.read_parquet(path, columns=["text", "label"]), 0 if name == "20news" else 5000)
    return frame, None, {"text": "text"}


def _cifar(column: str) -> Frame:
    frame = pd.read_parquet(DEFAULT_DATA_ROOT / "cifar10" / "train.parquet", columns=["id", "image", "label", column])
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True).iloc[:10_000].reset_index(drop=True)
    truth = frame[column].astype(str).to_numpy() != frame["label"].astype(str).to_numpy()
    table = pd.DataFrame({"id": np.arange(len(frame)), "image": frame["image"], "label": frame[column].astype(str)})
    return table, truth, {"image": "image", "id": "id"}


def _cifar_test(rows: int) -> Frame:
    """The first ``rows`` CIFAR-10 test pictures by id with their (clean) labels: a small, clean set."""
    frame = pd.read_parquet(DEFAULT_DATA_ROOT / "cifar10" / "test.parquet", columns=["id", "image", "label"])
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True).iloc[:rows].reset_index(drop=True)
    table = pd.DataFrame({"id": np.arange(len(frame)), "image": frame["image"], "label": frame["label"].astype(str)})
    return table, np.zeros(len(table), bool), {"image": "image", "id": "id"}


def _mnist() -> Frame:
    import mnist

    frame, truth = mnist.planted(DEFAULT_DATA_ROOT / "mnist" / "test.parquet", 0, 0.05)
    return frame, truth, {"image": "image"}


CONDITIONS: dict[str, Callable[[], Frame]] = {
    "noisyag": _noisyag,
    "nsmc_given": lambda: _nsmc("given", 0.0),
    "nsmc_random10": lambda: _nsmc("random", 0.10),
    "nsmc_random20": lambda: _nsmc("random", 0.20),
    "nsmc_confusable10": lambda: _nsmc("confusable", 0.10),
    "ctl_many": lambda: _controls("many"),
    "ctl_tiny": lambda: _controls("tiny"),
    "ctl_flipped": lambda: _controls("flipped"),
    "20news": lambda: _long("20news"),
    "imdb": lambda: _long("imdb"),
    "c10n_aggre": lambda: _cifar("aggre_label"),
    "c10n_worst": lambda: _cifar("worst_label"),
    "mnist": _mnist,
    "cifar_test300": lambda: _cifar_test(300),
    "cifar_test2000": lambda: _cifar_test(2000),
}


def dump(name: str, lab: Path, embedder: str | None = None) -> None:
    """Audit one condition with curate's defaults (or ``embedder``) and save the label detector's evidence."""
    import curate
    from curate.detectors.label_issues import LabelIssueDetector

    frame, truth, columns = CONDITIONS[name]()
    seen: dict[str, np.ndarray] = {}
    original = LabelIssueDetector.find

    def find(self: LabelIssueDetector, context):  # type: ignore[no-untyped-def]
        evidence, dataset = context.need("label_evidence"), context.need("dataset")
        reliable = (evidence.strength.reliable_class if evidence.strength is not None
                    else np.bincount(dataset.label_codes, minlength=len(dataset.classes)) >= 2)
        seen.update(probs=evidence.probs, codes=dataset.label_codes, ambiguous=evidence.ambiguous,
                    reliable_class=reliable, classifier=evidence.classifier)
        if evidence.neighbours is not None:
            seen["neighbours"] = evidence.neighbours
        seen.update({f"view_{name}": view for name, view in evidence.extra.items()})
        result = original(self, context)
        seen["flagged"] = np.asarray(result.flagged, dtype=bool)
        return result

    LabelIssueDetector.find = find  # type: ignore[method-assign]
    extra = {"embedder": embedder} if embedder else {}
    result = curate.audit(frame, label="label", detectors=["label"], **columns, **extra)
    lab.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(lab / f"{name}.npz", truth=np.zeros(0, bool) if truth is None else truth,
                        oof_accuracy=result.metrics.get("oof_accuracy", np.nan),
                        withheld=any("label" in w.withheld for w in result.warnings or []), **seen)
    print(f"{name}: {len(frame)} rows, flagged {int(seen.get('flagged', np.zeros(0)).sum())}, "
          f"warnings {[w.code for w in result.warnings or []]}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["dump", "score"])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--lab", type=Path, default=DEFAULT_LAB)
    parser.add_argument("--embedder", help="with dump: audit with this text embedder instead of the default")
    parser.add_argument("--out", type=Path, help="with score: rewrite this script's section of this markdown file")
    args = parser.parse_intermixed_args(argv)
    if args.command == "dump":
        for name in args.names or list(CONDITIONS):
            if name not in CONDITIONS:
                sys.exit(f"unknown condition {name!r}; one of {', '.join(CONDITIONS)}")
            dump(name, args.lab, args.embedder)
        return
    import flag_rules

    table = flag_rules.report(args.lab, args.names)
    if args.out:
        command = shell_command([".venv/bin/python", "bench/evidence_lab.py", *sys.argv[1:]])
        write_section(args.out, HEADING, [*INTRO, "", *table, "",
                                          f"Command: `{command}` after `dump` of every condition.", "",
                                          *machine_lines(["numpy", "scikit-learn", "cleanlab"])])


if __name__ == "__main__":
    main()
