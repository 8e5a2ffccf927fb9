"""The data card: set, show and export through the CLI; Markdown data cannot break; failures change nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import curate.store.cards
from curate.profile import card_markdown, export_card, read_card, set_card_fields
from curate.store import Workspace

from ..conftest import assert_one_line_error, run_cli, snapshot


@pytest.fixture
def imported(tmp_path: Path, text_csv: Path) -> Path:
    """A workspace holding the 60-row text CSV, imported (not audited)."""
    workspace = tmp_path / "ws"
    assert run_cli(["import", text_csv, "-w", workspace]).exit_code == 0
    return workspace


def test_set_show_export_round_trip(imported: Path, tmp_path: Path) -> None:
    assert run_cli(["card", "set", "license", "CC BY 4.0", "-w", imported]).stdout == "reviews: license set\n"
    purpose = "Topic classification of 뉴스 headlines"
    assert run_cli(["card", "set", "Intended-Use", purpose, "-w", imported]).exit_code == 0
    shown = run_cli(["card", "show", "-w", imported])
    assert shown.exit_code == 0, shown.output
    assert "license (License): CC BY 4.0" in shown.stdout
    assert "intended_use (Intended use): Topic classification of 뉴스 headlines" in shown.stdout
    assert "provenance (Provenance): (not stated: Where the data comes from" in shown.stdout
    as_json = json.loads(run_cli(["card", "show", "--format", "json", "-w", imported]).stdout)
    assert as_json["dataset"] == "reviews"
    assert as_json["fields"]["license"] == "CC BY 4.0"
    assert as_json["fields"]["provenance"] is None
    assert list(as_json["fields"]) == ["summary", "provenance", "collection", "annotators", "guidelines", "license",
                                       "intended_use", "out_of_scope", "limitations", "contact"]

    out = tmp_path / "card.md"
    exported = run_cli(["card", "export", "--output", out, "-w", imported])
    assert exported.exit_code == 0, exported.output
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# Data card: reviews\n")
    assert "## License\n\nCC BY 4.0\n" in markdown
    assert "## Intended use\n\nTopic classification of 뉴스 headlines\n" in markdown
    assert "## Provenance\n\n_Not stated." in markdown
    # the measured facts of the 60-row CSV: 20 rows per class, half English and half Korean
    assert "- **Rows:** 60 (text input, read as utf-8)" in markdown
    assert "food 20 (33.3 %), sport 20 (33.3 %), tech 20 (33.3 %); balanced" in markdown
    assert "English 50.0 %, Korean 50.0 %" in markdown
    assert "0 groups of exact copies" in markdown
    assert "| food | 20 | 33.3 % |" in markdown
    assert "| text | text | text | 0 | 0 | 0 | 60 |" in markdown
    assert "_No audit yet" in markdown
    assert run_cli(["card", "export", "-w", imported]).stdout == markdown  # stdout holds the same document

    cleared = run_cli(["card", "set", "license", "", "-w", imported])
    assert cleared.stdout == "reviews: license cleared\n"
    assert "license" not in read_card(Workspace(imported)).fields


def test_value_from_stdin(imported: Path) -> None:
    from click.testing import CliRunner

    from curate.cli import main

    result = CliRunner().invoke(main, ["card", "set", "limitations", "-", "-w", str(imported)],
                                input="- Korean rows are synthetic\n- labels by one person\n")
    assert result.exit_code == 0, result.output
    assert read_card(Workspace(imported)).fields["limitations"] == "- Korean rows are synthetic\n- labels by one person"


def test_export_names_the_latest_audit_flags(audited_workspace: Path) -> None:
    ws = Workspace(audited_workspace)
    run = ws.run()
    markdown = export_card(ws)
    assert f"Run {run.id} of version 1" in markdown
    for issue, count in run.metrics["flagged"].items():
        assert f"| {issue.replace('_', chr(92) + '_')} | {count} |" in markdown


def test_dataset_values_cannot_inject_markup(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    frame = pd.DataFrame({"text": [f"row number {i} is about something" for i in range(6)],
                          "label": [hostile, "*bold* | [x](javascript:alert(1))"] * 3,
                          "<img src=x onerror=alert(1)>": ["a", "b", "c"] * 2})
    data = tmp_path / "hostile.csv"
    frame.to_csv(data, index=False)
    workspace = tmp_path / "ws"
    assert run_cli(["import", data, "--label", "label", "--text", "text", "-w", workspace]).exit_code == 0
    set_card_fields(Workspace(workspace), {"summary": "Made by *us*. <iframe src=evil></iframe>",
                                           "limitations": "# Injected heading\n[see](javascript:alert(1)) [doc](https://x.org)"})
    markdown = export_card(Workspace(workspace))
    assert re.search(r"(?<!\\)<", markdown) is None  # every "<" is escaped: no tag can open
    assert r"\<script\>alert(1)\</script\>" in markdown
    assert r"\*bold\* \| \[x\](javascript:alert(1))" in markdown
    assert "Made by *us*. &lt;iframe src=evil>&lt;/iframe>" in markdown  # the people's Markdown is kept
    # ... but a field cannot open a section of its own or hold a script link
    assert "\\# Injected heading\n[see](javascript&#58;alert(1)) [doc](https://x.org)" in markdown
    assert "\n# Injected" not in markdown


def test_an_unknown_field_changes_nothing(imported: Path) -> None:
    before = snapshot(imported)
    assert_one_line_error(run_cli(["card", "set", "licence", "MIT", "-w", imported]), "no field 'licence'", "license")
    assert snapshot(imported) == before


def test_no_workspace_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    for args in (["set", "license", "MIT"], ["show"], ["export"]):
        assert_one_line_error(run_cli(["card", *args, "-w", tmp_path / "none"]), "no curate workspace")
    assert not (tmp_path / "none").exists()


def test_an_unknown_dataset_is_an_error(imported: Path) -> None:
    assert_one_line_error(run_cli(["card", "show", "-d", "other", "-w", imported]), "no dataset 'other'")


def test_a_failed_write_leaves_the_card_as_it_was(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(imported)
    set_card_fields(ws, {"license": "MIT"})
    before = snapshot(imported)

    def fail(path: Path, write: object, make_folder: bool = False) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(curate.store.cards, "write_atomically", fail)
    with pytest.raises(OSError, match="disk full"):
        set_card_fields(ws, {"license": "CC0", "contact": "someone"})
    assert snapshot(imported) == before
    assert read_card(ws).fields == {"license": "MIT"}


def test_a_first_failed_write_leaves_no_cards_folder(imported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(imported)

    def fail(path: Path, write: object, make_folder: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        raise OSError("disk full")

    monkeypatch.setattr(curate.store.cards, "write_atomically", fail)
    with pytest.raises(OSError):
        set_card_fields(Workspace(imported), {"license": "MIT"})
    assert snapshot(imported) == before
    assert not (imported / "cards").exists()


def test_a_damaged_card_file_is_a_clear_error(imported: Path) -> None:
    set_card_fields(Workspace(imported), {"license": "MIT"})
    (card,) = (imported / "cards").iterdir()
    card.write_text("{not json", encoding="utf-8")
    assert_one_line_error(run_cli(["card", "show", "-w", imported]), "not a data card", str(card))


def test_markdown_without_an_audit_lists_every_field_in_order(imported: Path) -> None:
    from curate.profile import CARD_FIELDS, profile_workspace_dataset

    profile, version = profile_workspace_dataset(Workspace(imported))
    markdown = card_markdown(read_card(Workspace(imported)), profile, version=version)
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [h for h, _ in CARD_FIELDS.values()] + ["Measured facts", "Latest audit"]
    assert version.startswith("version 1 of reviews, imported ")
