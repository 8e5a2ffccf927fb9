"""Import every built-in detector module so that each registers itself, in the order reports list them.

:mod:`curate.detectors` imports this module, so the built-ins are registered, in this order, before
any other detector can be: see :mod:`curate.detectors.registry` for why they are not entry points.
"""

from importlib import import_module

__all__ = ["BUILTIN_MODULES"]

BUILTIN_MODULES = (
    "label_issues",
    "ambiguous",
    "exact_duplicates",
    "near_duplicates",
    "conflicting_labels",
    "leakage",
    "outliers",
    "class_imbalance",
    "input_quality",
)

for _module in BUILTIN_MODULES:
    import_module(f"curate.detectors.{_module}")
