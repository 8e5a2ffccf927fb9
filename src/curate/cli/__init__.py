"""The command line: parse, call one library function, present the result."""

from curate.cli.main import main

__all__ = ["main"]
