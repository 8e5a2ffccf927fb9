"""Slices and bias: where the labels are worse than overall, and how groups of a sensitive attribute differ."""

from __future__ import annotations

from curate.slices.candidates import Grouping, cluster_grouping, column_groupings
from curate.slices.disparity import GroupFigures, group_disparities
from curate.slices.finder import MEASURES, SliceFinding, SliceReport, find_slices, wilson_interval

__all__ = ["MEASURES", "GroupFigures", "Grouping", "SliceFinding", "SliceReport", "cluster_grouping",
           "column_groupings", "find_slices", "group_disparities", "wilson_interval"]
