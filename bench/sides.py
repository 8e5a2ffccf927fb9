"""The measured child processes of the label-trust benchmarks, and the parent's side of running them.

Each tool runs end to end in its own process (this file with a subcommand), reads one parquet table
(text column(s) + ``label``) and writes what it found to a folder: ``scores.parquet`` (one row per
input row, in input order: ``flagged``, ``error_score``, ``suggested``, ``ambiguous``) and
``run.json`` (out-of-fold accuracy, curate's estimated precision, warnings, ...).

    python bench/sides.py curate --input T.parquet --text text [--text text2] --out DIR
    python bench/sides.py cleanlab --input T.parquet --text text --features minilm|tfidf --out DIR
    python bench/sides.py reference --input T.parquet --text text --out DIR

The parent (``run_side``) imports nothing heavy, so children do not inherit a large resident set.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchlib import REPO, VENV_BIN, Child, Measured, check_ok, run_measured, shell_command

__all__ = ["FEATURE_SETS", "Side", "run_side", "write_table"]

FOLDS = 5
SEED = 0
LABEL = "label"
FEATURE_SETS = {
    "minilm": "all-MiniLM-L6-v2 embeddings (curate's `SentenceEmbedder`), dense",
    "tfidf": "character 1-3-gram TF-IDF (`sublinear_tf=True, min_df=2`), sparse",
}


# --- the parent's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """What one tool found, per row in input order, and what it said about its run."""

    tool: str
    flagged: np.ndarray  # bool: label-error flags
    error_score: np.ndarray  # higher = more likely a label error
    suggested: np.ndarray  # object: the suggested label, None where none
    ambiguous: np.ndarray  # bool: curate's ambiguous flags (all False for cleanlab)
    facts: dict[str, Any]
    measured: Measured
    command: str

    @property
    def estimated_precision(self) -> float | None:
        """curate's stated estimate of its label flags' precision (None when not stated)."""
        value = self.facts.get("estimated_precision")
        return None if value is None else float(value)

    def warning_codes(self) -> list[str]:
        """The run's warning codes, ``code(withheld: a, b)`` when it withheld flags."""
        out = []
        for w in self.facts.get("warnings") or []:
            withheld = w.get("withheld") or []
            out.append(f"{w.get('code')}" + (f" (withheld: {', '.join(withheld)})" if withheld else ""))
        if self.facts.get("rows_without_label_score"):  # e.g. rows the audit dropped, or no label detector
            out.append(f"{self.facts['rows_without_label_score']} rows without a label score")
        return out

    def used(self) -> str:
        """What the run says it used to read and classify the rows (from curate's run metrics)."""
        parts = [f"{key} `{self.facts[key]}`" for key in ("embedder", "classifier") if self.facts.get(key)]
        return ", ".join(parts) or "not stated"

    def child(self) -> Child:
        return self.command, self.measured


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """The input table a child reads: text column(s) and ``label`` as strings."""
    frame.astype(str).reset_index(drop=True).to_parquet(path, index=False)
    return path


def run_side(kind: str, table: Path, texts: Sequence[str], tmp: Path, features: str | None = None,
             warm_cache: Path | None = None) -> Side:
    """Run one tool (``curate``, ``cleanlab`` or ``reference``) on ``table`` in a measured child.

    ``tmp`` is the child's own folder; curate's embedding cache starts empty inside it, unless
    ``warm_cache`` names a cache folder to read and fill instead (then times leave out embedding).
    """
    tmp.mkdir(parents=True, exist_ok=True)
    argv: list[object] = [REPO / VENV_BIN / "python", Path(__file__).resolve(), kind, "--input", table,
                          "--out", tmp]
    for column in texts:
        argv += ["--text", column]
    if features:
        argv += ["--features", features]
    log = tmp / f"{kind}.log"
    name = kind if features is None else f"{kind} ({features})"
    print(f"{name} on {table.name} ...", flush=True)
    run = run_measured([str(a) for a in argv], log, {"CURATE_CACHE_DIR": str(warm_cache or tmp / "cache")})
    check_ok(run, name, log)
    scores = pd.read_parquet(tmp / "scores.parquet")
    facts = json.loads((tmp / "run.json").read_text(encoding="utf-8"))
    tool = "curate" if kind == "curate" else f"{kind} ({features})" if features else kind
    return Side(tool, scores["flagged"].to_numpy(bool), scores["error_score"].to_numpy(float),
                scores["suggested"].to_numpy(object), scores["ambiguous"].to_numpy(bool), facts, run,
                shell_command(argv, tmp.parent))


