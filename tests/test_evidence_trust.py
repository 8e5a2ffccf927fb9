"""Calibrated evidence, its strength, and the warnings that withhold flags when it is too weak."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.core.config import EvidenceConfig
from curate.evidence.calibration import fit_view_mix, mix_views, temper
from curate.evidence.trust import evidence_strength, evidence_warnings


def _one_hot_noisy(codes: np.ndarray, n_classes: int, right: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities that put ``right`` on the true class for most rows (and on a random one for 20 %)."""
    probs = np.full((len(codes), n_classes), (1 - right) / (n_classes - 1))
    top = np.where(rng.random(len(codes)) < 0.8, codes, rng.integers(0, n_classes, len(codes)))
    probs[np.arange(len(codes)), top] = right
    return probs


def test_the_mix_weighs_the_view_that_explains_the_labels() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, 2000)
    informative = _one_hot_noisy(codes, 4, 0.7, rng)
    noise = rng.dirichlet(np.ones(4), size=2000)
    assert fit_view_mix(informative, noise, codes).classifier_weight >= 0.9
    assert fit_view_mix(noise, informative, codes).classifier_weight <= 0.1
    mix = fit_view_mix(informative, noise, codes)
    mixed = mix_views(informative, noise, mix)
    assert mixed.shape == (2000, 4) and np.allclose(mixed.sum(axis=1), 1.0)


def test_the_temperature_softens_overconfident_evidence() -> None:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 3, 3000)
    # right 60 % of the time but claims 0.99: the fitted temperature must soften it
    overconfident = _one_hot_noisy(codes, 3, 0.99, np.random.default_rng(2))
    wrong = rng.random(3000) < 0.5
    overconfident[wrong] = overconfident[wrong][:, ::-1]
    mix = fit_view_mix(overconfident, overconfident, codes)
    assert mix.temperature > 1.5
    calibrated = temper(overconfident, mix.temperature)
    assert calibrated.max(axis=1).mean() < 0.9


def test_the_mix_refuses_views_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="do not match"):
        fit_view_mix(np.ones((3, 2)) / 2, np.ones((3, 3)) / 3, np.zeros(3, dtype=int))


def test_evidence_at_chance_withholds_label_and_ambiguity_flags() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, 3000)
    guess = rng.dirichlet(np.ones(3), size=3000)
    strength = evidence_strength(guess, codes)
    assert abs(strength.majority_rate - np.bincount(codes).max() / 3000) < 1e-12
    assert strength.skill < 0.05
    (warning,) = evidence_warnings(strength)
    assert warning.code == "model_near_chance" and warning.withheld == ("label", "ambiguous")
    assert "always guessing the most common class" in warning.message


def test_significant_but_useless_skill_still_withholds() -> None:
    """3,000 rows at accuracy 0.36 against 0.33: significant at p < 0.01, and still withheld."""
    codes = np.repeat([0, 1, 2], 1000)
    probs = np.full((3000, 3), 0.1)
    right = np.zeros(3000, dtype=bool)
    right[np.random.default_rng(0).choice(3000, 1080, replace=False)] = True
    top = np.where(right, codes, (codes + 1) % 3)
    probs[np.arange(3000), top] = 0.8
    strength = evidence_strength(probs, codes)
    assert strength.accuracy == pytest.approx(0.36) and strength.p_value < 0.01
    assert [w.code for w in evidence_warnings(strength)] == ["model_near_chance"]


def test_clear_skill_raises_no_warning() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, 500)
    strength = evidence_strength(_one_hot_noisy(codes, 3, 0.7, rng), codes)
    assert strength.skill > 0.6 and evidence_warnings(strength) == []


