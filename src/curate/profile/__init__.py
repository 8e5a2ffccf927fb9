"""Know your data: profiles of a dataset's columns, classes, texts, pictures and copies, and its data card."""

from curate.profile.card import CARD_FIELDS, AuditFacts, DataCard, card_field, card_markdown
from curate.profile.card_workspace import export_card, profile_workspace_dataset, read_card, set_card_fields
from curate.profile.classes import ClassBalance, class_balance
from curate.profile.columns import ColumnProfile, profile_column, profile_columns
from curate.profile.duplicates import DuplicateSummary, duplicate_summary
from curate.profile.facts import fact_lines
from curate.profile.images import ImageProfile, profile_images
from curate.profile.profiling import DataProfile, profile_data, profile_dataset
from curate.profile.stats import Distribution, distribution
from curate.profile.text import TextProfile, TokenProfile, profile_texts, profile_tokens

__all__ = [
    "CARD_FIELDS",
    "AuditFacts",
    "ClassBalance",
    "ColumnProfile",
    "DataCard",
    "DataProfile",
    "Distribution",
    "DuplicateSummary",
    "ImageProfile",
    "TextProfile",
    "TokenProfile",
    "card_field",
    "card_markdown",
    "class_balance",
    "distribution",
    "duplicate_summary",
    "export_card",
    "fact_lines",
    "profile_column",
    "profile_columns",
    "profile_data",
    "profile_dataset",
    "profile_images",
    "profile_texts",
    "profile_tokens",
    "profile_workspace_dataset",
    "read_card",
    "set_card_fields",
]
