"""The tables of the workspace database as SQLAlchemy Core metadata, for the store's queries.

This describes the schema at the newest revision; the migrations under ``store/migrations`` build it.
They are kept apart on purpose: a shipped revision must keep creating what it created then, even
after these tables change, so revisions never import this module. A test checks that a database
upgraded by the revisions and this metadata agree column for column.

Integer ids are declared nullable because 0.1.0 declared them ``INTEGER PRIMARY KEY`` (SQLite's
rowid alias, which is never NULL in practice); the scores are ``REAL`` on SQLite as they were then,
and double precision elsewhere, where ``REAL`` means single precision.
"""

from __future__ import annotations

from sqlalchemy import (
    REAL,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

__all__ = [
    "SCORE",
    "accounts",
    "annotation_items",
    "annotation_settings",
    "dataset_versions",
    "datasets",
    "decisions",
    "findings",
    "metadata",
    "rows",
    "run_neighbors",
    "runs",
    "schema_migrations",
]

SCORE: TypeEngine[float] = Double().with_variant(REAL(), "sqlite")

metadata = MetaData()

# What curate 0.1.0 reads to refuse a workspace from a newer curate; every revision adds its number.
schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, nullable=True),
    Column("applied_at", Text, nullable=False),
)

datasets = Table(
    "datasets", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
)

dataset_versions = Table(
    "dataset_versions", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("source_copy", Text, nullable=False),
    Column("test_source_path", Text),
    Column("test_source_copy", Text),
    Column("format", Text, nullable=False),
    Column("encoding", Text),
    Column("options", Text, nullable=False),
    Column("n_rows", Integer, nullable=False),
    Column("classes", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    UniqueConstraint("dataset_id", "number"),
    UniqueConstraint("dataset_id", "fingerprint"),
)

rows = Table(
    "rows", metadata,
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), primary_key=True, nullable=False),
    Column("position", Integer, primary_key=True, nullable=False),
    Column("row_id", Text, nullable=False),
    Column("split", Text),
    Column("label", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("params", Text, nullable=False),
    Column("code_version", Text, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text, nullable=False),
    Column("timings", Text, nullable=False),
    Column("metrics", Text, nullable=False),
    Column("notes", Text, nullable=False),
)

findings = Table(
    "findings", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("row_id", Text, nullable=False),
    Column("issue", Text, nullable=False),
    Column("score", SCORE, nullable=False),
    Column("flagged", Integer, nullable=False),
    Column("suggested_label", Text),
    Column("details", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "issue", "position"),
)
Index("findings_flagged", findings.c.run_id, findings.c.flagged, findings.c.issue, findings.c.score)

# Append-only: on SQLite, triggers refuse UPDATE and DELETE (revision 0002).
decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("row_id", Text, nullable=False),
    Column("input_hash", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("reviewer", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("issue", Text),
    Column("score", SCORE),
    Column("reason", Text),
    Column("undoes", Integer, ForeignKey("decisions.id")),
)
Index("decisions_by_row", decisions.c.dataset_id, decisions.c.row_id, decisions.c.id)

run_neighbors = Table(
    "run_neighbors", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True, nullable=False),
    Column("position", Integer, primary_key=True, nullable=False),
    Column("neighbors", Text, nullable=False),
    Column("similarities", Text, nullable=False),
)

# Revision 0003: annotation mode. Accounts of the people who annotate (argon2 hashes, never a
# password); the items of an annotation dataset, which need no label; and its settings, appended
# (triggers refuse UPDATE and DELETE on SQLite) so the history of K and the guidelines is kept.
accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", Integer, nullable=False),
)

annotation_items = Table(
    "annotation_items", metadata,
    Column("dataset_id", Integer, ForeignKey("datasets.id"), primary_key=True, nullable=False),
    Column("position", Integer, primary_key=True, nullable=False),
    Column("row_id", Text, nullable=False),
    Column("fields", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    UniqueConstraint("dataset_id", "row_id"),
)

annotation_settings = Table(
    "annotation_settings", metadata,
    Column("id", Integer, primary_key=True, nullable=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("per_item", Integer, nullable=False),
    Column("guidelines", Text, nullable=False),
    Column("classes", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)