def test_thin_classes_withhold_everything_only_when_they_hold_most_rows() -> None:
    codes = np.repeat(np.arange(300), 2)
    probs = np.eye(300)[codes]
    (warning,) = evidence_warnings(evidence_strength(probs, codes))
    assert warning.code == "thin_classes" and warning.withheld == ("label", "ambiguous")
    assert warning.facts == {"thin_classes": 300, "thin_rows": 600, "min_class_rows": 5}
    few = np.concatenate([np.repeat([0, 1], 100), [2, 2]])
    (warning,) = evidence_warnings(evidence_strength(np.eye(3)[few], few))
    assert warning.code == "thin_classes" and warning.withheld == () and warning.facts["thin_rows"] == 2
    assert evidence_warnings(evidence_strength(np.eye(3)[few], few, min_class_rows=2),
                             EvidenceConfig(min_class_rows=2)) == []


def test_an_audit_of_random_labels_warns_and_withholds(tmp_path) -> None:
    """Labels that nothing in the text explains: the audit must say so instead of flagging."""
    from curate import audit
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    frame = make_text_frame(40)
    frame["label"] = np.random.default_rng(3).permutation(frame["label"].to_numpy())
    result = audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder())
    codes = [w.code for w in result.warnings]
    assert "model_near_chance" in codes
    assert result.metrics["warnings"][codes.index("model_near_chance")]["withheld"] == ["label", "ambiguous"]
    flagged = result.summary.set_index("issue")["flagged"]
    assert flagged["label"] == 0 and flagged["ambiguous"] == 0
    assert result.notes["label"]["withheld"] == ["model_near_chance"]
    # the ranking is kept for whoever wants to look: scores are there, flags are not
    assert (result.scores["issue"] == "label").sum() == len(frame)


def test_an_audit_of_300_tiny_classes_warns_thin_classes() -> None:
    from curate import audit
    from curate.features import HashedTextEmbedder

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(900)]
    frame = pd.DataFrame({"text": [" ".join(rng.choice(words[3 * (i % 300):3 * (i % 300) + 3], 4)) + f" n{i}"
                                   for i in range(750)],
                          "label": [f"c{i % 300:03d}" for i in range(750)]})
    result = audit(frame, label="label", text="text", embedder=HashedTextEmbedder(),
                   detectors=["label", "ambiguous"])
    thin = [w for w in result.warnings if w.code == "thin_classes"]
    assert len(thin) == 1 and thin[0].withheld == ("label", "ambiguous")
    assert result.summary.set_index("issue")["flagged"].to_dict() == {"label": 0, "ambiguous": 0}


def test_label_flags_state_their_estimated_precision() -> None:
    from curate import audit
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    frame = make_text_frame(30)
    wrong = frame.index[::15]
    frame.loc[wrong, "label"] = frame.loc[wrong, "label"].map({"food": "sport", "sport": "tech", "tech": "food"})
    result = audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(),
                   detectors=["label"])
    notes = result.notes["label"]
    flagged = result.findings
    chances = [d["error_prob"] for d in flagged["details"]]
    assert len(flagged) >= 1 and min(chances) > 0.5
    assert notes["estimated_precision"] == pytest.approx(np.mean(chances), abs=1e-3)
    assert notes["expected_true_errors"] == pytest.approx(sum(chances), abs=0.1)


def test_flags_mostly_wrong_on_their_own_reckoning_are_withheld() -> None:
    from curate.evidence.trust import precision_warning

    warning = precision_warning("label", 0.45, 12)
    assert warning is not None and warning.code == "low_estimated_precision" and warning.withheld == ("label",)
    assert "12 label flags" in warning.message and "0.45" in warning.message
    assert precision_warning("label", 0.5, 12) is None and precision_warning("label", None, 0) is None
    assert precision_warning("label", 0.45, 12, EvidenceConfig(min_precision=0.4)) is None


