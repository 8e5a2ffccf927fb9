"""What a dataset's pictures are like: size, mode, format, brightness, and which cannot be read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from curate.core.dataset import Dataset
from curate.modalities.image import image_facts
from curate.profile.stats import Distribution, distribution

__all__ = ["ImageProfile", "profile_images"]


@dataclass(frozen=True)
class ImageProfile:
    """The pictures of an image dataset, from the one decoding pass the image modality makes.

    Attributes
    ----------
    column : str
        The image column.
    images : int
        Rows (one picture each).
    unreadable : dict of str to int
        Pictures that could not be read, by problem (``not_found``, ``unreadable``, ``truncated``, ...).
    formats : dict of str to int
        Pictures per container format (``PNG``, ``JPEG``, ...; ``array`` for arrays), most first.
    modes : dict of str to int
        Pictures per mode before conversion to RGB (``RGB``, ``L``, ``RGBA``, ``P``, ...), most first.
    width, height : Distribution or None
        Size in pixels.
    brightness : Distribution or None
        Mean luma per picture, 0 (black) to 1 (white).
    """

    column: str
    images: int
    unreadable: dict[str, int]
    formats: dict[str, int]
    modes: dict[str, int]
    width: Distribution | None
    height: Distribution | None
    brightness: Distribution | None

    def to_dict(self) -> dict[str, Any]:
        """The picture facts as JSON-ready values.

        Returns
        -------
        dict
            The attributes by name; distributions as dicts or None.
        """
        facts = dict(self.__dict__)
        for name in ("width", "height", "brightness"):
            value = getattr(self, name)
            facts[name] = value.to_dict() if value is not None else None
        return facts


def profile_images(dataset: Dataset) -> ImageProfile:
    """Profile the pictures of a dataset whose modality reads images.

    Parameters
    ----------
    dataset : Dataset
        A dataset of the image modality (a folder of pictures, or a table with an image column).

    Returns
    -------
    ImageProfile
        Formats, modes, sizes, brightness and unreadable pictures, from
        :func:`curate.modalities.image.image_facts` (computed once per dataset and shared with the
        exact keys).
    """
    facts = image_facts(dataset)
    read = [d for d in facts.decoded if d.problem is None]
    measured = facts.measurements
    return ImageProfile(
        column=facts.column, images=len(facts.decoded),
        unreadable=dict(Counter(d.problem for d in facts.decoded if d.problem is not None).most_common()),
        formats=dict(Counter(d.format or "array" for d in read).most_common()),
        modes=dict(Counter(d.mode or "unknown" for d in read).most_common()),
        width=distribution(measured["width"]), height=distribution(measured["height"]),
        brightness=distribution(measured["brightness"]))
