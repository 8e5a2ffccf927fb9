"""A small image dataset for the review tests: drawn shapes, one mislabelled, a copy across splits, bad cells."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

IMAGE_DATASET = "shapes"
SHAPES = ("circle", "square", "triangle")
PER_SHAPE = 14
# Planted: a circle labelled square; a JPEG copy of shape-03 in the test split; a JPEG 40x20
# whose EXIF says to turn it a quarter (shown 20x40); cells that are an SVG and an HTML page.
MISLABELLED = "shape-40"
COPY, COPIED = "copy-of-03", "shape-03"
TURNED = "turned"
SVG_ROW, HTML_ROW = "svg", 'html-"<b>&'  # the second id also checks escaping
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<html><body><script>alert(3)</script></body></html>"


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """``image`` saved as ``fmt`` (PNG by default), as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def shape(kind: str, rng: np.random.Generator, side: int = 48) -> Image.Image:
    """A dark ``kind`` (circle, square or triangle) on a light ground, its size and place jittered."""
    image = Image.new("RGB", (side, side), tuple(int(v) for v in rng.integers(205, 256, 3)))
    draw = ImageDraw.Draw(image)
    half = int(rng.integers(12, 20))
    cx, cy = (side // 2 + int(v) for v in rng.integers(-3, 4, 2))
    fill = tuple(int(v) for v in rng.integers(0, 90, 3))
    if kind == "circle":
        draw.ellipse([cx - half, cy - half, cx + half, cy + half], fill=fill)
    elif kind == "square":
        draw.rectangle([cx - half, cy - half, cx + half, cy + half], fill=fill)
    else:
        draw.polygon([(cx, cy - half), (cx - half, cy + half), (cx + half, cy + half)], fill=fill)
    return image


def turned_jpeg() -> bytes:
    """A 40x20 JPEG whose EXIF orientation (6) says to turn it a quarter clockwise: seen 20x40."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(Image.new("RGB", (40, 20), (200, 30, 30)), "JPEG", exif=exif)


def make_shape_frame() -> pd.DataFrame:
    """42 drawn shapes (ids shape-00..shape-41, three kinds in turn, train and test in turn) and the planted rows.

    Row ``shape-40`` is a circle labelled square (``MISLABELLED``).
    """
    rng = np.random.default_rng(7)
    rows = []
    for i in range(PER_SHAPE * len(SHAPES)):
        kind = SHAPES[i % len(SHAPES)]
        rows.append({"id": f"shape-{i:02d}", "picture": encoded(shape(kind, rng)), "label": kind,
                     "split": "train" if i % 2 == 0 else "test"})
    assert rows[40]["label"] == "square" and SHAPES[40 % 3] == "square"
    rows[40]["picture"] = encoded(shape("circle", rng))
    copied = Image.open(io.BytesIO(rows[3]["picture"])).convert("RGB")
    rows.append({"id": COPY, "picture": encoded(copied, "JPEG", quality=95), "label": rows[3]["label"],
                 "split": "train"})
    rows.append({"id": TURNED, "picture": turned_jpeg(), "label": "square", "split": "train"})
    rows.append({"id": SVG_ROW, "picture": SVG, "label": "circle", "split": "train"})
    rows.append({"id": HTML_ROW, "picture": HTML, "label": "circle", "split": "train"})
    return pd.DataFrame(rows)
