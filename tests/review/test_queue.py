"""The queue for looking: whole inputs and findings in words, a noise-matrix cell as a filter, confirmations."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from curate.report.readable import readable_details
from curate.review.confirmation import describe
from curate.review.models import LedgerEntry

from .conftest import CSRF, SCRIPT_ROW, SCRIPT_TEXT, WRONG_ROW


def _label_cells(session) -> tuple[tuple[str, str], list[str]]:  # type: ignore[no-untyped-def]
    """The (judged, suggested) pair of the label check with the most flags, and those rows' ids."""
    flagged = session.flagged()
    label = flagged[flagged["issue"] == "label"]
    cells = Counter(zip(label["current_label"], label["suggested_label"], strict=True))
    (given, suggested), _ = cells.most_common(1)[0]
    cell = label[(label["current_label"] == given) & (label["suggested_label"] == suggested)]
    return (str(given), str(suggested)), sorted(cell["row_id"].astype(str))


def test_the_queue_filters_to_a_noise_matrix_cell(client, session) -> None:  # type: ignore[no-untyped-def]
    (given, suggested), expected = _label_cells(session)
    assert len(expected) >= 2
    params = {"issue": "label", "given": given, "suggested": suggested, "state": "all"}
    data = client.get("/api/queue", params=params).json()
    assert sorted(e["row_id"] for e in data["entries"]) == expected and data["total"] == len(expected)
    assert data["filter"] == {"issue": "label", "label": given, "suggested": suggested, "state": "all",
                              "min_score": None, "max_score": None, "slice": None}
    # "label" is the same filter as "given"; both at once must agree
    same = client.get("/api/queue", params={**params, "label": given}).json()
    assert [e["row_id"] for e in same["entries"]] == [e["row_id"] for e in data["entries"]]
    other = next(c for c in ("food", "sport", "tech") if c != given)
    clash = client.get("/api/queue", params={**params, "label": other})
    assert clash.status_code == 400 and "given is another name for label" in clash.json()["detail"]
    # the page keeps the cell in its links, its form and the item pages' forms and neighbours
    html = client.get("/queue", params=params).text
    assert f"suggested={suggested}" in html.split('class="item-link" href="')[1].split('"')[0]
    assert f'<option value="{suggested}" selected>' in html
    first = data["entries"][0]["row_id"]
    item = client.get(f"/api/items/{first}", params=params).json()
    assert item["next_row_id"] == data["entries"][1]["row_id"]
    assert '<input type="hidden" name="suggested" value="' + suggested + '">' in client.get(
        f"/item/{first}", params=params).text
    # a decision posted from the cell (the form's fields: label, suggested) moves on within it
    fields = {"issue": "label", "label": given, "suggested": suggested, "state": "all"}
    response = client.post("/decide", data={"csrf_token": CSRF, "row_id": first, "action": "keep", **fields},
                           follow_redirects=False)
    assert response.headers["location"] == (f"/item/{data['entries'][1]['row_id']}?issue=label&label={given}"
                                             f"&suggested={suggested}&state=all&done=1")


def test_a_suggested_class_alone_filters_every_issue(client) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/queue", params={"state": "all", "limit": 1000}).json()["entries"]
    food = client.get("/api/queue", params={"state": "all", "suggested": "food", "limit": 1000}).json()["entries"]
    assert food and all(e["suggested_label"] == "food" for e in food)
    assert {e["row_id"] for e in food} == {e["row_id"] for e in everything if e["suggested_label"] == "food"}


def test_each_entry_carries_its_whole_input_and_flags_in_words(client, session) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/queue", params={"issue": "exact_duplicate", "state": "all"}).json()
    entry = next(e for e in data["entries"] if e["row_id"] == SCRIPT_ROW)
    assert entry["input"]["text"] == SCRIPT_TEXT
    assert [f["issue"] for f in entry["findings"]] == ["exact_duplicate"]  # only the flags
    html = client.get("/queue", params={"issue": "exact_duplicate", "state": "all"}).text
    after = html.split(f'data-row-id="{SCRIPT_ROW}"')[1]
    details = re.search(r'<tr class="queue-details" id="details-\d+" hidden>(.*?)</tr>\s*(?:<tr class="queue-row"|'
                        r'</tbody>)', after, re.S)
    assert details is not None
    shown = details.group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>" not in shown
    assert f"<dt>copies</dt><dd>{SCRIPT_ROW}, d-script</dd>" in shown
    assert "{" not in shown  # no JSON
    # the item page's findings are in words too
    item = client.get(f"/item/{WRONG_ROW}").text
    assert "<dt>chance the label is wrong</dt>" in item and "&#34;error_prob&#34;" not in item


