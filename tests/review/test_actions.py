"""Decisions through the review app: one ledger entry per action, the open queue, undo, bulk actions."""

from __future__ import annotations

from pathlib import Path

from curate.ledger import replay
from curate.store import Workspace
from curate.store.decisions import read_decisions

from .conftest import CSRF, DATASET, SCRIPT_COPY, SCRIPT_ROW, WRONG_ROW


def _decide(client, row_id: str, action: str, **extra: str):  # type: ignore[no-untyped-def]
    form = {"csrf_token": CSRF, "row_id": row_id, "action": action, "issue": "label", "state": "open", **extra}
    return client.post("/decide", data=form, follow_redirects=False)


def _open_label_queue(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["row_id"] for e in client.get("/api/queue", params={"issue": "label"}).json()["entries"]]


def test_each_action_appends_one_entry_and_moves_on(client, review_ws: Path) -> None:
    order = _open_label_queue(client)
    assert len(order) >= 5
    visited = [order[0]]
    for entry_id, (action, extra) in enumerate((("relabel", {"new_label": "food"}), ("keep", {}), ("ambiguous", {}),
                                                ("skip", {})), start=1):
        before = _open_label_queue(client)
        response = _decide(client, visited[-1], action, **extra)
        assert response.status_code == 303
        # the next row: the first of the rows after this one that is still open, in the queue's new order
        after = set(before[before.index(visited[-1]) + 1:])
        now = _open_label_queue(client)
        expected = next(r for r in now if r in after)
        # ... asked to confirm the new ledger entry
        assert response.headers["location"] == f"/item/{expected}?issue=label&state=open&done={entry_id}"
        visited.append(expected)
    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [(e.row_id, e.action, e.reviewer) for e in entries] == [
        (visited[0], "relabel", "tester"), (visited[1], "keep", "tester"), (visited[2], "ambiguous", "tester"),
        (visited[3], "skip", "tester")]
    assert all(e.issue == "label" and e.run_id == 1 and e.score is not None for e in entries)
    # decided rows leave the open queue; a skipped row stays in it
    assert set(_open_label_queue(client)) == set(order) - set(visited[:3])
    decided = [e["row_id"] for e in client.get("/api/queue", params={"issue": "label", "state": "decided"})
               .json()["entries"]]
    assert sorted(decided) == sorted(visited[:3])


