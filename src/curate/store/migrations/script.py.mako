"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from curate.store.migrations import mark_schema_version

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision; curate runs it inside the command's write transaction."""
    ${upgrades if upgrades else "pass"}
    mark_schema_version(int(revision))


def downgrade() -> None:
    """Refuse: curate never downgrades a workspace, because that would drop recorded work."""
    raise NotImplementedError("curate workspaces are never downgraded")
