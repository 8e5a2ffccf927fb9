"""Reviewer feedback: verdicts from the ledger, precision per issue and class, and fewer flags on re-audit."""

from __future__ import annotations

from dataclasses import replace
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.features import HashedTextEmbedder
from curate.ledger import record, undo_last
from curate.ledger.feedback import (
    Bar,
    Verdict,
    estimate_precision,
    raised_bar,
    unjudged_issues,
    verdicts,
    withdraw_flags,
)
from curate.store import Workspace
from curate.store.decisions import DecisionRecord

from .conftest import make_text_frame, run_cli


def _entry(id: int, row: str, action: str, *, issue: str | None = "label", score: float | None = None,
           old: str = "tech", new: str | None = None, undoes: int | None = None, input_hash: str = "h",
           reviewer: str = "ana") -> DecisionRecord:
    """A ledger entry as ledger.record stores it (remove: present -> removed; keep: the label both sides)."""
    field = "row" if action in ("remove", "skip", "undo") else "label"
    if action == "remove":
        old, new = "present", "removed"
    elif action == "skip":
        old = new = None  # type: ignore[assignment]
    elif action == "ambiguous":
        new = f"ambiguous:{old}"
    return DecisionRecord(id, row, input_hash, action, field, old, old if new is None else new, reviewer,
                          "2025-01-01T00:00:00.000+00:00", 1, issue, score, None, undoes)


def _beta_cdf(x: float, a: int, b: int) -> float:
    """The Beta(a, b) CDF for whole a and b, by hand: P(at least a successes in a + b - 1 trials)."""
    n = a + b - 1
    return sum(comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1))


def _assert_estimate(p, decisions: int, accepted: int, a: int, b: int) -> None:  # type: ignore[no-untyped-def]
    """``p`` is the Beta(a, b) posterior of ``accepted`` of ``decisions``: its mean and 90 % interval."""
    assert (p.decisions, p.accepted) == (decisions, accepted)
    assert p.precision == pytest.approx(a / (a + b), abs=1e-12)
    assert _beta_cdf(p.low, a, b) == pytest.approx(0.05, abs=1e-9)
    assert _beta_cdf(p.high, a, b) == pytest.approx(0.95, abs=1e-9)


def test_precision_per_issue_and_class_by_hand() -> None:
    entries = [
        _entry(1, "t1", "relabel", new="food", score=0.1),
        _entry(2, "t2", "relabel", new="sport", score=0.2),
        _entry(3, "t3", "ambiguous", score=0.3),
        _entry(4, "t4", "keep", score=0.4),
        _entry(5, "s1", "keep", old="sport", score=0.2),
        _entry(6, "s2", "keep", old="sport", score=0.3),
    ]
    labels = {"t1": "tech", "t2": "tech", "t3": "tech", "t4": "tech", "s1": "sport", "s2": "sport"}
    feedback = estimate_precision(entries, labels)
    # overall: 3 of 6 accepted on a uniform prior -> Beta(4, 4), mean 0.5
    _assert_estimate(feedback.overall["label"], 6, 3, 4, 4)
    # each class starts from Beta(4 * 0.5, 4 * 0.5) = Beta(2, 2)
    _assert_estimate(feedback.precision("label", "tech"), 4, 3, 5, 3)  # 3 accepted, 1 rejected: 5/8
    assert feedback.precision("label", "tech").precision == pytest.approx(0.625)
    _assert_estimate(feedback.precision("label", "sport"), 2, 0, 2, 4)  # 2 rejected: 1/3
    _assert_estimate(feedback.precision("label", "food"), 0, 0, 2, 2)  # nobody decided: the prior
    _assert_estimate(feedback.precision("outlier", "tech"), 0, 0, 1, 1)  # an issue nobody decided about
    assert feedback.precision("outlier", "tech").low == pytest.approx(0.05)
    assert [(p.issue, p.label) for p in feedback.table()] == [("label", None), ("label", "sport"), ("label", "tech")]
    assert not any(p.confidently_low or p.confidently_high for p in feedback.table())


