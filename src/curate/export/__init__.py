"""Export a dataset version (the source with the ledger applied) and a run's findings."""

from curate.export.findings import export_findings, findings_table
from curate.export.tree import TreeSummary, export_tree
from curate.export.versions import ExportSummary, diff_versions, export_version, latest_dataset, load_current_source

__all__ = [
    "ExportSummary",
    "TreeSummary",
    "diff_versions",
    "export_findings",
    "export_tree",
    "export_version",
    "findings_table",
    "latest_dataset",
    "load_current_source",
]
