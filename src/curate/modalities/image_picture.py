"""A decoded picture made fit to show: scaled to a side length and encoded anew as PNG.

The review app shows pictures from these bytes only, never the stored ones: whatever a cell held
(an SVG, an HTML page named ``.png``, a PNG with odd chunks), what reaches a browser is a PNG that
Pillow wrote from pixels.
"""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["display_size", "picture_png"]


def display_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size a ``width`` x ``height`` picture is shown at, its longer side at most ``max_side``.

    A larger picture shrinks so that its longer side is ``max_side``. A picture at most half as
    long is enlarged by the largest whole factor that keeps it within ``max_side`` (a 28x28 digit
    becomes 84x84 for 96, 504x504 for 512), so each pixel becomes an equal square block. One in
    between keeps its size.

    Parameters
    ----------
    width, height : int
        The picture's size in pixels, at least 1 each.
    max_side : int
        The longest side wanted, in pixels, at least 1.

    Returns
    -------
    tuple of int
        ``(width, height)`` to show, each at least 1.

    Raises
    ------
    ValueError
        When a size or ``max_side`` is below 1.

    Examples
    --------
    >>> display_size(28, 28, 96), display_size(1000, 500, 512), display_size(300, 200, 512)
    ((84, 84), (512, 256), (300, 200))
    """
    if min(width, height, max_side) < 1:
        raise ValueError(f"sizes must be at least 1 pixel, not {width}x{height} at most {max_side}")
    longest = max(width, height)
    if longest > max_side:
        scale = max_side / longest
        return max(1, round(width * scale)), max(1, round(height * scale))
    factor = max_side // longest
    return width * factor, height * factor


def picture_png(image: Image.Image, max_side: int) -> bytes:
    """``image`` at :func:`display_size`, encoded as PNG.

    Shrinking averages (Lanczos); enlarging repeats pixels (nearest neighbour), so small
    pictures stay sharp instead of blurring.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded picture (RGB, oriented, as :func:`~curate.modalities.image_decode.decode_image`
        gives it).
    max_side : int
        The longest side wanted, in pixels.

    Returns
    -------
    bytes
        A PNG file of the picture in RGB.

    Raises
    ------
    ValueError
        When ``max_side`` is below 1.
    """
    size = display_size(image.width, image.height, max_side)
    if size != image.size:
        shrinking = size[0] < image.width or size[1] < image.height
        image = image.resize(size, Image.Resampling.LANCZOS if shrinking else Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
