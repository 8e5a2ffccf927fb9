"""The workspace store: the only package that writes SQL."""

from curate.store.workspace import DEFAULT_WORKSPACE, RunRecord, SourceRecord, VersionRecord, Workspace

__all__ = ["DEFAULT_WORKSPACE", "RunRecord", "SourceRecord", "VersionRecord", "Workspace"]
