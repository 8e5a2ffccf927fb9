"""Write output files atomically: a half-written file never replaces a good one, and a folder is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from curate.errors import InputError

__all__ = ["TABLE_FORMATS", "check_output_path", "json_records", "write_atomically", "write_table"]

TABLE_FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")


def check_output_path(path: Path) -> None:
    """Refuse an output path that is a folder or lies in a missing folder (call it before doing work).

    A missing folder is not created: it is more often a mistyped path than a wish for a new folder.

    Parameters
    ----------
    path : pathlib.Path
        The file (or folder of files) a command will write.

    Raises
    ------
    InputError
        When ``path`` is an existing folder, or its folder does not exist.
    """
    if path.exists() and path.is_dir():
        raise InputError(f"--output {path} is a folder; give a file name")
    folder = path.absolute().parent
    if not folder.is_dir():
        blocking = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise InputError(f"{path}: {blocking} is a file, not a folder; choose another path (nothing was written)")
        missing = next(p for p in [folder, *folder.parents] if p.parent.is_dir())
        raise InputError(f"{path}: the folder {missing} does not exist; create it or choose another path "
                         "(nothing was written)")


def write_atomically(path: Path, write: Callable[[Path], object], *, make_folder: bool = False) -> Path:
    """Call ``write`` on a temporary sibling of ``path``, then move it into place.

    The sibling is ``path`` with ``.partial`` appended; it is removed whether or not ``write``
    succeeds, so a failed write leaves any earlier file at ``path`` untouched.

    Parameters
    ----------
    path : pathlib.Path
        The file to write.
    write : callable
        Called with the temporary path; it writes the whole file there.
    make_folder : bool, default False
        Create missing parent folders (a workspace's own files); else a missing folder is refused.

    Returns
    -------
    pathlib.Path
        ``path``, now holding what ``write`` wrote.

    Raises
    ------
    InputError
        When ``path`` is an existing folder, or its folder is missing and ``make_folder`` is False.
    """
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    check_output_path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def json_records(frame: pd.DataFrame, *, lines: bool = False) -> str:
    """``frame`` as JSON records, characters as they are: non-ASCII unescaped, ``/`` not written ``\\/``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    lines : bool, default False
        One record per line (JSON Lines, each line ending in a line feed) instead of one array.

    Returns
    -------
    str
        The JSON text (pandas's encoding of the values: NaN as null, times as ISO 8601 text).

    Examples
    --------
    >>> json_records(pd.DataFrame({"label": ["Sci/Tech"]}))
    '[{"label":"Sci/Tech"}]'
    """
    text = str(frame.to_json(orient="records", lines=lines, force_ascii=False))
    # pandas escapes every '/' (it has no switch for it); a '\/' pair in its output is always that
    # escape, as a backslash in the data is written '\\' and the pair scan never splits one.
    return text.replace("\\/", "/")


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write ``frame`` as csv, tsv, json (one array of records), jsonl (a record per line) or parquet.

    The file is written atomically (see :func:`write_atomically`); the index is not written.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.
    path : pathlib.Path
        The output file.
    fmt : str
        One of ``TABLE_FORMATS``: ``csv``, ``tsv``, ``json``, ``jsonl`` or ``parquet``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When ``fmt`` is not a known format, ``path`` is an existing folder, or its folder does not exist.
    """
    if fmt not in TABLE_FORMATS:
        raise InputError(f"--format must be one of {', '.join(TABLE_FORMATS)}, not {fmt!r}")

    def write(partial: Path) -> None:
        """Write ``frame`` to ``partial`` in format ``fmt``.

        Parameters
        ----------
        partial : pathlib.Path
            The temporary file :func:`write_atomically` moves into place.
        """
        if fmt in ("csv", "tsv"):
            frame.to_csv(partial, index=False, sep="\t" if fmt == "tsv" else ",")
        elif fmt == "json":
            partial.write_text(json_records(frame) + "\n", encoding="utf-8")
        elif fmt == "jsonl":
            partial.write_text(json_records(frame, lines=True), encoding="utf-8")
        else:
            frame.to_parquet(partial, index=False)

    return write_atomically(path, write)
