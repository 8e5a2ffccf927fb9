"""Revision 0003 (annotation mode) and schema.py agree on PostgreSQL too, compared as the DDL each emits.

curate does not open PostgreSQL workspaces yet (revision 0002 refuses them until the ledger's guard
is written there), so no server is started: Alembic runs the revision in offline mode for the
PostgreSQL dialect and its statements are compared with what schema.py's tables compile to. The
SQLite side is checked against a real database in test_migrations.py.
"""

from __future__ import annotations

import importlib
import io
import re

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable

from curate.store import schema


def _statements(sql: str) -> list[str]:
    return [re.sub(r"\s+", " ", s).strip() for s in sql.split(";") if s.strip().startswith("CREATE")]


def test_revision_0003_emits_schema_py_tables_on_postgresql() -> None:
    out = io.StringIO()
    context = MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True, "output_buffer": out})
    revision = importlib.import_module("curate.store.migrations.versions.r0003_annotation_mode")
    with Operations.context(context):
        revision.upgrade()
    emitted = _statements(out.getvalue())
    expected = [re.sub(r"\s+", " ", str(CreateTable(t).compile(dialect=postgresql.dialect()))).strip()
                for t in (schema.accounts, schema.annotation_items, schema.annotation_settings)]
    assert emitted == expected
    assert "TRIGGER" not in out.getvalue()  # the settings' guard is SQLite's; PostgreSQL's is still to write
    assert "INSERT INTO schema_migrations (version, applied_at) VALUES (3," in out.getvalue()
