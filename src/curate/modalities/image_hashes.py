"""Image hashes for duplicates: an exact pixel hash, and perceptual hashes for near copies.

- The **pixel hash** is SHA-256 over the decoded RGB pixels and the size, so the same picture
  saved as PNG, lossless WebP or BMP, with or without metadata, hashes alike, and one changed pixel
  does not.
- The **perceptual hashes** come from the ``imagehash`` package (extra ``image``): pHash (signs of
  the low frequencies of a 32 x 32 greyscale cosine transform) and dHash (signs of the differences
  between neighbouring pixels of a 9 x 8 greyscale thumbnail), 64 bits each, written as 16 hex
  digits. Resizing and re-encoding change few of their bits, so the similarity of two hashes,
  ``1 - Hamming distance / 64``, stays near 1 for a near copy; unrelated images share about half.

All hashes are taken on the image as decoded: apply the EXIF orientation first
(``PIL.ImageOps.exif_transpose``) so that a rotated copy hashes like its original.

Examples
--------
>>> from PIL import Image
>>> image = Image.new("RGB", (2, 1), (10, 20, 30))
>>> pixel_hash(image) == pixel_hash(image.convert("RGBA"))
True
>>> pixel_hash(image)[:12]
'557af7bfc606'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from PIL import Image

from curate.errors import MissingExtraError

__all__ = ["HASH_BITS", "hash_images", "hash_similarity", "perceptual_hash", "pixel_hash"]

# Bits in each perceptual hash: imagehash's default 8 x 8, the size its authors tuned the hashes for.
HASH_BITS = 64
_HASH_SIDE = 8

HashKind = Literal["phash", "dhash"]


def _imagehash() -> Any:
    try:
        import imagehash
    except ImportError:
        raise MissingExtraError("perceptual image hashes", "image") from None
    return imagehash


def pixel_hash(image: Image.Image) -> str:
    """Hash the decoded pixels of an image, independent of its file format and metadata.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded image of any mode; it is converted to RGB first, so alpha is not hashed.

    Returns
    -------
    str
        SHA-256 hex digest (64 characters) of the size and the RGB bytes.

    Examples
    --------
    >>> from PIL import Image
    >>> pixel_hash(Image.new("RGB", (1, 2))) == pixel_hash(Image.new("RGB", (2, 1)))
    False
    """
    rgb = image.convert("RGB")
    digest = hashlib.sha256(f"{rgb.width}x{rgb.height}:".encode("ascii"))
    digest.update(rgb.tobytes())
    return digest.hexdigest()


def perceptual_hash(image: Image.Image, kind: HashKind = "phash") -> str:
    """Perceptual hash of an image, as 16 hex digits (64 bits).

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded image of any mode (imagehash reads its greyscale).
    kind : {"phash", "dhash"}, default "phash"
        pHash (cosine transform) or dHash (neighbour differences).

    Returns
    -------
    str
        The hash in hexadecimal, 16 characters.

    Raises
    ------
    ValueError
        When ``kind`` is not one of the two.
    curate.errors.MissingExtraError
        When the ``image`` extra (imagehash) is not installed.

    Examples
    --------
    >>> from PIL import Image
    >>> perceptual_hash(Image.new("RGB", (16, 16), "white"), "dhash")
    '0000000000000000'
    """
    imagehash = _imagehash()
    if kind == "phash":
        value = imagehash.phash(image, hash_size=_HASH_SIDE)
    elif kind == "dhash":
        value = imagehash.dhash(image, hash_size=_HASH_SIDE)
    else:
        raise ValueError(f"kind must be 'phash' or 'dhash', got {kind!r}")
    return str(value)


def hash_images(images: Iterable[Image.Image | None]) -> pd.DataFrame:
    """Hash many images: pHash, dHash and the pixel hash, one row per readable image.

    Parameters
    ----------
    images : iterable of PIL.Image.Image or None
        Decoded images in dataset order (EXIF orientation already applied); ``None`` stands for an
        image that could not be read and gets no row.

    Returns
    -------
    pandas.DataFrame
        Indexed by the position of the image in ``images`` (index name ``"position"``, int64), with
        string columns ``phash`` and ``dhash`` (16 hex digits) and ``pixel_hash`` (64 hex digits).

    Raises
    ------
    curate.errors.MissingExtraError
        When the ``image`` extra (imagehash) is not installed.
    """
    rows: list[dict[str, str]] = []
    positions: list[int] = []
    for position, image in enumerate(images):
        if image is None:
            continue
        rows.append({"phash": perceptual_hash(image, "phash"), "dhash": perceptual_hash(image, "dhash"),
                     "pixel_hash": pixel_hash(image)})
        positions.append(position)
    return pd.DataFrame(rows, columns=["phash", "dhash", "pixel_hash"],
                        index=pd.Index(positions, dtype="int64", name="position"), dtype=object)


def hash_similarity(hashes: pd.Series, pairs: np.ndarray) -> np.ndarray:
    """Similarity of the perceptual hashes of pairs of rows: ``1 - Hamming distance / 64``.

    Parameters
    ----------
    hashes : pandas.Series
        64-bit hashes as 16 hex digits (a ``phash`` or ``dhash`` column of :func:`hash_images`).
    pairs : numpy.ndarray
        Integer array of shape (n_pairs, 2): index labels of ``hashes`` (image positions), two per pair.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape (n_pairs,), in [0, 1]: 1 for equal hashes, about 0.5 for unrelated images.

    Raises
    ------
    KeyError
        When a pair names a label that ``hashes`` does not have (e.g. an unreadable image).
    ValueError
        When ``pairs`` is not of shape (n_pairs, 2).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> hashes = pd.Series(["ffffffffffffffff", "fffffffffffffff0", "0000000000000000"], index=[0, 1, 5])
    >>> hash_similarity(hashes, np.array([[0, 1], [0, 5]])).tolist()
    [0.9375, 0.0]
    """
    pairs = np.asarray(pairs)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise ValueError(f"pairs must have shape (n_pairs, 2), got {pairs.shape}")
    where = hashes.index.get_indexer(pd.Index(pairs.ravel()))
    if (where < 0).any():
        missing = pairs.ravel()[where < 0][0].item()
        raise KeyError(f"no hash for row {missing!r}")
    values = np.array([int(value, 16) for value in hashes], dtype=np.uint64)
    left, right = values[where[0::2]], values[where[1::2]]
    differing = np.unpackbits(np.bitwise_xor(left, right).view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
    return 1.0 - differing / HASH_BITS
