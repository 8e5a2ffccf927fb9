"""Short previews of inputs for reviewers."""

from __future__ import annotations

__all__ = ["preview"]


def preview(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
