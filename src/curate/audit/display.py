"""How an audit result shows itself in a Python session and a notebook, and its findings with text.

Dataset names, labels, column names and warnings carry the user's data: in HTML every one of them
is escaped, never rendered as markup.
"""

from __future__ import annotations

import sys
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from curate.core.dataset import label_text
from curate.modalities import get_modality

if TYPE_CHECKING:
    from curate.audit.run import AuditResult

__all__ = ["result_html", "result_repr", "with_text"]


def _flag_counts(result: AuditResult) -> list[tuple[str, str]]:
    """Each issue's flag count as shown: ``3``, or ``0 (12 withheld)`` when a warning withheld them
    (``0 (withheld)`` when there were none to withhold)."""
    counts = result.table.groupby("issue", sort=False)["flagged"].sum()
    shown = []
    for issue, notes in result.notes.items():
        flagged = int(counts.get(issue, 0))
        if "withheld" not in notes:
            shown.append((issue, str(flagged)))
            continue
        held = int(notes.get("withheld_flags", 0))
        shown.append((issue, f"{flagged} ({held} withheld)" if held else f"{flagged} (withheld)"))
    return shown


def _heading(result: AuditResult) -> str:
    run = f", run {result.run_id}" if result.run_id is not None else ""
    return f"{result.dataset.n_rows:,} rows, {len(result.dataset.classes)} classes{run}"


def result_repr(result: AuditResult) -> str:
    """A short text summary: the dataset, its rows, the flags per issue and the warnings' codes.

    Parameters
    ----------
    result : AuditResult
        The audit.

    Returns
    -------
    str
        Three lines at most: ``<AuditResult 'reviews': 60 rows, 3 classes``, then the issues
        that flagged rows, e.g. ``flags: label 3, outlier 0 (2 withheld) (none for the other 7
        issues)``, then ``warnings: model_near_chance`` when there are any, and ``>``.
    """
    counts = _flag_counts(result)
    shown = [f"{issue} {count}" for issue, count in counts if count != "0"]
    rest = len(counts) - len(shown)
    others = f"none for the other {rest} issue{'s' if rest != 1 else ''}" if shown else f"none in {rest} issues"
    lines = [
        f"<AuditResult {result.dataset.name!r}: {_heading(result)}",
        "  flags: " + ", ".join(shown) + (f" ({others})" if shown and rest else others if not shown else ""),
    ]
    if result.warnings:
        lines.append("  warnings: " + ", ".join(w.code for w in result.warnings))
    return "\n".join(lines) + ">"


def result_html(result: AuditResult) -> str:
    """A small HTML view for Jupyter: a heading, a table of flags per issue, the warnings.

    Parameters
    ----------
    result : AuditResult
        The audit.

    Returns
    -------
    str
        An HTML fragment; every text that comes from the data is escaped with :func:`html.escape`.
    """
    descriptions = result.descriptions
    share = {
        issue: n / max(result.dataset.n_rows, 1)
        for issue, n in result.table.groupby("issue", sort=False)["flagged"].sum().items()
    }
    rows = "".join(
        f"<tr><td>{escape(issue)}</td><td style='text-align:right'>{escape(count)}</td>"
        f"<td style='text-align:right'>{100 * share.get(issue, 0.0):.2f} %</td>"
        f"<td>{escape(descriptions.get(issue, ''))}</td></tr>"
        for issue, count in _flag_counts(result)
    )
    warnings = "".join(
        f"<li><code>{escape(w.code)}</code>: {escape(w.line())}"
        + (f" <em>(withheld: {escape(', '.join(w.withheld))})</em>" if w.withheld else "")
        + "</li>"
        for w in result.warnings
    )
    return (
        f"<div class='curate-audit'><p><strong>curate audit of {escape(result.dataset.name)}</strong>: "
        f"{escape(_heading(result))}</p>"
        "<table><thead><tr><th>issue</th><th>flagged</th><th>share</th><th>what it means</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        + (f"<p>warnings:</p><ul>{warnings}</ul>" if warnings else "")
        + "<p><code>.findings</code> lists the flagged rows; <code>.to_html()</code> is the full report.</p></div>"
    )


def with_text(result: AuditResult, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (findings or scores of ``result``) with a ``text`` column: each row's input.

    Parameters
    ----------
    result : AuditResult
        The audit whose rows ``frame`` names by ``row_id``.
    frame : pandas.DataFrame
        Rows of ``result.scores``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``text`` after ``row_id``: the row's text (text columns joined), or for other
        inputs its first eight fields as ``name=value``; whole, not cut.
    """
    dataset = result.dataset
    modality = get_modality(dataset.modality)
    at = {r: i for i, r in enumerate(dataset.row_ids)}
    texts: dict[Any, str] = {}
    for row_id in frame["row_id"].unique():
        texts[row_id] = modality.preview(dataset, at[label_text(row_id)], sys.maxsize)
    out = frame.copy()
    out.insert(list(out.columns).index("row_id") + 1, "text", out["row_id"].map(texts).astype(object))
    return out
