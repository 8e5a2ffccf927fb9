"""Reviewer feedback: what the ledger's decisions say about each detector's precision, per class.

A ledger entry that names the finding it answers (its ``issue``) is a verdict on that flag:

- ``keep`` rejects it: the row was fine as it was;
- ``relabel``, ``remove`` and ``ambiguous`` accept it: the flag led the reviewer to change the row.
  ``ambiguous`` counts as accepted because the flag's claim (this row, as given, cannot be trusted)
  is what the reviewer confirmed; only the cure differs from a relabel;
- ``skip`` decides nothing, and an undone entry never happened.

Only the latest verdict per row and issue counts, so a reviewer who changes their mind is counted
once. A verdict's class is the row's label when it was decided. Issues whose detector says
reviewers cannot judge its flags (``Detector.judged_by_reviewers``, e.g. a rare class) are left out.

Precision is a Beta posterior. An issue's overall precision starts from a uniform Beta(1, 1)
prior; a class's starts from a prior centred on its issue's overall estimate with the weight of
:data:`PRIOR_STRENGTH` decisions (empirical Bayes), so a class with few decisions stays near its
issue's figure and one with many speaks for itself. Each estimate is the posterior mean with a 90 %
equal-tailed interval. :func:`withdraw_flags` turns confident estimates into fewer flags on re-audit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from curate.ledger.decisions import effective, is_bulk
from curate.store.decisions import DecisionRecord
from curate.store.run_files import details_text

__all__ = [
    "ACCEPTING_ACTIONS",
    "INTERVAL",
    "MIN_DECISIONS",
    "PRIOR_STRENGTH",
    "REJECTING_ACTIONS",
    "Bar",
    "Feedback",
    "Precision",
    "Verdict",
    "estimate_precision",
    "raised_bar",
    "unjudged_issues",
    "verdicts",
    "withdraw_flags",
]

ACCEPTING_ACTIONS = frozenset({"relabel", "remove", "ambiguous"})
REJECTING_ACTIONS = frozenset({"keep"})
PRIOR_STRENGTH = 4.0  # pseudo-decisions behind a class's prior
INTERVAL = 0.90
MIN_DECISIONS = 5  # decisions of a class before a re-audit acts on its estimate


@dataclass(frozen=True)
class Verdict:
    """A reviewer's answer to one flag: accepted (the row was changed) or rejected (kept as it was)."""

    entry_id: int
    row_id: str
    issue: str
    label: str  # the row's label when the decision was made
    accepted: bool
    score: float | None  # the flag's score when the decision was made
    reviewer: str
    input_hash: str


@dataclass(frozen=True)
class Precision:
    """How often an issue's flags (of one class, or of all when ``label`` is None) were right."""

    issue: str
    label: str | None
    decisions: int
    accepted: int
    precision: float  # posterior mean
    low: float  # the 90 % interval
    high: float

    @property
    def confidently_low(self) -> bool:
        """Enough decisions, and even the interval's upper end says most flags are wrong.

        Returns
        -------
        bool
            True when at least ``MIN_DECISIONS`` decisions were made and ``high`` is below 0.5.
        """
        return self.decisions >= MIN_DECISIONS and self.high < 0.5

    @property
    def confidently_high(self) -> bool:
        """Enough decisions, and even the interval's lower end says nearly every flag is right.

        Returns
        -------
        bool
            True when at least ``MIN_DECISIONS`` decisions were made and ``low`` is above 0.9.
        """
        return self.decisions >= MIN_DECISIONS and self.low > 0.9


def _beta(issue: str, label: str | None, decisions: int, accepted: int, alpha: float, beta: float) -> Precision:
    a, b = alpha + accepted, beta + decisions - accepted
    tail = (1.0 - INTERVAL) / 2
    low, high = betaincinv(a, b, [tail, 1.0 - tail])
    return Precision(issue, label, decisions, accepted, a / (a + b), float(low), float(high))


def _class_estimate(issue: str, label: str, decisions: int, accepted: int, prior: float) -> Precision:
    return _beta(issue, label, decisions, accepted, PRIOR_STRENGTH * prior, PRIOR_STRENGTH * (1.0 - prior))


