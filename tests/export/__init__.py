"""Tests of curate.export: findings and dataset versions written back to files."""
