"""Image-quality issues, judged against the dataset itself: dark, bright, blurry, and so on.

Each issue reads one measurement of :func:`curate.modalities.image_quality.measure_images` and
makes two tests:

- an **absolute guard**: the image is plainly dark, blurry, tiny, ... whatever the dataset (a mean
  luma under 0.2, a 10-times-off size). This keeps a clean, homogeneous dataset free of flags:
  a robust z-score alone would flag the darkest of forty well-lit photos.
- a **dataset-relative test**: whether the image is unusual *here*. When few images (at most
  :data:`MINORITY_SHARE`) fail the guard, failing it is unusual and suffices. When many do, that is
  the dataset's style (handwritten digits are mostly black, product shots mostly white), and an
  image is flagged only when it is also an outlier: a robust z-score (distance from the median in
  units of 1.4826 x the median absolute deviation) beyond :data:`Z_LIMIT`.

Scores are in [0, 1], 1 = fine, and 0.5 is the flag line: an image is flagged exactly when its
score is below 0.5. The absolute part is 0.5 at the guard and falls linearly to 0 at the bad end
for a measurement bounded below (``0.5 * value / guard``: brightness, entropy, sharpness, channel
spread) or as ``0.5 * guard / badness`` for an unbounded badness (times off the median size,
stretch of the aspect ratio); it is 1 from twice the guard's margin on the good side. The relative
part is ``min(1, 0.5 * Z_LIMIT / z)`` on the bad side. Where both tests apply, the score is the larger
(the more forgiving) of the two, so both must fail for a flag.

An image of one colour only (entropy 0) always has ``low_information``, whatever the dataset.
Some judgements are left out where they would be noise: ``blurry`` is not judged on an image with
``low_information`` (a flat image has no edges to be sharp), ``grayscale`` not on an image that is
``dark``, ``bright`` or has ``low_information`` (colour cannot show there), and ``grayscale`` only in
a dataset that is mostly colour. Those rows get score 1.0 for that issue.

Examples
--------
>>> from PIL import Image
>>> from curate.modalities.image_quality import measure_images
>>> images = [Image.effect_noise((32, 32), 60).convert("RGB") for _ in range(5)]
>>> found = find_image_issues(measure_images(images + [Image.new("RGB", (32, 32))]))
>>> found.issues.tolist()
[[], [], [], [], [], ['dark', 'low_information']]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IMAGE_ISSUES", "ImageIssues", "find_image_issues"]

# The issues, in the order of the score and flag columns and of each row's issue list.
IMAGE_ISSUES = ("dark", "bright", "blurry", "low_information", "odd_size", "odd_aspect_ratio", "grayscale")

# Robust z-score beyond which an image is an outlier of its dataset: the conventional cut for the
# median-absolute-deviation z-score (Iglewicz and Hoaglin).
Z_LIMIT = 3.5
# When at most this share of the dataset fails an issue's absolute guard, failing it is unusual by
# itself; above it, the failing images are this dataset's style and need a z-score beyond Z_LIMIT too.
MINORITY_SHARE = 0.1

# Absolute guards. Mean luma (0..1) under which an image is plainly dark, or over which plainly bright.
DARK_BRIGHTNESS = 0.2
BRIGHT_BRIGHTNESS = 0.8
# Sharpness = variance of the Laplacian / variance of luma (both at the common blur scale of
# image_quality.BLUR_SIDE): detail per unit of contrast, so a dark or low-contrast image is not called
# blurry for being dim. Textured photos read 0.1 to 1; a Gaussian blur of radius 3 brings one under 0.02.
BLURRY_SHARPNESS = 0.02
# Histogram entropy (bits of 8) under which an image holds little: 16 equally used grey levels.
LOW_INFORMATION_BITS = 4.0
# Area (pixels) this many times smaller or larger than the dataset's median area.
ODD_SIZE_FACTOR = 10.0
# Long side / short side at or above which an image is a strip rather than a picture.
ODD_ASPECT_RATIO = 2.5
# Mean per-pixel channel spread (0..1) under which an image is grey: about 5 of 255 levels.
GRAYSCALE_SPREAD = 0.02

# Floors of the robust scale, in the units of each measure as it is compared, so that a dataset whose
# images all measure alike does not turn a tiny difference into a large z-score.
SCALE_FLOORS = {"brightness": 0.05, "log10_sharpness": 0.15, "entropy": 0.5, "log10_size_ratio": 0.1,
                "log_aspect_ratio": 0.1}


@dataclass(frozen=True)
class ImageIssues:
    """The image-quality issues of a measured dataset.

    Attributes
    ----------
    scores : pandas.DataFrame
        One float64 column per issue (:data:`IMAGE_ISSUES` order), indexed like the measurements;
        values in [0, 1], 1 = fine, flagged below 0.5.
    flags : pandas.DataFrame
        One bool column per issue, ``scores < 0.5``.
    issues : pandas.Series
        Per row, the list of flagged issue names in :data:`IMAGE_ISSUES` order (empty when fine).
    notes : dict
        Per issue, the thresholds used and what was seen: the measure, the guard, the median and
        robust scale, the share failing the guard, whether a z-score was required, the flag count.
    """

    scores: pd.DataFrame
    flags: pd.DataFrame
    issues: pd.Series
    notes: dict[str, dict[str, Any]]


def _below(value: np.ndarray, line: float) -> np.ndarray:
    """Score of a measurement that is bad when low: 0.5 at ``line``, 0 at zero, 1 from twice the line."""
    return np.clip(0.5 * value / line, 0.0, 1.0)


def _beyond(badness: np.ndarray, line: float) -> np.ndarray:
    """Score of a badness that is bad when high: 0.5 at ``line``, 0.25 at twice it, 1 up to half of it."""
    with np.errstate(divide="ignore"):
        return np.clip(0.5 * line / np.maximum(badness, 0.0), 0.0, 1.0)


def _robust(values: np.ndarray, floor: float) -> tuple[float, float]:
    """Median and robust scale (1.4826 x median absolute deviation, at least ``floor``); NaN when empty."""
    if len(values) == 0:
        return math.nan, floor
    median = float(np.median(values))
    scale = max(1.4826 * float(np.median(np.abs(values - median))), floor)
    return median, scale


def _judge(name: str, measure: str, guard: float, absolute: np.ndarray, z_badness: np.ndarray,
           median: float, scale: tuple[float, str], notes: dict[str, dict[str, Any]]) -> np.ndarray:
    """Combine the absolute and the relative score of one issue, and note how."""
    failing = float((absolute < 0.5).mean()) if len(absolute) else 0.0
    relative_needed = failing > MINORITY_SHARE
    scores = np.maximum(absolute, _beyond(z_badness, Z_LIMIT)) if relative_needed else absolute
    notes[name] = {"measure": measure, "guard": guard, "median": median, "scale": scale[0], "scale_of": scale[1],
                   "z_limit": Z_LIMIT,
                   "share_failing_guard": failing, "z_required": relative_needed,
                   "flagged": int((scores < 0.5).sum())}
    return scores


def find_image_issues(measurements: pd.DataFrame) -> ImageIssues:
    """Judge each measured image against fixed guards and against the rest of the dataset.

    Parameters
    ----------
    measurements : pandas.DataFrame
        The table of :func:`curate.modalities.image_quality.measure_images` (one row per image; any
        index, kept in the result).

    Returns
    -------
    ImageIssues
        Scores, flags, per-row issue lists and notes; see the module docstring for the rules.

    Examples
    --------
    >>> from PIL import Image
    >>> from curate.modalities.image_quality import measure_images
    >>> ordinary = [Image.effect_noise((40, 30), 60).convert("RGB") for _ in range(9)]
    >>> found = find_image_issues(measure_images(ordinary + [Image.new("RGB", (600, 40), "white")]))
    >>> found.issues[9], found.notes["bright"]["guard"]
    (['bright', 'low_information', 'odd_size', 'odd_aspect_ratio'], 0.8)
    """
    notes: dict[str, dict[str, Any]] = {}
    scores: dict[str, np.ndarray] = {}

    brightness = measurements["brightness"].to_numpy(dtype=np.float64)
    median, scale = _robust(brightness, SCALE_FLOORS["brightness"])
    z = (brightness - median) / scale
    scores["dark"] = _judge("dark", "brightness", DARK_BRIGHTNESS, _below(brightness, DARK_BRIGHTNESS), -z,
                            median, (scale, "brightness"), notes)
    scores["bright"] = _judge("bright", "brightness", BRIGHT_BRIGHTNESS,
                              _below(1.0 - brightness, 1.0 - BRIGHT_BRIGHTNESS), z, median,
                              (scale, "brightness"), notes)

    entropy = measurements["entropy"].to_numpy(dtype=np.float64)
    median, scale = _robust(entropy, SCALE_FLOORS["entropy"])
    low_information = _judge("low_information", "entropy", LOW_INFORMATION_BITS, _below(entropy, LOW_INFORMATION_BITS),
                             (median - entropy) / scale, median, (scale, "entropy"), notes)
    # One colour and nothing else carries nothing in any dataset, even among near-blank digits.
    scores["low_information"] = np.where(entropy == 0, 0.0, low_information)
    notes["low_information"]["flagged"] = int((scores["low_information"] < 0.5).sum())

    contrast = measurements["contrast"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpness = np.where(contrast > 0, measurements["laplacian_variance"].to_numpy() / contrast**2, 0.0)
    log_sharpness = np.log10(np.maximum(sharpness, 1e-12))
    median, scale = _robust(log_sharpness, SCALE_FLOORS["log10_sharpness"])
    scores["blurry"] = _judge("blurry", "laplacian_variance / contrast^2", BLURRY_SHARPNESS,
                              _below(sharpness, BLURRY_SHARPNESS), (median - log_sharpness) / scale,
                              10**median, (scale, "log10 of sharpness"), notes)

    log_pixels = np.log10(measurements["pixels"].to_numpy(dtype=np.float64))
    median, scale = _robust(log_pixels, SCALE_FLOORS["log10_size_ratio"])
    off = np.abs(log_pixels - median)
    scores["odd_size"] = _judge("odd_size", "pixels (times off the median area)", ODD_SIZE_FACTOR,
                                _beyond(off, math.log10(ODD_SIZE_FACTOR)), off / scale, 10**median,
                                (scale, "log10 of pixels"), notes)

    stretch = np.abs(np.log(measurements["aspect_ratio"].to_numpy(dtype=np.float64)))
    median, scale = _robust(stretch, SCALE_FLOORS["log_aspect_ratio"])
    scores["odd_aspect_ratio"] = _judge("odd_aspect_ratio", "long side / short side", ODD_ASPECT_RATIO,
                                        _beyond(stretch, math.log(ODD_ASPECT_RATIO)), (stretch - median) / scale,
                                        math.exp(median), (scale, "natural log of the ratio"), notes)

    no_information = scores["low_information"] < 0.5
    scores["blurry"] = np.where(no_information, 1.0, scores["blurry"])
    notes["blurry"]["not_judged"] = int(no_information.sum())

    spread = measurements["channel_spread"].to_numpy(dtype=np.float64)
    grey = _below(spread, GRAYSCALE_SPREAD)
    colour_cannot_show = no_information | (scores["dark"] < 0.5) | (scores["bright"] < 0.5)
    grey_share = float((grey < 0.5).mean()) if len(grey) else 0.0
    mostly_colour = grey_share <= MINORITY_SHARE
    scores["grayscale"] = np.where(colour_cannot_show | (not mostly_colour), 1.0, grey)
    notes["grayscale"] = {"measure": "channel_spread", "guard": GRAYSCALE_SPREAD, "share_grey": grey_share,
                          "mostly_colour": mostly_colour, "not_judged": int(colour_cannot_show.sum()),
                          "flagged": int((scores["grayscale"] < 0.5).sum())}
    notes["blurry"]["flagged"] = int((scores["blurry"] < 0.5).sum())

    score_frame = pd.DataFrame({name: scores[name] for name in IMAGE_ISSUES}, index=measurements.index,
                               dtype="float64")
    flags = score_frame < 0.5
    issues = pd.Series([[name for name in IMAGE_ISSUES if row[name]] for row in flags.to_dict("records")],
                       index=measurements.index, dtype=object, name="issues")
    ordered_notes = {name: notes[name] for name in IMAGE_ISSUES}
    return ImageIssues(scores=score_frame, flags=flags, issues=issues, notes=ordered_notes)