# --- the children ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _write(out: Path, n_rows: int, facts: dict[str, Any], flagged: np.ndarray, error_score: np.ndarray,
           suggested: Sequence[Any], ambiguous: np.ndarray | None = None) -> None:
    pd.DataFrame({
        "flagged": np.asarray(flagged, dtype=bool),
        "error_score": np.asarray(error_score, dtype=float),
        "suggested": pd.Series(list(suggested), dtype=object),
        "ambiguous": np.zeros(n_rows, bool) if ambiguous is None else np.asarray(ambiguous, dtype=bool),
    }).to_parquet(out / "scores.parquet", index=False)
    (out / "run.json").write_text(json.dumps(facts, default=_jsonable, ensure_ascii=False, indent=1),
                                  encoding="utf-8")


def _warning_dict(warning: Any) -> dict[str, Any]:
    if hasattr(warning, "to_dict"):
        return dict(warning.to_dict())
    return {"code": getattr(warning, "code", str(warning)), "withheld": list(getattr(warning, "withheld", ()))}


def _issue_rows(scores: pd.DataFrame, issue: str, n_rows: int) -> tuple[pd.DataFrame, int]:
    """One issue's rows of curate's score table placed by ``position`` in input order, and how many
    input rows it did not score (those read as unflagged with score 1)."""
    rows = scores[scores["issue"] == issue]
    out = pd.DataFrame({"flagged": np.zeros(n_rows, bool), "score": np.ones(n_rows),
                        "suggested_label": pd.Series([None] * n_rows, dtype=object)})
    positions = rows["position"].to_numpy(int)
    out.loc[positions, "flagged"] = rows["flagged"].to_numpy(bool)
    out.loc[positions, "score"] = rows["score"].to_numpy(float)
    out.loc[positions, "suggested_label"] = rows["suggested_label"].to_numpy(object)
    return out, n_rows - len(set(positions.tolist()))


def curate_child(table: Path, texts: Sequence[str], out: Path) -> None:
    """curate's default audit through the API; its label and ambiguous findings, notes and warnings."""
    import curate

    frame = pd.read_parquet(table)
    result = curate.audit(frame, label=LABEL, text=texts[0] if len(texts) == 1 else list(texts))
    n = len(frame)
    label, unscored = _issue_rows(result.scores, "label", n)
    ambiguous, _ = _issue_rows(result.scores, "ambiguous", n)
    label_notes = (result.notes or {}).get("label") or {}
    metrics = result.metrics or {}
    warnings = [_warning_dict(w) for w in (getattr(result, "warnings", None) or [])]
    facts = {
        "oof_accuracy": metrics.get("oof_accuracy"),
        "label_evidence_accuracy": metrics.get("label_evidence_accuracy"),
        "estimated_precision": label_notes.get("estimated_precision"),
        "expected_true_errors": label_notes.get("expected_true_errors"),
        "warnings": warnings,
        "rows_without_label_score": unscored,
        "embedder": metrics.get("embedder"),
        "classifier": metrics.get("classifier"),
        "flagged": metrics.get("flagged"),
        "label_notes": {k: v for k, v in label_notes.items() if not isinstance(v, dict | list) or k == "rule"},
    }
    suggested = label["suggested_label"].where(label["flagged"].astype(bool), None).tolist()
    _write(out, n, facts, label["flagged"].to_numpy(bool), 1.0 - label["score"].to_numpy(float), suggested,
           ambiguous["flagged"].to_numpy(bool))
    print(f"out-of-fold accuracy: {facts['oof_accuracy']}; estimated precision: {facts['estimated_precision']}")


def _joined(frame: pd.DataFrame, texts: Sequence[str]) -> list[str]:
    """The row texts, several columns joined by newlines as curate joins them."""
    return frame[list(texts)].fillna("").astype(str).agg("\n".join, axis=1).tolist()


