"""Short previews of inputs for reviewers."""

from __future__ import annotations

__all__ = ["preview"]


def preview(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis.

    Parameters
    ----------
    text : str
        The text.
    limit : int, default 160
        The most characters, ellipsis included.

    Returns
    -------
    str
        ``text`` with every run of whitespace as one space, cut to ``limit - 1`` characters and
        ``…`` when it is longer.

    Examples
    --------
    >>> preview("a   b  c d", limit=4)
    'a b…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
