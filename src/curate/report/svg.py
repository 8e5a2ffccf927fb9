"""Small inline SVG bar charts: no plotting library, no fonts to ship, Korean labels render as text."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["horizontal_bars"]


def horizontal_bars(labels: Sequence[str], values: Sequence[float], *, width: int = 640,
                    bar_height: int = 18, colour: str = "#4c78a8", max_rows: int = 40) -> str:
    """An SVG of one labelled horizontal bar per value (the first ``max_rows``, in the order given).

    Bars are scaled to the largest value; labels longer than 28 characters are cut (the full label
    is the tooltip), and every label is HTML-escaped.

    Parameters
    ----------
    labels : sequence of str
        One label per bar.
    values : sequence of float
        One value per bar, as long as ``labels``; non-negative.
    width : int, default 640
        The SVG's width in pixels (200 of them for the labels).
    bar_height : int, default 18
        Pixels per bar, gap included.
    colour : str, default "#4c78a8"
        The bars' fill colour.
    max_rows : int, default 40
        At most this many bars; pass the pairs largest first to keep the largest.

    Returns
    -------
    str
        An ``<svg>`` element, or a ``<p>`` saying there is nothing to plot when ``labels`` is empty.

    Raises
    ------
    ValueError
        When ``labels`` and ``values`` differ in length.
    """
    pairs = list(zip(labels, values, strict=True))[:max_rows]
    if not pairs:
        return "<p>(nothing to plot)</p>"
    top = max(v for _, v in pairs) or 1
    label_width = 200
    plot_width = width - label_width - 60
    height = bar_height * len(pairs) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for row, (label, value) in enumerate(pairs):
        y = row * bar_height + 2
        length = max(1.0, plot_width * value / top) if value else 0
        shown = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="12">'
            f"{escape(shown)}<title>{escape(label)}</title></text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height - 4}" fill="{colour}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12">'
            f"{value:g}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
