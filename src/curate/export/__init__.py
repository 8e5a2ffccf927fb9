"""Export a dataset version (the source with the ledger applied) and a run's findings."""

from curate.export.findings import export_findings, findings_table
from curate.export.versions import ExportSummary, diff_versions, export_version, latest_dataset, load_current_source

__all__ = [
    "ExportSummary",
    "diff_versions",
    "export_findings",
    "export_version",
    "findings_table",
    "latest_dataset",
    "load_current_source",
]
