"""Export a folder of pictures at a version: a copy of the class-per-folder tree with the ledger applied.

A dataset imported from ``root/<label>/<file>`` (optionally under ``train/`` and ``test/``) is
written as ``out/<label>/<file name>``: each kept picture copied byte for byte into the folder of
its label at the version, removed pictures left out. The copy is built in a hidden folder beside
``out`` and renamed into place at the end, so a failed export leaves no half-written tree.

File names and labels are untrusted text: a label becomes a folder name only when it is one plain
path component (no ``/``, ``\\``, ``..``), and a picture is read only inside the dataset's folder.

A version holds its pictures' content (their pixel keys, see
:func:`curate.ingest.loading.content_hashes`), not a copy of them: the export copies today's files,
so it first checks each against the version and refuses when one changed. A picture the audit
could never read (a path leading outside the folder, or no file) is left out with a note.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from curate.core.files import check_output_path
from curate.errors import InputError
from curate.export.versions import VersionStates, states_at
from curate.ingest.loading import content_hashes
from curate.store import Workspace

__all__ = ["TreeSummary", "check_tree_output", "export_tree", "plan_tree"]


@dataclass(frozen=True)
class TreeSummary:
    """What a tree export wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The tree's root.
    version : int
        The ledger entry the export stops at (0: the untouched source).
    files : int
        Pictures copied.
    relabelled : int
        Pictures copied into another label's folder than their source's.
    removed : int
        Pictures the ledger removed (not copied).
    ambiguous_dropped : int
        Pictures marked ambiguous that the export left out (only with ``drop_ambiguous``).
    renamed : int
        Pictures written under another name because a class folder already held theirs.
    renames : tuple of (str, str)
        Each of those: its path in the source tree and its path in the output (``/``-separated).
    notes : tuple of str
        One line per kind of picture left out because the audit could never read it, with a count.
    """

    folder: Path
    version: int
    files: int
    relabelled: int
    removed: int
    ambiguous_dropped: int = 0
    renamed: int = 0
    renames: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Picture:
    """One kept picture: its path in the source tree, and the folder (split and label) it goes to."""

    source: str
    folder: tuple[str, ...]

    @property
    def stays(self) -> bool:
        """Whether the picture lies directly in the folder it goes to (it then keeps its name first)."""
        return PurePosixPath(self.source).parent.parts == self.folder


def _folder_name(text: str, what: str) -> str:
    """``text`` when it can name one folder or file inside the output, else an InputError."""
    if text in ("", ".", "..") or any(c in text for c in "/\\\0"):
        raise InputError(f"the {what} {text!r} cannot be a name inside the tree (it would lead out of the folder "
                         "or name none); relabel or remove the row first")
    return text


def _numbered(name: str, n: int) -> str:
    path = PurePosixPath(name)
    return f"{path.stem}~{n}{path.suffix}"


def plan_tree(pictures: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, str]]:
    """Where each kept picture goes: ``(source path, path in the output)``, names made unique per folder.

    A picture that lies directly in its output folder already keeps its name; the others claim
    theirs next, in the order of their source paths. A name already taken in a folder (compared
    without regard to case or Unicode normal form, so that the tree also unpacks on macOS and
    Windows) becomes ``name~2.ext``, ``name~3.ext`` and so on.

    Parameters
    ----------
    pictures : list of (str, tuple of str)
        Each kept picture's path in the source tree (``/``-separated, relative to its root) and its
        output folder as parts (``("cat",)``, or ``("train", "cat")`` for a split tree).

    Returns
    -------
    list of (str, str)
        Each picture's source path and its ``/``-separated path in the output, ordered as placed.

    Raises
    ------
    InputError
        When a folder part or a file name could lead outside the output (``..``, ``/``, empty).

    Examples
    --------
    >>> plan_tree([("dog/0.png", ("cat",)), ("cat/0.png", ("cat",))])
    [('cat/0.png', 'cat/0.png'), ('dog/0.png', 'cat/0~2.png')]
    """
    placed: list[tuple[str, str]] = []
    taken: set[tuple[tuple[str, ...], str]] = set()
    order = sorted((_Picture(source, folder) for source, folder in pictures),
                   key=lambda p: (not p.stays, p.source))
    for picture in order:
        folder = tuple(_folder_name(part, "label") for part in picture.folder)
        name = _folder_name(PurePosixPath(picture.source).name, "file name")
        candidate, n = name, 1
        while (folder, unicodedata.normalize("NFC", candidate).casefold()) in taken:
            n += 1
            candidate = _numbered(name, n)
        taken.add((folder, unicodedata.normalize("NFC", candidate).casefold()))
        placed.append((picture.source, "/".join([*folder, candidate])))
    return placed


def check_tree_output(folder: Path) -> None:
    """Refuse a tree output that exists and is not an empty folder (call it before any work).

    Parameters
    ----------
    folder : pathlib.Path
        Where the tree is to be written.

    Raises
    ------
    InputError
        When ``folder`` is a file, or a folder that holds anything, or the folder it goes in does not
        exist (see :func:`curate.core.files.check_output_path`).
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"--tree {folder} already exists and is not an empty folder; give a new or empty folder")
    if not folder.exists():
        check_output_path(folder)


