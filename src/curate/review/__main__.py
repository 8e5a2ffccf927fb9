"""``python -m curate.review``: the same as ``curate review``."""

from curate.review.cli import review_command

review_command(prog_name="curate review")
