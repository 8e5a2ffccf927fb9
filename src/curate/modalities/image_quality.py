"""Image quality: what each decoded image measures (light, sharpness, information, size, colour).

Measurements are plain numbers per image; they say nothing yet about what is wrong. Judging them
against the rest of the dataset happens in :mod:`curate.modalities.image_issues`.

All measurements are made on the image converted to RGB and on its greyscale (luma, ITU-R 601-2
as Pillow's ``"L"`` mode computes it), scaled to [0, 1].

Examples
--------
>>> from PIL import Image
>>> frame = measure_images([Image.new("RGB", (8, 4), (0, 0, 0)), None])
>>> frame[["width", "height", "brightness", "entropy"]].to_dict("records")
[{'width': 8, 'height': 4, 'brightness': 0.0, 'entropy': 0.0}]
>>> frame.index.tolist()  # the unreadable image (None) has no row
[0]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from PIL import Image
from scipy import ndimage

__all__ = ["MEASUREMENT_COLUMNS", "ImageMeasurements", "measure_image", "measure_images"]

# A pixel this dark (luma, 0..1) shows no detail: about 25 of 255 levels.
NEAR_BLACK = 0.1
# A pixel this bright is washed out: about 230 of 255 levels and above.
NEAR_WHITE = 0.9
# The blur measure is taken at one scale for every image: an image whose shorter side is longer than
# this is first downscaled (area average, aspect ratio kept) so that its shorter side is this long.
# The variance of the Laplacian grows with the detail per pixel, so without a common scale a photo
# and its 4x larger copy would read as different sharpness. Smaller images are never upscaled:
# interpolation would invent smoothness and call every thumbnail blurry.
BLUR_SIDE = 64

# The columns of :func:`measure_images`, in order, with their units.
MEASUREMENT_COLUMNS = {
    "width": "pixels",
    "height": "pixels",
    "pixels": "width x height",
    "aspect_ratio": "width / height",
    "brightness": "mean luma, 0 (black) to 1 (white)",
    "near_black_share": f"share of pixels with luma below {NEAR_BLACK}",
    "near_white_share": f"share of pixels with luma above {NEAR_WHITE}",
    "contrast": "standard deviation of luma, 0 to 0.5",
    "laplacian_variance": f"variance of the Laplacian of luma, at shorter side {BLUR_SIDE} (never upscaled)",
    "entropy": "entropy of the 256-level greyscale histogram, bits (0 to 8)",
    "channel_spread": "mean over pixels of max(R, G, B) - min(R, G, B), 0 (grey) to 1",
}


@dataclass(frozen=True)
class ImageMeasurements:
    """What one image measures; the fields are the columns of :data:`MEASUREMENT_COLUMNS`.

    Attributes
    ----------
    width, height : int
        Size in pixels.
    pixels : int
        ``width * height``.
    aspect_ratio : float
        ``width / height`` (above 1: landscape).
    brightness : float
        Mean luma in [0, 1].
    near_black_share, near_white_share : float
        Share of pixels darker than :data:`NEAR_BLACK` / brighter than :data:`NEAR_WHITE`.
    contrast : float
        Standard deviation of luma.
    laplacian_variance : float
        Variance of the 4-neighbour Laplacian of luma at the common blur scale (:data:`BLUR_SIDE`).
    entropy : float
        Entropy of the greyscale histogram in bits.
    channel_spread : float
        Mean per-pixel spread between the largest and smallest of R, G, B; 0 for a grey image.
    """

    width: int
    height: int
    pixels: int
    aspect_ratio: float
    brightness: float
    near_black_share: float
    near_white_share: float
    contrast: float
    laplacian_variance: float
    entropy: float
    channel_spread: float


def _blur_scale(grey: Image.Image) -> Image.Image:
    shorter = min(grey.size)
    if shorter <= BLUR_SIDE:
        return grey
    factor = BLUR_SIDE / shorter
    size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
    return grey.resize(size, Image.Resampling.BOX)


def _entropy_bits(levels: np.ndarray) -> float:
    counts = np.bincount(levels.ravel(), minlength=256)
    shares = counts[counts > 0] / levels.size
    # max(0.0, ...): the sum of a single share of 1.0 is -0.0
    return max(0.0, float(-(shares * np.log2(shares)).sum()))


def measure_image(image: Image.Image) -> ImageMeasurements:
    """Measure one decoded image.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded image of any mode; it is converted to RGB first (alpha is dropped, a palette is
        expanded). Apply the EXIF orientation before (``PIL.ImageOps.exif_transpose``) if it matters.

    Returns
    -------
    ImageMeasurements
        The measurements, described in :data:`MEASUREMENT_COLUMNS`.

    Raises
    ------
    ValueError
        When the image has no pixels (a width or height of 0).

    Examples
    --------
    >>> from PIL import Image
    >>> measure_image(Image.new("RGB", (4, 2), (255, 0, 0))).channel_spread
    1.0
    """
    if image.width == 0 or image.height == 0:
        raise ValueError(f"image has no pixels: size {image.width}x{image.height}")
    rgb = image.convert("RGB")
    grey_image = rgb.convert("L")
    levels = np.asarray(grey_image)
    luma = levels / 255.0
    channels = np.asarray(rgb, dtype=np.int16)
    spread = (channels.max(axis=2) - channels.min(axis=2)) / 255.0
    blur_luma = np.asarray(_blur_scale(grey_image), dtype=np.float64) / 255.0
    return ImageMeasurements(
        width=rgb.width,
        height=rgb.height,
        pixels=rgb.width * rgb.height,
        aspect_ratio=rgb.width / rgb.height,
        brightness=float(luma.mean()),
        near_black_share=float((luma < NEAR_BLACK).mean()),
        near_white_share=float((luma > NEAR_WHITE).mean()),
        contrast=float(luma.std()),
        laplacian_variance=float(ndimage.laplace(blur_luma, mode="reflect").var()),
        entropy=_entropy_bits(levels),
        channel_spread=float(spread.mean()),
    )


def measure_images(images: Iterable[Image.Image | None]) -> pd.DataFrame:
    """Measure many images into one table, one row per readable image.

    Parameters
    ----------
    images : iterable of PIL.Image.Image or None
        Decoded images in dataset order; ``None`` stands for an image that could not be read and
        gets no row.

    Returns
    -------
    pandas.DataFrame
        Indexed by the position of the image in ``images`` (index name ``"position"``, int64), with
        the columns of :data:`MEASUREMENT_COLUMNS` in that order: ``width``, ``height`` and
        ``pixels`` as int64, the others as float64.

    Examples
    --------
    >>> from PIL import Image
    >>> measure_images([None, Image.new("L", (3, 3), 128)])["pixels"].to_dict()
    {1: 9}
    """
    rows: list[dict[str, float | int]] = []
    positions: list[int] = []
    for position, image in enumerate(images):
        if image is None:
            continue
        rows.append(asdict(measure_image(image)))
        positions.append(position)
    frame = pd.DataFrame(rows, columns=list(MEASUREMENT_COLUMNS), index=pd.Index(positions, dtype="int64",
                                                                                 name="position"))
    dtypes = {name: ("int64" if name in ("width", "height", "pixels") else "float64") for name in MEASUREMENT_COLUMNS}
    return frame.astype(dtypes)
