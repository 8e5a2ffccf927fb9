"""``python -m curate.cli``: the same as ``curate``."""

from curate.cli.main import main

main()