def test_an_audit_withholds_flags_below_the_precision_bar() -> None:
    """The same audit with a precision bar above its flags' estimate: flags withheld, scores kept."""
    from curate import audit
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    frame = make_text_frame(30)
    wrong = frame.index[::15]
    frame.loc[wrong, "label"] = frame.loc[wrong, "label"].map({"food": "sport", "sport": "tech", "tech": "food"})
    kept = audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(), detectors=["label"])
    estimate = kept.notes["label"]["estimated_precision"]
    assert estimate is not None and kept.summary["flagged"].iloc[0] > 0
    strict = audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(), detectors=["label"],
                   config={"evidence": {"min_precision": min(1.0, estimate + 0.01)}})
    assert [w.code for w in strict.warnings] == ["low_estimated_precision"]
    assert strict.summary["flagged"].iloc[0] == 0
    assert strict.notes["label"]["withheld_flags"] == kept.summary["flagged"].iloc[0]


def test_accuracy_far_below_chance_points_at_rows_that_differ_on_purpose() -> None:
    codes = np.repeat([0, 1, 2], 100)
    probs = np.eye(3)[(codes + 1) % 3] * 0.8 + 0.2 / 3  # always a sibling's label, as on NLI premises
    (warning,) = evidence_warnings(evidence_strength(probs, codes))
    assert warning.code == "model_near_chance" and "far below chance" in warning.advice


def test_the_report_states_the_estimated_precision() -> None:
    from curate import audit
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    frame = make_text_frame(30)
    wrong = frame.index[::15]
    frame.loc[wrong, "label"] = frame.loc[wrong, "label"].map({"food": "sport", "sport": "tech", "tech": "food"})
    result = audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(), detectors=["label"])
    notes, flagged = result.notes["label"], int(result.summary["flagged"].iloc[0])
    assert (f"label flags: estimated precision {notes['estimated_precision']:.2f}: about "
            f"{notes['expected_true_errors']:.1f} of the {flagged} are real errors") in result.to_html()  # a decimal
    assert flagged < 10  # under 10 flags the count keeps its decimal (0.85 of 3 is not "3 of the 3")
    assert f"({100 * notes['estimated_noise_rate']:.1f} % of labels estimated wrong)" in result.to_html()


def test_a_large_mix_is_fitted_on_a_sample_and_lands_where_the_full_fit_does(monkeypatch) -> None:
    from curate.evidence import calibration

    rng = np.random.default_rng(4)
    codes = rng.integers(0, 4, 6000)
    informative = _one_hot_noisy(codes, 4, 0.7, rng)
    noise = rng.dirichlet(np.ones(4), size=6000)
    full = fit_view_mix(informative, noise, codes)
    monkeypatch.setattr(calibration, "MAX_FIT_ROWS", 2000)
    sampled = fit_view_mix(informative, noise, codes)
    assert sampled == fit_view_mix(informative, noise, codes)  # deterministic
    assert abs(sampled.classifier_weight - full.classifier_weight) <= 0.1
    assert abs(sampled.temperature - full.temperature) / full.temperature < 0.2


def test_copies_of_one_placeholder_count_once_when_judging_the_evidence() -> None:
    """2,000 copies of one text with random labels among 300 real rows: judged row by row the evidence
    looks near chance and every label check would be withheld; judged by distinct input it is not."""
    import pandas as pd

    import curate
    from curate.evidence.trust import evidence_strength
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    real = make_text_frame(100)
    rng = np.random.default_rng(0)
    filler = pd.DataFrame({"id": [f"p{i}" for i in range(2000)], "text": "no review given",
                           "label": rng.choice(["food", "sport", "tech"], 2000)})
    frame = pd.concat([real, filler], ignore_index=True)
    result = curate.audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(), progress=False,
                          detectors=["label", "conflicting_labels"])
    assert "model_near_chance" not in [w.code for w in result.warnings]
    assert result.metrics["evidence_skill"] > 0.5
    assert set(result.findings.loc[result.findings["issue"] == "conflicting_labels", "row_id"]) == set(filler["id"])
    # the weights themselves: 3 rows right and one group of 4 copies, 1 of them right, counted once
    probs = np.eye(2)[[0, 0, 1, 0, 0, 0, 0]]
    codes = np.array([0, 0, 1, 1, 1, 1, 0])
    plain = evidence_strength(probs, codes)
    weighted = evidence_strength(probs, codes, weights=np.array([1, 1, 1, 0.25, 0.25, 0.25, 0.25]))
    assert plain.accuracy == pytest.approx(4 / 7) and weighted.accuracy == pytest.approx(3.25 / 4)
    assert weighted.class_rows.tolist() == plain.class_rows.tolist() == [3, 4]


