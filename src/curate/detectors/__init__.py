"""Detectors: a registry of small classes, one issue type each."""

from curate.detectors.base import NEED_NAMES, Detector, DetectorResult, NeedProvider
from curate.detectors.registry import available_detectors, get_detector, register

__all__ = [
    "NEED_NAMES",
    "Detector",
    "DetectorResult",
    "NeedProvider",
    "available_detectors",
    "get_detector",
    "register",
]
