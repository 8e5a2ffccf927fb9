"""Learning from reviewers in the review app: the open queue puts the flags likeliest to be right first,
and the dashboard shows each check's estimated precision per class."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from curate.review import DecisionRequest, QueueFilter
from curate.review.pages import dashboard, queue

from .conftest import CSRF

NEAR = QueueFilter(issue="near_duplicate")


def _ids(session, filter: QueueFilter = NEAR) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.row_id for e in queue(session, filter, limit=1000).entries]


def _classes(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {e.row_id: e.given_label for e in queue(session, QueueFilter(state="all"), limit=1000).entries}


def test_a_rejected_flag_moves_its_class_down_and_undo_moves_it_back(session) -> None:
    before = queue(session, NEAR, limit=1000).entries
    ids = [e.row_id for e in before]
    label = {e.row_id: e.given_label for e in before}
    assert [e.score for e in before] == sorted(e.score for e in before)  # no decisions: worst score first
    assert {e.estimated_precision.precision for e in before} == {0.5}
    assert {e.estimated_precision.decisions for e in before} == {0}
    assert ids[0] == "r0" and label["r0"] == "food" and {"food", "sport", "tech"} <= set(label.values())

    session.decide(DecisionRequest("r0", "keep", issue="near_duplicate"))
    # 0 of 1 accepted: near_duplicate overall Beta(1, 2), mean 1/3; food from Beta(4/3, 8/3) -> mean 4/15
    after = queue(session, NEAR, limit=1000).entries
    open_rest = [r for r in ids if r != "r0"]
    assert [e.row_id for e in after] == ([r for r in open_rest if label[r] != "food"]
                                         + [r for r in open_rest if label[r] == "food"])
    by_row = {e.row_id: e.estimated_precision for e in after}
    assert by_row["d0"].precision == pytest.approx(4 / 15, abs=1e-12)
    assert (by_row["d0"].issue, by_row["d0"].label, by_row["d0"].decisions, by_row["d0"].accepted) == (
        "near_duplicate", "food", 1, 0)
    assert all(by_row[r].precision == pytest.approx(1 / 3, abs=1e-12) and by_row[r].decisions == 0
               for r in open_rest if label[r] != "food")
    # decided and all views stay worst score first
    assert _ids(session, QueueFilter(issue="near_duplicate", state="all")) == ids

    session.undo()
    assert _ids(session) == ids
    assert {e.estimated_precision.precision for e in queue(session, NEAR).entries} == {0.5}


def test_next_after_a_decision_visits_every_row_that_came_after_it(session) -> None:
    ids = _ids(session)
    label = _classes(session)
    tech = [r for r in ids if label[r] == "tech"]
    assert len(tech) >= 2
    first_tech = tech[0]
    later = ids[ids.index(first_tech) + 1:]
    result = session.decide(DecisionRequest(first_tech, "keep", issue="near_duplicate"), NEAR)
    # tech drops below food and sport: the next row is the likeliest-right of those after it, not
    # the next tech row, and following "next" from there still reaches every one of them
    expected = [r for r in later if label[r] != "tech"] + [r for r in later if label[r] == "tech"]
    assert result.next_row_id == expected[0] != tech[1]
    assert _ids(session)[-len(expected):] == expected
    seen, row = [], result.next_row_id
    while row is not None:
        seen.append(row)
        row = session.neighbours_in_queue(NEAR, row, session.states())[1]
    assert seen == expected


def test_the_all_issues_queue_shows_a_row_under_its_likeliest_flag(session) -> None:
    position = session.position_of("r0")
    assert session.finding_context(position, None) == ("exact_duplicate", 0.0)  # ties: by name, as before
    session.decide(DecisionRequest("d0", "keep", issue="exact_duplicate"))
    # exact_duplicate on food is now below the untouched near_duplicate estimate (0.5)
    assert session.finding_context(position, None) == ("near_duplicate", 0.0)
    entry = next(e for e in queue(session, QueueFilter(), limit=1000).entries if e.row_id == "r0")
    assert entry.issue == "near_duplicate" and entry.estimated_precision.precision == 0.5


def _decide_near_duplicates(client) -> None:  # type: ignore[no-untyped-def]
    """food: 3 accepted (remove, ambiguous, relabel); sport: 1 kept; tech: 2 kept."""
    decisions = [("d0", "remove", None), ("r30", "ambiguous", None), ("r0", "relabel", "sport"),
                 ("r1", "keep", None), ("r2", "keep", None), ("r32", "keep", None)]
    for row_id, action, new_label in decisions:
        response = client.post("/api/decisions", json={"row_id": row_id, "action": action, "new_label": new_label,
                                                       "issue": "near_duplicate"}, headers={"X-CSRF-Token": CSRF})
        assert response.status_code == 200, response.text


def test_dashboard_shows_estimated_precision_in_html_and_json(client) -> None:
    empty = client.get("/api/dashboard").json()
    assert empty["precision"] == []
    assert 'id="precision-empty"' in client.get("/").text
    _decide_near_duplicates(client)
    data = client.get("/api/dashboard").json()
    rows = {(p["issue"], p["label"]): p for p in data["precision"]}
    assert list(rows) == [("near_duplicate", None), ("near_duplicate", "food"), ("near_duplicate", "sport"),
                          ("near_duplicate", "tech")]
    # 3 of 6 accepted: Beta(4, 4), 0.5; classes from Beta(2, 2): food 3/3 -> 5/7, sport 0/1 -> 2/5, tech 0/2 -> 1/3
    expected = {None: (6, 3, 0.5), "food": (3, 3, 5 / 7), "sport": (1, 0, 0.4), "tech": (2, 0, 1 / 3)}
    for label, (decisions, accepted, precision) in expected.items():
        row = rows[("near_duplicate", label)]
        assert (row["decisions"], row["accepted"]) == (decisions, accepted)
        assert row["precision"] == pytest.approx(precision, abs=1e-12)
        assert row["low"] < row["precision"] < row["high"] and row["raises_bar"] is False
    html = client.get("/").text
    assert 'id="precision"' in html and "Estimated precision from your decisions" in html
    assert ('<tr class="by-class" data-issue="near_duplicate" data-label="food">' in html)
    food = rows[("near_duplicate", "food")]
    food_row = html.split('data-label="food">')[1].split("</tr>")[0]
    assert '<td class="num">0.71</td>' in food_row and f'{food["low"]:.2f}–{food["high"]:.2f}</td>' in food_row
    assert "bar raised" not in html.split('id="precision"')[1].split("</table>")[0]
    # the queue shows the estimate that ordered it
    queue_html = client.get("/queue", params={"issue": "near_duplicate", "state": "all"}).text
    assert 'class="num precision" title="3 of 3 decided near_duplicate flags on food accepted' in queue_html
    # a class nobody decided on shows no figure rather than the prior's 0.5
    label_html = client.get("/queue", params={"issue": "label", "state": "all"}).text
    assert 'class="num precision muted" title="no decided label flags on' in label_html
    assert "precision muted" in label_html and ">0.50</td>" not in label_html


def test_bar_raised_and_korean_class_names_are_shown_escaped(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    import curate
    from curate.review import ReviewSession, load_run
    from curate.review.web import create_app
    from curate.store import Workspace

    from ..conftest import make_tabular_frame

    frame = make_tabular_frame(100)
    frame["label"] = frame["label"].map({"low": "낮음", "high": "<b>높음</b>"})
    # label flags to decide on (verdicts count only on rows the check flagged): six of the high
    # cluster given 낮음, one of the low cluster given <b>높음</b>
    kept = [100, 115, 130, 145, 160, 175]
    frame.loc[kept, "label"] = "낮음"
    frame.loc[0, "label"] = "<b>높음</b>"
    frame.to_csv(tmp_path / "people.csv", index=False)
    result = curate.audit(tmp_path / "people.csv", label="label", workspace=tmp_path / "ws")
    assert set(result.findings.loc[result.findings["issue"] == "label", "row_id"].astype(str)) == {
        "0", *map(str, kept)}
    session = ReviewSession(load_run(Workspace(tmp_path / "ws")), reviewer="검토자")
    for row in kept:  # six kept 낮음 rows: confidently low
        session.decide(DecisionRequest(str(row), "keep", issue="label"))
    session.decide(DecisionRequest("0", "remove", issue="label"))  # one accepted <b>높음</b> row
    board = dashboard(session)
    rows = {p.label: p for p in board.precision}
    assert rows["낮음"].raises_bar and rows["낮음"].high < 0.5 and rows["낮음"].decisions == 6
    assert not rows["<b>높음</b>"].raises_bar
    with TestClient(create_app(session), base_url="http://127.0.0.1") as client:
        data = client.get("/api/dashboard").json()
        assert [p["label"] for p in data["precision"]] == [None, "<b>높음</b>", "낮음"]
        html = client.get("/").text
    table = html.split('id="precision"')[1].split("</table>")[0]
    assert "<td>낮음</td>" in table and "<td>&lt;b&gt;높음&lt;/b&gt;</td>" in table
    assert "<b>높음</b>" not in html
    assert table.count("bar raised") == 1


def test_queue_json_explains_its_order(client) -> None:
    entry = client.get("/api/queue", params={"issue": "exact_duplicate"}).json()["entries"][0]
    assert entry["estimated_precision"] == {"issue": "exact_duplicate", "label": "food", "decisions": 0,
                                            "accepted": 0, "precision": 0.5, "low": pytest.approx(0.05),
                                            "high": pytest.approx(0.95), "raises_bar": False}
    assert 'id="queue-order"' in client.get("/queue").text
    assert 'id="queue-order"' not in client.get("/queue", params={"state": "all"}).text


def test_frame_helper_adds_precision_per_issue_and_class(session) -> None:
    found = pd.DataFrame({"issue": ["label", "label"], "current_label": ["food", "tech"]})
    session.decide(DecisionRequest("x-wrong", "keep", issue="label"))
    out = session.with_precision(found, session.feedback())
    assert out["precision"].tolist() == pytest.approx([1 / 3, 4 / 15])
