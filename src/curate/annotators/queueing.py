"""The labelling queue of a table: its texts' features, a model retrained on the labels so far, the next batch.

The text features are chosen as an audit chooses them (:func:`curate.modalities.text_features.choose_text_features`:
static embeddings of the sentence model for English, character n-grams and Korean morphemes
otherwise) and cached the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.annotators.active import STRATEGIES, Queue, next_items
from curate.annotators.agreement import category_counts
from curate.annotators.learning import TrainingRecord, retrain
from curate.annotators.reading import items_by_annotators, label_text
from curate.errors import ColumnError, ConfigError
from curate.features import FeatureCache, embed_with_cache
from curate.modalities.language import language_mix
from curate.modalities.text_features import choose_text_features

__all__ = ["LabelQueue", "label_queue", "text_vectors"]


def text_vectors(texts: Sequence[str], *, cache: FeatureCache | None = None) -> tuple[np.ndarray, str]:
    """Feature vectors of ``texts`` from the features an audit would choose for their languages.

    Parameters
    ----------
    texts : sequence of str
        The texts, in row order.
    cache : FeatureCache, optional
        Where vectors are cached by text hash and model id (not used for features fitted on the texts).

    Returns
    -------
    vectors : numpy.ndarray
        Shape (len(texts), dim), float32.
    line : str
        The choice, for people: ``text features: ..., because ...``.
    """
    choice = choose_text_features(language_mix(list(texts)))
    vectors, _ = embed_with_cache(list(texts), choice.embedder, cache)
    return vectors, choice.line()


@dataclass(frozen=True)
class LabelQueue:
    """The next items of a table to label, with what a person needs to see them.

    Attributes
    ----------
    queue : Queue
        The items in order, their reasons and the note on how they were chosen.
    classes : list of str
        The labels given so far, sorted: class code ``i`` is ``classes[i]``.
    texts : list of str
        Every row's text (the queue's positions index it).
    record : TrainingRecord or None
        The model the queue was ranked with; None when no model could be trained yet.
    features : str
        The line naming the text features.
    labelled : int
        Rows with a label.
    ids : list of str or None
        Every row's id from the file's id column (``--id``), as text; None without one.
    annotator_labels : int or None
        Labels given in the annotator columns (``--annotators``); None without them.
    """

    queue: Queue
    classes: list[str]
    texts: list[str]
    record: TrainingRecord | None
    features: str
    labelled: int
    ids: list[str] | None = None
    annotator_labels: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The queue as JSON-ready data with stable keys.

        Returns
        -------
        dict
            ``strategy``, ``cold_start``, ``note``, ``features``, ``classes``, ``labelled``,
            ``unlabelled``, ``annotator_labels`` (only with annotator columns), ``model`` (the training
            record or None) and ``items``: each with
            ``rank`` (from 1), ``position`` (0-based row), ``id`` (the row's id, only with ``ids``),
            ``reason``, the scores, ``predicted``
            (a class name or None) and ``text``.
        """
        items = []
        for rank, item in enumerate(self.queue.items, start=1):
            fields = asdict(item)
            fields["predicted"] = None if item.predicted is None else self.classes[item.predicted]
            named = {} if self.ids is None else {"id": self.ids[item.position]}
            items.append({"rank": rank, "position": fields.pop("position"), **named, **fields,
                          "text": self.texts[item.position]})
        return {"strategy": self.queue.strategy, "cold_start": self.queue.cold_start, "note": self.queue.note,
                "features": self.features, "classes": self.classes, "labelled": self.labelled,
                "unlabelled": len(self.texts) - self.labelled,
                **({} if self.annotator_labels is None else {"annotator_labels": self.annotator_labels}),
                "model": None if self.record is None else asdict(self.record), "items": items}


def _present(value: object) -> bool:
    return not (value is None or (isinstance(value, float) and value != value) or str(value).strip() in ("", "nan"))


def label_queue(frame: pd.DataFrame, *, text: str | Sequence[str], label: str | None = None,
                annotators: Sequence[str] = (),
                batch: int = 20, strategy: str = "combined", seed: int = 0, cache: FeatureCache | None = None,
                source: str = "the data", id_column: str | None = None) -> LabelQueue:
    """The next ``batch`` rows of ``frame`` to label: rows with an empty ``label`` cell are unlabelled.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    text : str or sequence of str
        The text column, or several: their cells are joined by a newline per row, as an audit joins them.
    label : str, optional
        The label column; without it every row is unlabelled (a cold start).
    annotators : sequence of str, default ()
        Columns holding one annotator's label each, for the ``disagreement`` strategy.
    batch : int, default 20
        How many rows to return.
    strategy : str, default "combined"
        One of :data:`curate.annotators.STRATEGIES`.
    seed : int, default 0
        Seed of the strategy's random draws.
    cache : FeatureCache, optional
        The feature cache.
    source : str, default "the data"
        The file's name, for messages.
    id_column : str, optional
        The file's id column: each item carries its id (as text) besides its position.

    Returns
    -------
    LabelQueue
        The queue, the classes, the texts and the model's record.

    Raises
    ------
    ColumnError
        When a named column is missing.
    ConfigError
        For an unknown strategy, a batch below 1, or ``disagreement`` without ``annotators``.
    """
    columns = [str(c) for c in frame.columns]
    text_columns = [text] if isinstance(text, str) else list(text)
    for name in [*text_columns, *([id_column] if id_column else []), *([label] if label else []), *annotators]:
        if name not in columns:
            raise ColumnError(f"{source}: no column {name!r} (columns: {', '.join(columns)})")
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r} is unknown; use one of {', '.join(STRATEGIES)}")
    if batch < 1:
        raise ConfigError(f"--batch must be at least 1, not {batch}")
    if strategy == "disagreement" and len(annotators) < 2:
        raise ConfigError("the disagreement strategy needs at least two annotator columns (--annotators COL,COL)")
    texts = ["\n".join(row) for row in zip(*(frame[c].map(lambda v: str(v) if _present(v) else "").tolist()
                                              for c in text_columns), strict=True)]
    given = ([label_text(v, column=label, source=source) for v in frame[label]] if label
             else [None] * len(frame))
    classes = sorted({g for g in given if g is not None})
    index = {c: i for i, c in enumerate(classes)}
    codes = np.array([index[g] if g is not None else -1 for g in given], dtype=np.int64)
    counts = None
    if annotators:
        counts = category_counts(items_by_annotators(frame, annotators=annotators, source=source))[0]
    if strategy == "disagreement":  # vote entropy reads the votes alone: no features, no model
        vectors, line = np.zeros((len(texts), 0), dtype=np.float32), "text features: none (vote entropy needs none)"
    else:
        vectors, line = text_vectors(texts, cache=cache)
    record, probs = None, None
    if len(classes) >= 2 and strategy != "disagreement":
        fitted = retrain(vectors, codes, len(classes), seed=seed)
        record, probs = fitted.record, fitted.probs
    queue = next_items(vectors, codes, probs=probs, n_classes=max(len(classes), 1), batch=batch, strategy=strategy,
                       seed=seed, vote_counts=counts)
    ids = None if id_column is None else frame[id_column].astype(str).tolist()
    given_votes = None if counts is None else int(counts.sum())
    return LabelQueue(queue, classes, texts, record, line, int((codes >= 0).sum()), ids, given_votes)
