"""Near copies through a small crop: each picture's grey thumbnails of a few crops, and the best aligned match.

A copy cropped by a few pixels on each side and resized back moves every feature of the picture a
little: its pHash and its 16x16 thumbnail no longer match the original (on 50 CIFAR-10 pictures
cropped by 2 px of 32 on each side, pHash differed in 12 bits at the median and the thumbnails'
relative difference was 0.21, against at most 5 bits and 0.02 for a near copy). Cropping the
original the same way aligns the two again. So each picture keeps tiny thumbnails of a fixed set
of crops (:data:`CROP_WINDOWS`), and a pair is compared as one picture whole against each crop of
the other, both ways, keeping the best match.

The thumbnails are 8x8 grey, exact area averages of the crop window over a 64x64 version of the
picture: at that side the resampling of a copy resized back no longer shows much (the cropped
CIFAR-10 copies above came within 0.011 of their originals at the median, 0.028 at most). The whole
picture is never compared this way, only crops: at 8x8 whole look-alike digits can match (two MNIST
digits 0.018 apart), which pHash and the 16x16 thumbnail keep out. Through a crop, two thin
handwritten ones of MNIST came within 0.019, so the image modality counts this difference over
(``CROP_STRICTNESS`` in :mod:`curate.modalities.image`).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["CROP_SIDE", "CROP_WINDOWS", "aligned_difference", "crop_thumbnails", "whole_difference"]

# Thumbnails' side in pixels.
CROP_SIDE = 8
# The side the picture is brought to before its crops are cut (bicubic when smaller, as a copy
# resized back is interpolated).
_WORKING_SIDE = 64
# Shares of the side cut: each is cut from all four edges (a centred crop) and from two edges that
# meet (a crop that keeps one corner). Steps of 0.01, since the match falls off fast when the cut is
# missed: a drawing cut by 3 px of 48 (0.0625) on two edges is 0.011 from the original cut by 0.06,
# 0.023 from it cut by 0.07.
_SHARES = tuple(n / 100 for n in range(1, 13))
_EDGES = ((1, 1, 1, 1), (0, 0, 1, 1), (1, 0, 0, 1), (0, 1, 1, 0), (1, 1, 0, 0))  # left, top, right, bottom

# The crop windows as (left, top, right, bottom) shares of the side cut from each edge.
CROP_WINDOWS: tuple[tuple[float, float, float, float], ...] = tuple(
    (left * share, top * share, right * share, bottom * share)
    for share in _SHARES for left, top, right, bottom in _EDGES)

# Pairs compared at once: a chunk's float32 crops take 1024 x 60 x 64 x 4 bytes, 16 MB.
_CHUNK = 1024


def crop_thumbnails(image: Image.Image) -> np.ndarray:
    """The picture whole and each crop of :data:`CROP_WINDOWS`, in grey at CROP_SIDE x CROP_SIDE.

    Parameters
    ----------
    image : PIL.Image.Image
        A decoded picture of any mode and size.

    Returns
    -------
    numpy.ndarray
        Shape (1 + len(CROP_WINDOWS), CROP_SIDE ** 2), uint8: row 0 the whole picture (area
        average), then one row per crop window, in order.
    """
    grey = image.convert("L")
    whole = grey.resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BOX)
    smaller = min(grey.size) > _WORKING_SIDE
    working = np.asarray(grey.resize((_WORKING_SIDE, _WORKING_SIDE),
                                     Image.Resampling.BOX if smaller else Image.Resampling.BICUBIC), dtype=np.float64)
    out = np.empty((1 + len(CROP_WINDOWS), CROP_SIDE * CROP_SIDE), dtype=np.uint8)
    out[0] = np.asarray(whole, dtype=np.uint8).ravel()
    crops = (_ROW_WEIGHTS @ working) @ _COLUMN_WEIGHTS.transpose(0, 2, 1)
    out[1:] = np.clip(np.rint(crops), 0, 255).reshape(len(CROP_WINDOWS), -1)
    return out


def _area_weights(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Per window, how much of each working pixel each thumbnail cell covers (an exact area average).

    Shape (n_windows, CROP_SIDE, _WORKING_SIDE); each cell's row sums to 1. ``starts`` and
    ``stops`` are the windows' edges in working pixels, shape (n_windows,).
    """
    edges = starts[:, None] + (stops - starts)[:, None] * np.linspace(0.0, 1.0, CROP_SIDE + 1)[None, :]
    low, high = edges[:, :-1, None], edges[:, 1:, None]
    pixels = np.arange(_WORKING_SIDE, dtype=np.float64)[None, None, :]
    covered = np.clip(np.minimum(high, pixels + 1) - np.maximum(low, pixels), 0.0, None)
    return covered / covered.sum(axis=2, keepdims=True)


