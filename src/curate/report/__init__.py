"""The HTML report: one self-contained file (styles and plots inline, no network)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from curate.report.data import ReportData, from_result, from_workspace
from curate.report.render import render

if TYPE_CHECKING:
    from curate.audit import AuditResult

__all__ = ["ReportData", "from_result", "from_workspace", "render", "render_report"]


def render_report(result: AuditResult) -> str:
    """The HTML report of a fresh audit result."""
    return render(from_result(result))
