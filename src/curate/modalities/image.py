"""Images: one column of image bytes or paths, read by an ImageNet-pretrained network and by its pixels."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.base import ClassifierMixin
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from curate.core.dataset import Dataset
from curate.core.progress import ProgressReporter
from curate.errors import InputError, MissingExtraError
from curate.features import FeatureCache, TextEmbedder
from curate.features.image import EfficientNetEmbedder, PixelEmbedder, embed_images_with_cache
from curate.modalities.base import ExtraView, FeatureSet, InputProblems, Modality, RowView
from curate.modalities.image_crops import (
    CROP_SIDE,
    CROP_WINDOWS,
    aligned_difference,
    crop_thumbnails,
    whole_difference,
)
from curate.modalities.image_decode import (
    IMAGE_PROBLEMS,
    IMAGE_SHARE,
    NAMED_IMAGE_SHARE,
    DecodedImage,
    decode_image,
    image_kind,
    names_file,
    pixel_key,
)
from curate.modalities.image_hashes import HASH_BITS, perceptual_hash
from curate.modalities.image_issues import find_image_issues
from curate.modalities.image_network import SmallImageNetwork, torch_available
from curate.modalities.image_picture import picture_png
from curate.modalities.image_quality import measure_images
from curate.modalities.registry import register_modality

__all__ = ["ImageModality", "image_column", "image_facts"]

# A picture that cannot be read is embedded as this (black, small): its row is an input problem,
# and its vectors only need to exist.
_PLACEHOLDER = Image.new("RGB", (8, 8))
# Bits of the 64-bit pHash that resizing and re-encoding flip in a copy (0 to 2 on small drawn
# pictures saved again as JPEG at another size), and more: a pair of pHashes this far apart is
# as alike as equal ones. Unrelated pictures differ in about half the bits, 16 at the very least
# among 30 varied drawings.
PHASH_NOISE_BITS = 4
# pHash reads only the low frequencies, where simple shapes agree: two different handwritten ones
# of MNIST often share all but a few bits. Near copies must also agree in their grey thumbnails at
# this side: their mean difference, over the pictures' own spread (mean distance from their mean
# grey), is 0.005 for a drawing resized and saved again as JPEG, 0.05 to 0.08 for look-alike digits.
THUMBNAIL_SIDE = 16
# Differences of 8x8 thumbnails (image_crops) count this many times over, so a pair is a near copy
# by them under 0.015 (at similarity 0.98). Through a crop, the closest look-alikes were two thin
# MNIST ones and two CIFAR-10 pictures, 0.019 apart; whole, two MNIST digits 0.018 apart (with
# pHashes close too). Whole at 8x8, JPEG noise shows less than at 16x16: of 50 CIFAR-10 pictures
# saved at quality 70, 42 came within 0.015 (and 5 pHash bits), 38 within 0.02 at 16x16.
COARSE_STRICTNESS = 4.0 / 3.0
# A near copy keeps its picture's shape: resizing keeps the aspect ratio, and a crop the alignment
# matches (up to 12 % of a side, image_crops) changes it by at most 1 / (1 - 0.12) = 1.136 (one
# edge cut); 1.15 also leaves a pixel of rounding to a small resized copy. Two pictures whose
# aspect ratios differ more are never near copies, however alike their thumbnails: a 320x20 blue
# strip and a 1x1 blue dot have the same flat thumbnails and pHash.
MAX_ASPECT_CHANGE = 1.15


@dataclass(frozen=True)
class ImageFacts:
    """What one pass over a dataset's pictures learned, kept for the dataset's life.

    Attributes
    ----------
    column : str
        The image column.
    keys : list of str
        Each row's pixel key (empty for a row whose picture cannot be read).
    decoded : list of DecodedImage
        Each row's decoding, without the picture itself (``image`` is None).
    measurements : pandas.DataFrame
        :func:`~curate.modalities.image_quality.measure_images` of the pictures read, indexed by
        row position.
    phashes : list of str
        Each row's pHash (16 hex digits); empty for a picture that cannot be read, and for every
        row when the ``image`` extra (ImageHash) is missing.
    thumbnails : numpy.ndarray
        Shape (n_rows, THUMBNAIL_SIDE ** 2), uint8: each picture in grey at 16x16 (area average);
        zeros for a picture that cannot be read.
    crops : numpy.ndarray
        Shape (n_rows, 1 + len(CROP_WINDOWS), CROP_SIDE ** 2), uint8: each picture whole and cropped
        (:func:`~curate.modalities.image_crops.crop_thumbnails`); zeros for a picture that cannot be read.
    """

    column: str
    keys: list[str]
    decoded: list[DecodedImage]
    measurements: pd.DataFrame
    phashes: list[str]
    thumbnails: np.ndarray
    crops: np.ndarray


_FACTS: weakref.WeakKeyDictionary[Dataset, ImageFacts] = weakref.WeakKeyDictionary()


def image_column(dataset: Dataset) -> str:
    """The column whose pictures the image modality reads: the first input column that holds images.

    A dataset with a single input column (a named ``--image`` column is then the only input) takes
    it when at least :data:`~curate.modalities.image_decode.NAMED_IMAGE_SHARE` of its cells are
    image bytes or paths; its other cells are problems of their rows.

    Parameters
    ----------
    dataset : Dataset
        A dataset of the image modality.

    Returns
    -------
    str
        The column's name.

    Raises
    ------
    InputError
        When no input column holds image bytes or image paths.
    """
    columns = [*dataset.input_columns, *dataset.text_columns]
    for column in columns:
        if _reads(dataset.frame[column]):
            return column
    if len(columns) == 1 and _reads(dataset.frame[columns[0]], NAMED_IMAGE_SHARE):
        return columns[0]
    raise InputError(f"no column of image bytes or image paths among {columns}; name it with --image")


def _reads(series: pd.Series, share: float = IMAGE_SHARE) -> bool:
    kind = image_kind(series, share)
    return kind is not None and kind != "image URLs"


def _decodable_bytes(series: pd.Series, sample: int = 20) -> bool:
    """Image bytes, of which at least one of the first ``sample`` filled cells decodes."""
    kind = image_kind(series)
    if kind is None or not kind.startswith("image bytes"):
        return False
    cells = series.dropna().head(sample)
    return any(decode_image(cell, None).image is not None for cell in cells)


def image_facts(dataset: Dataset) -> ImageFacts:
    """Decode every picture once: each row's pixel key and its decoding facts (computed once per dataset).

    Parameters
    ----------
    dataset : Dataset
        A dataset of the image modality.

    Returns
    -------
    ImageFacts
        Keys, quality measurements, perceptual hashes, thumbnails and decoding facts by row.
    """
    known = _FACTS.get(dataset)
    if known is not None:
        return known
    column = image_column(dataset)
    cells = dataset.frame[column].tolist()
    keys: list[str] = []
    decoded: list[DecodedImage] = []
    phashes: list[str] = []
    thumbnails = np.zeros((len(cells), THUMBNAIL_SIDE * THUMBNAIL_SIDE), dtype=np.uint8)
    crops = np.zeros((len(cells), 1 + len(CROP_WINDOWS), CROP_SIDE * CROP_SIDE), dtype=np.uint8)
    hashing = [True]

    def pictures() -> Iterator[Image.Image | None]:
        """Decode one picture at a time, noting its key, facts, pHash and thumbnails.

        Yields
        ------
        PIL.Image.Image or None
            The row's picture, to be measured; None when it cannot be read.
        """
        for position, cell in enumerate(cells):
            found = decode_image(cell, dataset.root_of(position))
            image = found.image
            keys.append(pixel_key(image) if image is not None else "")
            decoded.append(DecodedImage(None, found.problem, found.format, found.mode,
                                        found.detail or (f"{image.width}x{image.height}" if image is not None else "")))
            phashes.append(_phash(image, hashing))
            if image is not None:
                thumbnail = image.convert("L").resize((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BOX)
                thumbnails[position] = np.asarray(thumbnail, dtype=np.uint8).ravel()
                crops[position] = crop_thumbnails(image)
            yield image

    measurements = measure_images(pictures())
    facts = ImageFacts(column, keys, decoded, measurements, phashes, thumbnails, crops)
    _FACTS[dataset] = facts
    return facts


def _phash(image: Image.Image | None, hashing: list[bool]) -> str:
    """The picture's pHash; empty when it cannot be read or ImageHash is missing (``hashing[0]`` turns False)."""
    if image is None or not hashing[0]:
        return ""
    try:
        return perceptual_hash(image)
    except MissingExtraError:  # near copies are then left to the features
        hashing[0] = False
        return ""