def test_undo_reopens_the_row_and_returns_to_it(client, review_ws: Path) -> None:
    _decide(client, WRONG_ROW, "relabel", new_label="food")
    assert WRONG_ROW not in _open_label_queue(client)
    response = client.post("/undo", data={"csrf_token": CSRF, "issue": "label"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == (
        f"/item/{WRONG_ROW}?issue=label&state=open&done=2")
    assert WRONG_ROW in _open_label_queue(client)
    item = client.get(f"/api/items/{WRONG_ROW}").json()
    assert item["current_label"] == "tech"
    assert [(h["action"], h["undone"]) for h in item["history"]] == [("relabel", True), ("undo", False)]
    nothing_left = client.post("/api/undo", headers={"X-CSRF-Token": CSRF})
    assert nothing_left.status_code == 400 and "no decision left to undo" in nothing_left.json()["detail"]


def test_remove_that_copy_keeps_this_one(client, review_ws: Path) -> None:
    response = client.post("/decide", data={"csrf_token": CSRF, "row_id": SCRIPT_COPY, "action": "remove",
                                            "back_to": SCRIPT_ROW}, follow_redirects=False)
    assert response.headers["location"] == f"/item/{SCRIPT_ROW}?state=open&done=1"
    entry = read_decisions(Workspace(review_ws), DATASET)[-1]
    assert (entry.row_id, entry.action, entry.issue, entry.reason) == (SCRIPT_COPY, "remove", "exact_duplicate",
                                                                       f"duplicate of {SCRIPT_ROW}")


def test_bad_decisions_are_refused_without_an_entry(client, review_ws: Path) -> None:
    assert _decide(client, WRONG_ROW, "relabel", new_label="politics").status_code == 400
    assert _decide(client, WRONG_ROW, "relabel").status_code == 400
    assert _decide(client, WRONG_ROW, "destroy").status_code == 400
    assert _decide(client, "no-such-row", "keep").status_code == 404
    response = client.post("/api/decisions", json={"row_id": WRONG_ROW, "action": "destroy"},
                           headers={"X-CSRF-Token": CSRF})
    assert response.status_code == 422
    assert read_decisions(Workspace(review_ws), DATASET) == []


def test_bulk_remove_duplicates_previews_then_applies(client, session, review_ws: Path) -> None:
    params = {"operation": "remove_duplicates", "issue": "exact_duplicate", "state": "all"}
    preview = client.get("/api/bulk", params=params).json()
    assert [(c["row_id"], c["action"]) for c in preview["changes"]] == [("d0", "remove"), (SCRIPT_COPY, "remove")]
    assert preview["unchanged"] == 2
    html = client.get("/bulk", params=params).text
    assert f'name="fingerprint" value="{preview["fingerprint"]}"' in html
    assert read_decisions(Workspace(review_ws), DATASET) == []  # a preview records nothing
    stale = client.post("/bulk", data={**params, "fingerprint": "0" * 20, "csrf_token": CSRF}, follow_redirects=False)
    assert stale.status_code == 409
    done = client.post("/bulk", data={**params, "fingerprint": preview["fingerprint"], "csrf_token": CSRF},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/history?done=2&count=2"
    states = replay(session.original_labels, read_decisions(Workspace(review_ws), DATASET))
    assert sorted(r for r, s in states.items() if s.removed) == sorted(["d0", SCRIPT_COPY])
    # run again: nothing left to do, the first copies stay
    assert client.get("/api/bulk", params=params).json()["changes"] == []


def test_bulk_keeps_the_first_copy_still_present(client, session, review_ws: Path) -> None:
    client.post("/api/decisions", json={"row_id": "r0", "action": "remove"}, headers={"X-CSRF-Token": CSRF})
    preview = client.get("/api/bulk", params={"operation": "remove_duplicates", "issue": "exact_duplicate",
                                               "state": "all"}).json()
    assert [c["row_id"] for c in preview["changes"]] == [SCRIPT_COPY]  # d0 is now the copy that stays


def test_bulk_accept_suggestions_over_the_api(client, session, review_ws: Path) -> None:
    params = {"operation": "accept_suggestions", "issue": "label"}
    preview = client.get("/api/bulk", params=params).json()
    queue = client.get("/api/queue", params={"issue": "label"}).json()["entries"]
    assert {c["row_id"]: c["after"] for c in preview["changes"]} == {e["row_id"]: e["suggested_label"]
                                                                     for e in queue}
    result = client.post("/api/bulk", params={**params, "fingerprint": preview["fingerprint"]},
                         headers={"X-CSRF-Token": CSRF}).json()
    assert result["applied"] == len(preview["changes"])
    states = replay(session.original_labels, read_decisions(Workspace(review_ws), DATASET))
    assert {r: s.label for r, s in states.items() if s.label != session.original_labels[r]} == {
        c["row_id"]: c["after"] for c in preview["changes"]}
    assert client.get("/api/queue", params={"issue": "label"}).json()["total"] == 0


def test_a_whole_bulk_operation_is_undone_at_once(client, session, review_ws: Path) -> None:
    """Hundreds of suggestions accepted by mistake are one click to take back, not one undo each; a
    decision of the reviewer's own after the operation must be undone on its own first."""
    params = {"operation": "accept_suggestions", "issue": "label"}
    client.post("/api/decisions", json={"row_id": "r0", "action": "keep", "issue": "label"},
                headers={"X-CSRF-Token": CSRF})  # a decision before the operation: stays
    preview = client.get("/api/bulk", params=params).json()
    assert len(preview["changes"]) >= 2
    applied = client.post("/api/bulk", params={**params, "fingerprint": preview["fingerprint"]},
                          headers={"X-CSRF-Token": CSRF}).json()
    history = client.get("/history").text
    assert f"Undo your latest bulk operation ({applied['applied']} entries, bulk accept_suggestions #" in history
    one = _api(client, "r1", "ambiguous", issue="label")  # then a single decision after it
    assert one.status_code == 200
    refused = client.post("/api/bulk/undo", headers={"X-CSRF-Token": CSRF})
    assert refused.status_code == 400 and "was not part of a bulk operation" in refused.text
    assert "Undo your latest bulk operation" not in client.get("/history").text
    client.post("/api/undo", headers={"X-CSRF-Token": CSRF})  # undo the single decision: the operation is latest again
    undone = client.post("/undo-bulk", data={"csrf_token": CSRF}, follow_redirects=False)
    assert undone.status_code == 303
    entries = read_decisions(Workspace(review_ws), DATASET)
    n = applied["applied"]
    assert undone.headers["location"] == f"/history?done={entries[-1].id}&count={n}"
    assert sorted(e.undoes for e in entries[-n:]) == applied["entry_ids"]  # each entry of the operation, once
    assert {e.action for e in entries[-n:]} == {"undo"}
    states = replay(session.original_labels, entries)
    assert {r for r, s in states.items() if s.label != session.original_labels[r]} == set()
    assert client.get("/api/queue", params={"issue": "label"}).json()["total"] == len(preview["changes"])
    assert entries[0].action == "keep" and entries[0].id not in {e.undoes for e in entries}
    assert client.post("/api/bulk/undo", headers={"X-CSRF-Token": CSRF}).status_code == 400  # nothing bulk left


def _api(client, row_id: str, action: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/api/decisions", json={"row_id": row_id, "action": action, **extra},
                       headers={"X-CSRF-Token": CSRF})


def test_a_decision_on_a_check_that_did_not_flag_the_row_is_no_verdict(client, review_ws: Path) -> None:
    """A stray "keep" on a leakage the run never flagged must neither count against the check nor
    protect the row from it later: the decision is kept, without the issue."""
    near_copies = client.get("/api/queue", params={"issue": "near_duplicate", "limit": 500}).json()["entries"]
    assert "r4" not in {e["row_id"] for e in near_copies}
    response = _api(client, "r4", "keep", issue="near_duplicate")
    assert response.status_code == 200, response.text
    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [(e.row_id, e.action, e.issue) for e in entries][-1] == ("r4", "keep", None)
    assert client.get("/api/dashboard").json()["precision"] == []
    # on a flagged row the same decision is a verdict
    assert _api(client, WRONG_ROW, "keep", issue="label").status_code == 200
    assert [(e.row_id, e.issue) for e in read_decisions(Workspace(review_ws), DATASET)][-1] == (WRONG_ROW, "label")


def test_relabels_that_change_nothing_are_refused(client) -> None:
    same = _api(client, WRONG_ROW, "relabel", new_label="tech", issue="label")
    assert same.status_code == 400 and same.json()["detail"] == f"row {WRONG_ROW} is already labelled 'tech'"
    assert _api(client, WRONG_ROW, "remove", issue="label").status_code == 200
    removed = _api(client, WRONG_ROW, "relabel", new_label="food", issue="label")
    assert removed.status_code == 400
    assert removed.json()["detail"] == f"row {WRONG_ROW} is removed; undo the removal before relabelling it"


def test_a_keep_with_a_new_label_is_refused_not_recorded_as_a_keep(client) -> None:
    before = len(client.get("/api/history").json()["entries"])
    kept = _api(client, WRONG_ROW, "keep", new_label="food", issue="label")
    assert kept.status_code == 400
    assert kept.json()["detail"] == "keep takes no new_label (only relabel does): send action relabel to change " \
                                    "the label to 'food'"
    assert len(client.get("/api/history").json()["entries"]) == before


def test_keeping_the_new_label_after_a_relabel_leaves_the_flag_accepted(client) -> None:
    assert _api(client, WRONG_ROW, "relabel", new_label="food", issue="label").status_code == 200
    assert _api(client, WRONG_ROW, "keep", issue="label").status_code == 200
    rows = {(p["issue"], p["label"]): p for p in client.get("/api/dashboard").json()["precision"]}
    assert (rows[("label", None)]["decisions"], rows[("label", None)]["accepted"]) == (1, 1)
    assert ("label", "tech") in rows and ("label", "food") not in rows  # filed under the label the run judged


def test_a_refused_decision_stays_on_the_item_and_says_why(client, review_ws: Path) -> None:
    # A user trial: relabelling a row to the label it has left the browser on /decide's error page,
    # with no keys and no status line.
    row = _open_label_queue(client)[0]
    label = client.get(f"/api/items/{row}").json()["current_label"]
    response = _decide(client, row, "relabel", new_label=label)
    assert response.status_code == 400
    assert f"not recorded: row {row} is already labelled &#39;{label}&#39;</p>" in response.text
    assert 'id="status"' in response.text and f'name="row_id" value="{row}"' in response.text
    assert read_decisions(Workspace(review_ws), DATASET) == []
