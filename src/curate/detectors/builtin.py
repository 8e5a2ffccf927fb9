"""Import every built-in detector module so that each registers itself, in the order reports list them."""

from importlib import import_module

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
