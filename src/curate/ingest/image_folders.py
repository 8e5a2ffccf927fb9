"""Read a class-per-folder tree of pictures (``root/<label>/<file>``) into a table of paths and labels.

The layout ImageNet, torchvision's ``ImageFolder`` and Keras made common: every subfolder of the
root is a class, and every picture below it (at any depth) is one row labelled with the folder's
name. A root whose subfolders are ``train`` and ``test`` holds two such trees: the ``test`` one
becomes the test split. Files that are not pictures (by suffix) are skipped and counted in a note;
hidden files and folders (``.DS_Store``, ``.ipynb_checkpoints``) are skipped silently. Only the
paths are listed here: the pictures are read later, inside the root only, by the image modality.
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
_SPLITS = ("train", "test")


@dataclass(frozen=True)
class ImageFolder:
    """A folder tree read as tables: one row per picture, ``path`` (relative to the root) and ``label``.

    Attributes
    ----------
    train : pandas.DataFrame
        The pictures of the tree (of ``train/`` when the tree is split), sorted by path.
    test : pandas.DataFrame or None
        The pictures of ``test/``, sorted by path; None when the tree is not split.
    notes : tuple of str
        What was skipped (files that are not pictures, folders beside ``train`` and ``test``).
    """

    train: pd.DataFrame
    test: pd.DataFrame | None
    notes: tuple[str, ...] = field(default=())


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
    """List the pictures of a class-per-folder tree, with ``train/`` and ``test/`` splits when present.

    Parameters
    ----------
    folder : str or pathlib.Path
        The root: ``folder/<label>/<file>``, or ``folder/train/<label>/<file>`` and
        ``folder/test/<label>/<file>``. Pictures are files ending in one of
        :data:`IMAGE_SUFFIXES` (any case); pictures in deeper folders take the class folder's name.

    Returns
    -------
    ImageFolder
        The rows (``path`` relative to ``folder`` with ``/`` separators, ``label`` the class
        folder's name in Unicode NFC), the test rows when the tree is split, and notes on what was
        skipped.

    Raises
    ------
    InputError
        When ``folder`` does not exist.
    DatasetError
        When the folder is empty, has no class subfolders, holds a picture directly under it (or
        directly under ``train/`` or ``test/``), or has class subfolders without any picture.

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
    top = {p.name: p for p in _subfolders(root)}
    notes: list[str] = []
    if all(s in top for s in _SPLITS):
        _check_no_loose_pictures(root, shown)
        train, skipped = _class_tree(root, top["train"], f"{shown}/train")
        test, skipped_test = _class_tree(root, top["test"], f"{shown}/test")
        skipped += skipped_test
        others = sorted(set(top) - set(_SPLITS))
        if others:
            notes.append(f"folders not read (only train/ and test/ are): {', '.join(others)}")
    else:
        train, skipped = _class_tree(root, root, shown)
        test = None
    if skipped:
        notes.insert(0, f"skipped {skipped} file(s) that are not pictures ({', '.join(IMAGE_SUFFIXES)})")
    return ImageFolder(train, test, tuple(notes))
