"""Several annotators: how much they agree, consensus labels, annotator quality, active learning."""

from __future__ import annotations

from curate.annotators.acquisition import entropy_uncertainty, k_center_greedy, margin_uncertainty, vote_entropy
from curate.annotators.active import STRATEGIES, Queue, QueueItem, next_items
from curate.annotators.agreement import Agreement, agreement, category_counts, fleiss_kappa
from curate.annotators.consensus import WEAK_CONSENSUS_BELOW, ConsensusResult, consensus, majority_vote
from curate.annotators.learning import Retrained, TrainingRecord, retrain
from curate.annotators.modelled import ConsensusTable, consensus_table, model_pred_probs
from curate.annotators.queueing import LabelQueue, label_queue, text_vectors

__all__ = [
    "STRATEGIES",
    "WEAK_CONSENSUS_BELOW",
    "Agreement",
    "ConsensusResult",
    "ConsensusTable",
    "LabelQueue",
    "Queue",
    "QueueItem",
    "Retrained",
    "TrainingRecord",
    "agreement",
    "category_counts",
    "consensus",
    "consensus_table",
    "entropy_uncertainty",
    "fleiss_kappa",
    "k_center_greedy",
    "label_queue",
    "majority_vote",
    "margin_uncertainty",
    "model_pred_probs",
    "next_items",
    "retrain",
    "text_vectors",
    "vote_entropy",
]
