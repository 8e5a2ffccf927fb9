"""Reading image cells: bytes, paths inside the dataset's folder, PIL images and arrays.

A cell becomes an RGB picture the way a person would see it: EXIF orientation applied, the first
frame of an animation, any mode converted to RGB. A 16-bit greyscale picture (modes ``I;16`` and
``I``, which Pillow gives 16-bit PNG and TIFF files) is first scaled to 8 bits by the type's full
range, 65535 -> 255, not by its own darkest and brightest pixel: a nearly black picture stays dark
(and two exposures of one scene stay apart), as a viewer shows it. Pillow's own conversion would
clip every value over 255 to white. Mode ``I`` holds 32-bit integers but in practice the values of
a 16-bit file, so it is scaled by 65535 too, values outside 0..65535 clipped. A cell that cannot be read that way is a
problem of its row (never an exception): ``missing``, ``not_found``, ``outside_folder`` (a path
that leads out of the dataset's folder, which is never opened), ``remote`` (a URL, never
fetched), ``too_large`` (more pixels than ``PIL.Image.MAX_IMAGE_PIXELS``, refused from the header
before any decoding, as decompression bombs are), ``truncated`` and ``unreadable``.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["IMAGE_PROBLEMS", "NAMED_IMAGE_SHARE", "DecodedImage", "decode_image", "image_kind", "names_file",
           "not_images", "pixel_key", "to_image_bytes"]

# Problem names, worst first, with the score a row gets for each.
IMAGE_PROBLEMS = {
    "outside_folder": 0.0,
    "too_large": 0.0,
    "truncated": 0.0,
    "unreadable": 0.0,
    "not_found": 0.0,
    "remote": 0.0,
    "missing": 0.0,
}
# A column holds images when this share of its first non-missing cells are image bytes or paths.
IMAGE_SHARE = 0.9
# A column the user names as the image column is taken when this share of those cells are images:
# a few odd cells (a number, junk bytes) are then problems of their rows, not a refused column.
NAMED_IMAGE_SHARE = 0.5
_SAMPLE = 200
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
          (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
_PATH = re.compile(r"\.(png|jpe?g|gif|bmp|webp|tiff?)$", re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class DecodedImage:
    """One cell read as a picture, or the problem that kept it from being read.

    Attributes
    ----------
    image : PIL.Image.Image or None
        The picture in RGB, oriented; None when ``problem`` is set.
    problem : str or None
        A name from :data:`IMAGE_PROBLEMS`, or None when the cell was read.
    format : str or None
        The container's format as Pillow names it (``PNG``, ``JPEG``, ...), None for arrays.
    mode : str or None
        The picture's mode before conversion to RGB (``L``, ``RGBA``, ``P``, ...).
    detail : str
        Why it could not be read, for people (empty when it was).
    """

    image: Image.Image | None
    problem: str | None = None
    format: str | None = None
    mode: str | None = None
    detail: str = ""


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell_content(value: Any) -> Any:
    """A Hugging Face image struct (``{"bytes": ..., "path": ...}``) as its bytes, else its path."""
    if isinstance(value, dict):
        return value.get("bytes") or value.get("path")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _cell_kind(value: Any) -> str | None:
    """What image a (non-missing) cell's content is: ``image bytes (PNG)``, ``image paths``, ``image URLs`` or None."""
    if isinstance(value, bytes):
        head = value[:12]
        found = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
        if found is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            found = "WebP"
        return f"image bytes ({found})" if found else None
    if isinstance(value, str) and _PATH.search(value.strip().split("?")[0].split("#")[0]):
        return "image URLs" if value.lstrip().lower().startswith(("http://", "https://")) else "image paths"
    return None


def _sample(series: pd.Series) -> list[Any]:
    return [v for v in series.head(4 * _SAMPLE) if not _missing(v)][:_SAMPLE]


