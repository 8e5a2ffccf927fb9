"""Threads sized to the work: one thread for small fits, the machine's default for large ones.

BLAS and OpenMP start a team of threads for every call. On a small table each call does little
work, so the threads spend their time waking up and waiting for each other, and on a busy machine
(more runnable threads than cores) a waiting thread loses its core for a whole scheduler slice: a
120-row tabular audit took 59-102 s with the default threads on a busy 2-core machine against
5-21 s sized, start-up included (``bench/threads.py``, bench/RESULTS.md).

The cut is on rows x features, the size of the matrix every fit and neighbour search reads: the
cost of one BLAS product or one histogram pass grows with it, while the cost of waking threads
does not. Below :data:`SMALL_WORK_CELLS` cells (e.g. 2,600 rows of 384-dimensional embeddings, or
25,000 rows of 40 tabular features) one thread is used; above it the libraries keep their own
settings (all cores, or what ``OMP_NUM_THREADS`` and friends say), which curate never raises.

torch keeps its own count of intra-op threads (``torch.set_num_threads``), which the BLAS/OpenMP
limits do not reach; :func:`sized_torch_threads` applies the same cut to it, over the matrix a
transformer's layers read: the word pieces it embeds x its embedding dimension. Below the cut the
whole encoding takes well under a second on one thread, so one thread can lose little, while a
busy machine's thread barriers could cost many times that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["SMALL_WORK_CELLS", "sized_threads", "sized_torch_threads", "threads_for"]

# One million cells: below it a fit's BLAS/OpenMP calls are milliseconds of work each, which a
# thread team's start-up and barriers eat; above it the parallel part dominates.
SMALL_WORK_CELLS = 1_000_000


def threads_for(n_rows: int, n_features: int) -> int | None:
    """How many threads BLAS and OpenMP may use for work over an ``n_rows`` x ``n_features`` matrix.

    Parameters
    ----------
    n_rows : int
        Rows the fit or search reads.
    n_features : int
        Columns of its feature matrix.

    Returns
    -------
    int or None
        1 below :data:`SMALL_WORK_CELLS` cells; None (the libraries' own setting) from there on.

    Examples
    --------
    >>> threads_for(120, 8), threads_for(10_000, 384)
    (1, None)
    """
    return 1 if n_rows * max(1, n_features) < SMALL_WORK_CELLS else None


@contextmanager
def sized_threads(n_rows: int, n_features: int) -> Iterator[int | None]:
    """Limit BLAS and OpenMP threads to :func:`threads_for` while the block runs.

    Parameters
    ----------
    n_rows : int
        Rows the fit or search reads.
    n_features : int
        Columns of its feature matrix.

    Yields
    ------
    int or None
        The limit in force (None: left as it was).

    Examples
    --------
    >>> with sized_threads(120, 8) as limit:
    ...     limit
    1
    """
    limit = threads_for(n_rows, n_features)
    if limit is None:
        yield None
        return
    with threadpool_limits(limits=limit):
        yield limit


@contextmanager
def sized_torch_threads(n_rows: int, n_features: int) -> Iterator[int | None]:
    """Limit torch's intra-op threads to :func:`threads_for` while the block runs, then restore them.

    Only lowers the count: a limit at or above ``torch.get_num_threads()`` changes nothing. Needs
    torch (the ``embed`` extra), imported on first use.

    Parameters
    ----------
    n_rows : int
        Rows of the work's matrix (for a transformer, the word pieces it reads).
    n_features : int
        Its columns (the model's embedding dimension).

    Yields
    ------
    int or None
        The thread count set for the block; None when it was left as it was.

    Examples
    --------
    >>> with sized_torch_threads(40, 384) as limit:  # doctest: +SKIP
    ...     torch.get_num_threads()
    1
    """
    import torch

    limit = threads_for(n_rows, n_features)
    before = torch.get_num_threads()
    if limit is None or limit >= before:
        yield None
        return
    torch.set_num_threads(limit)
    try:
        yield limit
    finally:
        torch.set_num_threads(before)