def test_the_page_after_each_form_decision_confirms_it(client, session) -> None:  # type: ignore[no-untyped-def]
    """Without a script: the redirect names the entry and the next page says what was recorded."""
    form = {"csrf_token": CSRF, "row_id": WRONG_ROW, "issue": "label"}
    page = client.post("/decide", data={**form, "action": "relabel", "new_label": "food"})
    status = re.search(r'<p id="status" class="status" role="status" aria-live="polite">(.*?)</p>', page.text)
    assert status is not None and status.group(1) == f"recorded (entry 1): row {WRONG_ROW}: relabelled tech → food"
    page = client.post("/undo", data={"csrf_token": CSRF, "issue": "label"})
    assert f"recorded (entry 2): row {WRONG_ROW}: undid entry 1, food → tech</p>" in page.text
    assert 'aria-live="polite"></p>' in client.get("/queue").text  # nothing to confirm: an empty live region
    assert 'aria-live="polite"></p>' in client.get("/queue?done=99").text  # no such entry


def test_a_bulk_operation_is_confirmed_on_the_history_page(client) -> None:  # type: ignore[no-untyped-def]
    params = {"operation": "remove_duplicates", "issue": "exact_duplicate", "state": "all"}
    fingerprint = client.get("/api/bulk", params=params).json()["fingerprint"]
    page = client.post("/bulk", data={**params, "fingerprint": fingerprint, "csrf_token": CSRF})
    assert "recorded 2 decisions; the last (entry 2): row d-script: removed</p>" in page.text


@pytest.mark.parametrize(("action", "old", "new", "said"), [
    ("relabel", "sport", "business", "row 7: relabelled sport → business"),
    ("keep", "sport", "sport", "row 7: kept sport"),
    ("ambiguous", "sport", "ambiguous:sport", "row 7: marked ambiguous (sport)"),
    ("remove", "present", "removed", "row 7: removed"),
    ("skip", None, None, "row 7: skipped, still open"),
    ("undo", "removed", "present", "row 7: undid entry 3, removed → present"),
    ("undo", "sport", "sport", "row 7: undid entry 3"),
])
def test_describe_says_each_action(action: str, old: str | None, new: str | None, said: str) -> None:
    entry = LedgerEntry(4, "7", action, "label", old, new, "ana", "", 1, "label", 0.1, None, 3 if action == "undo"
                        else None)
    assert describe(entry) == said


def test_readable_details_in_words() -> None:
    assert readable_details({"error_prob": 0.58301, "top_classes": [["sport", 0.5666], ["food", 0.2816]],
                             "copies": [f"r{i}" for i in range(12)], "is_first": False, "new_key": {"a": 1}}) == [
        ("chance the label is wrong", "0.583"), ("most probable classes", "sport 0.567, food 0.282"),
        ("copies", "r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 and 2 more"), ("first copy", "no"), ("new key", "a 1")]
    assert readable_details({}) == []
    # sizes are not probabilities: no "1000.000 rows"
    assert readable_details({"even_share": 1000.0, "class_count": 12}) == [
        ("rows per class if balanced", "1000"), ("rows in its class", "12")]
    assert readable_details({"even_share": 333.3}) == [("rows per class if balanced", "333.3")]


def test_the_views_page_links_each_noise_matrix_cell_to_its_rows(client, session) -> None:  # type: ignore[no-untyped-def]
    (given, suggested), expected = _label_cells(session)
    page = client.get("/views")
    assert page.status_code == 200
    links = dict(((g, s), href.replace("&amp;", "&")) for href, g, s in re.findall(
        r'<a href="([^"]+)" class="cell-link" data-given="([^"]+)" data-suggested="([^"]+)">', page.text))
    assert (given, suggested) in links
    opened = client.get(links[(given, suggested)])
    assert opened.status_code == 200
    rows = client.get("/api/queue" + links[(given, suggested)].removeprefix("/queue")).json()
    assert sorted(e["row_id"] for e in rows["entries"]) == expected
    # every linked cell is off the diagonal and holds label flags
    assert all(g != s for g, s in links) and 'id="slices"' in page.text


def test_a_reported_slice_links_to_the_queue_of_its_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import curate

    from ..slices.test_slices import _table
    from .conftest import _client, _session

    frame = _table(0, bad=0.30)
    data = tmp_path / "groups.csv"
    frame.to_csv(data, index=False)
    curate.audit(data, label="label", workspace=tmp_path / "ws", progress=False)
    for client in _client(_session(tmp_path / "ws")):
        page = client.get("/views").text
        links = re.findall(r'<a href="([^"]+)" class="slice-link">group = east</a>', page)
        assert links, "the slice group = east links to its queue"
        from urllib.parse import parse_qsl, urlsplit

        query = dict(parse_qsl(urlsplit(links[0].replace("&amp;", "&")).query))
        assert query["slice"] == "group=east"
        rows = client.get("/api/queue", params={**query, "limit": 1000}).json()
        east = {str(i) for i in frame.index[frame["group"] == "east"]}
        assert rows["total"] > 0 and {e["row_id"] for e in rows["entries"]} <= east
        assert client.get("/api/queue", params={"slice": "group"}).status_code == 400
