"""The image modality: selected by --image or by content, exact copies by pixels, broken pictures as problems."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import curate
from curate.errors import ColumnError
from curate.features import EfficientNetEmbedder, efficientnet_available
from curate.modalities import get_modality

from ..conftest import assert_one_line_error, run_cli

MNIST = Path(os.environ.get("CURATE_SHARED_DATA", "/work/shared/data")) / "mnist" / "test.parquet"


def _png(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def _shapes(n: int = 20) -> pd.DataFrame:
    """Bars: class 'h' a horizontal bar, 'v' a vertical one, near the middle; a speck makes each picture unique."""
    rows = []
    for i in range(n):
        array = np.zeros((12, 12), dtype=np.uint8)
        cls = "hv"[i % 2]
        where = 4 + (i // 2) % 4
        if cls == "h":
            array[where, :] = 255
        else:
            array[:, where] = 255
        array[11, i // 2] = 80  # each picture its own
        rows.append({"name": f"s{i}", "picture": _png(array), "label": cls})
    return pd.DataFrame(rows)


def test_a_column_of_picture_bytes_is_read_as_images_by_content() -> None:
    frame = _shapes()
    frame.loc[len(frame)] = {"name": "copy", "picture": _png(np.asarray(Image.open(io.BytesIO(frame.picture[0]))),
                                                                 "BMP"), "label": "v"}
    frame.loc[len(frame)] = {"name": "broken", "picture": frame.picture[1][:-30], "label": "v"}
    result = curate.audit(frame, label="label", embedder="pixels", progress=False)
    assert result.dataset.modality == "image"
    assert [w.code for w in result.warnings] == []  # the image column is read: no image_column warning
    assert "not used as input: 'name' (not the image column)" in result.dataset.notes
    flagged = result.findings
    copies = flagged.query("issue == 'exact_duplicate'")["row_id"].tolist()
    assert sorted(copies) == [0, 20]  # the same pixels in PNG and in BMP
    assert sorted(flagged.query("issue == 'conflicting_labels'")["row_id"]) == [0, 20]
    assert flagged.query("issue == 'input_quality'")["row_id"].tolist() == [21]
    modality = get_modality("image")
    assert modality.row_view(result.dataset, 21).text.startswith("image: truncated (")
    assert modality.preview(result.dataset, 0) == "image 12x12 L PNG"


def test_image_names_the_column_and_reads_paths_inside_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "pics").mkdir(parents=True)
    frame = _shapes(20)
    for i, cell in enumerate(frame.picture):
        (root / "pics" / f"{i}.png").write_bytes(cell)
    frame["path"] = [f"pics/{i}.png" for i in range(20)]
    frame.loc[3, "path"] = "../outside.png"
    Image.new("L", (12, 12)).save(tmp_path / "outside.png")
    data = root / "table.csv"
    frame.drop(columns="picture").to_csv(data, index=False)
    result = curate.audit(data, label="label", image="path", embedder="pixels", progress=False)
    assert result.dataset.modality == "image" and result.dataset.input_columns == ("path",)
    problems = result.findings.query("issue == 'input_quality'")
    assert problems["row_id"].tolist() == ["3"]  # ids of a file are text
    assert get_modality("image").row_view(result.dataset, 3).text.startswith("image: outside_folder (")
    with pytest.raises(ColumnError, match="has no image column 'photo'"):
        curate.audit(data, label="label", image="photo", embedder="pixels", progress=False)


def test_a_separate_test_file_reads_its_paths_in_its_own_folder(tmp_path: Path) -> None:
    frame = _shapes(24)
    for folder, part in (("train", frame.iloc[:16]), ("test", frame.iloc[16:])):
        (tmp_path / folder / "pics").mkdir(parents=True)
        for i, cell in zip(part.index, part.picture, strict=True):
            (tmp_path / folder / "pics" / f"{i}.png").write_bytes(cell)
        part.assign(path=[f"pics/{i}.png" for i in part.index]).drop(columns="picture").to_csv(
            tmp_path / folder / "table.csv", index=False)
    # a test path that climbs into the training folder is outside the test file's folder: never read
    test_table = pd.read_csv(tmp_path / "test" / "table.csv")
    test_table.loc[0, "path"] = "../train/pics/0.png"
    test_table.to_csv(tmp_path / "test" / "table.csv", index=False)
    workspace = tmp_path / "ws"
    result = curate.audit(tmp_path / "train" / "table.csv", test=tmp_path / "test" / "table.csv", label="label",
                          image="path", id="name", embedder="pixels", workspace=workspace, progress=False)
    assert result.dataset.test_root == str((tmp_path / "test").resolve())
    problems = result.findings.query("issue == 'input_quality'")
    assert problems["row_id"].tolist() == ["s16"]
    assert get_modality("image").row_view(result.dataset, 16).text.startswith("image: outside_folder (")
    # read again from the workspace's stored copy, the test rows' paths still resolve in their own folder
    from curate.ledger.versions import load_stored_version
    stored = load_stored_version(curate.Workspace(workspace), dataset=result.dataset.name).loaded.dataset
    assert stored.test_root == result.dataset.test_root
    assert get_modality("image").row_picture(stored, 17, 96) is not None
    assert get_modality("image").row_picture(stored, 16, 96) is None


def test_pil_images_and_arrays_in_a_dataframe_are_read() -> None:
    frame = _shapes(20)
    pictures = [Image.open(io.BytesIO(cell)) for cell in frame.picture]
    as_pil = curate.audit(frame.assign(picture=pictures), label="label", image="picture", embedder="pixels",
                          progress=False)
    as_arrays = curate.audit(frame.assign(picture=[np.asarray(p) for p in pictures]), label="label",
                             image="picture", embedder="pixels", progress=False)
    for result in (as_pil, as_arrays):
        assert result.dataset.modality == "image"
        assert result.findings.query("issue == 'input_quality'").empty


@pytest.mark.parametrize(("odd", "as_arrays"), [
    (7, True), (np.zeros((2, 2, 2, 2), dtype=np.uint8), True), (b"junk", True), (7, False), (b"junk", False),
])
def test_odd_cells_of_a_named_image_column_are_unreadable_rows(odd: object, as_arrays: bool, tmp_path: Path) -> None:
    frame = _shapes(20)
    pictures: list[object] = [np.asarray(Image.open(io.BytesIO(c))) for c in frame.picture] if as_arrays else \
        list(frame.picture)
    pictures[5] = odd
    workspace = tmp_path / "ws"
    result = curate.audit(frame.assign(picture=pictures), label="label", image="picture", embedder="pixels",
                          workspace=workspace, progress=False)
    problems = result.findings.query("issue == 'input_quality'")
    assert problems["row_id"].tolist() == [5]
    assert problems["details"].tolist() == [{"problems": ["unreadable"]}]
    assert get_modality("image").row_view(result.dataset, 5).text.startswith("image: unreadable (")
    from curate.ledger.versions import load_stored_version  # the stored copy reads the same
    stored = load_stored_version(curate.Workspace(workspace), dataset=result.dataset.name).loaded.dataset
    assert get_modality("image").row_picture(stored, 5, 96) is None
    assert get_modality("image").row_picture(stored, 4, 96) is not None


@pytest.mark.parametrize(("cells", "holds"), [
    (["abc", "def"] * 10, "text, not image bytes or paths (first value: 'abc')"),
    (list(range(20)), "numbers, not image bytes or paths (first value: 0)"),
    ([b"junk"] * 20, "other bytes, not image bytes or paths (first value: b'junk')"),
    (["https://example.org/a.png"] * 20, "image URLs (curate never fetches them), not image bytes or paths "
                                         "(first value: 'https://example.org/a.png')"),
])
def test_a_named_column_that_holds_no_pictures_is_refused_saying_what_it_holds(
    tmp_path: Path, cells: list[object], holds: str
) -> None:
    data = tmp_path / "digits.parquet"
    _shapes(20).assign(picture=cells).to_parquet(data)
    result = run_cli(["audit", data, "--label", "label", "--image", "picture", "--no-embed", "-w", tmp_path / "ws"])
    assert_one_line_error(result, f"{data}: column 'picture' holds {holds}")
    assert "--image" not in result.stderr
    frame = _shapes(20)
    frame.loc[:12, "picture"] = "not a picture"  # 13 of 20 cells: fewer than half are pictures
    with pytest.raises(ColumnError) as caught:
        curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)
    assert str(caught.value) == ("<DataFrame>: column 'picture' holds text, not image bytes or paths "
                                 "(first value: 'not a picture')")


def test_cli_image_option(tmp_path: Path) -> None:
    data = tmp_path / "shapes.parquet"
    _shapes().to_parquet(data)
    result = run_cli(["audit", data, "--label", "label", "--image", "picture", "--no-embed", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    assert "image features: pixels:grey:16" in result.output


def test_an_image_run_says_its_detected_column_and_records_the_pixels_it_used(tmp_path: Path) -> None:
    data = tmp_path / "shapes.parquet"
    _shapes().to_parquet(data)
    result = run_cli(["audit", data, "--no-embed", "-w", tmp_path / "ws"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:3] == ["label column: 'label' (detected; override with --label)",
                         "image column: 'picture' (detected; override with --image)",
                         "not used as input: 'name' (not the image column)"]
    [run] = curate.Workspace(tmp_path / "ws").runs()
    assert run.params["config"]["embedder"] == "pixels"  # --no-embed (hashed) on pictures reads the pixels
    verbose = run_cli(["runs", "--verbose", "-w", tmp_path / "ws"])
    assert 'embedder = "pixels"' in verbose.output
    named = curate.audit(data, label="label", image="picture", embedder="hashed", progress=False)
    assert not any(note.startswith("image column:") for note in named.dataset.notes)  # named: nothing to say


def test_audit_help_covers_images() -> None:
    shown = " ".join(run_cli(["audit", "--help"]).output.split())
    assert "--no-embed Use the fast features: hashed for text, the pixels for images" in shown
    assert "for images efficientnet-lite0 (default) or pixels" in shown
    assert "The kind of input: text, tabular, image, or a plugin's" in shown
    assert "text features" not in shown.lower()


@pytest.mark.slow
@pytest.mark.skipif(not efficientnet_available(), reason="the 'image' extra is not installed")
def test_efficientnet_vectors_are_unit_length_and_1280_wide() -> None:
    pictures = [Image.new("RGB", (30, 20), (i * 40, 0, 0)) for i in range(3)]
    vectors = EfficientNetEmbedder().embed(pictures)
    assert vectors.shape == (3, 1280) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def _mnist_with_flips(rows: int) -> tuple[pd.DataFrame, set[int]]:
    """The first ``rows`` MNIST test digits with 5 % of their labels moved to another digit (seeded)."""
    frame = pd.read_parquet(MNIST).drop(columns="id").head(rows)
    rng = np.random.default_rng(0)
    flipped = rng.choice(len(frame), size=len(frame) // 20, replace=False)
    classes = sorted(frame["label"].unique())
    labels = frame["label"].to_numpy().copy()
    for i in flipped:
        labels[i] = rng.choice([c for c in classes if c != labels[i]])
    return frame.assign(label=labels), set(flipped.tolist())


def _label_flags_on_mnist(rows: int) -> tuple[float, float]:
    frame, flipped = _mnist_with_flips(rows)
    started = time.perf_counter()
    # The pixels (the quick mode's features) keep this real-data check to seconds; EfficientNet-Lite0
    # on all 10,000 digits takes about 15 minutes on a 2-core machine (measured in the notes).
    result = curate.audit(frame, label="label", image="image", embedder="pixels", progress=False)
    found = set(result.findings.query("issue == 'label'")["row_id"].astype(int))
    hits = len(found & flipped)
    precision, recall = hits / max(1, len(found)), hits / len(flipped)
    print(f"MNIST {rows} rows, 5 % flips: precision {precision:.3f}, recall {recall:.3f}, "
          f"{time.perf_counter() - started:.0f} s")
    return precision, recall


@pytest.mark.slow
@pytest.mark.skipif(not MNIST.exists(), reason=f"{MNIST} is absent")
def test_mnist_planted_label_flips_are_found() -> None:
    # 50 flips among 1,000 digits. The label rule that flags only labels more likely wrong than right
    # under the estimated noise found 41 of them at precision 1.000 (the rule before it: recall >= 0.9,
    # with more false flags); issue 11's bar, precision and recall of at least 0.8, holds either way.
    precision, recall = _label_flags_on_mnist(1000)
    assert precision >= 0.8 and recall >= 0.8


@pytest.mark.slow
@pytest.mark.skipif(not MNIST.exists(), reason=f"{MNIST} is absent")
def test_mnist_label_flags_are_precise() -> None:
    # Issue 11's bar, on all 10,000 digits: with the kernel view alone precision was 0.675; with the
    # network trained on the digits beside it, 0.828 (recall 0.990), about 4 minutes on 2 busy cores.
    precision, recall = _label_flags_on_mnist(10_000)
    assert precision >= 0.8 and recall >= 0.8


def test_embedders_read_large_pictures_shrunk_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # A user trial: 60 camera photos of 12 megapixels held 3.5 GB, the embedders' batch of 256 kept at
    # full size; a picture reaches an embedder at most MODEL_MAX_SIDE pixels on its longer side.
    import curate.modalities.image as image_module

    seen: list[tuple[int, int]] = []
    real = image_module.embed_images_with_cache

    def recording(keys, load, embedder, cache, *args, **kwargs):  # type: ignore[no-untyped-def]
        def recorded(position: int) -> Image.Image:
            picture = load(position)
            seen.append(picture.size)
            return picture
        return real(keys, recorded, embedder, cache, *args, **kwargs)

    monkeypatch.setattr(image_module, "embed_images_with_cache", recording)
    rng = np.random.default_rng(1)
    rows = [{"picture": _png(rng.integers(0, 255, (600 if i % 3 else 40, 1300, 3), dtype=np.uint8)),
             "label": "ab"[i % 2]} for i in range(12)]
    curate.audit(pd.DataFrame(rows), label="label", embedder="pixels", detectors=["label"], progress=False)
    assert seen and max(max(size) for size in seen) == image_module.MODEL_MAX_SIDE
    assert (1300, 40) not in seen and (image_module.MODEL_MAX_SIDE, 16) in seen  # shrunk, its shape kept
