"""Threads sized to the work: the BLAS/OpenMP limits in force while curate fits and searches."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info, threadpool_limits

from curate.core.threads import SMALL_WORK_CELLS, sized_threads, threads_for
from curate.evidence.predictions import cross_val_pred_probs


class ThreadRecordingLogistic(LogisticRegression):
    """A logistic regression that writes down the thread pools in force each time it is fitted."""

    seen: ClassVar[list[list[dict[str, Any]]]] = []

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ThreadRecordingLogistic:
        ThreadRecordingLogistic.seen.append(threadpool_info())
        return super().fit(X, y, sample_weight)


class ThreadRecordingBoosting(HistGradientBoostingClassifier):
    """Histogram gradient boosting (OpenMP) that writes down the thread pools in force when fitted."""

    seen: ClassVar[list[list[dict[str, Any]]]] = []

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ThreadRecordingBoosting:
        ThreadRecordingBoosting.seen.append(threadpool_info())
        return super().fit(X, y, sample_weight)


def _table(rows: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    codes = np.arange(rows) % 2
    return rng.normal(size=(rows, dim)) + codes[:, None], codes


def _threads(pools: list[dict[str, Any]]) -> dict[str, int]:
    return {pool["user_api"]: pool["num_threads"] for pool in pools}


def test_the_cut_is_on_rows_times_features() -> None:
    assert SMALL_WORK_CELLS == 1_000_000
    assert threads_for(120, 8) == 1
    assert threads_for(2_604, 384) == 1  # 999,936 cells
    assert threads_for(2_605, 384) is None  # 1,000,320 cells: the libraries' own setting
    assert threads_for(1_000_000, 0) is None  # no feature columns still counts one per row


def test_a_small_fit_runs_on_one_thread_whatever_the_machine_allows() -> None:
    X, y = _table(120, 8)
    ThreadRecordingLogistic.seen.clear()
    with threadpool_limits(limits=2):  # as on a machine whose libraries would use 2 threads
        cross_val_pred_probs(X, y, 2, classifier=ThreadRecordingLogistic(), folds=3)
        after = _threads(threadpool_info())
    assert len(ThreadRecordingLogistic.seen) == 3
    for pools in ThreadRecordingLogistic.seen:
        assert pools and set(_threads(pools).values()) == {1}
    assert set(after.values()) == {2}  # the limit ends with the fits


def test_a_small_boosted_fit_gets_one_openmp_thread() -> None:
    X, y = _table(120, 8)
    ThreadRecordingBoosting.seen.clear()
    with threadpool_limits(limits=2):
        cross_val_pred_probs(X, y, 2, classifier=ThreadRecordingBoosting(max_iter=5), folds=2)
    assert len(ThreadRecordingBoosting.seen) == 2
    assert all(_threads(pools)["openmp"] == 1 for pools in ThreadRecordingBoosting.seen)


def test_a_large_fit_keeps_the_machine_s_threads() -> None:
    X, y = _table(2_605, 384)
    ThreadRecordingLogistic.seen.clear()
    with threadpool_limits(limits=2):
        cross_val_pred_probs(X, y, 2, classifier=ThreadRecordingLogistic(), folds=2)
    assert len(ThreadRecordingLogistic.seen) == 2
    for pools in ThreadRecordingLogistic.seen:
        assert set(_threads(pools).values()) == {2}


def test_sized_threads_says_which_limit_it_set() -> None:
    with threadpool_limits(limits=2):
        with sized_threads(10, 10) as small:
            inside = set(_threads(threadpool_info()).values())
        with sized_threads(10_000, 1_000) as large:
            untouched = set(_threads(threadpool_info()).values())
    assert (small, inside) == (1, {1})
    assert (large, untouched) == (None, {2})


def test_sgd_spreads_its_per_class_fits_over_the_fit_s_threads_with_the_same_result() -> None:
    from sklearn.linear_model import SGDClassifier

    from curate.evidence.predictions import _fit_fold

    rng = np.random.default_rng(3)
    features = rng.normal(size=(600, 20))
    labels = rng.integers(0, 4, size=600)
    features[np.arange(600), labels] += 2.0
    rows = (np.arange(500), np.arange(500, 600))
    seen: list[Any] = []

    class Recording(SGDClassifier):
        def fit(self, X: Any, y: Any, **kwargs: Any) -> Recording:
            seen.append(self.n_jobs)
            return super().fit(X, y, **kwargs)

    made = {threads: _fit_fold(rows, features=features, label_codes=labels,
                               classifier=Recording(loss="log_loss", max_iter=20, tol=None, random_state=0),
                               lonely=np.zeros(0, dtype=np.int64), threads=threads)
            for threads in (1, 2)}
    assert seen == [None, 2]  # one class after another on one thread; spread over two
    np.testing.assert_array_equal(made[1][0], made[2][0])
    np.testing.assert_array_equal(made[1][1], made[2][1])  # each class has its own seed: the same model
