"""The ray engine: the folds and the embedding as Ray tasks on a local cluster give the local findings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import curate
from curate.engines import LocalEngine, RayEngine, make_engine
from curate.errors import ConfigError
from curate.evidence.predictions import cross_val_pred_probs
from curate.features import FeatureCache, HashedTextEmbedder, embed_with_cache
from curate.store import Workspace

from .conftest import assert_one_line_error, make_tabular_frame, run_cli, snapshot

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def cluster() -> Iterator[None]:
    """One local two-CPU Ray cluster for the module; the engine uses this connection."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def engine() -> Iterator[RayEngine]:
    made = RayEngine()
    with made.running():
        yield made


def _english_frame(n_per_class: int = 30) -> pd.DataFrame:
    words = {"food": ["bread", "soup", "rice", "cheese", "apple"],
             "sport": ["goal", "match", "team", "coach", "league"],
             "tech": ["chip", "phone", "server", "robot", "laptop"]}
    rows = [{"text": f"the {w[i % 5]} and the {w[(i * 3 + 1) % 5]} were news on day {i}", "label": label}
            for i in range(n_per_class) for label, w in words.items()]
    frame = pd.DataFrame(rows)
    frame.loc[[4, 11, 40], "label"] = ["tech", "food", "sport"]  # a few planted label errors
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    return frame


def _flags_and_scores(result: curate.AuditResult) -> pd.DataFrame:
    frame = result.to_frame(flagged_only=False)
    return frame[["row_id", "issue", "score", "flagged"]].sort_values(["issue", "row_id"]).reset_index(drop=True)


def _assert_same_findings(local: curate.AuditResult, spread: curate.AuditResult) -> None:
    a, b = _flags_and_scores(local), _flags_and_scores(spread)
    assert a[["row_id", "issue", "flagged"]].equals(b[["row_id", "issue", "flagged"]])
    np.testing.assert_allclose(a["score"].to_numpy(float), b["score"].to_numpy(float), rtol=0, atol=1e-9)
    assert local.metrics["engine"] == "local"
    assert (spread.metrics["engine"], spread.metrics["ray_nodes"], spread.metrics["ray_cpus"]) == ("ray", 1, 2)


@pytest.mark.parametrize("classifier", [LogisticRegression(max_iter=500),
                                        HistGradientBoostingClassifier(max_iter=30, random_state=0)])
def test_folds_on_ray_equal_the_local_folds(engine: RayEngine, classifier: object) -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(240, 6))
    codes = (features[:, 0] + features[:, 1] > 0).astype(int) + (features[:, 2] > 1).astype(int)
    codes[0] = 3  # a lonely row: predicted by the mean of the fold models
    mask = rng.random(240) > 0.2
    done: list[int] = []
    local = cross_val_pred_probs(features, codes, 4, classifier=classifier, folds=4, train_mask=mask,
                                 engine=LocalEngine(), max_train_rows=120)
    spread = cross_val_pred_probs(features, codes, 4, classifier=classifier, folds=4, train_mask=mask,
                                  engine=engine, max_train_rows=120, progress=done.append)
    assert np.array_equal(local.probs, spread.probs)
    assert local.folds == spread.folds == 4 and done == [1, 1, 1, 1]


def test_embedding_on_ray_fills_the_cache_like_the_local_one(engine: RayEngine, tmp_path: Path) -> None:
    texts = [f"text number {i % 5000}" for i in range(9000)]  # 5,000 distinct: two tasks
    embedder = HashedTextEmbedder()
    done: list[int] = []
    cache = FeatureCache(tmp_path / "features.sqlite")
    spread, fresh = embed_with_cache(texts, embedder, cache, done.append, engine=engine)
    local, _ = embed_with_cache(texts, embedder, None, engine=LocalEngine())
    assert fresh == 5000 and sum(done) == 9000
    assert np.array_equal(spread, local)
    again, fresh_again = embed_with_cache(texts, embedder, cache, engine=engine)
    assert fresh_again == 0 and np.array_equal(again, local)


@pytest.mark.parametrize("kind", ["text", "tabular"])
def test_audit_on_ray_gives_the_local_findings(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if kind == "text":  # the hashed features are embedded as tasks (the n-grams fit the corpus: local)
        frame, options = _english_frame(), {"text": "text", "embedder": "hashed"}
    else:
        frame, options = make_tabular_frame(40), {}
    monkeypatch.setenv("CURATE_CACHE_DIR", str(tmp_path / "cache-ray"))
    spread = curate.audit(frame, label="label", config={"engine": "ray"}, **options)
    monkeypatch.setenv("CURATE_CACHE_DIR", str(tmp_path / "cache-local"))
    local = curate.audit(frame, label="label", **options)
    _assert_same_findings(local, spread)
    if kind == "text":
        assert spread.metrics["embedded_rows"] == local.metrics["embedded_rows"] == len(frame)


def test_cli_engine_ray_records_the_engine(tmp_path: Path) -> None:
    data = tmp_path / "news.csv"
    _english_frame().to_csv(data, index=False)
    result = run_cli(["audit", data, "--id", "id", "--no-embed", "-w", tmp_path / "ws", "--engine", "ray"])
    assert result.exit_code == 0, result.output
    (run,) = Workspace(tmp_path / "ws").runs()
    assert (run.metrics["engine"], run.metrics["ray_cpus"]) == ("ray", 2)
    assert run.params["config"]["engine"] == "ray"


@pytest.mark.parametrize(("options", "keywords"), [
    (["--engine", "spark"], ["engine must be one of local, ray", "'spark'"]),
    (["--engine", "ray", "--address", "127.0.0.1:1"], ["no Ray cluster answers at 127.0.0.1:1"]),
    (["--engine", "ray", "--address", "nowhere"], ["'nowhere' is not HOST:PORT"]),
    (["--address", "127.0.0.1:6379"], ["ray_address (--address) is for the ray engine"]),
])
def test_bad_engine_options_fail_in_one_line_and_leave_the_workspace(tmp_path: Path, options: list[str],
                                                                     keywords: list[str]) -> None:
    data = tmp_path / "news.csv"
    _english_frame().to_csv(data, index=False)
    workspace = tmp_path / "ws"
    assert run_cli(["audit", data, "--no-embed", "-w", workspace]).exit_code == 0
    before = snapshot(workspace)
    result = run_cli(["audit", data, "--no-embed", "-w", workspace, *options])
    assert_one_line_error(result, *keywords)
    assert snapshot(workspace) == before


def test_make_engine_names() -> None:
    assert isinstance(make_engine("local"), LocalEngine)
    assert make_engine("ray", "10.0.0.1:6379").address == "10.0.0.1:6379"
    with pytest.raises(ConfigError, match="engine 'dask' is unknown"):
        make_engine("dask")
    with pytest.raises(RuntimeError, match="started engine"):
        RayEngine().map(divmod, [1])
