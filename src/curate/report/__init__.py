"""The HTML report: one self-contained file (styles and plots inline, no network)."""

from __future__ import annotations

from curate.report.data import AuditOutcome, ReportData, from_result, from_workspace
from curate.report.render import render

__all__ = ["AuditOutcome", "ReportData", "from_result", "from_workspace", "render", "render_report"]


def render_report(result: AuditOutcome) -> str:
    """The HTML report of a fresh audit result.

    Parameters
    ----------
    result : AuditOutcome
        A fresh audit, such as :class:`curate.audit.AuditResult`.

    Returns
    -------
    str
        One self-contained HTML document (see :func:`render`).
    """
    return render(from_result(result))