@dataclass(frozen=True)
class Feedback:
    """Every verdict in the ledger and the precision estimates they give, overall and per class."""

    verdicts: tuple[Verdict, ...]
    overall: dict[str, Precision]
    by_class: dict[tuple[str, str], Precision]

    def precision(self, issue: str, label: str) -> Precision:
        """The estimate for ``issue``'s flags on rows of class ``label``; the prior where nobody decided yet.

        Parameters
        ----------
        issue : str
            The issue type (a detector's name).
        label : str
            The class.

        Returns
        -------
        Precision
            The class's estimate; with no decisions on the class, its prior (centred on the
            issue's overall estimate), or the uniform Beta(1, 1) (precision 0.5) when nobody
            decided about the issue at all.
        """
        found = self.by_class.get((issue, label))
        if found is not None:
            return found
        prior = self.overall.get(issue)
        if prior is None:  # nobody decided about this issue: the uniform prior, 0.5
            return _beta(issue, label, 0, 0, 1.0, 1.0)
        return _class_estimate(issue, label, 0, 0, prior.precision)

    def of_class(self, issue: str, label: str) -> list[Verdict]:
        """The verdicts on ``issue``'s flags on rows of class ``label``, in ledger order.

        Parameters
        ----------
        issue : str
            The issue type (a detector's name).
        label : str
            The class the rows had when they were decided.

        Returns
        -------
        list of Verdict
            The matching verdicts; empty when there are none.
        """
        return [v for v in self.verdicts if v.issue == issue and v.label == label]

    def table(self) -> list[Precision]:
        """Each issue's overall estimate followed by its classes' (by name), issues by name.

        Returns
        -------
        list of Precision
            Overall estimates have ``label`` None.
        """
        rows = []
        for issue in sorted(self.overall):
            rows.append(self.overall[issue])
            rows += [p for (i, _), p in sorted(self.by_class.items()) if i == issue]
        return rows


def unjudged_issues() -> frozenset[str]:
    """Registered issues whose flags reviewers cannot confirm or refute row by row.

    Returns
    -------
    frozenset of str
        Names of the registered detectors whose ``judged_by_reviewers`` is False (e.g.
        ``class_imbalance``).
    """
    from curate.detectors import available_detectors

    return frozenset(name for name, cls in available_detectors().items() if not cls.judged_by_reviewers)


def verdicts(entries: list[DecisionRecord], labels: dict[str, str],
             ignore: Collection[str] = ()) -> list[Verdict]:
    """The latest verdict per (row, issue) among the effective ``entries``, in ledger order.

    ``labels`` are the rows' labels before the ledger (by row id): a removal's class is the label the
    row had then, after the relabels in effect before it.

    Parameters
    ----------
    entries : list of DecisionRecord
        The dataset's ledger, in order (undo entries included).
    labels : dict of str to str
        Each row's label before the ledger, by row id.
    ignore : collection of str, optional
        Issues whose entries are not verdicts (default: none).

    Returns
    -------
    list of Verdict
        One per (row, issue) that an effective ``keep`` (rejected) or ``relabel``, ``remove`` or
        ``ambiguous`` (accepted) answered, ordered by the entry that gave it. Entries with no
        ``issue``, skips, bulk decisions (a whole queue accepted at once is no judgement of each
        flag) and rows not in ``labels`` give none; a ``keep`` of a row still relabelled
        after an accepted verdict keeps that verdict (it keeps the new label, not the flagged one).
    """
    current = dict(labels)
    latest: dict[tuple[str, str], Verdict] = {}
    for entry in effective(entries):
        label = entry.old_value if entry.field == "label" else current.get(entry.row_id)
        if entry.action == "relabel" and entry.new_value is not None:
            current[entry.row_id] = entry.new_value
        if entry.issue is None or entry.issue in ignore or label is None or is_bulk(entry):
            continue
        if entry.action not in ACCEPTING_ACTIONS | REJECTING_ACTIONS:
            continue
        before = latest.get((entry.row_id, entry.issue))
        if (entry.action in REJECTING_ACTIONS and before is not None and before.accepted
                and current.get(entry.row_id) != labels.get(entry.row_id)):
            continue  # "keep" after a relabel keeps the new label: the flag that led to it stays accepted
        latest.pop((entry.row_id, entry.issue), None)  # re-inserted last: the dict stays in ledger order
        latest[(entry.row_id, entry.issue)] = Verdict(
            entry.id, entry.row_id, entry.issue, label, entry.action in ACCEPTING_ACTIONS, entry.score,
            entry.reviewer, entry.input_hash)
    return list(latest.values())


