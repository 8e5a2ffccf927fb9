"""Image quality issues and pHash near copies, found by the audit on the pictures themselves."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageFilter

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


def test_a_clean_set_of_like_pictures_has_no_quality_issue() -> None:
    result = curate.audit(_drawings(), label="label", image="picture", embedder="pixels", progress=False)
    assert result.findings.query("issue in ('input_quality', 'near_duplicate')").empty
    notes = get_modality("image").input_problems(result.dataset, long_factor=10.0).notes
    assert notes["problems"] == {}
    assert {name: found["flagged"] for name, found in notes["quality"].items()} == {
        "dark": 0, "bright": 0, "blurry": 0, "low_information": 0, "odd_size": 0, "odd_aspect_ratio": 0,
        "grayscale": 0}
