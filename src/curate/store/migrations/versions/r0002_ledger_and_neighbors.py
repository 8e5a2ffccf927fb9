"""The append-only ledger of human decisions, and each run's neighbour lists (0.1.0's migration 2).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

The ledger refuses UPDATE and DELETE in the database itself, so that no code path, curate's or
anyone's with the file, can rewrite history without it showing: on SQLite two triggers RAISE(ABORT).
Other databases have no such triggers written yet and this revision refuses to run on them rather
than create a ledger that can be rewritten. On PostgreSQL the equivalent is a PL/pgSQL function
that raises an exception, attached ``BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from curate.store.migrations import mark_schema_version

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

_SCORE: sa.types.TypeEngine[float] = sa.Double().with_variant(sa.REAL(), "sqlite")

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER decisions_never_updated BEFORE UPDATE ON decisions\n"
    "        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: decisions are never updated'); END",
    "CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions\n"
    "        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: decisions are never deleted'); END",
)


def upgrade() -> None:
    """Create the decisions ledger with its append-only guard, and the run_neighbors table.

    Raises
    ------
    NotImplementedError
        On a database other than SQLite, for which the append-only guard is not written yet.
    """
    dialect = op.get_bind().dialect.name
    if dialect != "sqlite":
        raise NotImplementedError(
            f"the ledger's append-only guard exists only for SQLite, not {dialect}; "
            "write its triggers in this revision before using this database"
        )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, nullable=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("row_id", sa.Text, nullable=False),
        sa.Column("input_hash", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("issue", sa.Text),
        sa.Column("score", _SCORE),
        sa.Column("reason", sa.Text),
        sa.Column("undoes", sa.Integer, sa.ForeignKey("decisions.id")),
    )
    op.create_index("decisions_by_row", "decisions", ["dataset_id", "row_id", "id"])
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    op.create_table(
        "run_neighbors",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("neighbors", sa.Text, nullable=False),
        sa.Column("similarities", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "position"),
    )
    mark_schema_version(2)


def downgrade() -> None:
    """Refuse: curate never downgrades a workspace, because that would drop the ledger."""
    raise NotImplementedError("curate workspaces are never downgraded")