_BOXES = np.array(CROP_WINDOWS, dtype=np.float64) * _WORKING_SIDE
_ROW_WEIGHTS = _area_weights(_BOXES[:, 1], _WORKING_SIDE - _BOXES[:, 3])
_COLUMN_WEIGHTS = _area_weights(_BOXES[:, 0], _WORKING_SIDE - _BOXES[:, 2])


def aligned_difference(thumbnails: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each pair's smallest relative difference between one picture whole and a crop of the other.

    Parameters
    ----------
    thumbnails : numpy.ndarray
        Shape (n_rows, 1 + len(CROP_WINDOWS), CROP_SIDE ** 2), uint8: :func:`crop_thumbnails` by row.
    rows, cols : numpy.ndarray
        Positions of the pairs' two rows, same shape (n_pairs,).

    Returns
    -------
    numpy.ndarray
        Shape (n_pairs,), float64, at least 0: over both directions and every crop window, the
        least mean absolute difference of the two thumbnails, each less its own mean grey, over the
        sum of their mean absolute deviations. 1 when no window has any spread (flat pictures are
        left to the whole-picture comparison).
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if len(rows) == 0:
        return np.ones(0, dtype=np.float64)
    # The measure is symmetric, and a neighbour graph names most pairs twice (each row's neighbour).
    pairs, back = np.unique(np.stack([np.minimum(rows, cols), np.maximum(rows, cols)], axis=1), axis=0,
                            return_inverse=True)
    rows, cols = pairs[:, 0], pairs[:, 1]
    best = np.ones(len(rows), dtype=np.float64)
    for start in range(0, len(rows), _CHUNK):
        a, b = rows[start:start + _CHUNK], cols[start:start + _CHUNK]
        for whole, cropped in ((a, b), (b, a)):
            relative = _relative(thumbnails[whole, 0][:, None, :], thumbnails[cropped, 1:])
            best[start:start + len(a)] = np.minimum(best[start:start + len(a)], relative.min(axis=1))
    return best[back.ravel()]


def whole_difference(thumbnails: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each pair's relative difference between the two pictures whole, at CROP_SIDE x CROP_SIDE.

    Parameters
    ----------
    thumbnails : numpy.ndarray
        Shape (n_rows, 1 + len(CROP_WINDOWS), CROP_SIDE ** 2), uint8: :func:`crop_thumbnails` by row.
    rows, cols : numpy.ndarray
        Positions of the pairs' two rows, same shape (n_pairs,).

    Returns
    -------
    numpy.ndarray
        Shape (n_pairs,), float64, at least 0: as :func:`aligned_difference`, for the whole
        pictures (window 0) only; 1 when neither has any spread.
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    return _relative(thumbnails[rows, 0], thumbnails[cols, 0]).astype(np.float64)


def _relative(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Mean absolute difference of thumbnails less their own mean grey, over their summed spread (last axis).

    Shapes broadcast; 1 where neither thumbnail has any spread.
    """
    centred_first, spread_first = _centred(first)
    centred_second, spread_second = _centred(second)
    difference = np.abs(centred_first - centred_second).mean(axis=-1)
    scale = spread_first + spread_second
    return np.divide(difference, scale, out=np.ones_like(difference), where=scale > 0)


def _centred(thumbnails: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thumbnails in [0, 1] less their own mean grey, and their mean absolute deviation (last axis)."""
    grey = thumbnails.astype(np.float32) / 255.0
    centred = grey - grey.mean(axis=-1, keepdims=True)
    return centred, np.abs(centred).mean(axis=-1)