def _inside(root: Path, relative: str) -> Path:
    """The source file ``relative`` inside ``root`` (links followed), else an InputError."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise InputError(f"the picture {relative!r} leads outside the dataset's folder {str(root)!r}; not copied")
    if not path.is_file():
        raise InputError(f"the picture {relative!r} is no longer a file in {str(root)!r}; nothing was written")
    return path


# Why the audit could not read a picture, as a note says it when the export leaves such pictures out.
_NEVER_READ = {"outside_folder": "led outside the dataset's folder", "not_found": "were not files"}


def _unreadable(root: Path, relative: str) -> str | None:
    """``outside_folder`` or ``not_found`` for a picture that cannot be read inside ``root``, else None."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        return "outside_folder"
    return None if path.is_file() else "not_found"


def _checked_pictures(workspace: Workspace, at: VersionStates, paths: list[str]) -> bool:
    """Whether the pictures on disk are the version's: False when the version predates the check.

    Raises an InputError naming the first picture whose content (or absence) differs from what the
    version recorded, as a copy of today's file would not be the version's.
    """
    record = at.stored.record
    if "pictures" not in record.options:  # recorded by a curate that kept only the paths
        return False
    if at.stored.loaded.source.options.get("pictures") == record.options["pictures"]:
        return True  # every picture as recorded: no need to compare row by row
    recorded = workspace.rows_of_version(record.version.id)["content_hash"].tolist()
    changed = [paths[p] for p, (was, now) in enumerate(zip(recorded, content_hashes(at.stored.dataset),
                                                            strict=True)) if was != now]
    if not changed:  # the digest covers the same keys as the rows' hashes; kept for safety
        return True
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    root = Path(str(at.stored.dataset.root)).resolve()
    missing = sum(1 for path in changed if _unreadable(root, path) == "not_found")
    if missing == len(changed):
        raise InputError(f"the picture {changed[0]!r}{more} is no longer in {str(root)!r}, where version "
                         f"{record.version.number} of {at.dataset!r} found it; nothing was written: audit the folder "
                         "again to record the pictures as they are now, then export")
    raise InputError(f"the picture {changed[0]!r}{more} changed on disk since version {record.version.number} of "
                     f"{at.dataset!r} was recorded; nothing was written: audit the folder again to record the "
                     "pictures as they are now, then export")


def _left_out_notes(left_out: dict[str, list[str]]) -> tuple[str, ...]:
    """One note per kind of picture left out: how many, why, and the first few paths."""
    notes = []
    for problem, paths in left_out.items():
        shown = ", ".join(repr(p) for p in paths[:3]) + (", ..." if len(paths) > 3 else "")
        notes.append(f"{len(paths)} picture(s) left out: they {_NEVER_READ[problem]} when the version was "
                     f"recorded, so the audit never read them ({shown})")
    return tuple(notes)


def _copy_into(folder: Path, root: Path, placed: list[tuple[str, str]]) -> None:
    """Copy each picture into a fresh ``folder``, checking every target stays inside it."""
    base = folder.resolve()
    for source, target in placed:
        destination = (base / target).resolve()
        if not destination.is_relative_to(base):  # _folder_name already refuses this; a second lock
            raise InputError(f"{target!r} would be written outside the tree; nothing was written")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_inside(root, source), destination)


