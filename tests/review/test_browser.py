"""The review UI in a real browser (Debian's headless Chromium): decide by keyboard, then check the ledger."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from curate.ledger import replay
from curate.store import Workspace
from curate.store.decisions import read_decisions

from .conftest import DATASET, make_review_frame

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "item-page.png"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _ready(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's script has set up its keyboard shortcuts."""
    page.wait_for_selector("html[data-keys=ready]", state="attached")


def _wait_for_other_row(page, expect, row_id: str) -> str:  # type: ignore[no-untyped-def]
    expect(page.locator("#row-id")).not_to_have_text(row_id)
    _ready(page)
    return str(page.locator("#row-id").text_content())


def test_review_by_keyboard(page, live_server: str, session, review_ws: Path,  # type: ignore[no-untyped-def]
                            tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/queue?issue=label")
    _ready(page)
    first_in_queue = page.locator("tr.queue-row").first.get_attribute("data-row-id")
    page.keyboard.press("j")
    expect(page.locator("tr.queue-row").first).to_have_class("queue-row selected")
    page.keyboard.press("Enter")
    expect(page.locator("#row-id")).to_have_text(str(first_in_queue))
    _ready(page)

    # the help overlay
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    relabeled: list[tuple[str, str]] = []
    row_id = str(first_in_queue)
    for _ in range(3):
        target = str(page.locator("#suggestions li").first.get_attribute("data-label"))
        relabeled.append((row_id, target))
        page.keyboard.press("1")
        row_id = _wait_for_other_row(page, expect, row_id)

    # undo the third relabel: the app returns to that row, label restored
    page.keyboard.press("u")
    undone_row, _ = relabeled[-1]
    expect(page.locator("#row-id")).to_have_text(undone_row)
    _ready(page)
    expect(page.locator("#current-label")).to_have_text(session.original_labels[undone_row])
    expect(page.locator("#row-state")).to_have_text("open")

    # remove a duplicate: the second copy of r0
    page.goto(f"{live_server}/queue?issue=exact_duplicate")
    page.locator("a.item-link", has_text="d0").click()
    expect(page.locator("#row-id")).to_have_text("d0")
    _ready(page)
    expect(page.locator("#duplicates")).to_contain_text("r0")
    page.keyboard.press("d")
    _wait_for_other_row(page, expect, "d0")

    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [e.action for e in entries] == ["relabel", "relabel", "relabel", "undo", "remove"]
    states = replay(session.original_labels, entries)
    original = session.original_labels
    changed_labels = {r: s.label for r, s in states.items() if s.label != original[r]}
    assert changed_labels == dict(relabeled[:2])
    assert sorted(r for r, s in states.items() if s.removed) == ["d0"]
    assert not any(s.ambiguous for s in states.values())
    assert SCREENSHOT.stat().st_size > 10_000

    # the export of the latest version holds exactly those changes
    from curate.export import export_version

    summary = export_version(Workspace(review_ws), DATASET, "latest", "csv", tmp_path / "fixed.csv")
    assert (summary.relabelled, summary.removed) == (2, 1)
    exported = pd.read_csv(tmp_path / "fixed.csv")
    expected = make_review_frame()
    expected = expected[expected["id"] != "d0"].reset_index(drop=True)
    expected["label"] = [dict(relabeled[:2]).get(r, lab) for r, lab in zip(expected["id"], expected["label"],
                                                                            strict=True)]
    pd.testing.assert_frame_equal(exported, expected)


def test_type_ahead_and_mouse(page, live_server: str, session, review_ws: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"{live_server}/item/r1?state=all")
    _ready(page)
    assert session.original_labels["r1"] == "sport"
    page.keyboard.press("r")
    expect(page.locator("#relabel-input")).to_be_focused()
    page.keyboard.type("te")
    expect(page.locator("#typeahead-matches li")).to_have_text(["tech"])
    page.keyboard.press("k")  # typed into the field, not the keep shortcut
    expect(page.locator("#relabel-input")).to_have_value("tek")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")  # "te": the only match is taken
    _wait_for_other_row(page, expect, "r1")
    page.goto(f"{live_server}/item/r2?state=all")
    page.get_by_role("button", name="ambiguous").click()
    _wait_for_other_row(page, expect, "r2")
    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [(e.row_id, e.action, e.new_value) for e in entries] == [
        ("r1", "relabel", "tech"), ("r2", "ambiguous", f"ambiguous:{session.original_labels['r2']}")]


def test_review_pictures_by_keyboard(page, image_live_server: str, image_session,  # type: ignore[no-untyped-def]
                                     image_ws: Path) -> None:
    """The drawn shapes: thumbnails load in the queue, the flagged circle labelled square shows large, relabel it."""
    from playwright.sync_api import expect

    from .image_data import COPIED, COPY, IMAGE_DATASET, MISLABELLED, TURNED

    page.goto(f"{image_live_server}/queue?issue=label")
    _ready(page)
    rows = page.locator("tr.queue-row")
    assert rows.first.get_attribute("data-row-id") == MISLABELLED  # the worst label score comes first
    thumbs = page.locator("tr.queue-row img.thumb")
    assert thumbs.count() == rows.count() >= 1
    page.wait_for_function("() => [...document.querySelectorAll('img.thumb')].every(i => i.complete)")
    widths = thumbs.evaluate_all("images => images.map(i => [i.alt, i.naturalWidth, i.naturalHeight])")
    assert [w[0] for w in widths] == [rows.nth(i).get_attribute("data-row-id") for i in range(rows.count())]
    # 48x48 drawings twice; the JPEG turned by its EXIF orientation, 20x40 twice
    assert all(w[1:] == ([40, 80] if w[0] == TURNED else [96, 96]) for w in widths), widths

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#row-id")).to_have_text(MISLABELLED)
    _ready(page)
    picture = page.locator("#input-picture")
    page.wait_for_function("() => document.querySelector('#input-picture').complete")
    assert picture.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [480, 480]
    assert picture.evaluate("i => i.getBoundingClientRect().width") > 200  # shown large, not as a thumbnail
    expect(page.locator("#suggestions li").first).to_have_attribute("data-label", "circle")
    page.keyboard.press("1")
    _wait_for_other_row(page, expect, MISLABELLED)

    # a copy across splits, side by side with its original once scrolled to (the pictures load lazily)
    page.goto(f"{image_live_server}/item/{COPY}?state=all")
    _ready(page)
    group = page.locator("#picture-group")
    group.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('#picture-group img')].every(i => i.complete)")
    assert group.locator("img").evaluate_all("images => images.map(i => [i.alt, i.naturalWidth])") == [
        [COPY, 480], [COPIED, 480]]

    entries = read_decisions(Workspace(image_ws), IMAGE_DATASET)
    assert [(e.row_id, e.action, e.old_value, e.new_value, e.issue) for e in entries] == [
        (MISLABELLED, "relabel", "square", "circle", "label")]
    states = replay(image_session.original_labels, entries)
    assert {r: s.label for r, s in states.items() if s.label != image_session.original_labels[r]} == {
        MISLABELLED: "circle"}
