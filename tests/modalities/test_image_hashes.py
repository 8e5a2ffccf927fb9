"""Image hashes: the exact pixel hash and the perceptual hashes of near copies."""

from __future__ import annotations

import io
import itertools
import sys

import numpy as np
import pytest
from PIL import Image, ImageOps, PngImagePlugin

from curate.errors import MissingExtraError
from curate.modalities.image_hashes import hash_images, hash_similarity, perceptual_hash, pixel_hash

from .image_samples import natural_image


def _reopen(image: Image.Image, format: str, **options: object) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    buffer.seek(0)
    reopened = Image.open(buffer)
    reopened.load()
    return reopened


def test_near_copies_hash_alike_and_unrelated_images_do_not() -> None:
    originals = [natural_image(300 + i, (96, 72)) for i in range(12)]
    copies = [_reopen(image.resize((80, 60), Image.Resampling.BILINEAR), "JPEG", quality=75) for image in originals]
    hashes = hash_images(originals + copies)
    assert hashes.index.tolist() == list(range(24))
    assert hashes.columns.tolist() == ["phash", "dhash", "pixel_hash"]
    assert hashes["phash"].str.fullmatch("[0-9a-f]{16}").all()
    copy_pairs = np.array([[i, 12 + i] for i in range(12)])
    unrelated = np.array(list(itertools.combinations(range(12), 2)))
    copy_similarity = hash_similarity(hashes["phash"], copy_pairs)
    unrelated_similarity = hash_similarity(hashes["phash"], unrelated)
    assert copy_similarity.min() >= 0.9
    assert unrelated_similarity.max() < 0.8
    assert copy_similarity.dtype == np.float64
    assert unrelated_similarity.shape == (66,)
    assert hash_similarity(hashes["dhash"], copy_pairs).min() >= 0.85
    # the copies are near, not exact
    assert set(hashes["pixel_hash"][:12]).isdisjoint(hashes["pixel_hash"][12:])


def test_pixel_hash_ignores_the_container_and_sees_one_pixel() -> None:
    image = natural_image(1, (40, 30))
    as_png = _reopen(image, "PNG")
    as_webp = _reopen(image, "WEBP", lossless=True)
    as_bmp = _reopen(image, "BMP")
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", "same pixels, other metadata")
    with_text = _reopen(image, "PNG", pnginfo=text)
    assert as_webp.format == "WEBP"
    assert pixel_hash(as_png) == pixel_hash(as_webp) == pixel_hash(as_bmp) == pixel_hash(with_text)
    changed = as_png.copy()
    red, green, blue = changed.getpixel((7, 5))  # type: ignore[misc]
    changed.putpixel((7, 5), (red, green, (blue + 1) % 256))
    assert pixel_hash(changed) != pixel_hash(as_png)


def test_exif_orientation_does_not_matter_once_applied() -> None:
    upright = natural_image(2, (48, 32))
    # stored turned a quarter to the left, with the tag that says "turn it right to show it"
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = _reopen(upright.transpose(Image.Transpose.ROTATE_90), "PNG", exif=exif)
    assert stored.size == (32, 48)
    shown = ImageOps.exif_transpose(stored)
    assert shown.size == (48, 32)
    assert pixel_hash(shown) == pixel_hash(upright)
    assert perceptual_hash(shown) == perceptual_hash(upright)
    assert pixel_hash(stored) != pixel_hash(upright)


def test_unreadable_images_have_no_row_and_pairs_must_name_rows() -> None:
    hashes = hash_images([None, Image.new("RGB", (8, 8), "white"), None, Image.new("RGB", (8, 8), "white")])
    assert hashes.index.tolist() == [1, 3]
    assert hash_similarity(hashes["dhash"], np.array([[1, 3]])).tolist() == [1.0]
    assert hash_similarity(hashes["dhash"], np.empty((0, 2), dtype=int)).tolist() == []
    with pytest.raises(KeyError, match=r"^'no hash for row 2'$"):
        hash_similarity(hashes["dhash"], np.array([[1, 2]]))
    with pytest.raises(ValueError, match=r"^pairs must have shape \(n_pairs, 2\), got \(3,\)$"):
        hash_similarity(hashes["dhash"], np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"^kind must be 'phash' or 'dhash', got 'ahash'$"):
        perceptual_hash(Image.new("RGB", (8, 8)), "ahash")  # type: ignore[arg-type]


def test_without_imagehash_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imagehash", None)  # what an environment without the extra shows
    with pytest.raises(MissingExtraError, match=r"^perceptual image hashes needs the 'image' extra: "
                                                r"pip install 'curate\[image\]'$"):
        hash_images([Image.new("RGB", (8, 8))])
    assert len(pixel_hash(Image.new("RGB", (8, 8)))) == 64  # the pixel hash needs no extra
