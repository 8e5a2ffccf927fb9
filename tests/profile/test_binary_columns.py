"""Columns of bytes (encoded pictures, blobs) are summarised in profiles and cards, never printed as text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from curate.profile import columns, profile_data

from ..conftest import run_cli


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8, 8), shade).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    """12 PNG pictures as bytes, two labels, and an unused column of other bytes (one missing)."""
    frame = pd.DataFrame({"image": [_png(20 * i) for i in range(12)], "label": ["a", "b"] * 6,
                          "blob": [b"\x00\x01\xff" * (i + 1) for i in range(11)] + [None]})
    path = tmp_path / "pictures.parquet"
    frame.to_parquet(path)
    return path


def _median_png_size() -> str:
    median = pd.Series([len(_png(20 * i)) for i in range(12)]).median()
    assert median < 1024
    return f"{median:.0f} B"


def test_bytes_are_summarised_not_listed() -> None:
    byte_size, profile_column = columns.byte_size, columns.profile_column
    png = profile_column(pd.Series([_png(0), _png(0), _png(255)], name="image"), role="image")
    assert (png.kind, png.top, png.distinct) == ("image", [], 2)
    assert png.binary is not None and (png.binary.cells, png.binary.what) == (3, "image bytes (PNG)")
    assert png.values_summary() == f"image bytes (PNG), median {byte_size(len(_png(0)))}"
    blob = profile_column(pd.Series([b"\x00" * 100, b"\xff" * 3000, None], name="blob"), role="unused")
    assert (blob.kind, blob.missing, blob.top) == ("binary", 1, [])
    assert blob.values_summary() == "binary, median 1.5 KiB"
    assert blob.to_dict()["binary"] == {"cells": 2, "what": "binary", "sizes": {
        "count": 2, "min": 100.0, "q25": 825.0, "median": 1550.0, "q75": 2275.0, "p95": 2855.0, "max": 3000.0,
        "mean": 1550.0}}
    # a Hugging Face image struct holds its bytes; text beside bytes is still listed
    mixed = profile_column(pd.Series([{"bytes": _png(0), "path": None}, "n/a", "n/a"], name="m"), role="unused")
    assert (mixed.kind, mixed.top) == ("categorical", [("n/a", 2)])
    assert mixed.values_summary() == f"image bytes (PNG), median {byte_size(len(_png(0)))}; also n/a (2)"
    assert profile_column(pd.Series(["x", "y"], name="t"), role="unused").values_summary() is None


def test_byte_sizes_for_people() -> None:
    assert [columns.byte_size(n) for n in (0, 1023, 1024, 1536, 1024**2, 3 * 1024**3)] == [
        "0 B", "1023 B", "1.0 KiB", "1.5 KiB", "1.0 MiB", "3.0 GiB"]


def test_curate_profile_prints_what_the_bytes_are(pictures: Path) -> None:
    result = run_cli(["profile", pictures, "--no-tokens"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "PNG\r" not in result.stdout and "IHDR" not in result.stdout and "\x00" not in result.stdout
    assert f"image\timage\timage\t0\t0\t0\t12\timage bytes (PNG), median {_median_png_size()}" in lines
    assert "blob\tinput\tbinary\t1\t0\t0\t11\tbinary, median 18 B" in lines
    facts = json.loads(run_cli(["profile", pictures, "--no-tokens", "--format", "json"]).stdout)
    assert [c["top"] for c in facts["columns"]] == [[], [["a", 6], ["b", 6]], []]
    assert profile_data(pictures, tokens=False).columns[0].binary is not None


def test_the_data_card_summarises_the_bytes(pictures: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert run_cli(["import", pictures, "-w", workspace]).exit_code == 0
    exported = run_cli(["card", "export", "-w", workspace])
    assert exported.exit_code == 0, exported.output
    assert "IHDR" not in exported.stdout and "\x00" not in exported.stdout
    assert f"| image | image | image | 0 | 0 | 0 | 12 | image bytes (PNG), median {_median_png_size()} |" \
        in exported.stdout
