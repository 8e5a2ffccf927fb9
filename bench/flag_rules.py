"""Label-flag rules scored on the evidence ``evidence_lab.py dump`` saved, against issue 9's and 11's bars.

Each rule maps one condition's saved evidence to boolean flags and a stated precision:

- ``current``: curate's label detector as it is (posterior error probability under the noise
  estimated from the confident joint above 0.5, :mod:`curate.evidence.noise_model`, or every view
  naming the same other class with the evidence at least 0.8 sure of it);
- ``posterior_only``: the first half of that rule alone;
- ``previous``: the rule it replaced (given label below 0.6 x its class's typical confidence, another
  class at least 0.4 probable), kept here so the change stays measurable;
- ``prune_by_class``: confident learning's count (as many rows per given class as the confident
  joint's off-diagonal, lowest given-label probability first), cleanlab's default ranking rule on
  curate's evidence;
- ``dawid_skene``: the given label and each view's top class as annotators (Dawid & Skene 1979),
  flags where the given label's posterior is below 0.5 (needs the views, saved since 2026-12-01).

``report`` prints one markdown table: per condition and rule, flags and share of rows, precision,
recall and F1 against the condition's truth (when it has one), the stated precision and whether the
condition's bar holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score

from curate.detectors.label_issues import (
    CONSENSUS_SUPPORT,
    ERROR_SCORE_TIEBREAK,
    MIN_ERROR_PROBABILITY,
    wrong_label_probability,
)
from curate.evidence.noise_model import confident_joint, fit_noise_model

PREVIOUS_RELATIVE_CONFIDENCE, PREVIOUS_MIN_SUPPORT = 0.6, 0.4
# Each condition's bar (issues 9 and 11): F1 at least, precision and recall at least, or share at most.
BARS: dict[str, tuple[str, float]] = {
    "noisyag": ("f1", 0.50), "nsmc_random10": ("f1", 0.55), "nsmc_random20": ("f1", 0.62),
    "c10n_aggre": ("f1", 0.428), "c10n_worst": ("f1", 0.743), "mnist": ("pr", 0.8), "ctl_flipped": ("pr", 0.8),
    "ctl_many": ("share", 0.03), "ctl_tiny": ("share", 0.05), "20news": ("share", 0.06), "imdb": ("share", 0.06),
}


@dataclass(frozen=True)
class Evidence:
    """One condition's saved evidence."""

    name: str
    probs: np.ndarray
    codes: np.ndarray
    ambiguous: np.ndarray
    reliable: np.ndarray
    truth: np.ndarray | None
    withheld: bool
    views: tuple[np.ndarray, ...]

    def eligible(self) -> tuple[np.ndarray, np.ndarray]:
        """The most probable class per row, and the rows any rule may flag (another class on top,
        not ambiguous, both classes learnable)."""
        best = self.probs.argmax(axis=1)
        return best, (best != self.codes) & self.reliable[self.codes] & self.reliable[best] & ~self.ambiguous


Rule = Callable[[Evidence], tuple[np.ndarray, float | None]]


def load(path: Path) -> Evidence:
    """A saved condition."""
    z = np.load(path)
    views = tuple(z[k] for k in z.files if k in ("classifier", "neighbours") or k.startswith("view_"))
    return Evidence(path.stem, z["probs"], z["codes"], z["ambiguous"], z["reliable_class"],
                    z["truth"] if z["truth"].size else None, bool(z["withheld"]), views)


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def posterior_only(ev: Evidence) -> tuple[np.ndarray, float | None]:
    _, eligible = ev.eligible()
    error = fit_noise_model(ev.probs, ev.codes).error
    flags = eligible & (error > 0.5)
    return flags, _mean(error[flags])


def current_error(ev: Evidence) -> np.ndarray:
    """curate's per-row probability of a wrong label: the detector's own function."""
    return wrong_label_probability(ev.probs, ev.codes, ev.views, CONSENSUS_SUPPORT)[0]


def current(ev: Evidence) -> tuple[np.ndarray, float | None]:
    """curate's rule: that probability above 0.5, another class on top."""
    _, eligible = ev.eligible()
    error = current_error(ev)
    flags = eligible & (error > MIN_ERROR_PROBABILITY)
    return flags, _mean(error[flags])


def previous(ev: Evidence) -> tuple[np.ndarray, float | None]:
    best, eligible = ev.eligible()
    rows = np.arange(len(ev.codes))
    given, support = ev.probs[rows, ev.codes], ev.probs[rows, best]
    k = ev.probs.shape[1]
    typical = np.bincount(ev.codes, weights=given, minlength=k) / np.maximum(np.bincount(ev.codes, minlength=k), 1)
    flags = eligible & (given < PREVIOUS_RELATIVE_CONFIDENCE * typical[ev.codes]) & (support >= PREVIOUS_MIN_SUPPORT)
    return flags, _mean(support[flags])


def prune_by_class(ev: Evidence) -> tuple[np.ndarray, float | None]:
    best, eligible = ev.eligible()
    rows = np.arange(len(ev.codes))
    given = ev.probs[rows, ev.codes]
    joint = confident_joint(ev.probs, ev.codes)
    flags = np.zeros(len(rows), bool)
    for i in range(joint.shape[0]):
        members = np.flatnonzero((ev.codes == i) & eligible)
        n = round(float(joint[i].sum() - joint[i, i]))
        flags[members[np.argsort(given[members], kind="stable")[:n]]] = True
    return flags, _mean(ev.probs[rows, best][flags])


