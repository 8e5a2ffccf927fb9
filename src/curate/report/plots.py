"""The report's charts, drawn by matplotlib as inline SVG: no script, no network, text kept as text.

Text stays ``<text>`` (``svg.fonttype = "none"``), so Korean labels are drawn by the reader's
browser with its own fonts, and matplotlib escapes every label, so a class named ``<script>`` is
shown, never run. Pictures with thousands of points (the data map) are rasterised to a PNG inside
the document instead of thousands of SVG elements; their text (the map's legend) is HTML beside
the picture, so no class name depends on the fonts matplotlib has. The output is the same for the
same input (fixed ids, no date).
"""

from __future__ import annotations

import base64
import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["BLUE", "RED", "bars", "heatmap", "histograms", "interval_bars", "line_chart", "scatter_map"]

BLUE = "#4c78a8"
RED = "#e45756"
GREY = "#bbbbbb"
_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none", "svg.hashsalt": "curate", "font.size": 9,
    # The browser draws the text: a Korean-capable font first where the reader has one.
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", "Arial"],
    "axes.spines.top": False, "axes.spines.right": False,
    # Labels are the data's own text: "$" is a dollar sign, never the start of TeX (a class named
    # "100% $ #1 $" failed to parse and cost the report; "$\frac{1}{0}$" was drawn as a fraction).
    "text.parse_math": False,
}


