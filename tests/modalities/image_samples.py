"""Small synthetic images for the image-quality and hash tests, built with NumPy and Pillow."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
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


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels with almost no data behind it (a bomb's shape).

    Parameters
    ----------
    width, height : int
        The size the header claims, in pixels.

    Returns
    -------
    bytes
        A well-formed PNG signature, IHDR, a tiny IDAT and IEND.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")


def drawing(rng: np.random.Generator) -> Image.Image:
    """A 48x48 picture: a mid-tone background and four ellipses of random colours, sizes and places.

    Parameters
    ----------
    rng : numpy.random.Generator
        Where the colours, sizes and places come from.

    Returns
    -------
    PIL.Image.Image
        An RGB image.
    """
    image = Image.new("RGB", (48, 48), tuple(int(v) for v in rng.integers(60, 200, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = (int(v) for v in rng.integers(0, 40, 2))
        w, h = (int(v) for v in rng.integers(6, 20, 2))
        draw.ellipse([x, y, x + w, y + h], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return image


def drawn_picture(path: Path, seed: int, fmt: str = "PNG") -> None:
    """Save a 32x32 drawing at ``path``: a mid-tone background and three ellipses placed by ``seed``.

    Parameters
    ----------
    path : pathlib.Path
        The file to write; missing folders are made.
    seed : int
        Seed of the colours and places.
    fmt : str, default "PNG"
        Pillow's name of the file format.
    """
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (32, 32), tuple(int(v) for v in rng.integers(60, 200, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        x, y = (int(v) for v in rng.integers(0, 24, 2))
        draw.ellipse([x, y, x + 8, y + 8], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)


def picture_tree(root: Path, classes: dict[str, int], seed: int = 0) -> Path:
    """A class-per-folder tree of drawings: ``root/<label>/<i>.png``, ``n`` per label.

    Parameters
    ----------
    root : pathlib.Path
        The tree's root.
    classes : dict of str to int
        Label -> how many drawings its folder holds.
    seed : int, default 0
        Seed of the first drawing (each label's are 100 seeds apart).

    Returns
    -------
    pathlib.Path
        ``root``.
    """
    for k, (label, n) in enumerate(classes.items()):
        for i in range(n):
            drawn_picture(root / label / f"{i}.png", seed + 100 * k + i)
    return root
