"""A 2-D map of the rows from the run's features: their first two principal components.

Principal components are the map because they cost a fraction of a second at any size and read the
same on every run; a neighbour-embedding map (t-SNE) separates clusters better but took 7 s for
2,000 of NoisyAG-News's texts on two cores, more than the rest of the audit. At most
:data:`MAX_MAP_ROWS` rows are drawn: a seeded sample, plus every row the caller must show.
"""

from __future__ import annotations

import numpy as np

from curate.core.arrays import bounded_rows

__all__ = ["MAX_MAP_ROWS", "map_rows"]

MAX_MAP_ROWS = 20_000


def map_rows(features: np.ndarray, must: np.ndarray | None = None, *, seed: int = 0,
             max_rows: int = MAX_MAP_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """The rows to draw and their 2-D coordinates (PCA of the features, fitted on those rows).

    Parameters
    ----------
    features : numpy.ndarray
        Shape (n_rows, dim): the run's features (any real dtype; NaN and inf read as 0).
    must : numpy.ndarray, optional
        Shape (n_rows,), bool: rows always drawn (flagged ones), even past ``max_rows``.
    seed : int, default 0
        The sample's seed.
    max_rows : int, default 20,000
        Rows drawn at most, besides the ``must`` rows.

    Returns
    -------
    positions : numpy.ndarray
        Shape (n,), int64, sorted: the drawn rows.
    xy : numpy.ndarray
        Shape (n, 2), float32: their coordinates; zeros when the features have one dimension
        or fewer than two rows.
    """
    from sklearn.decomposition import PCA

    n = len(features)
    chosen = np.zeros(n, dtype=bool)
    if n <= max_rows:
        chosen[:] = True
    else:
        chosen[np.random.default_rng(seed).choice(n, max_rows, replace=False)] = True
    if must is not None:
        chosen |= np.asarray(must, dtype=bool)
    positions = np.flatnonzero(chosen)
    xy = np.zeros((len(positions), 2), dtype=np.float32)
    values, _ = bounded_rows(np.asarray(features)[positions])  # the drawn rows only: no copy of every row
    if len(positions) >= 2 and values.shape[1] >= 2:
        xy = PCA(2, random_state=seed).fit_transform(values).astype(np.float32)
    return positions.astype(np.int64), xy
