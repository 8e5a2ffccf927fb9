"""Read a class-per-folder tree of pictures (``root/<label>/<file>``) into a table of paths and labels.

The layout ImageNet, torchvision's ``ImageFolder`` and Keras made common: every subfolder of the
root is a class, and every picture below it (at any depth) is one row labelled with the folder's
name. A root whose subfolders are split names (``train``, ``test``, and ``val``, ``valid`` or
``validation``, in any case) holds one such tree per split: ``test/`` becomes the test split, as
a test file would, and a validation folder is a held-out split too: its rows' split is ``val``
(whichever of the three names), so that the leakage check compares it with the others. An empty
split folder is skipped with a note. A root with ``train/`` alone is read as train's classes.
Files that are not pictures (by suffix) are skipped and counted in a note; hidden files and
folders (``.DS_Store``, ``.ipynb_checkpoints``) are skipped silently. Only the paths are listed
here: the pictures are read later, inside the root only, by the image modality.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from curate.errors import DatasetError, InputError

__all__ = ["IMAGE_SUFFIXES", "ImageFolder", "read_image_folder"]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff")
_VALIDATION = ("val", "valid", "validation")
_SPLITS = ("train", "test", *_VALIDATION)


@dataclass(frozen=True)
class ImageFolder:
    """A folder tree read as tables: one row per picture, ``path`` (relative to the root) and ``label``.

    Attributes
    ----------
    train : pandas.DataFrame
        The pictures of the tree (of ``train/`` and a validation folder when the tree is split; of
        ``test/`` when it is the only split folder), sorted by split then path.
    test : pandas.DataFrame or None
        The pictures of ``test/``, sorted by path; None when the tree has no ``test/`` beside
        another split.
    notes : tuple of str
        What was skipped (files that are not pictures, folders beside the split folders).
    split_column : str or None
        ``"split"`` when both tables have that column (each row's split: ``train``, ``val`` or
        ``test``), which they have when the tree holds a split other than ``train`` and
        ``test``; None otherwise (a ``train/`` + ``test/`` tree's rows are train and test by table).
    """

    train: pd.DataFrame
    test: pd.DataFrame | None
    notes: tuple[str, ...] = field(default=())
    split_column: str | None = None


def _visible(name: str) -> bool:
    return not name.startswith(".")


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and _visible(p.name))


def _check_no_loose_pictures(folder: Path, shown: str) -> None:
    loose = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and _visible(p.name) and p.suffix.lower() in IMAGE_SUFFIXES)
    if loose:
        raise DatasetError(f"{shown}: the picture {loose[0]!r} is directly under the folder; put every picture "
                           f"in a class subfolder ({shown}/<label>/{loose[0]})")


def _class_tree(root: Path, folder: Path, shown: str) -> tuple[pd.DataFrame, int]:
    """The pictures under ``folder``'s class subfolders, and the number of other files skipped."""
    _check_no_loose_pictures(folder, shown)
    classes = _subfolders(folder)
    if not classes:
        raise DatasetError(f"{shown} has no class subfolders; put each class's pictures in {shown}/<label>/")
    paths: list[str] = []
    labels: list[str] = []
    skipped = 0
    for class_folder in classes:
        label = unicodedata.normalize("NFC", class_folder.name)
        for here, dirs, files in os.walk(class_folder):  # links to folders are not followed
            dirs[:] = sorted(d for d in dirs if _visible(d))
            for name in sorted(files):
                if not _visible(name):
                    continue
                if Path(name).suffix.lower() not in IMAGE_SUFFIXES:
                    skipped += 1
                    continue
                paths.append((Path(here) / name).relative_to(root).as_posix())
                labels.append(label)
    if not paths:
        raise DatasetError(f"{shown} holds no pictures in its class subfolders "
                           f"({', '.join(IMAGE_SUFFIXES)} files)")
    frame = pd.DataFrame({"path": paths, "label": labels}).sort_values("path", ignore_index=True)
    return frame, skipped


def read_image_folder(folder: str | Path) -> ImageFolder:
    """List the pictures of a class-per-folder tree, with its split folders when present.

    Parameters
    ----------
    folder : str or pathlib.Path
        The root: ``folder/<label>/<file>``, or ``folder/<split>/<label>/<file>`` where the
        splits are ``train``, ``test`` and one of ``val``, ``valid`` or ``validation`` (any of
        them, in any case; the tree is split when ``train/`` is there or every subfolder is a
        split folder). Pictures are files ending in one of
        :data:`IMAGE_SUFFIXES` (any case); pictures in deeper folders take the class folder's name.

    Returns
    -------
    ImageFolder
        The rows (``path`` relative to ``folder`` with ``/`` separators, ``label`` the class
        folder's name in Unicode NFC), the test rows when the tree has them beside another split,
        a ``split`` column when it has a validation split, and notes on what was skipped.

    Raises
    ------
    InputError
        When ``folder`` does not exist.
    DatasetError
        When the folder is empty, has no class subfolders, holds a picture directly under it (or
        directly under a split folder), has two validation folders (``val/`` and ``valid/``), or
        has class subfolders without any picture.

    Examples
    --------
    >>> tree = read_image_folder("pets")  # doctest: +SKIP
    >>> tree.train.head(1).to_dict("records")  # doctest: +SKIP
    [{'path': 'cat/001.jpg', 'label': 'cat'}]
    """
    root = Path(folder)
    shown = str(folder)
    if not root.is_dir():
        raise InputError(f"{shown} is not a folder")
    if not any(_visible(p.name) for p in root.iterdir()):
        raise DatasetError(f"{shown} is an empty folder; put each class's pictures in {shown}/<label>/")
    splits = _split_folders(root, shown)
    if not splits:
        train, skipped = _class_tree(root, root, shown)
        named = sorted(p.name for p in _subfolders(root) if p.name.lower() in _SPLITS)
        notes = [f"class folder(s) named like a split, read as classes: {', '.join(named)} "
                 f"(a train/ folder beside them makes them splits)"] if named else []
        return _with_skipped(ImageFolder(train, None, tuple(notes)), skipped)
    _check_no_loose_pictures(root, shown)
    others = sorted(p.name for p in _subfolders(root) if p not in splits.values())
    read = " and ".join(f"{p.name}/" for p in splits.values())
    notes = [f"folders not read (only the split folders {read} are): {', '.join(others)}"] if others else []
    empty = [split for split, path in splits.items() if not any(_visible(p.name) for p in path.iterdir())]
    if empty and len(empty) < len(splits):
        notes.append(f"empty split folder(s) not read: {', '.join(splits[split].name + '/' for split in empty)}")
        splits = {split: path for split, path in splits.items() if split not in empty}
    parts: dict[str, pd.DataFrame] = {}
    skipped = 0
    for split, path in splits.items():
        parts[split], skipped_here = _class_tree(root, path, f"{shown}/{path.name}")
        skipped += skipped_here
    if set(parts) == {"train"}:
        notes.append("the classes are train/'s subfolders (no other split folder)")
    if set(parts) == {"train"} or set(parts) == {"train", "test"}:  # stored as before a validation split was read
        return _with_skipped(ImageFolder(parts["train"], parts.get("test"), tuple(notes)), skipped)
    for split, part in parts.items():
        part["split"] = split
    held = [part for split, part in parts.items() if split != "test"]
    if not held:  # test/ alone: its rows are the table, each of split test
        return _with_skipped(ImageFolder(parts["test"], None, tuple(notes), "split"), skipped)
    train = pd.concat(held, ignore_index=True)
    return _with_skipped(ImageFolder(train, parts.get("test"), tuple(notes), "split"), skipped)


def _split_folders(root: Path, shown: str) -> dict[str, Path]:
    """The root's split folders by split (``train``, ``val``, ``test``), or none when the tree is not split.

    The tree is split when it has ``train/`` or when every subfolder is a split folder; a class
    named ``test`` beside real classes stays a class (said in a note by the caller).
    """
    subfolders = _subfolders(root)
    found = {p: p.name.lower() for p in subfolders if p.name.lower() in _SPLITS}
    if not found or ("train" not in found.values() and len(found) < len(subfolders)):
        return {}
    by_split: dict[str, Path] = {}
    for path, name in found.items():
        split = "val" if name in _VALIDATION else name
        if split in by_split:
            raise DatasetError(f"{shown} has two {split} split folders, {by_split[split].name}/ and {path.name}/; "
                               "keep one")
        by_split[split] = path
    return {split: by_split[split] for split in ("train", "val", "test") if split in by_split}


def _with_skipped(tree: ImageFolder, skipped: int) -> ImageFolder:
    if not skipped:
        return tree
    note = f"skipped {skipped} file(s) that are not pictures ({', '.join(IMAGE_SUFFIXES)})"
    return ImageFolder(tree.train, tree.test, (note, *tree.notes), tree.split_column)