def estimate_precision(entries: list[DecisionRecord], labels: dict[str, str],
                       ignore: Collection[str] | None = None) -> Feedback:
    """Estimate each issue's precision, overall and per class, from a dataset's ledger ``entries``.

    Overall, each issue's precision is the posterior of a Beta(1, 1) prior given the accepted and
    rejected verdicts; per class, the prior is centred on the issue's overall posterior mean with
    the weight of ``PRIOR_STRENGTH`` decisions (empirical Bayes [1]_, [2]_). Each estimate is the
    posterior mean with a 90 % equal-tailed interval.

    Parameters
    ----------
    entries : list of DecisionRecord
        The dataset's ledger, in order (undo entries included).
    labels : dict of str to str
        Each row's label before the ledger, by row id.
    ignore : collection of str, optional
        Issues to leave out (default: :func:`unjudged_issues`).

    Returns
    -------
    Feedback
        The verdicts (see :func:`verdicts`) and the estimates per issue and per (issue, class).

    References
    ----------
    .. [1] A. Gelman, J. B. Carlin, H. S. Stern, D. B. Dunson, A. Vehtari and D. B. Rubin,
       Bayesian Data Analysis, 3rd ed., CRC Press, 2013: the beta-binomial model (ch. 2) and
       hierarchical priors estimated from the data (ch. 5).
    .. [2] G. Casella, "An Introduction to Empirical Bayes Data Analysis", The American
       Statistician 39(2), 1985.

    Examples
    --------
    >>> feedback = estimate_precision(read_decisions(ws, "tickets"), labels)  # doctest: +SKIP
    >>> feedback.precision("label", "tech").precision  # doctest: +SKIP
    0.625
    """
    found = verdicts(entries, labels, unjudged_issues() if ignore is None else ignore)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    class_counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for v in found:
        for tally in (counts[v.issue], class_counts[(v.issue, v.label)]):
            tally[0] += 1
            tally[1] += int(v.accepted)
    overall = {issue: _beta(issue, None, n, a, 1.0, 1.0) for issue, (n, a) in sorted(counts.items())}
    by_class = {(issue, label): _class_estimate(issue, label, n, a, overall[issue].precision)
                for (issue, label), (n, a) in sorted(class_counts.items())}
    return Feedback(tuple(found), overall, by_class)


@dataclass(frozen=True)
class Bar:
    """The score a class's flags must not exceed: at most ``limit``, or below it when not ``inclusive``."""

    limit: float
    inclusive: bool

    def keeps(self, scores: np.ndarray) -> np.ndarray:
        """Which flags pass the bar.

        Parameters
        ----------
        scores : numpy.ndarray
            Shape (n,): flag scores (lower is worse).

        Returns
        -------
        numpy.ndarray
            Shape (n,), bool: the score is at most ``limit`` (below it when not ``inclusive``).
        """
        return scores <= self.limit if self.inclusive else scores < self.limit

    def __str__(self) -> str:
        return f"{'at most' if self.inclusive else 'below'} {self.limit:.3f}"


def raised_bar(found: Sequence[Verdict]) -> Bar | None:
    """The bar a class's flags must pass, from reviewers' verdicts on them (lower scores are worse).

    Flags stay when they score at most the highest score ``s`` at which the decided flags scoring
    ``s`` or less were accepted at least half the time. Without such a score (the lowest-scored
    decided flags were rejected), only flags scoring below every decided one stay: nobody judged
    flags that bad. None when no verdict carries a score.

    Parameters
    ----------
    found : sequence of Verdict
        The verdicts on one issue's flags on one class (see :meth:`Feedback.of_class`).

    Returns
    -------
    Bar or None
        The bar, or None when no verdict has a score.

    Examples
    --------
    >>> v = [Verdict(i, str(i), "label", "a", acc, s, "ana", "h") for i, (s, acc) in
    ...      enumerate([(0.1, True), (0.2, True), (0.3, False), (0.4, False), (0.5, False)])]
    >>> str(raised_bar(v))  # flags scoring <= 0.4 were accepted 2 times in 4
    'at most 0.400'
    >>> str(raised_bar(v[2:]))  # the lowest-scored decided flag was rejected
    'below 0.300'
    """
    scored = sorted((v.score, v.accepted) for v in found if v.score is not None)
    if not scored:
        return None
    best, seen, accepted = None, 0, 0
    for score, group in groupby(scored, key=lambda pair: pair[0]):
        answers = [a for _, a in group]
        seen, accepted = seen + len(answers), accepted + sum(answers)
        if 2 * accepted >= seen:
            best = score
    return Bar(best, True) if best is not None else Bar(scored[0][0], False)


def _note(p: Precision) -> dict[str, Any]:
    return {"decisions": p.decisions, "accepted": p.accepted, "precision": round(p.precision, 4),
            "interval": [round(p.low, 4), round(p.high, 4)]}


def _with_note(details: Any, note: str) -> Any:
    """One row's details with ``reviewer_feedback`` added, in the form they came (dict or JSON text)."""
    if isinstance(details, str):
        return details_text({**json.loads(details), "reviewer_feedback": note})
    return {**(details or {}), "reviewer_feedback": note}