def test_a_model_near_chance_reports_no_slices_of_its_own_errors() -> None:
    # Labels the text does not explain, 60/40, and a rating column that follows the label (as NSMC's
    # star ratings do): a model near chance answers the commoner class, so its errors pile up on the
    # rarer class's ratings. That is the model's failure, not a weak slice of the data.
    from curate import audit
    from curate.features import HashedTextEmbedder

    rng = np.random.default_rng(5)
    n = 600
    label = np.where(rng.random(n) < 0.6, "pos", "neg")
    rating = np.where(label == "pos", rng.choice(["9", "10"], n), rng.choice(["1", "2"], n))
    words = np.array(["movie", "film", "scene", "actor", "plot", "story", "music", "ending", "cast", "script"])
    text = [" ".join(rng.choice(words, 6)) + f" {i}" for i in range(n)]
    frame = pd.DataFrame({"text": text, "rating": rating, "label": label})
    result = audit(frame, label="label", text="text", embedder=HashedTextEmbedder())
    assert "model_near_chance" in [w.code for w in result.warnings]
    slices = (result.metrics.get("slices") or {}).get("slices", [])
    assert not [s for s in slices if s["measure"] == "oof_error_rate"]
    assert not [s for s in slices if s["significant"]]


NSMC = Path(__file__).resolve().parents[2] / "shared" / "data" / "nsmc" / "reviews_10k.csv"


def test_still_learning_warns_only_when_flags_stand_on_a_high_noise_estimate() -> None:
    from curate.evidence.trust import still_learning_warning

    notes = {"estimated_noise_rate": 0.31, "estimated_precision": 0.79, "flagged_per_class": {"a": 30, "b": 19}}
    warning = still_learning_warning(notes, 0.58, 0.635)
    assert warning is not None and warning.code == "model_still_learning" and warning.withheld == ()
    assert "rose from 0.580 with half of each training fold to 0.635" in warning.message
    assert "31.0% label noise" in warning.message and "49 label flag(s) stated 0.79 precise" in warning.message
    assert still_learning_warning(notes, 0.62, 0.635) is None  # 1.5 points: learned enough
    assert still_learning_warning(notes | {"estimated_noise_rate": 0.05}, 0.90, 0.935) is None  # few, clear flags
    # one planted error in 60 rows (1.7 % estimated): a flag that rests on far more than the model's doubt
    assert still_learning_warning(notes | {"estimated_noise_rate": 0.017}, 0.333, 0.883) is None
    # a weak model still learning makes most disagreements itself, though it estimates little noise
    weak = still_learning_warning(notes | {"estimated_noise_rate": 0.067}, 0.531, 0.601)
    assert weak is not None and weak.withheld == () and (
        "rose from 0.531 with half of each training fold to 0.601 with all of it, and it misses 40% of the rows, far "
        "more than the 6.7% label noise the label check estimates, so its own confusions are the likelier cause of a "
        "disagreement, and the 49 label flag(s) stated 0.79 precise are likely right less often than that"
    ) in weak.message
    assert still_learning_warning(notes | {"flagged_per_class": {"a": 0}}, 0.58, 0.635) is None
    assert still_learning_warning(notes | {"withheld": ["model_near_chance"]}, 0.58, 0.635) is None
    assert still_learning_warning(notes | {"verified": {"calibrated": True}}, 0.58, 0.635) is None
    assert still_learning_warning(notes, None, 0.635) is None  # not measured (large data, user probabilities)
    assert "a checked random sample (curate verify-sample" in warning.advice
    too_few = still_learning_warning(notes | {"verified": {"calibrated": False, "rows": 50}}, 0.58, 0.635)
    assert too_few is not None and "more checked rows (a larger verify-sample --size" in too_few.advice


