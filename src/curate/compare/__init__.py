"""Runs compared: findings resolved and new, class balance and accuracy before and after the fixes."""

from __future__ import annotations

from curate.compare.runs import IssueChange, RunComparison, compare_runs
from curate.compare.verified import verified_change, verified_left_out

__all__ = ["IssueChange", "RunComparison", "compare_runs", "verified_change", "verified_left_out"]