@contextmanager
def _figure(width: float, height: float, grid: tuple[int, int] | None = None) -> Iterator[tuple[Any, Any]]:
    """A figure and its axes (one, or a 2-D array of them for ``grid``), closed afterwards."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(_STYLE), warnings.catch_warnings():  # type: ignore[arg-type]
        # Glyphs missing from matplotlib's own font (Hangul) only affect its layout estimate.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        axes: Any
        if grid is None:
            fig, axes = plt.subplots(figsize=(width, height))
        else:
            fig, axes = plt.subplots(*grid, figsize=(width, height), squeeze=False)
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def _svg(fig: Any, title: str) -> str:
    """The figure as an ``<svg>`` element with an accessible title, no XML prolog."""
    buffer = io.StringIO()
    _plain_log_ticks(fig)
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    markup = _PROLOG.sub("", buffer.getvalue(), count=1)
    from html import escape

    return markup.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


def _plain_number(value: float) -> str:
    """A tick value as people write it: ``1``, ``1,000``, ``0.01``."""
    if value >= 1:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return np.format_float_positional(value, trim="-")


def _plain_log_ticks(fig: Any) -> None:
    """Write every log axis's tick labels as plain numbers (``1``, ``10``, ``1,000``).

    Matplotlib labels a log axis with TeX (``$\\mathdefault{10^{3}}$``), which with ``text.parse_math``
    off (the data's ``$`` stays a dollar sign) would reach the reader as raw TeX. Run before every
    save, so an axis made logarithmic anywhere gets the same labels.
    """
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        """Matplotlib's choice of which log ticks to label, each written as a plain number."""

        def __call__(self, x: float, pos: int | None = None) -> str:
            """Label the tick at ``x`` plainly, or leave it blank where matplotlib would.

            Parameters
            ----------
            x : float
                The tick's value.
            pos : int, optional
                The tick's position.

            Returns
            -------
            str
                The number, or an empty string.
            """
            return _plain_number(x) if super().__call__(x, pos) else ""

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(PlainLogFormatter())
                axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _short(label: str, width: int = 24) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def bars(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str = "rows",
         colour: str = BLUE, max_rows: int = 40) -> str:
    """Horizontal bars, one per label, in the order given (the first ``max_rows``), values written beside them.

    Parameters
    ----------
    labels : sequence of str
        One label per bar (cut to 24 characters).
    values : sequence of float
        One non-negative value per bar.
    title : str
        The chart's accessible name.
    xlabel : str, default "rows"
        The value axis's label.
    colour : str, default BLUE
        The bars' colour.
    max_rows : int, default 40
        At most this many bars.

    Returns
    -------
    str
        An ``<svg>`` element, or a ``<p>`` when there is nothing to plot.

    Raises
    ------
    ValueError
        When ``labels`` and ``values`` differ in length.
    """
    pairs = list(zip(labels, values, strict=True))[:max_rows]
    if not pairs:
        return "<p class=\"muted\">(nothing to plot)</p>"
    with _figure(6.4, 0.6 + 0.22 * len(pairs)) as (fig, ax):
        positions = np.arange(len(pairs))
        heights = [float(v) for _, v in pairs]
        ax.barh(positions, heights, color=colour, height=0.7)
        ax.set_yticks(positions, [_short(str(label)) for label, _ in pairs])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        top = max(heights) or 1.0
        for y, v in zip(positions, heights, strict=True):
            ax.text(v + top * 0.01, y, f"{v:,.0f}" if float(v).is_integer() else f"{v:.3g}", va="center")
        ax.set_xlim(0, top * 1.15)
        if all(float(v).is_integer() for v in heights):  # counts: whole-number ticks only
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return _svg(fig, title)


def heatmap(matrix: np.ndarray, rows: Sequence[str], cols: Sequence[str], *, title: str, xlabel: str,
            ylabel: str, highlight: Sequence[tuple[int, int]] = ()) -> str:
    """A matrix of counts as a heatmap with each cell's value written in it; chosen cells outlined.

    The colour scale is the square root of the count, so the few large off-diagonal cells stand out
    beside a diagonal that holds most rows.

    Parameters
    ----------
    matrix : numpy.ndarray
        Shape (len(rows), len(cols)), non-negative.
    rows, cols : sequence of str
        Row and column labels.
    title, xlabel, ylabel : str
        The chart's accessible name and axis labels.
    highlight : sequence of (int, int), default ()
        Cells (row, column) outlined in red.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    values = np.asarray(matrix, dtype=float)
    n_rows, n_cols = values.shape
    side = max(3.2, 0.55 * max(n_rows, n_cols) + 1.6)
    with _figure(side + 1.0, side) as (fig, ax):
        # Vector cells (not imshow, which SVG holds as a bitmap): crisp at any zoom, found by a reader.
        ax.pcolormesh(np.sqrt(np.clip(values, 0, None)), cmap="Blues", edgecolors="white", linewidth=0.5)
        ax.set_xlim(0, n_cols)
        ax.set_ylim(n_rows, 0)
        ax.set_xticks(np.arange(n_cols) + 0.5, [_short(str(c), 16) for c in cols], rotation=45, ha="right")
        ax.set_yticks(np.arange(n_rows) + 0.5, [_short(str(r), 16) for r in rows])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.spines[:].set_visible(False)
        top = float(np.sqrt(values.max())) if values.size and values.max() > 0 else 1.0
        if n_rows * n_cols <= 900:  # numbers stay readable up to 30 x 30
            for (i, j), v in np.ndenumerate(values):
                dark = np.sqrt(max(v, 0.0)) > 0.6 * top
                ax.text(j + 0.5, i + 0.5, f"{v:,.0f}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "#222222")
        import matplotlib.patches as patches

        for i, j in highlight:
            ax.add_patch(patches.Rectangle((j, i), 1, 1, fill=False, edgecolor=RED, linewidth=2))
        return _svg(fig, title)


def histograms(series: dict[str, tuple[np.ndarray, np.ndarray]], *, title: str, bins: int = 40) -> str:
    """Small multiples: one histogram of scores per issue, the flagged rows stacked in red.

    Parameters
    ----------
    series : dict of str to (numpy.ndarray, numpy.ndarray)
        Issue name to (scores shape (n,), in [0, 1]; flagged shape (n,), bool).
    title : str
        The chart's accessible name.
    bins : int, default 40
        Bins over [0, 1].

    Returns
    -------
    str
        An ``<svg>`` element, or a ``<p>`` when there is nothing to plot.
    """
    names = list(series)
    if not names:
        return "<p class=\"muted\">(nothing to plot)</p>"
    columns = min(3, len(names))
    lines = -(-len(names) // columns)
    edges = np.linspace(0.0, 1.0, bins + 1)
    with _figure(3.2 * columns, 1.9 * lines, (lines, columns)) as (fig, axes):
        for ax, name in zip(axes.ravel(), names, strict=False):
            scores, flagged = series[name]
            kept = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
            # Overlaid, flagged in front: stacked on a log scale, the flagged share of a bin looked like nothing.
            ax.hist(kept[~flagged], bins=edges, color=GREY, label="not flagged")
            ax.hist(kept[flagged], bins=edges, color=RED, label="flagged", alpha=0.9)
            ax.set_yscale("log")
            # From under one row: matplotlib's own lower limit (about 18 beside a bin of thousands) hid
            # bins of a few flagged rows altogether.
            ax.set_ylim(bottom=0.5)
            ax.set_title(f"{name} ({int(np.sum(flagged)):,} flagged)", fontsize=9)
            ax.set_xlim(0, 1)
        for ax in axes.ravel()[len(names):]:
            ax.set_visible(False)
        # A fixed corner: loc="best" searches for one and, when that takes over a second (a busy machine),
        # matplotlib warns, which fails a command run with warnings as errors.
        axes[0, 0].legend(fontsize=7, frameon=False, loc="upper center")
        fig.supxlabel("score (lower is worse)", fontsize=9)
        fig.supylabel("rows (log scale)", fontsize=9)
        fig.tight_layout()
        return _svg(fig, title)


def interval_bars(labels: Sequence[str], values: Sequence[float], lows: Sequence[float], highs: Sequence[float],
                  *, reference: float | None, title: str, xlabel: str, marked: Sequence[bool] = ()) -> str:
    """One point per label with its interval as an error bar, and a reference line (the overall rate).

    Parameters
    ----------
    labels : sequence of str
        One label per point.
    values, lows, highs : sequence of float
        The estimate and its interval, per label.
    reference : float or None
        Where to draw the vertical reference line.
    title, xlabel : str
        The chart's accessible name and value axis label.
    marked : sequence of bool, default ()
        Labels drawn in red (for example slices found significantly worse).

    Returns
    -------
    str
        An ``<svg>`` element, or a ``<p>`` when there is nothing to plot.
    """
    if not labels:
        return "<p class=\"muted\">(nothing to plot)</p>"
    red = list(marked) + [False] * (len(labels) - len(marked))
    with _figure(6.4, 0.7 + 0.25 * len(labels)) as (fig, ax):
        y = np.arange(len(labels))
        v = np.asarray(values, dtype=float)
        err = np.vstack([v - np.asarray(lows, dtype=float), np.asarray(highs, dtype=float) - v])
        colours = [RED if m else BLUE for m in red]
        for i in range(len(labels)):
            ax.errorbar(v[i], y[i], xerr=err[:, i:i + 1], fmt="o", color=colours[i], capsize=3)
        if reference is not None:
            ax.axvline(reference, color="#555555", linestyle="--", linewidth=1)
        ax.set_yticks(y, [_short(str(label), 32) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        return _svg(fig, title)


def scatter_map(xy: np.ndarray, labels: Sequence[str], flagged: np.ndarray, *, title: str,
                max_classes: int = 12) -> str:
    """A 2-D map of the rows coloured by label, flagged rows ringed: an embedded PNG and its legend in HTML.

    The legend is HTML beside the picture, not text in it: the reader's browser draws every class
    name (Hangul included) whatever fonts matplotlib has, and the names are escaped.

    Parameters
    ----------
    xy : numpy.ndarray
        Shape (n, 2): each row's position.
    labels : sequence of str
        Each row's label, length n; classes past the ``max_classes`` largest are drawn grey as "other".
    flagged : numpy.ndarray
        Shape (n,), bool: rows to mark.
    title : str
        The picture's alternative text.
    max_classes : int, default 12
        Classes with a colour and a legend entry.

    Returns
    -------
    str
        A ``<div class="map">`` holding an ``<img>`` with a ``data:`` PNG and a ``<ul class="legend">``
        (one item per coloured class, largest first, then "other classes" and "flagged" where drawn),
        or a ``<p>`` when there are no points.
    """
    points = np.asarray(xy, dtype=float)
    if len(points) == 0:
        return "<p class=\"muted\">(nothing to plot)</p>"
    names = np.asarray([str(label) for label in labels], dtype=object)
    kinds, counts = np.unique(names, return_counts=True)
    shown = list(kinds[np.argsort(-counts, kind="stable")][:max_classes])
    legend: list[tuple[str, str, str]] = []  # (name, colour, swatch class)
    with _figure(7.0, 5.2) as (fig, ax):
        import matplotlib.pyplot as plt
        from matplotlib.colors import to_hex

        # Ten clearly different colours where they suffice; twenty (in light/dark pairs) beyond.
        palette = plt.get_cmap("tab10" if len(shown) <= 10 else "tab20")
        rest = ~np.isin(names, shown)
        if rest.any():
            ax.scatter(points[rest, 0], points[rest, 1], s=3, c=GREY, linewidths=0)
        for i, name in enumerate(shown):
            mine = names == name
            colour = to_hex(palette(i))
            ax.scatter(points[mine, 0], points[mine, 1], s=3, color=colour, linewidths=0)
            legend.append((str(name), colour, "swatch"))
        if rest.any():
            legend.append(("other classes", GREY, "swatch"))
        marks = np.asarray(flagged, dtype=bool)
        if marks.any():
            ax.scatter(points[marks, 0], points[marks, 1], s=16, facecolors="none", edgecolors="black",
                       linewidths=0.6)
            legend.append(("flagged", "#000000", "swatch ring"))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("principal component 1")
        ax.set_ylabel("principal component 2")
        buffer = io.BytesIO()
        _plain_log_ticks(fig)
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    from html import escape

    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    items = "".join(f'<li><span class="{kind}" style="--swatch: {colour}"></span>{escape(name)}</li>'
                    for name, colour, kind in legend)
    return (f'<div class="map"><img class="map" src="data:image/png;base64,{encoded}" alt="{escape(title)}">'
            f'<ul class="legend">{items}</ul></div>')


def line_chart(xs: Sequence[float], ys: Sequence[float | None], *, title: str, xlabel: str, ylabel: str,
               ylim: tuple[float, float] | None = None) -> str:
    """One line with a marker at each point, in the order given; points without a value are left out.

    Parameters
    ----------
    xs : sequence of float
        The points' x values.
    ys : sequence of float or None
        Their y values; None where there is none.
    title : str
        The chart's accessible name.
    xlabel : str
        The x axis's label.
    ylabel : str
        The y axis's label.
    ylim : tuple of float, optional
        The y axis's range.

    Returns
    -------
    str
        An ``<svg>`` element, or a ``<p>`` when there is nothing to plot.

    Raises
    ------
    ValueError
        When ``xs`` and ``ys`` differ in length.
    """
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if y is not None]
    if not pairs:
        return "<p class=\"muted\">(nothing to plot)</p>"
    with _figure(6.4, 3.0) as (fig, ax):
        ax.plot([x for x, _ in pairs], [y for _, y in pairs], color=BLUE, marker="o", markersize=3, linewidth=1.5)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(True, color=GREY, linewidth=0.5, alpha=0.6)
        return _svg(fig, title)