def dawid_skene(ev: Evidence, iterations: int = 50) -> tuple[np.ndarray, float | None]:
    """Hard-vote Dawid-Skene EM over the given label and each view's top class."""
    if not ev.views:
        return np.zeros(len(ev.codes), bool), None
    votes = [ev.codes, *(v.argmax(axis=1) for v in ev.views)]
    n, k = len(ev.codes), ev.probs.shape[1]
    rows = np.arange(n)
    post = np.zeros((n, k))
    for v in votes:
        post[rows, v] += 1
    post /= post.sum(axis=1, keepdims=True)
    for _ in range(iterations):
        prior = (post.sum(axis=0) + 1) / (n + k)
        log = np.tile(np.log(prior), (n, 1))
        for v in votes:
            confusion = np.full((k, k), 1.0 / k)  # [observed, true], add-one smoothed
            np.add.at(confusion, v, post)
            log += np.log(confusion / confusion.sum(axis=0, keepdims=True))[v]
        post = np.exp(log - log.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)
    error = 1.0 - post[rows, ev.codes]
    flags = (error > 0.5) & ev.reliable[ev.codes]
    return flags, _mean(error[flags])


RULES: dict[str, Rule] = {"current": current, "posterior_only": posterior_only, "previous": previous,
                          "prune_by_class": prune_by_class, "dawid_skene": dawid_skene}


def _prf(flags: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = float((flags & truth).sum())
    p = tp / flags.sum() if flags.sum() else float("nan")
    r = tp / truth.sum() if truth.sum() else float("nan")
    f = 2 * p * r / (p + r) if p + r > 0 else float("nan")
    return p, r, f


def _bar(name: str, flags: np.ndarray, p: float, r: float, f: float) -> str:
    if name not in BARS:
        return "-"
    kind, value = BARS[name]
    met = {"f1": f >= value, "pr": min(p, r) >= value, "share": flags.mean() <= value}[kind]
    label = {"f1": f"F1 >= {value}", "pr": f"P, R >= {value}", "share": f"<= {value:.0%} flagged"}[kind]
    return f"{label}: {'yes' if met else 'no'}"


def report(lab: Path, rules: list[str]) -> list[str]:
    """The table of every saved condition under each rule (``rules``: a subset, or all)."""
    saved = [load(path) for path in sorted(lab.glob("*.npz"))]  # each condition read once for all three tables
    lines = ["| condition | rows | rule | flagged | share | precision | recall | F1 | stated precision | bar |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for ev in saved:
        for rule_name, rule in RULES.items():
            if rules and rule_name not in rules:
                continue
            flags, stated = rule(ev)
            if ev.withheld:  # a run warning withheld the flags (thin classes, a model near chance)
                flags, stated = np.zeros_like(flags), None
            p, r, f = _prf(flags, ev.truth) if ev.truth is not None else (np.nan, np.nan, np.nan)
            cells = [ev.name, f"{len(ev.codes):,}", rule_name, f"{int(flags.sum()):,}", f"{flags.mean():.1%}",
                     *("-" if np.isnan(x) else f"{x:.3f}" for x in (p, r, f)),
                     "-" if stated is None else f"{stated:.3f}", _bar(ev.name, flags, p, r, f)]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "AUPRC of the error score against the truth: curate's score now (the blend of 1 - the error "
              "probability above with the given label's probability, as the detector writes it) and before "
              "(the given label's probability alone):", "",
              "| condition | AUPRC now | AUPRC before | share of rows in error (a random ranking's AUPRC) |",
              "|---|---|---|---|"]
    for ev in saved:
        if ev.truth is None or not ev.truth.any():
            continue
        given = ev.probs[np.arange(len(ev.codes)), ev.codes]
        now = (1 - ERROR_SCORE_TIEBREAK) * (1 - current_error(ev)) + ERROR_SCORE_TIEBREAK * given
        lines.append(f"| {ev.name} | {average_precision_score(ev.truth, 1 - now):.3f} | "
                     f"{average_precision_score(ev.truth, 1 - given):.3f} | {ev.truth.mean():.3f} |")
    lines += ["", "curate's stated precision against the measured one, by what each flag rests on: the noise posterior "
              "above 0.5 (its stated chance is that posterior), or only the views' consensus (every view names the "
              "same other class, the evidence at least 0.8 sure; its stated chance is the larger of the posterior "
              "and that probability):", "",
              "| condition | posterior flags | measured | stated | consensus-only flags | measured | stated |",
              "|---|---|---|---|---|---|---|"]
    for ev in saved:
        if ev.truth is None or not ev.truth.any() or ev.withheld:
            continue
        _, eligible = ev.eligible()
        error, _, noise = wrong_label_probability(ev.probs, ev.codes, ev.views, CONSENSUS_SUPPORT)
        flags = eligible & (error > MIN_ERROR_PROBABILITY)
        by_posterior = flags & (noise.error > MIN_ERROR_PROBABILITY)
        cells = [ev.name]
        for part in (by_posterior, flags & ~by_posterior):
            cells += [f"{int(part.sum()):,}", *(("-", "-") if not part.any() else
                                                 (f"{ev.truth[part].mean():.3f}", f"{error[part].mean():.3f}"))]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))
    return lines

