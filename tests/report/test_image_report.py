"""The report of an image dataset shows each issue's worst rows as PNG thumbnails curate re-encoded."""

from __future__ import annotations

import base64
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import curate
from curate.core.dataset import Dataset
from curate.ingest.loading import load_data
from curate.modalities import get_modality
from curate.report import render, render_report

from ..conftest import make_text_frame, run_cli
from ..modalities.image_samples import picture_tree

_PNG_URI = "data:image/png;base64,"
_HOSTILE = "<script>alert(1)"  # a class folder's name: a label; the caption must show it as text


class _Grids(HTMLParser):
    """Each grid's figures (by the grid's id) as (row id, img src, img alt, caption text)."""

    def __init__(self) -> None:
        super().__init__()
        self.grids: dict[str, list[list[str]]] = {}
        self._grid: str | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "div" and found.get("class") == "grid":
            self._grid = found["id"]
            self.grids[self._grid] = []
        elif tag == "figure" and self._grid is not None:
            self.grids[self._grid].append([found["data-row-id"]])
        elif tag == "img" and self._grid is not None:
            self.grids[self._grid][-1] += [found["src"], found["alt"]]
        elif tag == "figcaption":
            self._caption = []

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption" and self._caption is not None and self._grid is not None:
            self.grids[self._grid][-1].append(" ".join(part.strip() for part in self._caption if part.strip()))
            self._caption = None
        elif tag == "div":
            self._grid = None



def _without_map(html: str) -> str:
    """The report without its map of the data (a PNG of points, not a picture of a row)."""
    return re.sub(r'<img class="map"[^>]*>', "", html)

def _grids(html: str) -> dict[str, list[list[str]]]:
    parser = _Grids()
    parser.feed(html)
    return parser.grids


def _png(uri: str) -> Image.Image:
    assert uri.startswith(_PNG_URI)
    image = Image.open(io.BytesIO(base64.b64decode(uri[len(_PNG_URI):], validate=True)))
    assert image.format == "PNG"
    return image


@pytest.fixture
def pets(tmp_path: Path) -> Path:
    """8 drawings of cats and 8 of a hostile label; one cat copied into it, one black 28x28 cat."""
    root = picture_tree(tmp_path / "pets", {"cat": 8, _HOSTILE: 8})
    shutil.copyfile(root / "cat" / "0.png", root / _HOSTILE / "<b>copy.png")
    Image.new("RGB", (28, 28)).save(root / "cat" / "dark.png")
    return root


def _check_grids(html: str, root: Path) -> None:
    grids = _grids(html)
    copy = f"{_HOSTILE}/<b>copy.png"
    # one figure per worst row, in the order of the report's table (and the same rows)
    assert {issue: [f[0] for f in figures] for issue, figures in grids.items()} == {
        "grid-exact_duplicate": [copy, "cat/0.png"], "grid-conflicting_labels": [copy, "cat/0.png"],
        "grid-outlier": ["cat/dark.png"], "grid-input_quality": ["cat/dark.png"]}
    (_, copy_src, copy_alt, copy_caption), (_, cat_src, cat_alt, cat_caption) = grids["grid-exact_duplicate"]
    assert (cat_alt, cat_caption) == ("row cat/0.png", "cat/0.png cat")
    assert (copy_alt, copy_caption) == (f"row {copy}", f"{copy} {_HOSTILE}")
    # re-encoded, not the stored file; 32x32 drawn at 96x96 pixel for pixel
    assert base64.b64decode(cat_src[len(_PNG_URI):]) != (root / "cat" / "0.png").read_bytes()
    source = np.asarray(Image.open(root / "cat" / "0.png").convert("RGB"))
    assert np.array_equal(np.asarray(_png(cat_src)), source.repeat(3, axis=0).repeat(3, axis=1))
    assert copy_src == cat_src
    dark = _png(grids["grid-input_quality"][0][1])
    assert dark.size == (84, 84)
    assert "<script>alert" not in html and "<b>copy" not in html
    assert "&lt;script&gt;alert(1)/&lt;b&gt;copy.png" in html


