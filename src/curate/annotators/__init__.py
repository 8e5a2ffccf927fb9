"""Several annotators: how much they agree (and, to come, consensus, annotator quality, active learning)."""

from __future__ import annotations

from curate.annotators.agreement import Agreement, agreement, category_counts, fleiss_kappa

__all__ = ["Agreement", "agreement", "category_counts", "fleiss_kappa"]