def _picture(dataset: Dataset, position: int) -> Image.Image:
    cell = dataset.frame[image_facts(dataset).column].iloc[position]
    return decode_image(cell, dataset.root_of(position)).image or _PLACEHOLDER


# The embedders read pictures at 112 pixels or less; a picture with a longer side than this is
# shrunk as it is read for them. They take pictures a batch of 256 at a time: at full size, 60
# camera photos of 12 megapixels held 3.5 GB (a user trial), 36 MB each in RGB alone.
MODEL_MAX_SIDE = 512


def _model_picture(dataset: Dataset, position: int) -> Image.Image:
    """The row's picture for an embedder: at most ``MODEL_MAX_SIDE`` pixels on its longer side."""
    picture = _picture(dataset, position)
    if max(picture.size) > MODEL_MAX_SIDE:
        picture.thumbnail((MODEL_MAX_SIDE, MODEL_MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return picture


# The pixel view's kernel: at most this many landmark rows (Nystroem), and the logistic regression's C.
# Chosen on 1,000 and 10,000 MNIST digits with 5 % of labels flipped: five-fold accuracy on the true
# digits of 0.961 on 10,000 with 1,000 landmarks, 0.956 with 500 in half the time; C=1 loses 0.01 to 0.03.
_KERNEL_LANDMARKS = 1000
_KERNEL_C = 10.0


def _pixel_kernel_classifier(matrix: np.ndarray, seed: int) -> Pipeline:
    """Logistic regression on an RBF kernel's Nystroem features, its width set by the pixels' spread.

    The kernel is ``exp(-2 d^2 / m)`` with ``m`` the mean squared distance between two rows (twice
    the sum of the pixels' variances): unsupervised, so reading it from every row leaks no label.
    Landmarks are at most half the rows, so every fold's training rows can supply them.
    """
    spread = float(matrix.var(axis=0).sum()) if len(matrix) else 0.0
    landmarks = max(1, min(_KERNEL_LANDMARKS, len(matrix) // 2))
    return make_pipeline(Nystroem(gamma=1.0 / spread if spread > 0 else 1.0, n_components=landmarks,
                                  random_state=seed),
                         LogisticRegression(C=_KERNEL_C, max_iter=3000))


# The network's view reads grey pictures at 28x28 (MNIST's own size) and colour ones at 32x32
# (CIFAR-10's), in RGB.
NETWORK_GREY_SIDE = 28
NETWORK_COLOUR_SIDE = 32
# Fewer pictures than this teach a network too little to add to the kernel view, and each fold
# would still train on 24,000 pictures (SmallImageNetwork.min_pictures), seconds of work.
NETWORK_MIN_ROWS = 200
_GREY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "F"})


def _in_colour(facts: ImageFacts) -> bool:
    """Whether any picture read has colour channels (a palette counts: it may hold colours)."""
    return any(d.mode not in _GREY_MODES for d in facts.decoded if d.problem is None and d.mode)


def _network_pixels(dataset: Dataset, side: int, colour: bool) -> np.ndarray:
    """Each picture at ``side`` x ``side``, channel first, flattened, in [0, 1]; zeros when unreadable.

    Shape (n_rows, channels * side * side), float32, with 3 channels in colour, else 1.
    """
    facts = image_facts(dataset)
    channels = 3 if colour else 1
    matrix = np.zeros((dataset.n_rows, channels * side * side), dtype=np.float32)
    for position, key in enumerate(facts.keys):
        if not key:
            continue
        picture = _picture(dataset, position).convert("RGB" if colour else "L")
        array = np.asarray(picture.resize((side, side), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
        matrix[position] = (array.transpose(2, 0, 1) if colour else array).ravel()
    return matrix


class ImageModality(Modality):
    """Images: a column of encoded bytes or of paths inside the dataset's folder.

    Features come from ImageNet-pretrained EfficientNet-Lite0 (the ``image`` extra); the label
    evidence also reads the pixels themselves (an extra view). Two rows are exact copies when
    their decoded pixels are equal, whatever the container or metadata.
    """

    name: ClassVar[str] = "image"
    reads_images: ClassVar[bool] = True

    def claims(self, text_columns: Sequence[str], input_columns: Sequence[str], frame: pd.DataFrame) -> bool:
        """Images read a table with an input column of image bytes or paths (see :meth:`Modality.claims`).

        Parameters
        ----------
        text_columns : sequence of str
            Columns chosen as text (a table with text is left to the text modality).
        input_columns : sequence of str
            The other input columns.
        frame : pandas.DataFrame
            The table, whose input columns are sampled.

        Returns
        -------
        bool
            True when there is no text column and some input column holds image bytes, some of
            which decode. Paths are read only when the column is named (``--image``): their
            folder is not known here.
        """
        return not text_columns and any(_decodable_bytes(frame[c]) for c in input_columns)

    def features(self, dataset: Dataset, *, embedder: TextEmbedder | None, cache: FeatureCache | None,
                 progress: ProgressReporter) -> FeatureSet:
        """One vector per picture (see :meth:`Modality.features`).

        Parameters
        ----------
        dataset : Dataset
            The rows to encode.
        embedder : TextEmbedder or None
            An image embedder (``reads_images``); None: EfficientNet-Lite0. The hashed text
            features (``--no-embed``) mean the quick mode here: the pixels.
        cache : FeatureCache or None
            Where vectors are cached by pixel key and model id.
        progress : ProgressReporter
            Gets the ``embedding`` task and a line naming the features.

        Returns
        -------
        FeatureSet
            Vectors of shape (n_rows, dim); metrics ``embedder``, ``embedded_rows``, ``cached_rows``
            and ``unreadable_images``.

        Raises
        ------
        InputError
            When the embedder reads text only.
        MissingExtraError
            When EfficientNet-Lite0 is asked for and the ``image`` extra is missing.
        """
        if embedder is None:
            embedder = EfficientNetEmbedder()
        elif not getattr(embedder, "reads_images", False):
            if not str(embedder.model_id).startswith("hashed:"):
                raise InputError(f"the embedder {embedder.model_id!r} reads text, not images; use "
                                 "efficientnet-lite0 (the default) or pixels")
            embedder = PixelEmbedder()
        facts = image_facts(dataset)
        keys = [k or f"unreadable:{i}" for i, k in enumerate(facts.keys)]
        progress.message(f"image features: {embedder.model_id}")
        with progress.task("embedding", dataset.n_rows) as advance:
            vectors, embedded = embed_images_with_cache(keys, lambda p: _model_picture(dataset, p), embedder,
                                                        None if isinstance(embedder, PixelEmbedder) else cache,
                                                        advance)
        metrics: dict[str, Any] = {"embedder": embedder.model_id, "embedded_rows": embedded,
                                   "cached_rows": dataset.n_rows - embedded,
                                   "unreadable_images": sum(1 for k in facts.keys if not k)}
        # Neither a network's vectors nor 16x16 grey pixels tell a copy from a look-alike (two
        # handwritten ones, two shots of a sky): the pictures' pHash decides (input_similarity).
        return FeatureSet(vectors, metrics, surface=True, embedder=embedder)

    def input_similarity(self, dataset: Dataset, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """How alike the pictures of row pairs are, by pHash and thumbnails (see :meth:`Modality.input_similarity`).

        Whole pictures compare by the lower of two: ``1 - max(0, d - PHASH_NOISE_BITS) / 64`` for a Hamming distance of
        ``d`` bits between the two 64-bit pHashes (a resized or re-encoded copy, a few bits, is 1;
        unrelated pictures, about 32 bits, about 0.56), and one minus the mean absolute difference
        of their 16x16 grey thumbnails, each less its own mean grey (a lighter or darker copy still
        matches), over the sum of the two thumbnails' mean absolute deviations (at least 0), since
        pHash alone takes look-alike simple shapes (two handwritten ones) for copies; the thumbnails'
        part is the higher of that and one minus COARSE_STRICTNESS times the same difference at 8x8
        (:func:`~curate.modalities.image_crops.whole_difference`), where re-encoding shows less. Two
        flat pictures are alike only when equal. A copy cropped a little and resized back matches
        neither, so a pair is also compared as one picture whole against crops of the other
        (:func:`~curate.modalities.image_crops.aligned_difference`, 8x8 thumbnails, up to 12 %
        cut per side): one minus COARSE_STRICTNESS times that relative difference, when higher,
        is the similarity. A pair with a picture that cannot be read is 0, and so is a pair whose
        aspect ratios differ by more than MAX_ASPECT_CHANGE (1.15 times): a near copy keeps its
        shape.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        rows, cols : numpy.ndarray
            Positions of the pairs' two rows, same shape (n_pairs,).

        Returns
        -------
        numpy.ndarray or None
            Shape (n_pairs,), float64 in [0, 1]; None when the ``image`` extra (ImageHash) is
            missing, and the features decide alone.
        """
        facts = image_facts(dataset)
        hashes = facts.phashes
        if not any(hashes) and any(d.problem is None for d in facts.decoded):  # ImageHash is missing
            return None
        values = np.array([int(h, 16) if h else 0 for h in hashes], dtype=np.uint64)
        read = np.array([bool(h) for h in hashes], dtype=bool)
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        bits = np.unpackbits((values[rows] ^ values[cols]).view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
        by_hash = 1.0 - np.maximum(bits.astype(np.int64) - PHASH_NOISE_BITS, 0) / HASH_BITS
        thumbnails = facts.thumbnails.astype(np.float64) / 255.0
        # Each thumbnail less its own mean grey: a copy made lighter or darker (or colour-shifted, which
        # in grey is much the same) still matches. On 200 CIFAR-10 copies shifted by up to 10 levels per
        # channel the raw difference confirmed 11 of 50, the centred one 50 (bench/image_leaks.py).
        centred = thumbnails - thumbnails.mean(axis=1, keepdims=True)
        spread = np.abs(centred).mean(axis=1)
        difference = np.abs(centred[rows] - centred[cols]).mean(axis=1)
        scale = spread[rows] + spread[cols]
        # Two flat pictures are alike only when equal.
        flat_equal = np.abs(thumbnails[rows] - thumbnails[cols]).mean(axis=1) == 0
        relative = np.divide(difference, scale, out=np.where(flat_equal, 0.0, 1.0), where=scale > 0)
        by_thumbnail = np.clip(1.0 - relative, 0.0, 1.0)
        by_coarse = np.clip(1.0 - COARSE_STRICTNESS * whole_difference(facts.crops, rows, cols), 0.0, 1.0)
        # A crop moves pHash and the 16x16 thumbnail alike (CIFAR-10 copies cropped by 2 px of 32 per
        # side: 0 of 50 confirmed); aligned by cropping the other picture they come within 0.011 at the
        # median, 0.028 at most; look-alikes came within 0.019 (see COARSE_STRICTNESS).
        by_crop = np.clip(1.0 - COARSE_STRICTNESS * aligned_difference(facts.crops, rows, cols), 0.0, 1.0)
        similarity = np.maximum(np.minimum(by_hash, np.maximum(by_thumbnail, by_coarse)), by_crop)
        aspect = np.ones(len(hashes))
        aspect[facts.measurements.index.to_numpy()] = facts.measurements["aspect_ratio"].to_numpy()
        change = np.maximum(aspect[rows], aspect[cols]) / np.minimum(aspect[rows], aspect[cols])
        alike = read[rows] & read[cols] & (change <= MAX_ASPECT_CHANGE)
        return np.where(alike, similarity, 0.0).astype(np.float64)

    def extra_views(self, dataset: Dataset, *, features: FeatureSet, seed: int) -> list[ExtraView]:
        """The pixels, read by a kernel classifier and by a network trained on them (see :meth:`Modality.extra_views`).

        A network pretrained on photographs reads small pictures of shapes (digits, glyphs)
        less well than their pixels do: on 1,000 MNIST digits five-fold logistic regression
        reaches 0.836 on EfficientNet-Lite0's vectors and 0.880 on 16x16 grey pixels. A linear
        model on pixels misses what a stroke's shift or slant does, which an RBF kernel reads
        (Nystroem features and logistic regression): with 5 % of labels flipped, five-fold accuracy
        on the true digits goes from 0.910 to 0.961 on 10,000 MNIST digits (0.858 to 0.902 on 1,000).
        With the pixels as the main features (``embedder="pixels"``) the view adds this kernel
        reading beside their linear classifier, and the fitted mix gives it weight 0.9: label flags
        on 10,000 digits with 5 % flipped went from precision 0.508, recall 0.968 (15 s) to 0.675,
        0.988 (27 s); on 1,000 from 0.369, 0.960 to 0.437, 0.900. Beside EfficientNet-Lite0 (its
        pixel view was linear before) on 1,000 digits: from 0.435, 1.000 to 0.510, 0.980.

        The kernel still misreads about 2 % of clean digits, each a false flag. A small network
        trained here, out of fold (:class:`~curate.modalities.image_network.SmallImageNetwork`, with
        torch), reads them better, and is a second view when there are at least
        :data:`NETWORK_MIN_ROWS` rows: with ``embedder="pixels"`` and 5 % flipped, label flags on
        10,000 MNIST digits went from precision 0.675, recall 0.988 to 0.828, 0.990 (the network
        alone, without the kernel: 0.786, 0.990); on 1,000 from 0.437, 0.900 to 0.598, 0.980; on
        the first 5,000 CIFAR-10 training images with their CIFAR-10N ``aggre_label`` from 0.185,
        0.158 to 0.223, 0.365. It costs about 80 s of CPU on 10,000 digits (the whole audit on 2
        busy cores: 212 s of CPU and 1.1 GiB without it, 294 s and 1.3 GiB with it).

        Parameters
        ----------
        dataset : Dataset
            The rows.
        features : FeatureSet
            The main features; when they are the pixels (the quick mode), the kernel view reuses them.
        seed : int
            Seed of the kernel's landmark rows and of the network.

        Returns
        -------
        list of ExtraView
            ``pixels``, then ``network`` when torch is installed and there are enough rows: grey
            pictures at 28x28, or RGB at 32x32 when some picture has colour channels.
        """
        if isinstance(features.embedder, PixelEmbedder):
            pixels, matrix = features.embedder, features.vectors
        else:
            pixels = PixelEmbedder()
            facts = image_facts(dataset)
            keys = [k or f"unreadable:{i}" for i, k in enumerate(facts.keys)]
            matrix, _ = embed_images_with_cache(keys, lambda p: _model_picture(dataset, p), pixels, None)
        views = [ExtraView("pixels", f"grey pixels at {pixels.side}x{pixels.side}, RBF kernel ({pixels.model_id})",
                           matrix, _pixel_kernel_classifier(matrix, seed))]
        if torch_available() and dataset.n_rows >= NETWORK_MIN_ROWS:
            colour = _in_colour(image_facts(dataset))
            side = NETWORK_COLOUR_SIDE if colour else NETWORK_GREY_SIDE
            views.append(ExtraView("network", f"a small convolutional network trained here on "
                                              f"{'RGB' if colour else 'grey'} pixels at {side}x{side}",
                                   _network_pixels(dataset, side, colour),
                                   SmallImageNetwork(side=side, channels=3 if colour else 1, seed=seed)))
        return views

    def read_columns(self, dataset: Dataset) -> list[str]:
        """The image column (see :meth:`Modality.read_columns`).

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str
            ``[image_column(dataset)]``.
        """
        return [image_facts(dataset).column]

    def unread_columns(self, dataset: Dataset) -> dict[str, str]:
        """Every other input column, as not an image (see :meth:`Modality.unread_columns`).

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        dict of str to str
            Column name to ``not the image column``.
        """
        read = image_facts(dataset).column
        return {c: "not the image column" for c in (*dataset.input_columns, *dataset.text_columns) if c != read}

    def exact_keys(self, dataset: Dataset) -> list[str]:
        """The decoded pixels' key: equal pixels and size are a copy (see :meth:`Modality.exact_keys`).

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str
            ``n_rows`` keys (:func:`~curate.modalities.image_decode.pixel_key`); empty for a
            picture that cannot be read, which is never a copy.
        """
        return list(image_facts(dataset).keys)

    def file_keys(self, dataset: Dataset) -> list[str] | None:
        """Each picture's pixel key when the image column names files (see :meth:`Modality.file_keys`).

        The keys come from the one decoding of every picture (:func:`image_facts`), which loading
        the dataset already did; nothing is read again.

        Parameters
        ----------
        dataset : Dataset
            The rows.

        Returns
        -------
        list of str or None
            ``n_rows`` keys: the pixel key (:func:`~curate.modalities.image_decode.pixel_key`),
            or the problem in parentheses (``(not_found)``, ``(outside_folder)``, ...) for a
            picture that cannot be read; None when no cell of the image column is a path.
        """
        facts = image_facts(dataset)
        if not any(names_file(cell) for cell in dataset.frame[facts.column]):
            return None  # the pictures are in the table: its bytes are the version
        return [key or f"({decoded.problem})" for key, decoded in zip(facts.keys, facts.decoded, strict=True)]

    def unread_rows(self, dataset: Dataset) -> np.ndarray:
        """Rows whose picture could not be read (missing, outside the folder, truncated, ...).

        Implements :meth:`Modality.unread_rows`.

        Parameters
        ----------
        dataset : Dataset
            A dataset of this modality.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,), bool.
        """
        return np.array([bool(d.problem) for d in image_facts(dataset).decoded], dtype=bool)

    def input_problems(self, dataset: Dataset, *, long_factor: float) -> InputProblems:
        """Pictures that cannot be read, and pictures of poor quality here (see :meth:`Modality.input_problems`).

        A picture read is judged against fixed guards and against the dataset's other pictures
        (:func:`~curate.modalities.image_issues.find_image_issues`): ``dark``, ``bright``,
        ``blurry``, ``low_information``, ``odd_size``, ``odd_aspect_ratio`` or ``grayscale``. A
        dataset of like pictures gets none.

        Parameters
        ----------
        dataset : Dataset
            The rows.
        long_factor : float
            Not used.

        Returns
        -------
        InputProblems
            Each row's problems: why its picture cannot be read (``missing``, ``not_found``,
            ``outside_folder``, ``remote``, ``too_large``, ``truncated`` or ``unreadable``),
            scored 0; else its quality issues, scored by the lowest of their scores (under 0.5);
            1 for a clean row. Notes: ``image_column``, ``problems`` (count by name), ``formats``
            (count by container format) and ``quality`` (per issue, its guard, what the dataset
            measured and how many rows it flagged).
        """
        facts = image_facts(dataset)
        problems = [[d.problem] if d.problem else [] for d in facts.decoded]
        scores = np.array([IMAGE_PROBLEMS[d.problem] if d.problem else 1.0 for d in facts.decoded], dtype=np.float64)
        quality: dict[str, Any] = {}
        if len(facts.measurements):
            found = find_image_issues(facts.measurements)
            lowest = found.scores.min(axis=1).to_numpy()
            for position, issues, score in zip(facts.measurements.index.tolist(), found.issues.tolist(), lowest,
                                               strict=True):
                if issues:
                    problems[position] = list(issues)
                    scores[position] = float(score)
            quality = found.notes
        counts = pd.Series([p for found_here in problems for p in found_here], dtype=object).value_counts()
        formats = pd.Series([d.format or "array" for d in facts.decoded if not d.problem], dtype=object).value_counts()
        return InputProblems(problems, scores, {"image_column": facts.column,
                                                "problems": {str(k): int(v) for k, v in counts.items()},
                                                "formats": {str(k): int(v) for k, v in formats.items()},
                                                "quality": quality})

    def default_classifier(self, seed: int, smallest_class: int) -> ClassifierMixin:
        """Logistic regression on the image vectors (see :meth:`Modality.default_classifier`).

        Parameters
        ----------
        seed : int
            Not used (lbfgs is deterministic).
        smallest_class : int
            Not used.

        Returns
        -------
        sklearn.linear_model.LogisticRegression
            Unfitted, ``max_iter=2000``.
        """
        return LogisticRegression(max_iter=2000)

    def row_view(self, dataset: Dataset, position: int) -> RowView:
        """A short description of the picture, never its bytes (see :meth:`Modality.row_view`).

        Parameters
        ----------
        dataset : Dataset
            The rows.
        position : int
            0-based row position.

        Returns
        -------
        RowView
            ``text``: ``image 28x28 L PNG`` for a picture read, ``image: truncated (...)`` for
            one that was not, whose ``problem`` is then set (``truncated``).
        """
        found = image_facts(dataset).decoded[position]
        if found.problem:
            return RowView(text=f"image: {found.problem} ({found.detail})", problem=found.problem)
        return RowView(text=" ".join(str(p) for p in ("image", found.detail, found.mode, found.format) if p))

    def row_picture(self, dataset: Dataset, position: int, max_side: int) -> bytes | None:
        """The row's picture decoded as the audit reads it, scaled, as a new PNG (see :meth:`Modality.row_picture`).

        Parameters
        ----------
        dataset : Dataset
            The rows; a path cell is read only inside its folder (``dataset.root_of``).
        position : int
            0-based row position.
        max_side : int
            The longest side wanted, in pixels (:func:`~curate.modalities.image_picture.display_size`).

        Returns
        -------
        bytes or None
            PNG bytes; None when the picture cannot be read (its ``row_view`` says why).
        """
        cell = dataset.frame[image_facts(dataset).column].iloc[position]
        image = decode_image(cell, dataset.root_of(position)).image
        return None if image is None else picture_png(image, max_side)


register_modality(ImageModality())
