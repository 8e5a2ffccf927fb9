"""The workspace store: the only package that writes SQL."""

from curate.core.source import SourceRecord
from curate.store.workspace import DEFAULT_WORKSPACE, RunRecord, VersionRecord, Workspace

__all__ = ["DEFAULT_WORKSPACE", "RunRecord", "SourceRecord", "VersionRecord", "Workspace"]
