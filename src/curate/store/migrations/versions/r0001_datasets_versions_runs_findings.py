"""Datasets, their versions and rows; runs and their findings (0.1.0's migration 1).

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Creates exactly what curate 0.1.0's first SQL migration created, including ``schema_migrations``,
which 0.1.0 made before its migrations. Integer ids are nullable in the declaration because 0.1.0
declared them ``INTEGER PRIMARY KEY`` (SQLite's rowid alias); scores are ``REAL`` on SQLite as then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from curate.store.migrations import mark_schema_version

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

_SCORE: sa.types.TypeEngine[float] = sa.Double().with_variant(sa.REAL(), "sqlite")


def upgrade() -> None:
    """Create the tables of datasets, versions, rows, runs and findings."""
    op.create_table(
        "schema_migrations",
        sa.Column("version", sa.Integer, primary_key=True, nullable=True),
        sa.Column("applied_at", sa.Text, nullable=False),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_copy", sa.Text, nullable=False),
        sa.Column("test_source_path", sa.Text),
        sa.Column("test_source_copy", sa.Text),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("encoding", sa.Text),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("classes", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.UniqueConstraint("dataset_id", "number"),
        sa.UniqueConstraint("dataset_id", "fingerprint"),
    )
    op.create_table(
        "rows",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("row_id", sa.Text, nullable=False),
        sa.Column("split", sa.Text),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("version_id", "position"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("code_version", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text, nullable=False),
        sa.Column("timings", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("row_id", sa.Text, nullable=False),
        sa.Column("issue", sa.Text, nullable=False),
        sa.Column("score", _SCORE, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("suggested_label", sa.Text),
        sa.Column("details", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "issue", "position"),
    )
    op.create_index("findings_flagged", "findings", ["run_id", "flagged", "issue", "score"])
    mark_schema_version(1)


def downgrade() -> None:
    """Refuse: curate never downgrades a workspace, because that would drop recorded work."""
    raise NotImplementedError("curate workspaces are never downgraded")
