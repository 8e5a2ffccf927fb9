"""Exports of image datasets: a folder tree copied with the ledger applied, and no picture bytes in text files."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from PIL import Image

import curate
from curate.errors import InputError
from curate.export import export_tree, export_version
from curate.export.tree import plan_tree
from curate.ledger import record
from curate.ledger.versions import load_stored_version
from curate.store import Workspace

from ..conftest import assert_one_line_error, run_cli
from ..modalities.image_samples import drawn_picture, natural_image, picture_tree


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _audit(source: Path, ws: Path, **options: object) -> curate.AuditResult:
    return curate.audit(source, embedder="pixels", workspace=ws, progress=False, **options)  # type: ignore[arg-type]


@pytest.fixture
def pets(tmp_path: Path) -> tuple[Workspace, Path]:
    """cat/0..3, dog/0..3 and cat/more/1.png, audited; dog/0 relabelled cat, cat/2 removed, dog/3 undecided."""
    root = picture_tree(tmp_path / "pets", {"cat": 4, "dog": 4})
    drawn_picture(root / "cat" / "more" / "1.png", 77)  # the same name as cat/1.png, one folder deeper
    ws = Workspace(tmp_path / "ws")
    result = _audit(root, ws.path)
    record(ws, result.dataset, row_id="dog/0.png", action="relabel", new_label="cat", reviewer="ana")
    record(ws, result.dataset, row_id="cat/2.png", action="remove", reviewer="ana")
    return ws, root


def test_a_tree_export_moves_relabelled_pictures_and_leaves_out_removed_ones(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, root = pets
    out = tmp_path / "fixed"
    summary = export_tree(ws, None, "latest", out)
    source = _files(root)
    assert _files(out) == {
        "cat/0.png": source["cat/0.png"],  # stays where it was: keeps its name
        "cat/0~2.png": source["dog/0.png"],  # moved in by the relabel; 0.png was taken
        "cat/1.png": source["cat/1.png"],
        "cat/1~2.png": source["cat/more/1.png"],  # flattened into its class folder
        "cat/3.png": source["cat/3.png"],
        "dog/1.png": source["dog/1.png"],
        "dog/2.png": source["dog/2.png"],
        "dog/3.png": source["dog/3.png"],
    }
    assert (summary.files, summary.relabelled, summary.removed, summary.renamed) == (8, 1, 1, 2)
    assert not list(tmp_path.glob(".fixed.*"))  # no partial folder left beside it
    at_source = export_tree(ws, None, 0, tmp_path / "as-imported")
    assert _files(tmp_path / "as-imported") == {**{k: v for k, v in source.items() if k != "cat/more/1.png"},
                                                 "cat/1~2.png": source["cat/more/1.png"]}
    assert (at_source.version, at_source.relabelled, at_source.removed) == (0, 0, 0)


def test_a_split_tree_keeps_train_and_test(tmp_path: Path) -> None:
    root = tmp_path / "digits"
    picture_tree(root / "train", {"0": 4, "1": 4})
    picture_tree(root / "test", {"0": 2, "1": 2}, seed=500)
    ws = Workspace(tmp_path / "ws")
    result = _audit(root, ws.path)
    record(ws, result.dataset, row_id="test/1/0.png", action="relabel", new_label="0", reviewer="ana")
    record(ws, result.dataset, row_id="train/0/3.png", action="remove", reviewer="ana")
    export_tree(ws, None, "latest", tmp_path / "out")
    source = _files(root)
    moved = {"test/1/0.png": "test/0/0~2.png"}
    assert _files(tmp_path / "out") == {moved.get(k, k): v for k, v in source.items() if k != "train/0/3.png"}


def test_curate_export_writes_the_file_and_the_tree(pets: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = pets
    out, table = tmp_path / "tree", tmp_path / "fixed.csv"
    done = run_cli(["export", table, "--tree", out, "-w", ws.path])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        f"wrote {table}: version 2, 8 rows (1 relabelled, 1 removed)",
        f"wrote {out}: version 2, 8 pictures (1 relabelled, 1 removed, 2 renamed to avoid a clash)",
        "  cat/more/1.png -> cat/1~2.png",  # each rename said: which source file each new name holds
        "  dog/0.png -> cat/0~2.png",
    ]
    assert pd.read_csv(table).to_dict("list") == {
        "path": ["cat/0.png", "cat/1.png", "cat/3.png", "cat/more/1.png", "dog/0.png", "dog/1.png", "dog/2.png",
                 "dog/3.png"],
        "label": ["cat"] * 5 + ["dog"] * 3}
    assert sorted(_files(out)) == ["cat/0.png", "cat/0~2.png", "cat/1.png", "cat/1~2.png", "cat/3.png",
                                   "dog/1.png", "dog/2.png", "dog/3.png"]


def test_a_non_empty_tree_output_is_refused_and_nothing_is_written(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, _ = pets
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    table = tmp_path / "fixed.csv"
    done = run_cli(["export", table, "--tree", out, "-w", ws.path])
    line = assert_one_line_error(done)
    assert line == f"error: --tree {out} already exists and is not an empty folder; give a new or empty folder"
    assert _files(out) == {"keep.txt": b"mine"}
    assert not table.exists()
    (out / "keep.txt").unlink()  # an empty folder is fine
    assert export_tree(ws, None, "latest", out).files == 8


@pytest.mark.parametrize("label", ["..", ".", "../../escaped", "a/b", "a\\b", ""])
def test_a_label_that_would_leave_the_tree_is_refused(label: str) -> None:
    # the ledger relabels only to the dataset's classes; the tree checks every label again all the same
    with pytest.raises(InputError) as caught:
        plan_tree([("dog/1.png", (label,))])
    assert str(caught.value) == (f"the label {label!r} cannot be a name inside the tree (it would lead out of the "
                                 "folder or name none); relabel or remove the row first")


def test_a_class_folder_that_is_no_name_elsewhere_is_refused_before_writing(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pets", {"cat": 4, "a\\b": 4})  # a folder name on Linux, a path on Windows
    ws = Workspace(tmp_path / "ws")
    _audit(root, ws.path)
    (tmp_path / "deep").mkdir()
    with pytest.raises(InputError, match=r"^the label 'a\\\\b' cannot be a name inside the tree"):
        export_tree(ws, None, "latest", tmp_path / "deep" / "out")
    assert not (tmp_path / "deep" / "out").exists() and not list((tmp_path / "deep").glob(".out.*"))


def test_plan_tree_refuses_a_file_name_that_leads_out_and_numbers_clashes_in_any_case() -> None:
    with pytest.raises(InputError, match=r"^the file name '\.\.' cannot be a name inside the tree"):
        plan_tree([("cat/..", ("cat",))])
    assert plan_tree([("b/X.png", ("a",)), ("a/x.png", ("a",)), ("c/x.png", ("a",)), ("a/x~2.png", ("a",))]) == [
        ("a/x.png", "a/x.png"), ("a/x~2.png", "a/x~2.png"), ("b/X.png", "a/X~3.png"), ("c/x.png", "a/x~4.png")]


def test_a_picture_swapped_for_a_link_out_of_the_folder_is_never_copied(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, root = pets
    drawn_picture(tmp_path / "secret.png", 5)
    (root / "dog" / "1.png").unlink()
    (root / "dog" / "1.png").symlink_to(tmp_path / "secret.png")  # swapped for a link after the audit
    with pytest.raises(InputError) as caught:
        export_tree(ws, None, "latest", tmp_path / "out")
    assert str(caught.value) == ("the picture 'dog/1.png' changed on disk since version 1 of 'pets' was recorded; "
                                 "nothing was written: audit the folder again to record the pictures as they are "
                                 "now, then export")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))


def test_a_picture_changed_after_the_audit_is_refused_in_one_line(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, root = pets
    drawn_picture(root / "cat" / "3.png", 99)  # other pixels under the same name
    (root / "dog" / "2.png").unlink()
    done = run_cli(["export", "--tree", tmp_path / "out", "-w", ws.path])
    assert_one_line_error(done, "'cat/3.png' (and 1 more) changed on disk since version 1 of 'pets'",
                          "nothing was written")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))


def test_a_moved_folder_or_deleted_pictures_are_named_as_such(pets: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, root = pets
    (root / "dog" / "2.png").unlink()
    with pytest.raises(InputError, match=r"^the picture 'dog/2.png' is no longer in '.*', where version 1 of "
                                         r"'pets' found it; nothing was written"):
        export_tree(ws, None, "latest", tmp_path / "out")
    root.rename(tmp_path / "moved")
    with pytest.raises(InputError, match=r"^the folder '.*' that version 1 of 'pets' was read from no longer exists "
                                         r"\(moved or deleted\?\); nothing was written"):
        export_tree(ws, None, "latest", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_picture_saved_again_with_the_same_pixels_is_the_same_version(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, root = pets
    picture = root / "cat" / "3.png"
    Image.open(picture).save(picture, format="PNG", compress_level=0)  # other bytes, the same pixels
    assert export_tree(ws, None, "latest", tmp_path / "out").files == 8
    assert _files(tmp_path / "out")["cat/3.png"] == picture.read_bytes()


def test_a_tree_export_of_a_table_or_into_the_source_is_refused(pets: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, root = pets
    with pytest.raises(InputError, match=r"--tree .* is inside the dataset's folder"):
        export_tree(ws, None, "latest", root / "fixed")
    assert not (root / "fixed").exists()
    done = run_cli(["export", "-w", ws.path])
    assert done.exit_code == 2 and "give OUTPUT, --tree OUT_DIR, or both" in done.stderr
    done = run_cli(["export", "--tree", tmp_path / "t", "--with-status", "-w", ws.path])
    assert done.exit_code == 2 and "are about OUTPUT; give OUTPUT too" in done.stderr
    assert not (tmp_path / "t").exists()


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    natural_image(seed, (24, 24)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def bytes_parquet(tmp_path: Path) -> tuple[Workspace, Path]:
    """12 pictures as PNG bytes in a Parquet column, audited; row b1 relabelled, a0 removed."""
    source = tmp_path / "pictures.parquet"
    pd.DataFrame({"id": [f"{c}{i}" for c in "ab" for i in range(6)],
                  "image": [_png(i) for i in range(12)],
                  "label": ["a"] * 6 + ["b"] * 6}).to_parquet(source, index=False)
    ws = Workspace(tmp_path / "ws")
    result = _audit(source, ws.path, label="label", id="id", image="image")
    record(ws, result.dataset, row_id="b1", action="relabel", new_label="a", reviewer="ana")
    record(ws, result.dataset, row_id="a0", action="remove", reviewer="ana")
    return ws, source


def test_a_csv_export_of_picture_bytes_has_ids_and_labels_only(
    bytes_parquet: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, _ = bytes_parquet
    done = run_cli(["export", tmp_path / "fixed.csv", "-w", ws.path])
    assert done.exit_code == 0, done.output
    assert done.stderr == ("note: the column 'image' holds picture bytes, which a csv file cannot hold: left out "
                           "(export to .parquet to keep the pictures)\n")
    text = (tmp_path / "fixed.csv").read_text()
    assert text.splitlines()[:3] == ["id,label", "a1,a", "a2,a"]
    assert "b1,a" in text.splitlines() and len(text) < 200
    summary = export_version(ws, None, "latest", None, tmp_path / "fixed.jsonl")
    assert "image" not in (tmp_path / "fixed.jsonl").read_text() and len(summary.notes) == 1


def test_a_parquet_export_keeps_the_picture_bytes(bytes_parquet: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, source = bytes_parquet
    summary = export_version(ws, None, "latest", None, tmp_path / "fixed.parquet")
    assert summary.notes == ()
    written = pq.read_table(tmp_path / "fixed.parquet").to_pandas()
    original = pd.read_parquet(source).iloc[1:].reset_index(drop=True)
    assert written["image"].tolist() == original["image"].tolist()
    assert written["label"].tolist() == ["a"] * 5 + ["b", "a"] + ["b"] * 4
    assert Image.open(io.BytesIO(written["image"][0])).size == (24, 24)


def test_a_tree_export_of_a_table_of_pictures_is_refused(bytes_parquet: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = bytes_parquet
    with pytest.raises(InputError) as caught:
        export_tree(ws, None, "latest", tmp_path / "out")
    assert str(caught.value) == ("--tree copies a folder of pictures; dataset 'pictures' was imported from a "
                                 "parquet file: export it to a file instead")
    assert not (tmp_path / "out").exists()


def test_drop_ambiguous_leaves_ambiguous_pictures_out_of_the_tree(pets: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, root = pets
    record(ws, load_stored_version(ws, dataset="pets").dataset, row_id="dog/3.png", action="ambiguous",
           reviewer="ana")
    summary = export_tree(ws, None, "latest", tmp_path / "out", drop_ambiguous=True)
    assert (summary.files, summary.removed, summary.ambiguous_dropped) == (7, 1, 1)
    assert "dog/3.png" not in _files(tmp_path / "out")
    assert _files(tmp_path / "out")["dog/2.png"] == (root / "dog" / "2.png").read_bytes()


def test_pictures_the_audit_could_never_read_are_left_out_with_a_note(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "tree", {"cat": 3, "dog": 3})
    drawn_picture(tmp_path / "elsewhere" / "evil.png", 8)
    drawn_picture(tmp_path / "elsewhere" / "worse.png", 9)
    (root / "a").symlink_to(tmp_path / "elsewhere", target_is_directory=True)  # a class folder leading out
    (root / "dog" / "gone.png").symlink_to("nowhere.png")  # names no file
    ws = tmp_path / "ws"
    result = _audit(root, ws)
    assert set(result.findings.query("issue == 'input_quality'")["row_id"]) == {"a/evil.png", "a/worse.png",
                                                                                 "dog/gone.png"}
    out = tmp_path / "out"
    done = run_cli(["export", "--tree", out, "-w", ws])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [f"wrote {out}: version 0, 6 pictures (0 relabelled, 0 removed)"]
    assert done.stderr.splitlines() == [
        "note: 2 picture(s) left out: they led outside the dataset's folder when the version was recorded, "
        "so the audit never read them ('a/evil.png', 'a/worse.png')",
        "note: 1 picture(s) left out: they were not files when the version was recorded, so the audit never "
        "read them ('dog/gone.png')"]
    source = _files(root)
    assert _files(out) == {k: v for k, v in source.items() if k.split("/")[0] in ("cat", "dog")}


def _as_recorded_before_pictures_were_kept(ws: Workspace) -> None:
    """Make the workspace's versions look as a curate that kept only the paths recorded them."""
    with sqlite3.connect(ws.db_path) as con:
        for version_id, options in con.execute("SELECT id, options FROM dataset_versions").fetchall():
            kept = {k: v for k, v in json.loads(options).items() if k != "pictures"}
            con.execute("UPDATE dataset_versions SET options = ? WHERE id = ?", (json.dumps(kept), version_id))


def test_a_version_recorded_with_paths_only_exports_as_before_and_is_recorded_anew_once(
    pets: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, root = pets
    _as_recorded_before_pictures_were_kept(ws)
    assert export_tree(ws, None, "latest", tmp_path / "out").files == 8  # its pictures cannot be checked
    (root / "dog" / "2.png").unlink()
    with pytest.raises(InputError, match=r"^the picture 'dog/2.png' is no longer a file in .*; nothing was written$"):
        export_tree(ws, None, "latest", tmp_path / "again")
    drawn_picture(root / "dog" / "2.png", 2)
    runs = [_audit(root, ws.path) for _ in range(2)]
    assert [run.metrics["dataset_version"] for run in runs] == [2, 2]  # once, as its pictures were not recorded
