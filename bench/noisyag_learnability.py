"""Can the text tell NoisyAG-News's wrong labels from its right ones? Accuracy against both labels.

    .venv/bin/python bench/noisyag_learnability.py [--data ../shared/data] [--rows N] [--out bench/RESULTS.md]

A label-error detector flags rows whose given label disagrees with what a model, trained out of
fold on the given labels, expects from the input. That can only find a wrong label the model does
not itself predict. If annotators' mistakes follow the text (an article that reads like business
news, filed under Sci/Tech by its source and labelled Business by the annotator), a model learns
them, and the wrong labels look right to it.

This script measures that on ``noisy_10k.csv``: with each of curate's English text features
(the static embeddings curate uses by default, the all-MiniLM-L6-v2 sentence model, and the word
1-2-gram TF-IDF view of the label evidence), a 5-fold logistic regression is trained on the given
(noisy) labels, and its out-of-fold predictions are compared with the given labels and with
``true_label``. It also counts the wrong labels the model predicts itself (no flag rule that needs
the model to disagree can find them) and the accuracy at 10, 25, 50 and 100 % of each training fold
(a model still short of data would climb; one that has learned all it can stays flat).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from benchlib import DEFAULT_DATA_ROOT, REPO, finish, machine_lines, require_files, shell_command

HEADING = "## Label errors: can the text tell NoisyAG-News's wrong labels from its right ones? (issue 9)"
SEED = 0
FRACTIONS = (0.1, 0.25, 0.5, 1.0)


def _static(texts: list[str]) -> np.ndarray:
    from curate.features import StaticEmbedder

    return np.asarray(StaticEmbedder().embed(texts))


def _sentence(texts: list[str]) -> np.ndarray:
    from curate.features.text import SentenceEmbedder

    return np.asarray(SentenceEmbedder().embed(texts))


def _tfidf(texts: list[str]) -> np.ndarray:
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)


FEATURES: dict[str, tuple[str, Callable[[list[str]], np.ndarray], float]] = {
    "static": ("static embeddings distilled from all-MiniLM-L6-v2 (curate's default)", _static, 1.0),
    "sentence": ("all-MiniLM-L6-v2 sentence embeddings", _sentence, 1.0),
    "tfidf": ("word 1-2-gram TF-IDF (the label evidence's word view)", _tfidf, 4.0),
}


def _out_of_fold(features: np.ndarray, given: np.ndarray, c: float, fraction: float) -> np.ndarray:
    """5-fold out-of-fold predictions, each fold's model trained on ``fraction`` of its training rows."""
    predicted = np.zeros(len(given), dtype=np.int64)
    rng = np.random.default_rng(SEED)
    for train, held in StratifiedKFold(5, shuffle=True, random_state=SEED).split(np.zeros(len(given)), given):
        if fraction < 1.0:
            train = np.sort(rng.choice(train, round(fraction * len(train)), replace=False))
        model = LogisticRegression(C=c, max_iter=2000).fit(features[train], given[train])
        predicted[held] = model.predict(features[held])
    return predicted


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / DEFAULT_DATA_ROOT)
    parser.add_argument("--rows", type=int, default=0, help="the first N rows only (0: all 10,000)")
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated: " + ", ".join(FEATURES))
    parser.add_argument("--out", type=Path, help="rewrite this script's section of this markdown file")
    args = parser.parse_args(argv)
    path = args.data / "noisyag-news" / "noisy_10k.csv"
    require_files([path])
    frame = pd.read_csv(path)
    if args.rows:
        frame = frame.iloc[:args.rows]
    classes = np.unique(np.r_[frame["label"].astype(str), frame["true_label"].astype(str)])
    given = np.searchsorted(classes, frame["label"].astype(str))
    truth = np.searchsorted(classes, frame["true_label"].astype(str))
    wrong = given != truth
    texts = frame["text"].astype(str).tolist()
    rows, given_better, gains = [], [], []
    for name in args.features.split(","):
        title, make, c = FEATURES[name]
        started = time.perf_counter()
        features = make(texts)
        seconds = time.perf_counter() - started
        curve = []
        for fraction in FRACTIONS:
            predicted = _out_of_fold(features, given, c, fraction)
            if fraction == 0.5:
                half = predicted
            curve.append(f"{np.mean(predicted == given):.3f} / {np.mean(predicted == truth):.3f}")
        given_better.append(np.mean(predicted == given) > np.mean(predicted == truth))
        gains.append(np.mean(predicted == given) - np.mean(half == given))
        learned = int(np.sum(wrong & (predicted == given)))
        rows.append([title, f"{np.mean(predicted == given):.3f}", f"{np.mean(predicted == truth):.3f}",
                     f"{learned:,} of {int(wrong.sum()):,}", f"{np.mean(predicted[wrong] != given[wrong]):.3f}",
                     " → ".join(curve), f"{seconds:.0f}"])
        print(name, rows[-1], flush=True)
    body = [
        f"Data: `{os.path.relpath(path, REPO)}`, "
        f"{len(frame):,} rows, {int(wrong.sum()):,} wrong labels ({wrong.mean():.2%}). A 5-fold logistic "
        "regression (C 1 on embeddings, 4 on TF-IDF, as in curate's label evidence) learns from the given labels; "
        "its out-of-fold predictions are scored against the given labels and against `true_label`. "
        "\"Wrong labels it predicts\" are rows whose given label is wrong and equal to the model's own prediction: "
        "no rule that needs the model to disagree with a label can flag them, so one minus that share of the "
        "wrong labels is the recall any such rule can reach at most. The curve is accuracy (given / true) with "
        "10, 25, 50 and 100 % of each training fold.",
        "",
        "| features | accuracy vs given labels | accuracy vs true labels | wrong labels it predicts | "
        "recall ceiling | curve: 10 / 25 / 50 / 100 % of training rows (given / true) | embedding s |",
        "|---|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        f"Feature sets that predict the given labels better than the true ones: {sum(given_better)} of "
        f"{len(given_better)}. Accuracy gained against the given labels from half of each training fold to all of "
        f"it: {', '.join(f'{g * 100:+.1f}' for g in gains)} points. Where a model agrees with the annotators' "
        "wrong labels more than with the truth and more data no longer changes it, the mistakes follow the text: "
        "a detector that reads only the text cannot separate those wrong labels from right ones. "
        "Issue 9's bar for NoisyAG-News (label-flag F1 at least 0.50) needs about a thousand flags at "
        "precision 0.7; on the same saved evidence, the flag rules that get there (the rule curate used before "
        "its noise model, Dawid-Skene over the views) also flag more than 6 % of the IMDB sample (the bar there) "
        "and drop NSMC with 10 % flips below F1 0.55 (section \"Label-flag rules on saved evidence\").",
        "",
        f"Command: `{shell_command(['.venv/bin/python', 'bench/noisyag_learnability.py', *sys.argv[1:]])}`",
        "",
        *machine_lines(["numpy", "scikit-learn", "model2vec", "sentence-transformers", "torch"]),
    ]
    finish(args, HEADING, body)


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