def test_only_the_latest_effective_verdict_per_row_and_issue_counts() -> None:
    entries = [
        _entry(1, "t1", "keep"),
        _entry(2, "t1", "relabel", new="food"),  # changes its mind: accepted, counted once
        _entry(3, "t2", "keep"),
        _entry(4, "t2", "undo", undoes=3),  # never happened
        _entry(5, "t3", "skip"),  # decides nothing
        _entry(6, "t4", "relabel", new="food", issue=None),  # answers no finding
        _entry(7, "t5", "keep", issue="class_imbalance"),  # a rare class is a fact, not a verdict
        _entry(8, "t1", "keep", issue="exact_duplicate", old="food"),  # another issue of the same row
    ]
    labels = {f"t{i}": "tech" for i in range(1, 6)}
    found = verdicts(entries, labels, unjudged_issues())
    assert found == [Verdict(2, "t1", "label", "tech", True, None, "ana", "h"),
                     Verdict(8, "t1", "exact_duplicate", "food", False, None, "ana", "h")]
    feedback = estimate_precision(entries, labels)
    assert set(feedback.overall) == {"label", "exact_duplicate"}
    assert "class_imbalance" in unjudged_issues() and "label" not in unjudged_issues()
    assert estimate_precision(entries, labels, ignore=()).overall["class_imbalance"].decisions == 1


def test_bulk_decisions_are_no_verdicts_but_their_relabels_stand() -> None:
    # A user trial: "accept the suggestions" on a queue of 47 label flags read as 46 accepted verdicts,
    # precision 1.00 (0.98-1.00), where only 31 of them matched the truth.
    bulk = [replace(_entry(i, f"t{i}", "relabel", new="food"), reason="bulk accept_suggestions") for i in (1, 2, 3)]
    entries = [*bulk, _entry(4, "t4", "keep"), _entry(5, "t1", "keep", old="food")]
    labels = {f"t{i}": "tech" for i in range(1, 5)}
    found = verdicts(entries, labels)
    # t1's later keep keeps the bulk relabel's new label: a judgement of its own, on the flag as given
    assert [(v.entry_id, v.row_id, v.accepted) for v in found] == [(4, "t4", False), (5, "t1", False)]
    assert estimate_precision(entries, labels).overall["label"].decisions == 2


def test_a_removals_class_is_the_label_in_effect_then() -> None:
    entries = [
        _entry(1, "a", "relabel", new="sport", issue=None),
        _entry(2, "a", "remove", issue="exact_duplicate"),
        _entry(3, "b", "relabel", new="food", issue=None),
        _entry(4, "b", "undo", undoes=3),
        _entry(5, "b", "remove", issue="exact_duplicate"),
        _entry(6, "gone", "remove", issue="exact_duplicate"),  # a row this data version lacks: no class
    ]
    found = verdicts(entries, {"a": "tech", "b": "tech"})
    assert [(v.row_id, v.label, v.accepted) for v in found] == [("a", "sport", True), ("b", "tech", True)]


def _verdicts(pairs: list[tuple[float | None, bool]]) -> list[Verdict]:
    return [Verdict(i, f"r{i}", "label", "tech", accepted, score, "ana", "h") for i, (score, accepted)
            in enumerate(pairs)]