def withdraw_flags(scores: pd.DataFrame, feedback: Feedback, input_hashes: Sequence[str],
                   path_hashes: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Withdraw the flags of a fresh audit that reviewers' decisions argue against.

    1. A row whose latest verdict on an issue kept it, with the same input and label as then, is not
       flagged for that issue again.
    2. For a class whose estimated precision is confidently low (:attr:`Precision.confidently_low`),
       flags above :func:`raised_bar` of its verdicts are withdrawn. Confidently high precision
       changes nothing: flags reviewers were not shown cannot be added back with any confidence.

    ``scores`` is the audit's frame of every (row, issue) score (details as dicts or JSON text),
    with ``position`` indexing ``input_hashes``. Returns the frame with those flags off (each one's
    details say why) and, per issue with verdicts, what the feedback said and changed (the run's
    ``reviewer_feedback`` note).

    Parameters
    ----------
    scores : pandas.DataFrame
        Every (row, issue) score of the fresh audit, with the columns of
        :func:`curate.audit.findings_frame`; not modified.
    feedback : Feedback
        The ledger's verdicts and estimates (:func:`estimate_precision`).
    input_hashes : sequence of str
        Each audited row's input hash (:func:`curate.ingest.loading.input_hashes`), indexed by
        ``position``.
    path_hashes : sequence of str, optional
        Each row's input hash over its cells alone (:meth:`Dataset.input_hashes`), which a
        curate that hashed only a picture's path recorded: a verdict made under it still counts.

    Returns
    -------
    scores : pandas.DataFrame
        A copy of ``scores`` with the withdrawn flags off and ``reviewer_feedback`` added to
        their details.
    notes : dict of str to dict
        Per issue with verdicts: decisions, accepted, precision and its interval, the number of
        flags withdrawn, and the same per class with the bar used.
    """
    scores = scores.copy()
    flagged = scores["flagged"].to_numpy(dtype=bool).copy()
    details = scores["details"].tolist()
    keys = pd.MultiIndex.from_arrays([scores["row_id"].astype(str), scores["issue"].astype(str)])
    given = scores["current_label"].astype(str).to_numpy()  # the label this run judged
    positions = scores["position"].to_numpy(dtype=np.int64)
    kept: dict[tuple[str, str], int] = defaultdict(int)
    rejected = [v for v in feedback.verdicts if not v.accepted]
    found = (keys.get_indexer(pd.MultiIndex.from_tuples([(v.row_id, v.issue) for v in rejected]))
             if rejected else np.empty(0, dtype=np.int64))
    for v, at in zip(rejected, found, strict=True):
        if at < 0 or not flagged[at] or given[at] != v.label:
            continue
        at_row = positions[at]
        if v.input_hash != input_hashes[at_row] and (path_hashes is None or v.input_hash != path_hashes[at_row]):
            continue
        flagged[at] = False
        details[at] = _with_note(details[at], f"kept by {v.reviewer} in decision #{v.entry_id}")
        kept[(v.issue, v.label)] += 1
    above: dict[tuple[str, str], int] = defaultdict(int)
    bars: dict[tuple[str, str], Bar] = {}
    issues = scores["issue"].astype(str).to_numpy()
    values = scores["score"].to_numpy(dtype=float)
    for (issue, label), estimate in feedback.by_class.items():
        bar = raised_bar(feedback.of_class(issue, label)) if estimate.confidently_low else None
        if bar is None:
            continue
        bars[(issue, label)] = bar
        withdrawn = np.flatnonzero(flagged & (issues == issue) & (given == label) & ~bar.keeps(values))
        reason = (f"withdrawn by reviewer feedback: reviewers accepted {estimate.accepted} of {estimate.decisions} "
                  f"{issue} flags on class {label} (estimated precision {estimate.precision:.2f}, 90 % interval "
                  f"{estimate.low:.2f}-{estimate.high:.2f}), so only its flags scoring {bar} stay")
        for at in withdrawn:
            flagged[at] = False
            details[at] = _with_note(details[at], reason)
        above[(issue, label)] = len(withdrawn)
    scores["flagged"] = flagged
    scores["details"] = details
    notes: dict[str, dict[str, Any]] = {}
    for issue, estimate in feedback.overall.items():
        classes = {}
        for (i, label), p in feedback.by_class.items():
            if i == issue:
                key = (issue, label)
                bar = bars.get(key)
                classes[label] = {**_note(p), "kept": kept[key], "above_bar": above[key],
                                  "unflagged": kept[key] + above[key],
                                  "bar": None if bar is None else {"score": bar.limit, "inclusive": bar.inclusive}}
        notes[issue] = {**_note(estimate), "unflagged": sum(c["unflagged"] for c in classes.values()),
                        "classes": classes}
    return scores, notes
