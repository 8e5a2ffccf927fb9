"""Image-quality measurements, and the issues judged from them against the dataset itself."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from curate.modalities.image_issues import IMAGE_ISSUES, find_image_issues
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


def _ordinary(count: int, seed: int = 7) -> list[Image.Image]:
    """Varied colour textures of varied sizes (56-96 x 48-80 pixels)."""
    rng = np.random.default_rng(seed)
    return [natural_image(seed * 1000 + i, (int(rng.integers(56, 97)), int(rng.integers(48, 81))))
            for i in range(count)]


def test_planted_problems_are_flagged_by_position_and_nothing_else() -> None:
    images: list[Image.Image | None] = list(_ordinary(40))
    overexposed = np.asarray(natural_image(101), dtype=np.float64) * 0.3 + 190
    images += [
        Image.new("RGB", (64, 64)),                                   # 40 black
        Image.fromarray(np.clip(overexposed, 0, 255).astype(np.uint8)),  # 41 washed out, texture left
        images[3].filter(ImageFilter.GaussianBlur(3)),  # type: ignore[union-attr]  # 42 blurred copy of 3
        natural_image(102, (4, 4)),                                   # 43 tiny
        natural_image(103, (200, 20)),                                # 44 10:1 strip
        Image.new("RGB", (64, 56), (40, 120, 200)),                   # 45 one colour
        natural_image(104).convert("L").convert("RGB"),               # 46 grey
        None,                                                         # 47 unreadable: no row
    ]
    found = find_image_issues(measure_images(images))
    flagged = found.issues[found.issues.map(len) > 0].to_dict()
    assert flagged == {
        40: ["dark", "low_information"],
        41: ["bright"],
        42: ["blurry"],
        43: ["low_information", "odd_size"],  # 16 pixels hold at most 4 bits
        44: ["odd_aspect_ratio"],
        45: ["low_information"],
        46: ["grayscale"],
    }
    assert found.scores.columns.tolist() == list(IMAGE_ISSUES)
    assert found.scores.index.tolist() == list(range(47))
    assert found.flags.equals(found.scores < 0.5)
    assert ((found.scores >= 0) & (found.scores <= 1)).all().all()
    assert (found.scores.loc[:39] > 0.55).all().all()  # the ordinary images are clear of every line
    assert found.scores.loc[40, "dark"] == 0.0
    assert found.scores.loc[40, "blurry"] == 1.0  # a flat image is not judged for blur
    assert found.scores.loc[40, "grayscale"] == 1.0  # nor for colour, which cannot show in black
    assert {name: note["flagged"] for name, note in found.notes.items()} == {
        "dark": 1, "bright": 1, "blurry": 1, "low_information": 3, "odd_size": 1, "odd_aspect_ratio": 1,
        "grayscale": 1}
    assert found.notes["dark"]["guard"] == 0.2
    assert found.notes["dark"]["z_required"] is False
    assert found.notes["grayscale"]["mostly_colour"] is True


def test_a_clean_homogeneous_dataset_flags_nothing() -> None:
    images = [natural_image(500 + i) for i in range(30)]
    found = find_image_issues(measure_images(images))
    assert found.issues.map(len).sum() == 0
    assert found.flags.to_numpy().sum() == 0
    assert {note["flagged"] for note in found.notes.values()} == {0}


def test_a_dark_grey_dataset_is_its_own_standard() -> None:
    """Digits-like images, white strokes on black: dark, grey, little information, all of them."""
    rng = np.random.default_rng(3)
    images = []
    for _ in range(30):
        pixels = np.zeros((28, 28), dtype=np.uint8)
        row, col = rng.integers(4, 20, size=2)
        pixels[row:row + int(rng.integers(6, 9)), col:col + int(rng.integers(2, 5))] = 255
        images.append(Image.fromarray(pixels, "L"))
    images.append(Image.new("L", (28, 28), 255))  # white: the outlier of this dataset
    found = find_image_issues(measure_images(images))
    assert found.issues.to_dict() == {**{i: [] for i in range(30)}, 30: ["bright", "low_information"]}
    assert found.notes["dark"]["share_failing_guard"] == pytest.approx(30 / 31)
    assert found.notes["dark"]["z_required"] is True
    assert found.notes["grayscale"]["mostly_colour"] is False


def test_no_images_gives_empty_results() -> None:
    found = find_image_issues(measure_images([None, None]))
    assert found.scores.shape == (0, len(IMAGE_ISSUES))
    assert found.issues.tolist() == []
    assert found.notes["dark"]["flagged"] == 0