def test_an_image_report_shows_the_worst_rows_as_escaped_thumbnails(pets: Path, tmp_path: Path) -> None:
    result = curate.audit(pets, embedder="pixels", workspace=tmp_path / "ws", progress=False)
    _check_grids(render_report(result), pets)


def test_curate_report_draws_the_grid_from_the_workspace(pets: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run_cli(["audit", pets, "--embedder", "pixels", "-w", ws]).exit_code == 0
    done = run_cli(["report", "-o", tmp_path / "r.html", "-w", ws])
    assert done.exit_code == 0, done.output
    assert done.stdout == f"report: {tmp_path / 'r.html'}\n"
    _check_grids((tmp_path / "r.html").read_text(encoding="utf-8"), pets)


def test_a_report_made_after_the_pictures_moved_says_so(pets: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run_cli(["audit", pets, "--embedder", "pixels", "-w", ws]).exit_code == 0
    pets.rename(tmp_path / "moved")
    done = run_cli(["report", "-o", tmp_path / "r.html", "-w", ws])
    assert done.exit_code == 0, done.output
    copy = f"{_HOSTILE}/<b>copy.png"
    # cat/dark.png was flagged for its input, so its absence is not news; the other two were read
    assert done.stderr == (f"note: 2 of the pictures the report shows cannot be read now ({copy!r}, 'cat/0.png'): "
                           f"the folder {str(pets)!r} the run read them from no longer exists. The report shows "
                           "those rows without them\n")
    assert _PNG_URI not in _without_map((tmp_path / "r.html").read_text(encoding="utf-8"))


def test_a_text_report_has_no_pictures(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_text_frame().to_csv(data, index=False)
    result = curate.audit(data, embedder="hashed", workspace=tmp_path / "ws", progress=False)
    assert not result.findings.empty
    html = render(curate.report.from_result(result))
    assert _grids(html) == {} and _PNG_URI not in _without_map(html)


def test_row_picture_is_none_for_text_and_for_a_picture_that_cannot_be_read(pets: Path) -> None:
    text: Dataset = load_data(make_text_frame(), label="label", text=["text"]).dataset
    assert get_modality("text").row_picture(text, 0, 96) is None
    (pets / "cat" / "7.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    images = load_data(pets).dataset
    position = images.row_ids.tolist().index("cat/7.png")
    assert get_modality("image").row_picture(images, position, 96) is None
    assert get_modality("image").row_picture(images, position - 1, 96) is not None


def test_the_count_of_rows_shown_is_the_rows_of_the_table_and_the_grid(tmp_path: Path) -> None:
    from curate.report.data import ReportData

    Image.new("L", (4, 4), 200).save(tmp_path / "x.png")
    png = (tmp_path / "x.png").read_bytes()
    n = 30
    scores = pd.DataFrame({"row_id": [f"r{i:02d}" for i in range(n)], "position": range(n), "issue": "outlier",
                           "score": np.linspace(0.0, 0.1, n), "flagged": True, "given_label": "a",
                           "current_label": "a", "suggested_label": None, "details": [{} for _ in range(n)]})
    data = ReportData(title="t", run_id=1, params={}, metrics={}, timings={}, notes={"outlier": {}},
                      descriptions={}, labels=pd.Series(["a"] * n), scores=scores, previews={},
                      pictures={f"r{i:02d}": png for i in range(n)})
    html = render(data)
    worst = re.search(r'<h2 id="issue-outlier">.*?</table>', html, re.DOTALL).group(0)
    table_rows = re.findall(r"<tr><td>(r\d\d)</td>", worst)
    grid = [figure[0] for figure in _grids(html)["grid-outlier"]]
    assert "10 of 30 flagged rows shown" in worst
    assert table_rows == grid == [f"r{i:02d}" for i in range(10)]