def test_the_raised_bar_is_where_accepted_flags_stop_being_the_majority() -> None:
    mixed = _verdicts([(0.05, True), (0.10, True), (0.20, False), (0.25, False), (0.30, False), (0.40, False)])
    assert raised_bar(mixed) == Bar(0.25, inclusive=True)  # at or below 0.25: 2 of 4 accepted
    assert raised_bar(_verdicts([(0.5, False), (0.3, False)])) == Bar(0.3, inclusive=False)
    assert raised_bar(_verdicts([(0.1, False), (0.1, True), (0.2, False)])) == Bar(0.1, inclusive=True)
    assert raised_bar(_verdicts([(None, False)])) is None
    np.testing.assert_array_equal(Bar(0.25, True).keeps(np.array([0.1, 0.25, 0.26])), [True, True, False])
    np.testing.assert_array_equal(Bar(0.3, False).keeps(np.array([0.1, 0.3])), [True, False])
    assert str(Bar(0.25, True)) == "at most 0.250" and str(Bar(0.3, False)) == "below 0.300"


def test_withdraw_flags_keeps_kept_rows_quiet_and_raises_a_confidently_low_bar() -> None:
    decided = [("a", 0.05, "relabel"), ("b", 0.10, "relabel"), ("c", 0.20, "keep"), ("d", 0.25, "keep"),
               ("e", 0.30, "keep"), ("f", 0.35, "keep"), ("g", 0.40, "keep"), ("h", 0.45, "keep"),
               ("i", 0.50, "keep"), ("j", 0.60, "keep")]
    entries = [_entry(n, row, action, score=score, new="food" if action == "relabel" else None,
                      input_hash=f"h-{row}") for n, (row, score, action) in enumerate(decided, start=1)]
    entries.append(_entry(11, "c", "relabel", new="sport", issue=None, input_hash="h-c"))
    labels = {row: "tech" for row, _, _ in decided}
    feedback = estimate_precision(entries, labels)
    tech = feedback.precision("label", "tech")
    # 2 of 10 accepted: overall Beta(3, 9), mean 0.25; tech from Beta(1, 3) -> Beta(3, 11)
    _assert_estimate(tech, 10, 2, 3, 11)
    assert tech.confidently_low and tech.high < 0.5
    rows = [  # row id, issue, score, flagged, class now, input hash now
        ("u1", "label", 0.01, True, "tech", "x"),
        ("u2", "label", 0.25, True, "tech", "x"),  # exactly at the bar: stays
        ("u3", "label", 0.26, True, "tech", "x"),  # above it: withdrawn
        ("e", "label", 0.31, True, "tech", "h-e"),  # kept in decision #5, same input and label
        ("d", "label", 0.22, True, "tech", "changed"),  # kept, but its input changed since: under the bar
        ("c", "label", 0.40, True, "sport", "h-c"),  # kept as tech, relabelled sport since: flagged again
        ("u4", "label", 0.90, True, "sport", "x"),  # sport: no verdicts, nothing changes
        ("u5", "label", 0.80, False, "tech", "x"),
        ("x", "exact_duplicate", 0.0, True, "tech", "h-e"),  # another issue
    ]
    scores = pd.DataFrame({"row_id": [r[0] for r in rows], "issue": [r[1] for r in rows],
                           "score": [r[2] for r in rows], "flagged": [r[3] for r in rows],
                           "current_label": [r[4] for r in rows], "position": range(len(rows)),
                           "details": [{"n": i} for i in range(len(rows))]})
    out, notes = withdraw_flags(scores, feedback, [r[5] for r in rows])
    assert dict(zip(out["row_id"], out["flagged"], strict=True)) == {
        "u1": True, "u2": True, "u3": False, "e": False, "d": True, "c": True, "u4": True, "u5": False, "x": True}
    assert scores["flagged"].tolist() == [r[3] for r in rows]  # the input frame is left as it was
    details = dict(zip(out["row_id"], out["details"], strict=True))
    assert details["e"] == {"n": 3, "reviewer_feedback": "kept by ana in decision #5"}
    assert details["u3"]["n"] == 2 and details["u3"]["reviewer_feedback"].startswith(
        "withdrawn by reviewer feedback: reviewers accepted 2 of 10 label flags on class tech (estimated "
        "precision 0.21, 90 % interval ")
    assert details["u3"]["reviewer_feedback"].endswith("so only its flags scoring at most 0.250 stay")
    assert all("reviewer_feedback" not in details[r] for r in ("u1", "u2", "d", "c", "u4", "u5", "x"))
    assert set(notes) == {"label"}
    assert notes["label"]["unflagged"] == 2
    assert notes["label"]["classes"]["tech"] == {
        "decisions": 10, "accepted": 2, "precision": round(3 / 14, 4),
        "interval": [round(tech.low, 4), round(tech.high, 4)], "kept": 1, "above_bar": 1, "unflagged": 2,
        "bar": {"score": 0.25, "inclusive": True}}
    # "d" was kept when its input was hashed by its cells alone (a picture's path), which still hold
    path_hashes = [r[5] for r in rows]
    path_hashes[4] = "h-d"
    again, _ = withdraw_flags(scores, feedback, [r[5] for r in rows], path_hashes)
    assert again.set_index("row_id")["flagged"].to_dict() == {**out.set_index("row_id")["flagged"].to_dict(),
                                                              "d": False}


