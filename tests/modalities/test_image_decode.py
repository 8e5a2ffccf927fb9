"""Reading image cells: every container, EXIF orientation, and the problems that are never crashes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from curate.modalities.image_decode import decode_image, image_kind, pixel_key, to_image_bytes

from .image_samples import png_claiming


def _picture() -> Image.Image:
    """A 6x4 picture with a different colour in each corner (so a rotation shows)."""
    array = np.zeros((4, 6, 3), dtype=np.uint8)
    array[0, 0] = (255, 0, 0)
    array[0, 5] = (0, 255, 0)
    array[3, 0] = (0, 0, 255)
    array[3, 5] = (255, 255, 255)
    return Image.fromarray(array)


def _encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_containers_give_the_same_pixels_and_key(fmt: str) -> None:
    picture = _picture()
    decoded = decode_image(_encoded(picture, fmt, **({"lossless": True} if fmt == "WEBP" else {})), None)
    assert decoded.problem is None
    assert decoded.format == fmt
    assert decoded.image is not None and decoded.image.mode == "RGB" and decoded.image.size == (6, 4)
    assert np.array_equal(np.asarray(decoded.image), np.asarray(picture))
    assert pixel_key(decoded.image) == pixel_key(picture)


def test_jpeg_and_the_first_frame_of_a_gif() -> None:
    jpeg = decode_image(_encoded(_picture().resize((60, 40)), "JPEG"), None)
    assert (jpeg.problem, jpeg.format, jpeg.image.size if jpeg.image else None) == (None, "JPEG", (60, 40))
    first, second = Image.new("RGB", (5, 5), (255, 0, 0)), Image.new("RGB", (5, 5), (0, 0, 255))
    gif = _encoded(first, "GIF", save_all=True, append_images=[second])
    decoded = decode_image(gif, None)
    assert decoded.format == "GIF" and decoded.mode == "P"
    assert decoded.image is not None and decoded.image.getpixel((2, 2)) == (255, 0, 0)


def test_exif_orientation_is_applied() -> None:
    picture = _picture().resize((60, 40), Image.NEAREST)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    decoded = decode_image(_encoded(picture, "JPEG", exif=exif, quality=95), None)
    assert decoded.image is not None and decoded.image.size == (40, 60)
    # the red top-left corner is now top-right
    red = np.asarray(decoded.image)[2, 37]
    assert red[0] > 200 and red[1] < 60 and red[2] < 60


def test_truncated_and_unreadable_bytes_are_problems() -> None:
    whole = _encoded(_picture().resize((64, 64)), "PNG")
    truncated = decode_image(whole[: len(whole) // 2], None)
    assert (truncated.image, truncated.problem) == (None, "truncated")
    assert decode_image(b"\x89PNG\r\n\x1a\n not a png at all", None).problem == "unreadable"
    assert decode_image(b"hello", None).problem == "unreadable"
    assert decode_image(None, None).problem == "missing"
    assert decode_image(float("nan"), None).problem == "missing"
    assert decode_image(3, None).problem == "unreadable"


@pytest.mark.parametrize("side", [10_000, 100_000])  # over Pillow's limit, and over twice it
def test_a_decompression_bomb_is_refused_from_its_header(side: int) -> None:
    decoded = decode_image(png_claiming(side, side), None)
    assert (decoded.image, decoded.problem) == (None, "too_large")


def test_paths_are_read_inside_the_folder_only(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "cats").mkdir(parents=True)
    _picture().save(root / "cats" / "a.png")
    _picture().save(tmp_path / "secret.png")
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    assert decode_image("cats/a.png", root).problem is None
    assert decode_image(str(root / "cats" / "a.png"), root).problem is None
    assert decode_image("../secret.png", root).problem == "outside_folder"
    assert decode_image("cats/../../secret.png", root).problem == "outside_folder"
    assert decode_image(str(tmp_path / "secret.png"), root).problem == "outside_folder"
    assert decode_image("link.png", root).problem == "outside_folder"
    assert decode_image("cats/b.png", root).problem == "not_found"
    assert decode_image("https://example.com/a.png", root).problem == "remote"


def test_hugging_face_structs_pil_images_and_arrays() -> None:
    picture = _picture()
    png = _encoded(picture, "PNG")
    assert pixel_key(decode_image({"bytes": png, "path": "a.png"}, None).image) == pixel_key(picture)
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    decoded = decode_image(grey, None)
    assert decoded.mode == "L" and decoded.image is not None and decoded.image.getpixel((1, 0)) == (1, 1, 1)
    floats = decode_image(np.ones((2, 2, 3)), None)
    assert floats.image is not None and floats.image.getpixel((0, 0)) == (255, 255, 255)
    assert decode_image(np.zeros((2, 2, 2)), None).problem == "unreadable"
    assert pixel_key(decode_image(picture, None).image) == pixel_key(picture)
    assert pixel_key(decode_image(to_image_bytes(picture), None).image) == pixel_key(picture)
    assert to_image_bytes("a.png") == "a.png"


def test_image_kind_detects_bytes_and_paths() -> None:
    png = _encoded(_picture(), "PNG")
    assert image_kind(pd.Series([png, png, None])) == "image bytes (PNG)"
    assert image_kind(pd.Series([{"bytes": png, "path": None}] * 3)) == "image bytes (PNG)"
    assert image_kind(pd.Series(["a/1.jpg", "b/2.png"])) == "image paths"
    assert image_kind(pd.Series(["a cat", "a dog"])) is None
    assert image_kind(pd.Series([1, 2, 3])) is None


def _wide_grey(mode: str) -> Image.Image:
    """A 4x4 16-bit greyscale ramp from 0 to 65535 in mode ``I;16`` or ``I``: nearly black at 1,000."""
    values = np.array([[0, 1000, 2000, 3000], [4000, 5000, 6000, 7000],
                       [8000, 9000, 10000, 20000], [30000, 40000, 60000, 65535]])
    return Image.fromarray(values.astype(np.uint16 if mode == "I;16" else np.int32))


@pytest.mark.parametrize("mode", ["I;16", "I"])
def test_a_16_bit_grey_picture_is_scaled_by_its_full_range_not_saturated(tmp_path: Path, mode: str) -> None:
    picture = _wide_grey(mode)
    assert picture.mode == mode
    expected = np.array([[0, 4, 8, 12], [16, 19, 23, 27], [31, 35, 39, 78], [117, 156, 233, 255]])
    path = tmp_path / "wide.tif"
    picture.save(path)  # TIFF keeps either mode; a 16-bit PNG opens as I;16
    with Image.open(path) as opened:
        assert opened.mode == mode
    as_uint16 = np.asarray(picture).astype(np.uint16)
    for cell in (picture, path.name, _encoded(Image.fromarray(as_uint16), "PNG"), as_uint16):
        decoded = decode_image(cell, tmp_path)
        assert decoded.problem is None and decoded.image is not None
        pixels = np.asarray(decoded.image)
        assert pixels[:, :, 0].tolist() == expected.tolist()
        assert (pixels[:, :, 0] == pixels[:, :, 2]).all()


def test_a_nearly_black_16_bit_picture_is_dark() -> None:
    dark = Image.fromarray(np.full((8, 8), 1200, dtype=np.uint16))
    decoded = decode_image(_encoded(dark, "PNG"), None)
    assert decoded.mode == "I;16"
    assert decoded.image is not None and np.asarray(decoded.image).max() == 5
