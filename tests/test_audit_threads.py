"""Threads through a whole audit: the user's own classifier is fitted on one thread for a small table."""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits

import curate
from curate.features import HashedTextEmbedder

from .conftest import make_tabular_frame, make_text_frame
from .test_threads import ThreadRecordingBoosting, ThreadRecordingLogistic


def _threads(pools: list[dict]) -> dict[str, int]:
    return {pool["user_api"]: pool["num_threads"] for pool in pools}


def test_an_audit_fits_the_user_s_classifier_on_one_thread_for_a_small_table() -> None:
    ThreadRecordingLogistic.seen.clear()  # the audit clones the classifier: each clone writes here
    with threadpool_limits(limits=2):  # as on a machine whose libraries would use 2 threads
        result = curate.audit(make_tabular_frame(), label="label", classifier=ThreadRecordingLogistic(), progress=False)
        after = _threads(threadpool_info())
    assert result.params["classifier"] == "ThreadRecordingLogistic()"
    # each fold twice: all of its training rows, then half of them (the still-learning check of small data)
    assert len(ThreadRecordingLogistic.seen) == 2 * result.params["config"]["folds"] == 10
    assert "half_train_accuracy" in result.metrics
    for pools in ThreadRecordingLogistic.seen:
        assert pools and set(_threads(pools).values()) == {1}
    assert set(after.values()) == {2}  # the limit ends with the audit's fits


def test_an_audit_of_texts_fits_a_boosted_classifier_on_one_openmp_thread() -> None:
    ThreadRecordingBoosting.seen.clear()
    with threadpool_limits(limits=2):
        curate.audit(
            make_text_frame(10),
            label="label",
            text="text",
            id="id",
            embedder=HashedTextEmbedder(),
            classifier=ThreadRecordingBoosting(max_iter=5),
            detectors=["label"],
            progress=False,
        )
    assert len(ThreadRecordingBoosting.seen) == 2 * 5  # five folds, on all and on half of their training rows
    assert all(_threads(pools)["openmp"] == 1 for pools in ThreadRecordingBoosting.seen)