def export_tree(workspace: Workspace, dataset: str | None, version: str | int | None, folder: Path, *,
                drop_ambiguous: bool = False) -> TreeSummary:
    """Copy a folder of pictures at ``version`` to ``folder``: each kept picture in its label's folder.

    The dataset must have been imported from a class-per-folder tree. Each picture not removed at
    the version is copied, byte for byte, to ``folder/<label>/<file name>`` (``<label>`` the one at
    the version, so a relabelled picture moves), under ``train/`` or ``test/`` when the source tree
    had them. Pictures in deeper folders of a class land directly in their label's folder; a name
    taken twice in one folder is numbered (see :func:`plan_tree`). Pictures are read inside the
    dataset's folder only. The tree is written in a hidden folder beside ``folder`` and renamed
    into place when complete. The pictures on disk are checked against the version first; one the
    audit could never read (its path led outside the folder, or was no file) is left out with a
    note, as is said in ``notes``.

    Parameters
    ----------
    workspace : Workspace
        The workspace that stores the dataset and its ledger.
    dataset : str or None
        The dataset; the one most recently audited or imported when None.
    version : str, int or None
        A ledger entry number (0 is the untouched source), or "latest" (also None).
    folder : pathlib.Path
        The tree's root: a new or empty folder, outside the dataset's folder.
    drop_ambiguous : bool, default False
        Leave out the pictures marked ambiguous.

    Returns
    -------
    TreeSummary
        How many pictures were copied, moved to another label, removed, dropped as ambiguous and
        renamed; the renames; a note per kind of picture left out as never read.

    Raises
    ------
    InputError
        When ``folder`` is not new or empty or lies inside the dataset's folder, the dataset was not
        imported from a folder tree, the version does not exist, a label or file name cannot be a
        name inside the tree, or a picture changed on disk since the dataset version was recorded
        (for a version recorded before curate kept its pictures' content: a picture that is no
        longer a file inside the dataset's folder); nothing is written then.
    NotFoundError
        When the workspace has no such dataset.

    Examples
    --------
    >>> export_tree(Workspace("ws"), None, "latest", Path("fixed-pets"))  # doctest: +SKIP
    """
    check_tree_output(folder)
    at = states_at(workspace, dataset, version)
    if at.stored.record.format != "image_folder":
        raise InputError(f"--tree copies a folder of pictures; dataset {at.dataset!r} was imported from a "
                         f"{at.stored.record.format} file: export it to a file instead")
    data = at.stored.dataset
    root = Path(str(data.root)).resolve()
    if folder.resolve().is_relative_to(root):
        raise InputError(f"--tree {folder} is inside the dataset's folder {str(root)!r}; choose a folder outside it")
    if not root.is_dir():
        raise InputError(f"the folder {str(root)!r} that version {at.stored.record.version.number} of {at.dataset!r} "
                         "was read from no longer exists (moved or deleted?); nothing was written: audit the "
                         "folder where it is now, then export")
    paths = data.frame[at.stored.record.options["image"]].astype(str).tolist()
    checked = _checked_pictures(workspace, at, paths)
    splits = data.splits if at.stored.record.test_source_copy is not None else None
    kept: list[tuple[str, tuple[str, ...]]] = []
    left_out: dict[str, list[str]] = {}
    removed = dropped = relabelled = 0
    for position, (row_id, given) in enumerate(zip(data.row_ids, data.labels, strict=True)):
        state = at.states[str(row_id)]
        if state.removed or (drop_ambiguous and state.ambiguous):
            removed += state.removed
            dropped += not state.removed
            continue
        # checked: unreadable now means unreadable when the version was recorded, so never audited
        problem = _unreadable(root, paths[position]) if checked else None
        if problem is not None:
            left_out.setdefault(problem, []).append(paths[position])
            continue
        relabelled += state.label != str(given)
        split = () if splits is None else (str(splits[position]),)
        kept.append((paths[position], (*split, state.label)))
    placed = plan_tree(kept)
    for source, _ in placed:  # every picture checked before anything is written
        _inside(root, source)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        partial.chmod(stat.S_IMODE(folder.parent.stat().st_mode))  # mkdtemp's 0o700 would lock others out
        _copy_into(partial, root, placed)
        os.replace(partial, folder)  # onto a missing or empty folder: all or nothing
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    renames = tuple((source, target) for source, target in placed
                    if PurePosixPath(source).name != PurePosixPath(target).name)
    return TreeSummary(folder, at.version, len(placed), relabelled, removed, dropped, len(renames), renames,
                       _left_out_notes(left_out))
