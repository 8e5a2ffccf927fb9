"""Detectors: a registry of small classes, one issue type each."""

# Registers the built-ins at import, in BUILTIN_MODULES order, before anything else can: importing
# any curate.detectors.<module> runs this package's __init__ first.
import curate.detectors.builtin  # noqa: F401
from curate.detectors.base import NEED_NAMES, Detector, DetectorResult, NeedProvider
from curate.detectors.registry import available_detectors, get_detector, register, unregister

__all__ = [
    "NEED_NAMES",
    "Detector",
    "DetectorResult",
    "NeedProvider",
    "available_detectors",
    "get_detector",
    "register",
    "unregister",
]
