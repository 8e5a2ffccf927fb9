"""The run configuration: defaults in one place, a TOML file and --set, stored with each run and shown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.core.config import AuditConfig, EvidenceConfig
from curate.errors import ConfigError
from curate.features import HashedTextEmbedder
from curate.store import Workspace

from .conftest import assert_one_line_error, make_text_frame, run_cli


def rare_class_frame() -> pd.DataFrame:
    """food and sport with 20 rows each and tech with 6: tech is 6 / (46 / 3) = 0.39 of an even share."""
    frame = make_text_frame()
    tech = frame.index[frame["label"] == "tech"]
    return frame.drop(index=tech[6:]).reset_index(drop=True)


def test_defaults_overrides_and_round_trip() -> None:
    config = AuditConfig()
    assert (config.folds, config.seed, config.embedder, config.classifier) == (5, 0, "auto", "auto")
    assert config.evidence == EvidenceConfig() and dict(config.detectors) == {}
    changed = config.with_overrides(["folds=3", "evidence.ambiguity_ratio=0.7", "label.min_error_probability=0.7",
                                     "embedder=hashed"])
    assert (changed.folds, changed.embedder, changed.evidence.ambiguity_ratio) == (3, "hashed", 0.7)
    assert dict(changed.detectors["label"]) == {"min_error_probability": 0.7}
    assert AuditConfig.from_mapping(changed.to_dict()) == changed
    # the TOML table's name, as `curate runs --verbose` prints the settings, is accepted too
    assert config.with_overrides(["detectors.label.min_error_probability=0.7"]).detectors == changed.detectors
    assert config.folds == 5  # frozen: overrides make a copy
    with pytest.raises(AttributeError):
        config.folds = 3  # type: ignore[misc]


@pytest.mark.parametrize(("assignment", "message"), [
    ("fold=3", "unknown setting(s) ['fold']"),
    ("folds=three", "folds must be int, not str ('three')"),
    ("folds=1", "folds must be at least 2, not 1"),
    ("evidence.power=2", "unknown evidence setting(s) ['power']"),
    ("label", "--set 'label': expected KEY=VALUE"),
    ("label.x.y=1", "keys have at most one dot"),
])
def test_bad_settings_name_the_setting(assignment: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        AuditConfig().with_overrides([assignment])
    assert message in str(caught.value)


def test_a_detector_parameter_it_does_not_have_is_refused_before_any_work() -> None:
    config = AuditConfig().with_overrides(["label.treshold=0.5"])
    with pytest.raises(ConfigError, match=r"detector 'label' has no parameter\(s\) \['treshold'\]; "
                                          r"it has: min_error_probability"):
        curate.audit(make_text_frame(), label="label", text="text", config=config)
    with pytest.raises(ConfigError, match=r"unknown detector\(s\) \['labels'\]"):
        curate.audit(make_text_frame(), label="label", text="text", config={"detectors": {"labels": {"k": 1}}})


def test_set_changes_a_threshold_the_flags_follow_and_the_run_records_it(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    rare_class_frame().to_csv(data, index=False)
    ws = tmp_path / "ws"
    first = run_cli(["audit", data, "--id", "id", "--no-embed", "-w", ws, "--detector", "class_imbalance"])
    assert first.exit_code == 0, first.output
    second = run_cli(["audit", data, "--id", "id", "--no-embed", "-w", ws, "--detector", "class_imbalance",
                      "--set", "class_imbalance.ratio=0.5"])
    assert second.exit_code == 0, second.output
    runs = Workspace(ws).runs()
    flags = [run.metrics["flagged"]["class_imbalance"] for run in runs]
    assert flags == [0, 6]  # tech holds 0.39 of an even share: rare under 0.5, not under the default 0.2
    assert runs[0].params["config"]["detectors"] == {"class_imbalance": {"ratio": 0.2}}
    assert runs[1].params["config"]["detectors"] == {"class_imbalance": {"ratio": 0.5}}
    assert runs[1].params["config"]["embedder"] == "hashed" and runs[1].params["config"]["folds"] == 5
    shown = run_cli(["runs", "--verbose", "-w", ws])
    assert shown.exit_code == 0, shown.output
    run2 = shown.stdout[shown.stdout.index("run 2 ·"):]
    assert "[detectors.class_imbalance]\nratio = 0.5" in run2
    assert 'embedder = "hashed"' in run2 and "[evidence]\nambiguity_mass = 0.8" in run2


def test_a_config_file_sets_every_detector_and_is_recorded(tmp_path: Path) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text('folds = 3\nseed = 7\n\n[detectors.near_duplicate]\nsimilarity = 0.9\n\n'
                    '[detectors.outlier]\nfence = 2.5\n', encoding="utf-8")
    result = curate.audit(make_text_frame(), label="label", text="text", config=toml,
                          embedder=HashedTextEmbedder(), workspace=tmp_path / "ws")
    recorded = Workspace(tmp_path / "ws").run(result.run_id).params["config"]
    assert (recorded["folds"], recorded["seed"]) == (3, 7)
    assert recorded["detectors"]["near_duplicate"] == {"similarity": 0.9, "relative_distance": 0.05, "k": 10}
    assert recorded["detectors"]["outlier"] == {"fence": 2.5, "k": 10}
    assert recorded["detectors"]["label"] == {"min_error_probability": 0.5, "consensus_support": 0.8,
                                             "noise_min_class_rows": 50}
    assert result.metrics["folds"] == 3
    assert result.notes["near_duplicate"]["similarity_threshold"] == 0.9


def test_cli_config_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_text_frame().to_csv(data, index=False)
    bad = tmp_path / "bad.toml"
    bad.write_text("folds = [\n", encoding="utf-8")
    result = run_cli(["audit", data, "--no-embed", "-w", tmp_path / "ws", "--config", bad])
    assert_one_line_error(result, str(bad), "not a valid TOML file")
    result = run_cli(["audit", data, "--no-embed", "-w", tmp_path / "ws", "--set", "outlier.fences=2"])
    assert_one_line_error(result, "detector 'outlier' has no parameter(s) ['fences']", "fence, k")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(("settings", "message"), [
    (["label.min_error_probability=high"], "label.min_error_probability must be float, not str ('high')"),
    (["label.min_error_probability=-1"], "label.min_error_probability must be from 0.0 to 1.0, not -1"),
    (["outlier.k=0"], "outlier.k must be from 1 to inf, not 0"),
    (["near_duplicate.k=2.5"], "near_duplicate.k must be int, not float (2.5)"),
    (["class_imbalance.ratio=x"], "class_imbalance.ratio must be float, not str ('x')"),
    (["evidence.ambiguity_ratio=2"], "evidence.ambiguity_ratio must be from 0.0 to 1.0, not 2"),
    (["evidence.max_vote_neighbours=0"], "evidence.max_vote_neighbours must be at least 1, not 0"),
    (["classifier=svm"], "classifier 'svm' is unknown; use auto or one of logistic_regression"),
    (["embedder=nope"], "embedder 'nope' is unknown; use auto, one of sentence, hashed, ngrams"),
])
def test_bad_values_are_refused_before_any_work(settings: list[str], message: str, tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_text_frame().to_csv(data, index=False)
    args: list[str | Path] = ["audit", data, "-w", tmp_path / "ws"]
    for setting in settings:
        args += ["--set", setting]
    result = run_cli(args)
    assert_one_line_error(result, message)
    assert "embedding" not in result.stderr and not (tmp_path / "ws").exists()


def test_a_named_modality_that_cannot_read_the_table_is_refused() -> None:
    from .conftest import make_tabular_frame

    with pytest.raises(curate.CurateError, match=r"the text modality cannot read this table \(text columns: none"):
        curate.audit(make_tabular_frame(), label="label", modality="text")