def test_still_learning_names_the_view_that_carries_the_evidence() -> None:
    from curate.evidence.trust import still_learning_warning

    notes = {"estimated_noise_rate": 0.478, "estimated_precision": 0.9, "flagged_per_class": {"cat": 275}}
    warning = still_learning_warning(notes, 0.425, 0.487, "network", 0.9)
    assert warning is not None and warning.message.startswith(
        "the label evidence's network view, which carries 90% of the label evidence, is still learning: "
        "its out-of-fold accuracy rose from 0.425 with half of each training fold to 0.487")
    assert still_learning_warning(notes, 0.47, 0.487, "network", 0.9) is None


CIFAR10 = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10" / "train.parquet"


@pytest.mark.slow
@pytest.mark.skipif(not CIFAR10.exists(), reason=f"needs the shared CIFAR-10 data at {CIFAR10}")
def test_clean_pictures_read_as_pixels_warn_that_the_network_is_still_learning() -> None:
    # A user trial: 800 clean CIFAR-10 pictures audited with --no-embed got 275 label flags stated
    # 0.90 precise and no warning: the learning curve was the classifier's (weight 0), while the small
    # network that carried 0.9 of the evidence had seen too few pictures.
    from curate import audit

    frame = pd.read_parquet(CIFAR10, columns=["id", "image", "label"]).sort_values("id").iloc[:800]
    result = audit(frame.reset_index(drop=True), label="label", image="image", id="id", embedder="pixels",
                   detectors=["label"])
    curve = result.metrics["learning_curve"]
    assert curve["view"] == "network" and curve["weight"] > 0.5
    assert curve["oof_accuracy"] - curve["half_train_accuracy"] >= 0.03
    [warning] = [w for w in result.warnings if w.code == "model_still_learning"]
    assert warning.message.startswith("the label evidence's network view, which carries ")
    assert warning.withheld == () and result.summary.set_index("issue")["flagged"]["label"] > 0


@pytest.mark.skipif(not NSMC.exists(), reason=f"needs the shared NSMC data at {NSMC}")
def test_two_hundred_korean_reviews_warn_that_the_model_is_still_learning() -> None:
    # A user trial: 200 NSMC reviews (about 4 % of their labels wrong) got label flags on a noise
    # estimate of 15-30 % stated 0.8 precise, with no word that the model had too few rows to learn from.
    from curate import audit

    frame = pd.read_csv(NSMC, usecols=["text", "label"]).sample(200, random_state=1).reset_index(drop=True)
    result = audit(frame, label="label", text="text", detectors=["label"])
    assert result.metrics["half_train_accuracy"] < result.metrics["oof_accuracy"] - 0.03
    [warning] = [w for w in result.warnings if w.code == "model_still_learning"]
    assert warning.withheld == () and result.summary.set_index("issue")["flagged"]["label"] > 0


CASE = Path(__file__).resolve().parents[2] / "shared" / "cases" / "robustness" / "numeric_labels_4_flips.csv"


@pytest.mark.skipif(not CASE.exists(), reason=f"needs the shared case {CASE}")
def test_withheld_label_flags_get_no_caveat_about_their_noise_estimate() -> None:
    # A user trial: "58 label flag(s) rest on a label-noise estimate ..." beside "label 0 (58 withheld)".
    from curate import audit

    result = audit(CASE, id="id")
    assert [w.code for w in result.warnings] == ["model_near_chance"]
    assert result.notes["label"]["withheld"] == ["model_near_chance"] and result.notes["label"]["withheld_flags"] > 0
