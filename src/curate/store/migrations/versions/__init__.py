"""Revisions of the workspace schema, applied in order (see :mod:`curate.store.migrations`)."""
