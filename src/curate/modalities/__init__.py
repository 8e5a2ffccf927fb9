"""Modalities: what differs between input kinds (text, tables, ...), behind one protocol."""
