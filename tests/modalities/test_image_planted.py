"""One audit of pictures with every kind of planted problem at once: each is found by its row id.

Rows 0-29 are drawings (two labels), then: 30 black, 31 a blurred copy of 3, 32 row 5 resized to
64x64 and saved as JPEG, 33 the first 150 bytes of a PNG (truncated), 34 a PNG header claiming
100,000 x 100,000 pixels (a decompression bomb), 35 row 7 stored turned a quarter with the EXIF tag
that turns it back. Nothing may crash, and no other row may be flagged for its input.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageFilter

import curate

from .image_samples import drawing, png_claiming

BLACK, BLURRED, RESIZED, TRUNCATED, BOMB, ROTATED = range(30, 36)


def _encoded(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def audited() -> curate.AuditResult:
    rng = np.random.default_rng(1)
    drawings = [drawing(rng) for _ in range(30)]
    cells = [_encoded(d) for d in drawings]
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn it a quarter clockwise to show it"
    cells += [
        _encoded(Image.new("RGB", (48, 48))),
        _encoded(drawings[3].filter(ImageFilter.GaussianBlur(3))),
        _encoded(drawings[5].resize((64, 64)), "JPEG", quality=80),
        _encoded(drawings[11])[:150],
        png_claiming(100_000, 100_000),
        _encoded(drawings[7].transpose(Image.Transpose.ROTATE_90), exif=exif),
    ]
    frame = pd.DataFrame({"picture": cells, "label": ["ab"[i % 2] for i in range(len(cells))]})
    return curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)


def _by_row(result: curate.AuditResult, issue: str) -> pd.Series:
    return result.findings.query("issue == @issue").set_index("row_id")["details"]


def test_each_damaged_picture_is_an_input_problem_named_by_row(audited: curate.AuditResult) -> None:
    quality = _by_row(audited, "input_quality")
    assert {row: details["problems"] for row, details in quality.items()} == {
        BLACK: ["dark", "low_information"],
        BLURRED: ["blurry"],
        TRUNCATED: ["truncated"],
        BOMB: ["too_large"],
    }


def test_the_exif_rotated_copy_is_an_exact_duplicate_once_turned(audited: curate.AuditResult) -> None:
    exact = audited.findings.query("issue == 'exact_duplicate'")
    assert sorted(exact["row_id"]) == [7, ROTATED]


def test_the_resized_jpeg_copy_is_the_only_near_duplicate(audited: curate.AuditResult) -> None:
    near = _by_row(audited, "near_duplicate")
    assert sorted(near.index) == [5, RESIZED]
    assert near[RESIZED]["matches"] == ["5"]


def test_a_picture_nobody_could_read_gets_no_label_verdict() -> None:
    """The user's model prefers another class for row 3 and for two unreadable pictures: only row 3 is
    a label error; the unreadable ones are input problems, their 'class' an artefact of zeros."""
    rng = np.random.default_rng(2)
    cells = [_encoded(drawing(rng)) for _ in range(40)]
    cells += [_encoded(drawing(rng))[:150], png_claiming(100_000, 100_000)]
    labels = np.array(["ab"[i % 2] for i in range(len(cells))])
    codes = (labels == "b").astype(int)
    probs = np.full((len(cells), 2), 0.03)
    probs[np.arange(len(cells)), codes] = 0.97
    for row in (3, 40, 41):
        probs[row] = probs[row, ::-1].copy()  # 0.97 for the other class
    frame = pd.DataFrame({"picture": cells, "label": labels})
    result = curate.audit(frame, label="label", image="picture", pred_probs=probs, detectors=["label"],
                          progress=False)
    assert result.findings.query("issue == 'label'")["row_id"].tolist() == [3]
    assert result.notes["label"]["unread_rows_not_judged"] == 2
