"""Tests of curate.ingest: readers, encodings, labels."""
