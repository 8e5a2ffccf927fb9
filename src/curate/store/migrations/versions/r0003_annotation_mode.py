"""Annotation mode: accounts, the items of annotation datasets, and their settings' history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

- ``accounts``: who may sign in to ``curate annotate serve``; ``password_hash`` holds an argon2id
  hash (``argon2-cffi``), never a password; ``disabled`` is 0 or 1.
- ``annotation_items``: the rows of a dataset imported for annotation. Unlike ``rows`` they need
  no label: an item is unlabelled until annotators label it, and its labels are ``annotate``
  entries of the ledger (``decisions``), not a column here. ``fields`` is the item's input as a
  JSON object (column name to text), so a pair such as premise/hypothesis keeps its parts.
- ``annotation_settings``: annotators per item, guidelines and classes, one appended row per
  change; the newest row is in force. On SQLite, triggers refuse UPDATE and DELETE, as on the
  ledger, so the history cannot be rewritten. On PostgreSQL (not accepted by curate yet; revision
  0002 refuses it first) the tables are created the same way and the settings' guard is still to
  write, as the ledger's is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from curate.store.migrations import mark_schema_version

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER annotation_settings_never_updated BEFORE UPDATE ON annotation_settings\n"
    "        BEGIN SELECT RAISE(ABORT, 'annotation settings are appended: never updated'); END",
    "CREATE TRIGGER annotation_settings_never_deleted BEFORE DELETE ON annotation_settings\n"
    "        BEGIN SELECT RAISE(ABORT, 'annotation settings are appended: never deleted'); END",
)


def upgrade() -> None:
    """Create the accounts, annotation_items and annotation_settings tables."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("disabled", sa.Integer, nullable=False),
    )
    op.create_table(
        "annotation_items",
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("row_id", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "position"),
        sa.UniqueConstraint("dataset_id", "row_id"),
    )
    op.create_table(
        "annotation_settings",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("per_item", sa.Integer, nullable=False),
        sa.Column("guidelines", sa.Text, nullable=False),
        sa.Column("classes", sa.Text, nullable=False),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    mark_schema_version(3)


def downgrade() -> None:
    """Refuse: curate never downgrades a workspace, because that would drop accounts and settings."""
    raise NotImplementedError("curate workspaces are never downgraded")
