"""Pictures made fit to show: sizes, sharp enlargement, a new PNG, and no picture for other modalities."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from curate.ingest.building import build_dataset
from curate.modalities import get_modality
from curate.modalities.image_picture import display_size, picture_png


@pytest.mark.parametrize(("size", "max_side", "shown"), [
    ((28, 28), 96, (84, 84)), ((28, 28), 512, (504, 504)), ((48, 48), 96, (96, 96)), ((1000, 500), 512, (512, 256)),
    ((500, 1000), 96, (48, 96)), ((300, 200), 512, (300, 200)), ((513, 2), 512, (512, 2)), ((5000, 1), 96, (96, 1)),
    ((60, 30), 96, (60, 30)), ((1, 1), 96, (96, 96))])
def test_display_size(size: tuple[int, int], max_side: int, shown: tuple[int, int]) -> None:
    assert display_size(*size, max_side) == shown


def test_display_size_refuses_an_empty_size() -> None:
    with pytest.raises(ValueError, match=r"^sizes must be at least 1 pixel, not 0x5 at most 96$"):
        display_size(0, 5, 96)


def test_a_small_picture_is_enlarged_in_square_blocks_and_a_large_one_shrunk() -> None:
    rng = np.random.default_rng(0)
    digit = Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8), "L").convert("RGB")
    shown = Image.open(io.BytesIO(picture_png(digit, 96)))
    assert (shown.format, shown.size, shown.mode) == ("PNG", (84, 84), "RGB")
    np.testing.assert_array_equal(np.asarray(shown), np.asarray(digit).repeat(3, axis=0).repeat(3, axis=1))
    large = Image.open(io.BytesIO(picture_png(Image.new("RGB", (2000, 1000), (10, 200, 30)), 512)))
    assert large.size == (512, 256)
    assert large.getpixel((100, 100)) == (10, 200, 30)


def test_only_images_have_a_row_picture() -> None:
    frame = pd.DataFrame({"text": ["a b", "c d", "e f", "g h"], "label": ["x", "y", "x", "y"]})
    dataset = build_dataset(frame, label="label", text=["text"])
    assert get_modality("text").row_picture(dataset, 0, 96) is None