def image_kind(series: pd.Series, share: float = IMAGE_SHARE) -> str | None:
    """What images a column holds: ``image bytes (PNG)``, ``image paths``, ``image URLs`` or None.

    Parameters
    ----------
    series : pandas.Series
        The column; its first 200 non-missing cells are looked at.
    share : float, default IMAGE_SHARE (0.9)
        The least share of those cells that must be images (:data:`NAMED_IMAGE_SHARE` for a
        column the user named as the image column).

    Returns
    -------
    str or None
        The most common kind when at least ``share`` of those cells are image bytes (recognised
        by their magic number), image file paths (by their extension) or URLs of image files;
        None otherwise.

    Examples
    --------
    >>> image_kind(pd.Series(["cats/1.jpg", "dogs/2.PNG"]))
    'image paths'
    """
    sample = _sample(series)
    if not sample:
        return None
    kinds = [_cell_kind(value) for value in map(_cell_content, sample)]
    common = pd.Series(kinds, dtype=object).dropna().value_counts()
    if common.empty or common.sum() < share * len(sample):
        return None
    return str(common.index[0])


def names_file(value: Any) -> bool:
    """Whether an image cell names a file to read (a path), rather than holding the picture or a URL.

    Parameters
    ----------
    value : Any
        A cell of an image column.

    Returns
    -------
    bool
        True for a non-empty string (or a Hugging Face struct without bytes) that is not a URL.

    Examples
    --------
    >>> names_file("cats/1.png"), names_file(b"\\x89PNG"), names_file("https://example.com/1.png")
    (True, False, False)
    """
    content = _cell_content(value)
    return isinstance(content, str) and bool(content.strip()) and not _URL.match(content.strip())


def _what_it_is(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bytes):
        return "other bytes"
    if isinstance(value, bool | int | float | np.number):
        return "numbers"
    return f"{type(value).__name__} objects"


def not_images(series: pd.Series) -> str | None:
    """What a column named as the image column holds instead of pictures, or None when it holds pictures.

    A named column is read as images when at least :data:`NAMED_IMAGE_SHARE` of its first 200
    filled cells are image bytes or paths: its other cells are problems of their rows
    (``unreadable``, ``not_found``), never a reason to refuse the column.

    Parameters
    ----------
    series : pandas.Series
        The named column, cells as stored (PIL images and arrays already encoded as PNG bytes).

    Returns
    -------
    str or None
        None when the column holds image bytes or paths; else what it holds and an example, for
        an error message: ``text, not image bytes or paths (first value: 'abc')``.

    Examples
    --------
    >>> not_images(pd.Series(["abc", "def"]))
    "text, not image bytes or paths (first value: 'abc')"
    """
    sample = _sample(series)
    if not sample:
        return "no values, not image bytes or paths"
    kind = image_kind(series, NAMED_IMAGE_SHARE)
    if kind is not None and kind != "image URLs":
        return None
    contents = [_cell_content(v) for v in sample]
    if kind == "image URLs":
        what = "image URLs (curate never fetches them)"
        position, example = 0, contents[0]
    else:
        odd = [(i, v) for i, v in enumerate(contents) if _cell_kind(v) is None]
        what = pd.Series([_what_it_is(v) for _, v in odd]).value_counts().index[0]
        position, example = odd[0]
    shown = repr(example)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    where = "first value" if position == 0 else "first such value"
    return f"{what}, not image bytes or paths ({where}: {shown})"


def _inside(root: Path, value: str) -> Path | None:
    """``value`` resolved against ``root``, or None when it leads outside ``root`` (links followed)."""
    candidate = (root / value.strip()).resolve()
    return candidate if candidate.is_relative_to(root) else None


_WIDE_GREY = ("I;16", "I;16L", "I;16B", "I;16N", "I")
_WIDE_FULL_RANGE = 65535.0  # a 16-bit sample's brightest value