# ---------------------------------------------------------------------- through audit and the CLI
def _duplicated_news(tmp_path: Path) -> Path:
    """30 text rows (r0..r29; food rows r0, r3, ..., r27), exact copies c0..c7 of the first 8 food rows,
    and s0, a copy of sport row r1."""
    frame = make_text_frame(10)
    food = frame[frame["label"] == "food"].head(8)
    sport = frame[frame["label"] == "sport"].head(1)
    frame = pd.concat([frame, food.assign(id=[f"c{i}" for i in range(8)]), sport.assign(id="s0")],
                      ignore_index=True)
    path = tmp_path / "news.csv"
    frame.to_csv(path, index=False)
    return path


def _audit(path: Path, ws: Path) -> curate.AuditResult:
    return curate.audit(path, label="label", text="text", id="id", workspace=ws, embedder=HashedTextEmbedder())


def _exact(result: curate.AuditResult) -> pd.DataFrame:
    scores = result.scores
    return scores[scores["issue"] == "exact_duplicate"].set_index("row_id")


def test_re_audit_does_not_flag_kept_rows_again_unless_they_changed(tmp_path: Path) -> None:
    path = _duplicated_news(tmp_path)
    first = _audit(path, tmp_path / "ws")
    assert "reviewer_feedback" not in first.notes["exact_duplicate"]
    assert "reviewer_feedback" not in first.metrics
    assert _exact(first)["flagged"].sum() == 18
    ws, ds = Workspace(tmp_path / "ws"), first.dataset
    for row in ("c0", "c1", "c2"):
        record(ws, ds, row_id=row, action="keep", reviewer="ana", run_id=first.run_id, issue="exact_duplicate",
               score=0.0)
    record(ws, ds, row_id="c0", action="relabel", new_label="sport", reviewer="bo")  # label changed since
    frame = pd.read_csv(path)
    frame.loc[frame["id"].isin(["c1", "r3"]), "text"] = "the same new text about bread and soup"  # input too
    frame.to_csv(path, index=False)

    again = _audit(path, tmp_path / "ws")
    exact = _exact(again)
    assert not exact.loc["c2", "flagged"] and exact.loc["c2", "details"]["reviewer_feedback"] == (
        "kept by ana in decision #3")
    assert exact.loc["r6", "flagged"]  # c2's copy was not kept by anyone
    assert exact.loc["c0", "flagged"] and exact.loc["c1", "flagged"]
    assert exact["flagged"].sum() == 17
    assert again.metrics["flagged"]["exact_duplicate"] == 17
    # 3 of 3 rejected: overall Beta(1, 4), mean 0.2; food from Beta(0.8, 3.2) -> Beta(0.8, 6.2)
    food = again.notes["exact_duplicate"]["reviewer_feedback"]["classes"]["food"]
    assert food | {"interval": None} == {"decisions": 3, "accepted": 0, "precision": round(0.8 / 7, 4),
                                         "interval": None, "kept": 1, "above_bar": 0, "unflagged": 1, "bar": None}
    assert again.notes["exact_duplicate"]["reviewer_feedback"]["precision"] == 0.2
    assert again.metrics["reviewer_feedback"] == {"decisions": 3, "unflagged": {"exact_duplicate": 1}}
    # recorded with the run
    assert Workspace(tmp_path / "ws").run(again.run_id).notes["exact_duplicate"]["reviewer_feedback"] == (
        again.notes["exact_duplicate"]["reviewer_feedback"])


