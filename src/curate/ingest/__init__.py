"""Ingest: read files or DataFrames into a validated Dataset (see ``curate.ingest.loading``)."""
