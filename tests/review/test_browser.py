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
QUEUE_SCREENSHOT = SCREENSHOT.with_name("queue-page.png")

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


# Two Hangul syllables drawn in the page's font differ only when a font has them (missing glyphs are
# all the same empty box).
HANGUL_DRAWN = """() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 40;
    const g = canvas.getContext("2d");
    g.font = "28px " + getComputedStyle(document.body).fontFamily;
    const draw = text => {
        g.clearRect(0, 0, 40, 40);
        g.fillText(text, 4, 32);
        return g.getImageData(0, 0, 40, 40).data.join();
    };
    const blank = draw("");
    return draw("가") !== draw("나") && draw("가") !== blank;
}"""


def _rows_in_view(page) -> int:  # type: ignore[no-untyped-def]
    """Queue rows whose bounding box lies wholly inside the viewport."""
    return int(page.evaluate("""() => [...document.querySelectorAll('tr.queue-row')].filter(r => {
        const b = r.getBoundingClientRect();
        return b.top >= 0 && b.left >= 0 && b.bottom <= innerHeight && b.right <= innerWidth; }).length"""))


def test_the_queue_gives_the_input_room(page, long_live_server: str) -> None:  # type: ignore[no-untyped-def]
    """At 1400x900: at least 15 one-line rows, a long input cut by CSS, expanded whole by a click or e."""
    from playwright.sync_api import expect

    from .conftest import LONG_ROW, LONG_TEXT

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{long_live_server}/queue?state=all")
    _ready(page)
    rows = page.locator("tr.queue-row")
    assert rows.count() >= 15
    assert _rows_in_view(page) >= 15
    heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) < 30, heights  # one line of text each

    row = page.locator(f'tr.queue-row[data-row-id="{LONG_ROW}"]')
    cell = row.locator("td.preview-line")
    assert cell.evaluate("c => c.getBoundingClientRect().width") > 600  # the input has the most room
    page.screenshot(path=str(QUEUE_SCREENSHOT))
    assert cell.evaluate("c => getComputedStyle(c).textOverflow") == "ellipsis"
    assert cell.evaluate("c => c.scrollWidth > c.clientWidth")  # cut to the line by CSS
    korean = rows.filter(has_text="오늘").first  # Hangul reaches the page intact, and is drawn as glyphs
    assert "번째로 나왔습니다" in str(korean.locator("td.preview-line").text_content())
    assert page.evaluate(HANGUL_DRAWN)

    details = page.locator(f"#{row.get_attribute('data-details')}")
    button = row.locator("button.expand")
    expect(details).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    cell.click()
    expect(details).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(details.locator(".full-text")).to_have_text(LONG_TEXT)
    # the findings in words: the exact copy and its id, no JSON
    expect(details).to_contain_text("exact_duplicate")
    expect(details.locator("dl.facts")).to_contain_text(f"copies{LONG_ROW}, {LONG_ROW}-copy")
    assert "{" not in details.inner_text() and '":' not in details.inner_text()
    page.keyboard.press("e")  # the clicked row is the selected one: e hides it again
    expect(details).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    # the dataset's markup stayed text: no element made from it, no script run
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []

    # every queue key: e from nothing selected expands the first row; j, k, arrows move; o opens
    page.goto(f"{long_live_server}/queue?state=all")
    _ready(page)
    first, second = rows.nth(0), rows.nth(1)
    page.keyboard.press("e")
    expect(page.locator(f"#{first.get_attribute('data-details')}")).to_be_visible()
    expect(first).to_have_class("queue-row selected")
    for key, selected in (("j", second), ("k", first), ("ArrowDown", second), ("ArrowUp", first), ("j", second)):
        page.keyboard.press(key)
        expect(selected).to_have_class("queue-row selected")
    second_id = str(second.get_attribute("data-row-id"))
    page.keyboard.press("o")
    expect(page.locator("#row-id")).to_have_text(second_id)


def test_item_keys_and_the_confirmation_of_each_decision(page, live_server: str, session,  # type: ignore[no-untyped-def]
                                                         review_ws: Path) -> None:
    """Every item-page key; after each decision the next page says what was recorded, in a live region."""
    from playwright.sync_api import expect

    page.goto(f"{live_server}/queue?issue=label")
    _ready(page)
    order = page.locator("tr.queue-row").evaluate_all("rows => rows.map(r => r.dataset.rowId)")
    page.goto(f"{live_server}/item/{order[1]}?issue=label")
    _ready(page)
    for key, row_id in (("n", order[2]), ("p", order[1]), ("ArrowRight", order[2]), ("ArrowLeft", order[1]),
                        ("j", order[2])):
        page.keyboard.press(key)
        expect(page.locator("#row-id")).to_have_text(row_id)
        _ready(page)
    page.keyboard.press("/")
    expect(page.locator("#relabel-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#relabel-input")).not_to_be_focused()

    status = page.locator("#status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_be_empty()
    original = session.original_labels
    row_id = order[2]
    target = str(page.locator("#suggestions li").first.get_attribute("data-label"))
    page.keyboard.press("1")
    row_id = _wait_for_other_row(page, expect, row_id)
    expect(status).to_have_text(f"recorded (entry 1): row {order[2]}: relabelled {original[order[2]]} → {target}")
    assert status.evaluate("s => s.getBoundingClientRect().bottom <= innerHeight")  # in sight
    decided = [row_id]
    page.keyboard.press("k")
    row_id = _wait_for_other_row(page, expect, row_id)
    expect(status).to_have_text(f"recorded (entry 2): row {decided[0]}: kept {original[decided[0]]}")
    decided.append(row_id)
    page.keyboard.press("a")
    row_id = _wait_for_other_row(page, expect, row_id)
    expect(status).to_have_text(
        f"recorded (entry 3): row {decided[1]}: marked ambiguous ({original[decided[1]]})")
    decided.append(row_id)
    page.keyboard.press("s")
    _wait_for_other_row(page, expect, row_id)
    expect(status).to_have_text(f"recorded (entry 4): row {decided[2]}: skipped, still open")
    page.keyboard.press("u")  # the skip is not undone: the ambiguous mark is
    expect(page.locator("#row-id")).to_have_text(decided[1])
    _ready(page)
    expect(status).to_have_text(
        f"recorded (entry 5): row {decided[1]}: undid entry 3, ambiguous ({original[decided[1]]})"
        f" → {original[decided[1]]}")
    page.keyboard.press("q")
    expect(page).to_have_url(f"{live_server}/queue?issue=label&state=open")
    expect(status).to_be_empty()  # a plain visit confirms nothing
    entries = read_decisions(Workspace(review_ws), DATASET)
    assert [e.action for e in entries] == ["relabel", "keep", "ambiguous", "skip", "undo"]


def test_the_confirmation_without_a_script(browser, live_server: str, review_ws: Path) -> None:  # type: ignore[no-untyped-def]
    """With JavaScript off the forms still decide, and the page they lead to shows the same confirmation."""
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/item/r2?state=all")
        page.locator("#form-keep button").click()
        expect(page.locator("#row-id")).not_to_have_text("r2")
        expect(page.locator("#status")).to_have_text("recorded (entry 1): row r2: kept tech")
        page.goto(f"{live_server}/queue?state=all")
        assert page.locator("button.expand:visible").count() == 0  # nothing that needs the script
    finally:
        context.close()
    assert [(e.row_id, e.action) for e in read_decisions(Workspace(review_ws), DATASET)] == [("r2", "keep")]
