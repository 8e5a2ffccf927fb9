"""Modalities: what differs between input kinds (text, tables, ...), behind one protocol.

Outside this package no code asks which kind of input it has; it asks the dataset's modality
(``get_modality(dataset.modality)``) to embed, key, check, classify or show its rows.
"""

from curate.modalities.base import FeatureSet, InputProblems, Modality, RowView
from curate.modalities.registry import (
    available_modalities,
    get_modality,
    register_modality,
    resolve_modality,
    unregister_modality,
)

__all__ = [
    "FeatureSet",
    "InputProblems",
    "Modality",
    "RowView",
    "available_modalities",
    "get_modality",
    "register_modality",
    "resolve_modality",
    "unregister_modality",
]
