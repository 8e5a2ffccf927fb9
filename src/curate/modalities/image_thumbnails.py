"""Small PNG thumbnails of pictures, re-encoded by curate, for reports and review pages.

A thumbnail is always a fresh PNG made from the decoded pixels, never the stored bytes: whatever
the source file held (metadata, a second frame, a malformed container) does not travel with it.
"""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["png_thumbnail"]


def png_thumbnail(image: Image.Image, max_side: int) -> bytes:
    """The picture as PNG bytes, its longer side at most ``max_side`` pixels.

    A larger picture is shrunk (aspect kept, Lanczos filter). A picture at most half of
    ``max_side`` (a 28x28 digit for 96) is enlarged by the largest whole factor that fits, with
    nearest-neighbour sampling, so its pixels stay sharp squares rather than a blur.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded picture, any mode (converted to RGB).
    max_side : int
        The longest side of the thumbnail in pixels; at least 1.

    Returns
    -------
    bytes
        A PNG file in RGB.

    Raises
    ------
    ValueError
        When ``max_side`` is below 1.

    Examples
    --------
    >>> png = png_thumbnail(Image.new("L", (28, 28)), 96)
    >>> Image.open(io.BytesIO(png)).size
    (84, 84)
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    picture = image.convert("RGB")
    longest = max(picture.size)
    if longest > max_side:
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    elif (factor := max_side // longest) >= 2:
        picture = picture.resize((picture.width * factor, picture.height * factor), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
