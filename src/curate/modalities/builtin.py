"""Import the built-in modalities so that each registers itself: tabular first, so image and text are asked first."""

from importlib import import_module

BUILTIN_MODULES = ("tabular", "text", "image")

for _module in BUILTIN_MODULES:
    import_module(f"curate.modalities.{_module}")
