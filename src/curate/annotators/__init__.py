"""Several annotators: how much they agree, active learning (and, to come, consensus, annotator quality)."""

from __future__ import annotations

from curate.annotators.acquisition import entropy_uncertainty, k_center_greedy, margin_uncertainty, vote_entropy
from curate.annotators.active import STRATEGIES, Queue, QueueItem, next_items
from curate.annotators.agreement import Agreement, agreement, category_counts, fleiss_kappa
from curate.annotators.learning import Retrained, TrainingRecord, retrain
from curate.annotators.queueing import LabelQueue, label_queue, text_vectors

__all__ = [
    "STRATEGIES",
    "Agreement",
    "LabelQueue",
    "Queue",
    "QueueItem",
    "Retrained",
    "TrainingRecord",
    "agreement",
    "category_counts",
    "entropy_uncertainty",
    "fleiss_kappa",
    "k_center_greedy",
    "label_queue",
    "margin_uncertainty",
    "next_items",
    "retrain",
    "text_vectors",
    "vote_entropy",
]
