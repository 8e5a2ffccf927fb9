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
