"""Small synthetic images for the image-quality and hash tests, built with NumPy and Pillow."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage


def natural_image(seed: int, size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A colour texture with detail at several scales, like a photo of something, seeded.

    Parameters
    ----------
    seed : int
        Seed of the random texture and colours.
    size : tuple of int, default (64, 48)
        Width and height in pixels.

    Returns
    -------
    PIL.Image.Image
        An RGB image, mean luma near the middle.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    field = np.zeros((height, width, 3))
    for sigma in (8.0, 3.0, 1.0):
        noise = ndimage.gaussian_filter(rng.normal(size=(height, width, 3)), (sigma, sigma, 0))
        field += noise / noise.std() * (sigma / 8.0) ** 0.5
    mix = np.eye(3) + 0.3 * rng.normal(size=(3, 3))
    field = field @ mix
    field = (field - field.mean(axis=(0, 1))) / field.std()
    centre = rng.uniform(0.35, 0.6, size=3)
    pixels = np.clip(centre + 0.15 * field, 0.0, 1.0)
    return Image.fromarray(np.round(pixels * 255).astype(np.uint8), "RGB")
