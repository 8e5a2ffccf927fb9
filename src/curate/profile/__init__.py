"""Know your data: profiles of a dataset's columns, classes, texts, pictures and copies, and its data card."""

from curate.profile.classes import ClassBalance, class_balance
from curate.profile.columns import ColumnProfile, profile_column, profile_columns
from curate.profile.duplicates import DuplicateSummary, duplicate_summary
from curate.profile.images import ImageProfile, profile_images
from curate.profile.profiling import DataProfile, profile_data, profile_dataset
from curate.profile.stats import Distribution, distribution
from curate.profile.text import TextProfile, TokenProfile, profile_texts, profile_tokens

__all__ = [
    "ClassBalance",
    "ColumnProfile",
    "DataProfile",
    "Distribution",
    "DuplicateSummary",
    "ImageProfile",
    "TextProfile",
    "TokenProfile",
    "class_balance",
    "distribution",
    "duplicate_summary",
    "profile_column",
    "profile_columns",
    "profile_data",
    "profile_dataset",
    "profile_images",
    "profile_texts",
    "profile_tokens",
]
