"""Resumable audits: the stages an interrupted audit finished are kept in the cache and taken up again.

An audit of a million rows spends minutes in each of its stages (cross-validation, the neighbour
search, the label evidence, each check). When one is interrupted (Ctrl-C, a killed process, a full
disk while recording), running the same command again takes up every stage that had finished
rather than starting over. The finished stages live in the cache folder, under
``resume/<key>/``, never in the workspace: a failed command still leaves the workspace as it was.
The key digests everything the results depend on (the source's bytes and reading options, the
rows and labels after the ledger, the configuration, the detectors, the user's own probabilities,
features or classifier, and curate's version), so a changed input or setting starts afresh. A
completed audit removes its stages; those of an interrupted audit nobody ran again are removed by
the next audit after :data:`ABANDONED_AFTER_DAYS` days.

Stages are stored with :mod:`pickle`, which runs code when read: they are written by curate into
the user's own cache folder and read only from there, never from a workspace or a dataset.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ABANDONED_AFTER_DAYS", "Checkpoints", "run_key"]


def _digest_array(values: Any) -> str:
    array = np.ascontiguousarray(values)
    return hashlib.sha256(str((array.dtype, array.shape)).encode() + array.tobytes()).hexdigest()


def run_key(parts: Iterable[object]) -> str:
    """A digest of everything an audit's results depend on.

    Parameters
    ----------
    parts : iterable of object
        Strings and reprs of what the run depends on; numpy arrays are digested by their bytes,
        dtype and shape; None where a part is absent.

    Returns
    -------
    str
        24 hex digits of a SHA-256.
    """
    digest = hashlib.sha256()
    for part in parts:
        text = _digest_array(part) if isinstance(part, np.ndarray) else repr(part)
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


# An interrupted audit nobody ran again within this long is forgotten (its folder removed).
ABANDONED_AFTER_DAYS = 7


def _forget_abandoned(root: Path, keep: str) -> None:
    """Remove the stages of other interrupted audits untouched for :data:`ABANDONED_AFTER_DAYS`."""
    if not root.is_dir():
        return
    cutoff = time.time() - ABANDONED_AFTER_DAYS * 86_400
    for folder in root.iterdir():
        try:
            if folder.name != keep and folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another process removed it first
            continue


@dataclass
class Checkpoints:
    """The finished stages of one audit, kept in ``folder`` (made on the first save).

    Attributes
    ----------
    folder : pathlib.Path
        The audit's folder: ``<cache>/resume/<key>``.
    resumed : list of str
        The stages taken up from an earlier, interrupted run, in the order they were read.
    """

    folder: Path
    resumed: list[str] = field(default_factory=list)

    @classmethod
    def in_cache(cls, cache_folder: Path, key: str) -> Checkpoints:
        """The checkpoints of the audit with ``key`` in a cache folder.

        Parameters
        ----------
        cache_folder : pathlib.Path
            curate's cache folder (where ``features.sqlite`` is).
        key : str
            The audit's :func:`run_key`.

        Returns
        -------
        Checkpoints
        """
        root = cache_folder / "resume"
        _forget_abandoned(root, key)
        return cls(root / key)

    def _file(self, stage: str) -> Path:
        return self.folder / (stage.replace(":", "-") + ".pickle")

    def load(self, stage: str) -> Any | None:
        """A stage's saved value, or None when it was not saved (or cannot be read).

        Parameters
        ----------
        stage : str
            The stage's name (``pred_probs``, ``detector:label``, ...).

        Returns
        -------
        object or None
            What :meth:`save` was given.
        """
        path = self._file(stage)
        if not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except Exception:  # a half-written or stale file: the stage runs again
            return None
        self.resumed.append(stage)
        return value

    def save(self, stage: str, value: Any) -> None:
        """Keep a finished stage's value (written whole or not at all).

        Parameters
        ----------
        stage : str
            The stage's name.
        value : object
            Anything picklable.
        """
        path = self._file(stage)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            with partial.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)
        except OSError:  # a full or read-only cache costs the resume, never the audit
            path.with_name(path.name + ".partial").unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove every saved stage (the audit completed)."""
        shutil.rmtree(self.folder, ignore_errors=True)
