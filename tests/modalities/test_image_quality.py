"""Image-quality measurements, and the issues judged from them against the dataset itself."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from curate.modalities.image_quality import MEASUREMENT_COLUMNS, measure_image, measure_images

from .image_samples import natural_image


def test_measurements_of_plain_images_are_exact() -> None:
    half = np.zeros((10, 20, 3), dtype=np.uint8)
    half[:, 10:] = 255
    frame = measure_images([None, Image.fromarray(half), Image.new("RGB", (4, 2), (255, 0, 0)), None])
    assert frame.index.tolist() == [1, 2]
    assert frame.index.name == "position"
    assert frame.columns.tolist() == list(MEASUREMENT_COLUMNS)
    assert frame.dtypes.astype(str).tolist() == ["int64"] * 3 + ["float64"] * 8
    assert frame[["width", "height", "pixels"]].to_dict("records") == [{"width": 20, "height": 10, "pixels": 200},
                                                                      {"width": 4, "height": 2, "pixels": 8}]
    assert frame["aspect_ratio"].tolist() == [2.0, 2.0]
    assert frame.loc[1, ["brightness", "near_black_share", "near_white_share", "contrast"]].tolist() == [0.5] * 4
    assert frame["entropy"].tolist() == [1.0, 0.0]  # two equally used levels, then one
    assert frame["channel_spread"].tolist() == [0.0, 1.0]
    red_luma = 76 / 255  # Pillow's ITU-R 601-2 luma of pure red
    assert frame.loc[2, "brightness"] == pytest.approx(red_luma)
    assert frame.loc[2, "laplacian_variance"] == 0.0


def test_modes_other_than_rgb_are_converted() -> None:
    grey = Image.new("L", (6, 6), 128)
    rgba = Image.new("RGBA", (6, 6), (128, 128, 128, 0))
    assert measure_image(grey) == measure_image(rgba) == measure_image(Image.new("RGB", (6, 6), (128, 128, 128)))


def test_blur_measure_does_not_depend_on_resolution() -> None:
    large = natural_image(5, (256, 192))
    small = large.resize((128, 96), Image.Resampling.BOX)
    variances = measure_images([large, small])["laplacian_variance"].tolist()
    assert variances[0] == pytest.approx(variances[1], rel=0.05)
    # at their own resolutions the two differ several times over
    native = [float(np.var(np.diff(np.asarray(image.convert("L"), dtype=float) / 255, 2, axis=1)))
              for image in (large, small)]
    assert native[1] > 2 * native[0]


def test_an_image_without_pixels_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^image has no pixels: size 0x5$"):
        measure_image(Image.new("RGB", (0, 5)))