def _to_rgb(picture: Image.Image) -> Image.Image:
    """``picture`` in RGB; 16-bit greyscale scaled by its full range first (Pillow's conversion saturates it)."""
    if picture.mode not in _WIDE_GREY:
        return picture.convert("RGB")
    values = np.asarray(picture, dtype=np.float64)
    grey = np.clip(np.rint(values * (255.0 / _WIDE_FULL_RANGE)), 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")


def _opened(data: bytes | Path) -> DecodedImage:
    """Open, check the size from the header, then decode one picture."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it: refused here like anything past it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
        with opened:
            width, height = opened.size
            if limit is not None and width * height > limit:
                return DecodedImage(None, "too_large", opened.format, opened.mode,
                                    f"{width}x{height} pixels, over the limit of {limit:,}")
            fmt, mode = opened.format, opened.mode
            opened.seek(0)  # the first frame of an animation or a multi-page TIFF
            oriented = ImageOps.exif_transpose(opened)
            oriented.load()
            picture = _to_rgb(oriented)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return DecodedImage(None, "too_large", None, None, str(exc))
    except UnidentifiedImageError:
        return DecodedImage(None, "unreadable", None, None, "not an image Pillow can read")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        problem = "truncated" if "truncated" in str(exc).lower() or isinstance(exc, EOFError) else "unreadable"
        return DecodedImage(None, problem, None, None, str(exc))
    return DecodedImage(picture, None, fmt, mode)


def _from_array(value: np.ndarray) -> DecodedImage:
    array = value
    if array.dtype != np.uint8:  # floats in [0, 1] and 16-bit values are scaled; other integers are clipped
        if np.issubdtype(array.dtype, np.floating) and array.max(initial=0) <= 1:
            scaled = array * 255.0
        elif array.dtype == np.uint16:  # as a 16-bit picture from a file is (_to_rgb)
            scaled = np.rint(array * (255.0 / _WIDE_FULL_RANGE))
        else:
            scaled = array
        array = np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        return DecodedImage(None, "unreadable", None, None, f"an array of shape {value.shape} is not an image")
    picture = Image.fromarray(array)
    return DecodedImage(picture.convert("RGB"), None, None, picture.mode)


def decode_image(value: Any, root: str | Path | None) -> DecodedImage:
    """Read one cell as an RGB picture, or say why it cannot be read.

    Parameters
    ----------
    value : bytes or str or dict or PIL.Image.Image or numpy.ndarray or None
        Encoded image bytes; a path relative to ``root`` (or absolute inside it); a Hugging Face
        image struct ``{"bytes": ..., "path": ...}``; a PIL image; an array of shape (height,
        width), (height, width, 3) or (height, width, 4), uint8, uint16 (scaled by 65535 -> 255) or
        floats in [0, 1].
    root : str or pathlib.Path or None
        The dataset's folder: paths are resolved inside it, and one that leads out of it (by
        ``..``, an absolute path or a link) is not opened. None: the current folder.

    Returns
    -------
    DecodedImage
        The picture in RGB (EXIF orientation applied, the first frame), or its problem.

    Examples
    --------
    >>> decode_image("../secret.png", "/data/images").problem
    'outside_folder'
    """
    value = _cell_content(value)
    if _missing(value) or (isinstance(value, str | bytes) and not value.strip()):
        return DecodedImage(None, "missing", detail="no image")
    if isinstance(value, Image.Image):
        return DecodedImage(_to_rgb(ImageOps.exif_transpose(value)), None, value.format, value.mode)
    if isinstance(value, np.ndarray):
        return _from_array(value)
    if isinstance(value, bytes):
        return _opened(value)
    if not isinstance(value, str):
        return DecodedImage(None, "unreadable", detail=f"a {type(value).__name__} is not an image or a path")
    if _URL.match(value.strip()):
        return DecodedImage(None, "remote", detail="URLs are not fetched")
    base = Path(root if root is not None else ".").resolve()
    path = _inside(base, value)
    if path is None:
        return DecodedImage(None, "outside_folder", detail=f"{value!r} leads outside {str(base)!r}")
    if not path.is_file():
        return DecodedImage(None, "not_found", detail=f"{value!r} is not a file in {str(base)!r}")
    return _opened(path)


def pixel_key(image: Image.Image) -> str:
    """A key of a picture's pixels and size, the same whatever container or metadata held them.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded picture in RGB.

    Returns
    -------
    str
        64 hex characters: the SHA-256 of the size and the RGB bytes.
    """
    digest = hashlib.sha256(f"{image.width}x{image.height}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def to_image_bytes(value: Any) -> Any:
    """A PIL image or an image array as PNG bytes (how a table stores it); any other value as it is.

    Parameters
    ----------
    value : Any
        A cell of an image column given through the API.

    Returns
    -------
    Any
        PNG bytes (RGB, EXIF orientation applied) for a PIL image or an image array, else ``value``.
    """
    if not isinstance(value, Image.Image | np.ndarray):
        return value
    decoded = decode_image(value, None)
    if decoded.image is None:
        return value
    buffer = io.BytesIO()
    decoded.image.save(buffer, format="PNG")
    return buffer.getvalue()
