"""Class-per-folder trees of pictures (``root/<label>/<file>``, optionally split in train/ and test/)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import curate
from curate.cli.main import main
from curate.errors import DatasetError, InputError
from curate.ingest.image_folders import read_image_folder
from curate.ingest.loading import input_hashes, load_data
from curate.ledger import record
from curate.ledger.versions import load_stored_version
from curate.modalities.image import image_facts
from curate.review import ReviewSession, load_run
from curate.store.decisions import append_decision
from curate.store.workspace import Workspace

from ..modalities.image_samples import drawn_picture, picture_tree

NOT_PICTURES = "(.jpg, .jpeg, .png, .webp, .bmp, .gif, .tif, .tiff)"


def test_each_picture_is_a_row_labelled_by_its_folder_and_other_files_are_counted(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pets", {"cat": 2, "고양이": 2})
    drawn_picture(root / "cat" / "more" / "x.JPG", 9, "JPEG")  # deeper folders keep the class; suffix in any case
    (root / "cat" / "readme.txt").write_text("not a picture")
    (root / "고양이" / ".DS_Store").write_bytes(b"\0")  # hidden: skipped without a word
    loaded = load_data(root)
    ds = loaded.dataset
    assert ds.row_ids.tolist() == ["cat/0.png", "cat/1.png", "cat/more/x.JPG", "고양이/0.png", "고양이/1.png"]
    assert ds.labels.tolist() == ["cat", "cat", "cat", "고양이", "고양이"]
    assert ds.classes == ("cat", "고양이")
    assert ds.splits is None
    assert ds.modality == "image"
    assert ds.frame.columns.tolist() == ["path"]
    assert ds.frame["path"].tolist() == ds.row_ids.tolist()
    assert ds.root == str(root.resolve())
    assert ds.notes[:2] == ["image folder: 5 picture(s) in 2 class folder(s)",
                            f"skipped 1 file(s) that are not pictures {NOT_PICTURES}"]
    pictures = loaded.source.options.pop("pictures")  # the pictures' content, part of the version's identity
    assert len(pictures) == 64 and int(pictures, 16) >= 0
    assert loaded.source.options == {"label": "label", "text": [], "id": "path", "split": None, "encoding": None,
                                     "image": "path", "root": str(root.resolve())}
    assert loaded.source.test_path is None


def test_a_train_and_test_tree_gives_the_test_split(tmp_path: Path) -> None:
    root = tmp_path / "digits"
    picture_tree(root / "train", {"0": 2, "1": 2})
    picture_tree(root / "test", {"0": 2, "1": 2}, seed=50)
    (root / "val").mkdir()
    (root / "extra").mkdir()
    loaded = load_data(root)
    ds = loaded.dataset
    assert ds.row_ids.tolist() == ["train/0/0.png", "train/0/1.png", "train/1/0.png", "train/1/1.png",
                                   "test/0/0.png", "test/0/1.png", "test/1/0.png", "test/1/1.png"]
    assert ds.splits.tolist() == ["train"] * 4 + ["test"] * 4
    assert ds.labels.tolist() == ["0", "0", "1", "1"] * 2
    assert ds.notes[:3] == ["image folder: 8 picture(s) in 2 class folder(s), with a test/ split",
                            "folders not read (only the split folders train/ and val/ and test/ are): extra",
                            "empty split folder(s) not read: val/"]
    assert loaded.source.options["split"] is None  # stored as before validation folders were read


@pytest.mark.parametrize("val_name", ["val", "valid", "Validation"])
def test_a_validation_folder_is_a_held_out_split_that_leaks_are_found_across(tmp_path: Path, val_name: str) -> None:
    root = tmp_path / "shapes"
    picture_tree(root / "train", {"a": 8, "b": 8})
    picture_tree(root / val_name, {"a": 3, "b": 3}, seed=500)
    picture_tree(root / "test", {"a": 3, "b": 3}, seed=700)
    drawn_picture(root / val_name / "b" / "copy.png", 3)  # the same drawing as train/a/3.png: a leak
    ws = tmp_path / "ws"
    result = curate.audit(root, embedder="pixels", workspace=ws, progress=False)
    ds = result.dataset
    assert ds.classes == ("a", "b")
    assert ds.splits.tolist() == ["train"] * 16 + ["val"] * 7 + ["test"] * 6
    assert ds.row_ids.tolist()[16:18] == [f"{val_name}/a/0.png", f"{val_name}/a/1.png"]
    assert ds.notes[0] == "image folder: 29 picture(s) in 2 class folder(s), with a val/ split and a test/ split"
    leaks = result.findings.query("issue == 'leakage'")["row_id"].tolist()
    assert f"{val_name}/b/copy.png" in leaks
    stored = load_stored_version(Workspace(ws), run_id=result.run_id).loaded.dataset
    assert stored.row_ids.tolist() == ds.row_ids.tolist()
    assert stored.splits.tolist() == ds.splits.tolist()
    assert [d.problem for d in image_facts(stored).decoded] == [None] * 29


def test_a_train_and_val_tree_without_test_has_both_splits(tmp_path: Path) -> None:
    root = tmp_path / "digits"
    picture_tree(root / "train", {"0": 2, "1": 2})
    picture_tree(root / "val", {"0": 2, "1": 2}, seed=50)
    loaded = load_data(root)
    assert loaded.dataset.splits.tolist() == ["train"] * 4 + ["val"] * 4
    assert loaded.dataset.labels.tolist() == ["0", "0", "1", "1"] * 2
    assert loaded.dataset.notes[0] == "image folder: 8 picture(s) in 2 class folder(s), with a val/ split"
    assert loaded.source.options["split"] == "split"
    assert loaded.source.test_path is None


def test_a_tree_with_train_alone_is_read_as_trains_classes(tmp_path: Path) -> None:
    root = tmp_path / "digits"
    picture_tree(root / "train", {"0": 2, "1": 2})
    ds = load_data(root).dataset
    assert ds.labels.tolist() == ["0", "0", "1", "1"]
    assert ds.row_ids.tolist()[0] == "train/0/0.png"
    assert ds.splits is None
    assert ds.notes[:2] == ["image folder: 4 picture(s) in 2 class folder(s)",
                            "the classes are train/'s subfolders (no other split folder)"]


def test_a_class_named_like_a_split_beside_other_classes_stays_a_class_and_is_said(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "odd", {"test": 2, "cat": 2})
    ds = load_data(root).dataset
    assert ds.classes == ("cat", "test")
    assert ds.splits is None
    assert ds.notes[1] == ("class folder(s) named like a split, read as classes: test "
                           "(a train/ folder beside them makes them splits)")


def test_a_link_out_of_the_folder_is_listed_but_never_read(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pets", {"cat": 2, "dog": 2})
    drawn_picture(tmp_path / "secret.png", 7)
    (root / "dog" / "link.png").symlink_to(tmp_path / "secret.png")
    ds = load_data(root).dataset
    assert ds.row_ids.tolist()[-1] == "dog/link.png"
    decoded = image_facts(ds).decoded
    assert decoded[-1].problem == "outside_folder"
    assert [d.problem for d in decoded[:-1]] == [None] * 4


@pytest.mark.parametrize(("layout", "message"), [
    ({}, "{root} is an empty folder; put each class's pictures in {root}/<label>/"),
    ({"notes.txt": "x"}, "{root} has no class subfolders; put each class's pictures in {root}/<label>/"),
    ({"a.png": None, "cat/0.png": None},
     "{root}: the picture 'a.png' is directly under the folder; put every picture in a class subfolder "
     "({root}/<label>/a.png)"),
    ({"cat/notes.txt": "x"}, "{root} holds no pictures in its class subfolders (.jpg, .jpeg, .png, .webp, .bmp, "
                             ".gif, .tif, .tiff files)"),
    ({"train/cat/0.png": None, "test/0.png": None},
     "{root}/test: the picture '0.png' is directly under the folder; put every picture in a class subfolder "
     "({root}/test/<label>/0.png)"),
    ({"train/cat/0.png": None, "val/cat/0.png": None, "valid/cat/0.png": None},
     "{root} has two val split folders, val/ and valid/; keep one"),
])
def test_a_folder_that_is_not_a_class_tree_is_refused_in_one_line(
    tmp_path: Path, layout: dict[str, str | None], message: str
) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    for name, content in layout.items():
        if content is None:
            drawn_picture(root / name, 1)
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content)
    with pytest.raises(DatasetError) as caught:
        read_image_folder(root)
    assert str(caught.value) == message.format(root=root)


def test_a_folder_with_a_separate_test_file_is_refused(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pets", {"cat": 2, "dog": 2})
    with pytest.raises(InputError) as caught:
        load_data(root, test=tmp_path / "test.csv")
    assert str(caught.value) == (f"{root} is a folder of pictures: its test split is its test/ subfolder; "
                                 "leave out --test")


def test_column_options_for_a_folder_are_refused(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pets", {"cat": 2, "dog": 2})
    with pytest.raises(InputError) as caught:
        load_data(root, label="label", image="path")
    assert str(caught.value) == (f"{root} is a folder of pictures, read as the columns 'path' and 'label'; "
                                 "leave out --label, --image")


def test_the_cli_says_what_is_wrong_with_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    done = CliRunner().invoke(main, ["audit", str(root), "-w", str(tmp_path / "ws"), "--no-embed"])
    assert done.exit_code != 0
    assert f"error: {root} is an empty folder" in done.output
    assert not (tmp_path / "ws").exists()


def test_a_folder_tree_is_audited_end_to_end_and_reloaded_from_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "shapes"
    picture_tree(root / "train", {"a": 8, "b": 8})
    picture_tree(root / "test", {"a": 3, "b": 3}, seed=500)
    drawn_picture(root / "test" / "b" / "copy.png", 3)  # the same drawing as train/a/3.png: a leak
    ws = tmp_path / "ws"
    result = curate.audit(root, embedder="pixels", workspace=ws, progress=False)
    assert result.dataset.n_rows == 23
    assert result.params["source"] == str(root)
    assert result.params["test"] == str(root / "test")
    leaks = result.findings.query("issue == 'leakage'")["row_id"].tolist()
    assert "test/b/copy.png" in leaks
    stored = load_stored_version(Workspace(ws), run_id=result.run_id).loaded.dataset
    assert stored.row_ids.tolist() == result.dataset.row_ids.tolist()
    assert stored.splits.tolist() == result.dataset.splits.tolist()
    assert [d.problem for d in image_facts(stored).decoded] == [None] * 23


def _runs_versions(ws: Path) -> list[str]:
    """The dataset version of each run, as ``curate runs`` lists them."""
    done = CliRunner().invoke(main, ["runs", "-w", str(ws)])
    assert done.exit_code == 0, done.output
    return [line.split("\t")[2] for line in done.stdout.splitlines()[1:]]


def test_a_picture_changed_on_disk_makes_a_new_version_and_the_same_pictures_do_not(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "tree", {"cat": 4, "dog": 4})
    ws = tmp_path / "ws"
    audit = ["audit", str(root), "-w", str(ws), "--embedder", "pixels"]
    for _ in range(2):  # auditing again what did not change records no new version
        done = CliRunner().invoke(main, audit)
        assert done.exit_code == 0, done.output
    drawn_picture(root / "cat" / "3.png", 99)  # other pixels under the same name
    done = CliRunner().invoke(main, audit)
    assert done.exit_code == 0, done.output
    assert _runs_versions(ws) == ["1", "1", "2"]
    first, _, third = (Workspace(ws).version_rows(run)["content_hash"].tolist() for run in (1, 2, 3))
    changed = [row for row, (was, now) in enumerate(zip(first, third, strict=True)) if was != now]
    assert changed == [3]  # cat/3.png alone


def test_a_table_of_picture_paths_is_versioned_by_its_pictures(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "pics", {"cat": 3, "dog": 3})
    table = tmp_path / "pics" / "labels.csv"
    table.write_text("file,label\n" + "".join(f"{c}/{i}.png,{c}\n" for c in ("cat", "dog") for i in range(3)))
    ws = Workspace(tmp_path / "ws")
    runs = [curate.audit(table, label="label", image="file", embedder="pixels", workspace=ws, progress=False)]
    drawn_picture(root / "dog" / "0.png", 42)
    runs.append(curate.audit(table, label="label", image="file", embedder="pixels", workspace=ws, progress=False))
    assert [run.metrics["dataset_version"] for run in runs] == [1, 2]
    assert runs[0].params["options"]["pictures"] != runs[1].params["options"]["pictures"]


def test_a_table_that_holds_its_pictures_keeps_its_fingerprint(tmp_path: Path) -> None:
    cells = []
    for seed in range(6):
        drawn_picture(tmp_path / f"{seed}.png", seed)
        cells.append((tmp_path / f"{seed}.png").read_bytes())
    frame = pd.DataFrame({"image": cells, "label": ["a", "b"] * 3})
    loaded = load_data(frame, label="label")
    assert loaded.dataset.modality == "image"
    assert "pictures" not in loaded.source.options  # the bytes are in the table: nothing more to record


def test_a_decision_on_a_picture_holds_until_the_picture_changes(tmp_path: Path) -> None:
    root = picture_tree(tmp_path / "tree", {"cat": 3, "dog": 3})
    ws = Workspace(tmp_path / "ws")
    result = curate.audit(root, embedder="pixels", workspace=ws, progress=False)
    record(ws, result.dataset, row_id="cat/1.png", action="remove", reviewer="ana")
    review = ReviewSession(load_run(ws, result.run_id), reviewer="bo")
    assert review.decided_mask(review.states()).tolist() == [False, True, False, False, False, False]
    drawn_picture(root / "cat" / "1.png", 31)  # other pixels: the decision was about another picture
    review = ReviewSession(load_run(ws, result.run_id), reviewer="bo")
    assert not review.decided_mask(review.states()).any()
    dataset = review.dataset
    assert input_hashes(dataset, [0]) != dataset.input_hashes([0])  # the pixels are hashed, not the path alone
    # a decision an older curate recorded over the path alone still counts
    append_decision(ws, dataset.name, {"row_id": "dog/2.png", "input_hash": dataset.input_hashes([5])[0],
                                       "action": "remove", "field": "row", "old_value": "present",
                                       "new_value": "removed", "reviewer": "old", "run_id": result.run_id,
                                       "issue": None, "score": None, "reason": None})
    assert review.decided_mask(review.states()).tolist() == [False] * 5 + [True]
