"""Image quality issues and pHash near copies, found by the audit on the pictures themselves."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageFilter

import curate
from curate.modalities import get_modality

from .image_samples import drawing


def _encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _drawings(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"picture": [_encoded(drawing(rng)) for _ in range(n)],
                         "label": ["ab"[i % 2] for i in range(n)]})


def _decoded(cell: bytes) -> Image.Image:
    return Image.open(io.BytesIO(cell)).convert("RGB")


@pytest.fixture(scope="module")
def planted() -> curate.AuditResult:
    """30 drawings, then row 30 black, row 31 a blurred copy of row 3, row 32 row 5 at 64x64 in JPEG."""
    frame = _drawings()
    frame.loc[30] = {"picture": _encoded(Image.new("RGB", (48, 48))), "label": "a"}
    frame.loc[31] = {"picture": _encoded(_decoded(frame.picture[3]).filter(ImageFilter.GaussianBlur(3))),
                     "label": "b"}
    frame.loc[32] = {"picture": _encoded(_decoded(frame.picture[5]).resize((64, 64)), "JPEG"), "label": "b"}
    return curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)


def test_the_black_picture_and_the_blurred_copy_are_flagged_with_their_issues(planted: curate.AuditResult) -> None:
    quality = planted.findings.query("issue == 'input_quality'")
    assert quality["row_id"].tolist() == [30, 31]
    problems = get_modality("image").input_problems(planted.dataset, long_factor=10.0).problems
    assert problems[30] == ["dark", "low_information"]
    assert problems[31] == ["blurry"]
    assert [p for i, p in enumerate(problems) if i not in (30, 31)] == [[]] * 31
    assert planted.findings.query("issue == 'input_quality'")["details"].tolist() == [
        {"problems": ["dark", "low_information"]}, {"problems": ["blurry"]}]


def test_the_resized_jpeg_copy_is_a_near_duplicate_of_its_original(planted: curate.AuditResult) -> None:
    near = planted.findings.query("issue == 'near_duplicate'").set_index("row_id")["details"]
    assert near[32]["matches"] == ["5"]
    assert near[5]["matches"] == ["32"]
    assert 0.99 <= near[32]["similarity"][0] < 1.0  # same pHash; thumbnails a level or so apart (JPEG)
    # The heavily blurred copy is a damaged picture (blurry), not a near copy; no other drawing is anyone's.
    assert sorted(near.index) == [5, 32]


def test_input_similarity_of_pairs(planted: curate.AuditResult) -> None:
    similarity = get_modality("image").input_similarity(planted.dataset, np.array([5, 5, 0]), np.array([32, 5, 1]))
    assert similarity is not None
    assert similarity.dtype == np.float64
    assert similarity[1] == 1.0  # a picture and itself
    assert similarity[0] >= 0.99  # the resized JPEG copy
    assert similarity[2] < 0.9  # two unrelated drawings


def test_pictures_of_other_shapes_are_not_near_copies_however_alike() -> None:
    frame = _drawings()
    blue = (20, 40, 200)
    shapes = {30: (320, 20), 31: (1, 1), 32: (24, 24), 33: (300, 20), 34: (36, 32)}  # solid blue, each
    for position, size in shapes.items():
        frame.loc[position] = {"picture": _encoded(Image.new("RGB", size, blue)), "label": "ab"[position % 2]}
    result = curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)
    similarity = get_modality("image").input_similarity(result.dataset, np.array([30, 31, 30, 31, 31]),
                                                        np.array([31, 30, 33, 32, 34]))
    assert similarity is not None
    # strip and dot: 16 times apart; 320x20 and 300x20 1.07 (a crop of one edge); 1x1 and 24x24 equal;
    # 1x1 and 36x32 1.125 (within an edge cut by 12 %)
    assert similarity.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    conflicts = result.findings.query("issue == 'conflicting_labels'").set_index("row_id")["details"]
    assert conflicts[30]["copies"] == ["30", "33"]  # the two strips, never with the dot
    assert conflicts[31]["copies"] == ["31", "32", "34"]  # the dot and the near squares


def test_a_clean_set_of_like_pictures_has_no_quality_issue() -> None:
    result = curate.audit(_drawings(), label="label", image="picture", embedder="pixels", progress=False)
    assert result.findings.query("issue in ('input_quality', 'near_duplicate')").empty
    notes = get_modality("image").input_problems(result.dataset, long_factor=10.0).notes
    assert notes["problems"] == {}
    assert {name: found["flagged"] for name, found in notes["quality"].items()} == {
        "dark": 0, "bright": 0, "blurry": 0, "low_information": 0, "odd_size": 0, "odd_aspect_ratio": 0,
        "grayscale": 0}


def _cropped(cell: bytes, box: tuple[int, int, int, int]) -> bytes:
    """The picture cut to ``box`` and resized back to its own size (bicubic), as PNG."""
    picture = _decoded(cell)
    return _encoded(picture.crop(box).resize(picture.size, Image.Resampling.BICUBIC))


def _look_alike(seed: int, moved: bool) -> Image.Image:
    """A drawing of four ellipses; ``moved`` draws the last one elsewhere: alike, but not a copy."""
    image = Image.new("RGB", (48, 48), (120, 140, 160))
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(seed)
    for n in range(4):
        x, y = (int(v) for v in rng.integers(0, 36, 2))
        if moved and n == 3:
            x, y = (x + 14) % 36, (y + 14) % 36
        draw.ellipse([x, y, x + 12, y + 12], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return image


@pytest.fixture(scope="module")
def cropped() -> tuple[pd.DataFrame, pd.DataFrame]:
    """30 drawings as training rows t0..t29, and a test set: row 3 cropped by 3 px of 48 on each side,
    row 7 cropped by 3 px from its right and bottom edges (both resized back), two new drawings and
    a look-alike of one of them (one of four ellipses moved), and a drawing of its own."""
    train = _drawings().assign(id=[f"t{i}" for i in range(30)])
    test = pd.DataFrame({"id": ["c3", "c7", "a", "a_like", "own"], "label": ["b", "b", "a", "a", "b"],
                         "picture": [_cropped(train.picture[3], (3, 3, 45, 45)),
                                     _cropped(train.picture[7], (0, 0, 45, 45)),
                                     _encoded(_look_alike(1, False)), _encoded(_look_alike(1, True)),
                                     _encoded(drawing(np.random.default_rng(99)))]})
    return train, test


def test_slightly_cropped_copies_are_leaks_and_look_alikes_are_not(cropped: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = cropped
    result = curate.audit(train, test=test, label="label", image="picture", id="id", embedder="pixels",
                          progress=False)
    leaks = result.findings.query("issue == 'leakage'").set_index("row_id")["details"]
    assert {row: found["matches"] for row, found in leaks.items()} == {
        "t3": ["c3"], "t7": ["c7"], "c3": ["t3"], "c7": ["t7"]}
    assert {found["kind"] for found in leaks} == {"near"}


def test_slightly_cropped_copies_are_near_duplicates_and_look_alikes_are_not(
        cropped: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = cropped
    frame = pd.concat([train, test], ignore_index=True)
    result = curate.audit(frame, label="label", image="picture", id="id", embedder="pixels", progress=False)
    near = result.findings.query("issue == 'near_duplicate'").set_index("row_id")["details"]
    assert {row: found["matches"] for row, found in near.items()} == {
        "t3": ["c3"], "c3": ["t3"], "t7": ["c7"], "c7": ["t7"]}
    similarity = get_modality("image").input_similarity(result.dataset, np.array([3, 7, 32]), np.array([30, 31, 33]))
    assert similarity is not None
    assert similarity[0] >= 0.98 and similarity[1] >= 0.98  # the crops, aligned
    assert similarity[2] < 0.95  # the look-alikes
