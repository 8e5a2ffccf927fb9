"""The workspace store: the only package that writes SQL (SQLAlchemy Core, Alembic migrations)."""

from curate.core.source import SourceRecord
from curate.store.records import RunRecord, StoredSource, VersionRecord
from curate.store.workspace import DEFAULT_WORKSPACE, Workspace, WorkspaceTransaction

__all__ = [
    "DEFAULT_WORKSPACE",
    "RunRecord",
    "SourceRecord",
    "StoredSource",
    "VersionRecord",
    "Workspace",
    "WorkspaceTransaction",
]