def test_a_class_reviewers_mostly_reject_loses_its_flags_and_the_cli_says_so(tmp_path: Path) -> None:
    path = _duplicated_news(tmp_path)
    first = _audit(path, tmp_path / "ws")
    ws, ds = Workspace(tmp_path / "ws"), first.dataset
    for i in range(6):
        record(ws, ds, row_id=f"c{i}", action="keep", reviewer="ana", run_id=first.run_id,
               issue="exact_duplicate", score=0.0)
    record(ws, ds, row_id="c6", action="remove", reviewer="ana", run_id=first.run_id, issue="exact_duplicate",
           score=0.0)
    record(ws, ds, row_id="s0", action="remove", reviewer="bo", run_id=first.run_id, issue="exact_duplicate",
           score=0.0)

    result = run_cli(["audit", path, "--label", "label", "--text", "text", "--id", "id", "--no-embed",
                      "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("reviewer feedback")]
    assert lines == ["reviewer feedback: 14 flag(s) withdrawn (exact_duplicate 14) after 8 decision(s): rows "
                     "reviewers kept, and flags of classes they mostly rejected (the report says which)"]
    run = Workspace(tmp_path / "ws").run(None)
    notes = run.notes["exact_duplicate"]["reviewer_feedback"]
    # 2 of 8 accepted overall: Beta(3, 7), mean 0.3; food (1 of 7) from Beta(1.2, 2.8): mean 2.2 / 11 = 0.2
    assert (notes["decisions"], notes["accepted"], notes["precision"], notes["unflagged"]) == (8, 2, 0.3, 14)
    food = notes["classes"]["food"]
    assert (food["decisions"], food["accepted"], food["precision"]) == (7, 1, 0.2)
    assert food["interval"][1] < 0.5
    # every food copy reviewers judged scored 0 and most were kept: only flags below 0 could stay
    assert (food["kept"], food["above_bar"], food["bar"]) == (6, 8, {"score": 0.0, "inclusive": False})
    assert notes["classes"]["sport"]["bar"] is None
    findings = Workspace(tmp_path / "ws").findings(run.id, flagged_only=False)
    exact = findings[findings["issue"] == "exact_duplicate"].set_index("row_id")
    assert not exact["flagged"].any()
    assert exact.loc["r0", "details"]["reviewer_feedback"].startswith(
        "withdrawn by reviewer feedback: reviewers accepted 1 of 7 exact_duplicate flags on class food")
    assert exact.loc["c5", "details"]["reviewer_feedback"] == "kept by ana in decision #6"
    report = (tmp_path / "ws" / "reports" / f"run-{run.id}.html").read_text(encoding="utf-8")
    assert 'id="reviewer-feedback"' in report
    assert "8 (score &lt; 0.000 stays)" in report


def test_an_undone_decision_stops_counting_on_re_audit(tmp_path: Path) -> None:
    path = _duplicated_news(tmp_path)
    first = _audit(path, tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    record(ws, first.dataset, row_id="c0", action="keep", reviewer="ana", issue="exact_duplicate", score=0.0)
    undo_last(ws, first.dataset, reviewer="ana")
    again = _audit(path, tmp_path / "ws")
    assert _exact(again)["flagged"].sum() == 18
    assert "reviewer_feedback" not in again.notes["exact_duplicate"]