def _features(kind: str, texts: list[str]) -> Any:
    if kind == "minilm":
        # The same vectors curate's own runs read: through curate's embedding cache, so a long-text
        # set is embedded once for both sides (the cleanlab side's time then leaves out embedding
        # whenever curate embedded those texts first).
        from curate.features import FeatureCache, SentenceEmbedder, default_cache_path, embed_with_cache

        vectors, _ = embed_with_cache(texts, SentenceEmbedder(device="cpu"), FeatureCache(default_cache_path()), None)
        return vectors
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "tfidf":
        return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2).fit_transform(texts)
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)


def _oof_probs(features: Any, codes: np.ndarray) -> np.ndarray:
    """5-fold out-of-fold probabilities of a logistic regression (the peer's standard pipeline).

    Fewer folds when even the largest class has fewer than 5 rows (scikit-learn refuses that split).
    """
    import warnings

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(min(FOLDS, int(np.bincount(codes).max())), shuffle=True, random_state=SEED)
    with warnings.catch_warnings():  # classes with fewer rows than folds: sklearn warns, and copes
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return cross_val_predict(LogisticRegression(max_iter=2000), features, codes, cv=folds,
                                 method="predict_proba")


def cleanlab_child(table: Path, texts: Sequence[str], features_kind: str, out: Path) -> None:
    """cleanlab's Datalab on 5-fold logistic-regression probabilities over one feature set."""
    from cleanlab import Datalab

    frame = pd.read_parquet(table)
    classes, codes = np.unique(frame[LABEL].astype(str).to_numpy(), return_inverse=True)
    features = _features(features_kind, _joined(frame, texts))
    probs = _oof_probs(features, codes)
    accuracy = float(np.mean(probs.argmax(axis=1) == codes))
    print(f"out-of-fold accuracy: {accuracy:.4f} ({len(classes)} classes)")
    lab = Datalab(data={"label": codes}, label_name="label", verbosity=0)
    if isinstance(features, np.ndarray):  # cleanlab's default pipeline: every issue type
        lab.find_issues(pred_probs=probs, features=features)
    else:  # its feature-based issue types want dense vectors; the label issue needs only pred_probs
        lab.find_issues(pred_probs=probs, issue_types={"label": {}})
    issues = lab.get_issues("label")
    flagged = issues["is_label_issue"].to_numpy(bool)
    suggested = np.where(flagged, classes[issues["predicted_label"].to_numpy(int)], None)
    facts = {"oof_accuracy": accuracy, "classes": len(classes), "folds": min(FOLDS, int(np.bincount(codes).max()))}
    _write(out, len(frame), facts, flagged,
           1.0 - issues["label_score"].to_numpy(float), suggested)


def reference_child(table: Path, texts: Sequence[str], out: Path) -> None:
    """A third view, neither compared feature set: word 1-2-gram TF-IDF, 5-fold LR probabilities."""
    frame = pd.read_parquet(table)
    classes, codes = np.unique(frame[LABEL].astype(str).to_numpy(), return_inverse=True)
    probs = _oof_probs(_features("words", _joined(frame, texts)), codes)
    accuracy = float(np.mean(probs.argmax(axis=1) == codes))
    print(f"out-of-fold accuracy: {accuracy:.4f}")
    np.save(out / "probs.npy", probs)
    given = probs[np.arange(len(codes)), codes]
    _write(out, len(frame), {"oof_accuracy": accuracy, "classes": classes.tolist()}, np.zeros(len(frame), bool),
           1.0 - given, [None] * len(frame))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["curate", "cleanlab", "reference"])
    parser.add_argument("--input", type=Path, required=True, help="parquet: text column(s) and label")
    parser.add_argument("--text", action="append", required=True, help="a text column (repeatable)")
    parser.add_argument("--features", choices=sorted(FEATURE_SETS), help="cleanlab's feature set")
    parser.add_argument("--out", type=Path, required=True, help="folder for scores.parquet and run.json")
    args = parser.parse_args(argv)
    if args.kind == "curate":
        curate_child(args.input, args.text, args.out)
    elif args.kind == "cleanlab":
        cleanlab_child(args.input, args.text, args.features or "minilm", args.out)
    else:
        reference_child(args.input, args.text, args.out)


if __name__ == "__main__":
    main()
