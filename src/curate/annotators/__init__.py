"""Several annotators: how much they agree, consensus labels, annotator quality (and, to come, active learning)."""

from __future__ import annotations

from curate.annotators.agreement import Agreement, agreement, category_counts, fleiss_kappa
from curate.annotators.consensus import WEAK_CONSENSUS_BELOW, ConsensusResult, consensus, majority_vote
from curate.annotators.modelled import ConsensusTable, consensus_table, model_pred_probs

__all__ = [
    "WEAK_CONSENSUS_BELOW",
    "Agreement",
    "ConsensusResult",
    "ConsensusTable",
    "agreement",
    "category_counts",
    "consensus",
    "consensus_table",
    "fleiss_kappa",
    "majority_vote",
    "model_pred_probs",
]
