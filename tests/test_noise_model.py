"""The label-noise model: the confident joint, the transition matrix and each row's error posterior."""

from __future__ import annotations

import numpy as np
import pytest

from curate.evidence.noise_model import confident_joint, fit_noise_model


def _noisy_evidence(n: int, n_classes: int, noise: float, sharpness: float, seed: int) -> tuple[np.ndarray, ...]:
    """Evidence as a model fitted on noisy labels gives it: P(given | x) = T @ P(true | x).

    Returns the evidence, the given labels, the true labels and the flipped rows.
    """
    rng = np.random.default_rng(seed)
    true = rng.integers(n_classes, size=n)
    clean = np.full((n, n_classes), (1 - sharpness) / (n_classes - 1))
    clean[np.arange(n), true] = sharpness
    transition = np.full((n_classes, n_classes), noise / (n_classes - 1))
    np.fill_diagonal(transition, 1 - noise)
    flipped = rng.random(n) < noise
    given = true.copy()
    given[flipped] = (true[flipped] + rng.integers(1, n_classes, size=int(flipped.sum()))) % n_classes
    return clean @ transition.T, given, true, flipped


def test_the_confident_joint_matches_cleanlab() -> None:
    """An independent implementation: cleanlab's calibrated confident joint on the same evidence."""
    count = pytest.importorskip("cleanlab.count")
    rng = np.random.default_rng(3)
    codes = rng.integers(3, size=600)
    logits = rng.normal(size=(600, 3)) + 2.5 * np.eye(3)[codes]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    raw = count.compute_confident_joint(codes, probs, calibrate=False)
    ours = confident_joint(probs, codes)
    # cleanlab calibrates to whole counts (rounded, row totals kept); compare the exact proportions
    assert ours / ours.sum(axis=1, keepdims=True) == pytest.approx(raw / raw.sum(axis=1, keepdims=True), abs=1e-9)
    assert ours.sum(axis=1) == pytest.approx(np.bincount(codes))
    assert np.abs(ours - count.compute_confident_joint(codes, probs, calibrate=True)).max() < 1


def test_a_class_nobody_was_given_is_nobody_s_confident_class() -> None:
    probs = np.array([[0.7, 0.2, 0.1], [0.6, 0.1, 0.3], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]])
    joint = confident_joint(probs, np.array([0, 0, 1, 1]))
    assert joint[:, 2].tolist() == [0.0, 0.0, 0.0] and joint.sum() == pytest.approx(4.0)


def test_class_conditional_noise_is_measured_and_the_flipped_rows_are_found() -> None:
    probs, given, _, flipped = _noisy_evidence(3000, 3, noise=0.2, sharpness=0.97, seed=0)
    model = fit_noise_model(probs, given)
    assert model.noise_rate == pytest.approx(flipped.mean(), abs=0.02)
    assert model.transition.sum(axis=0) == pytest.approx(np.ones(3))
    flags = model.error > 0.5
    assert (flags == flipped).all()
    # the noise removed, the clean evidence is sharper than the evidence it came from
    rows = np.arange(len(given))
    assert model.clean[rows, probs.argmax(axis=1)].mean() > probs.max(axis=1).mean()


def test_a_weak_model_on_clean_labels_is_not_read_as_label_noise() -> None:
    """Clean labels, a model that is often unsure: its disagreements are its own, not the labels'."""
    rng = np.random.default_rng(1)
    codes = rng.integers(2, size=4000)
    right = rng.beta(3.0, 1.2, size=4000)  # the model's probability of the (right) given label
    probs = np.column_stack([np.where(codes == 0, right, 1 - right), np.where(codes == 1, right, 1 - right)])
    disagreements = int((probs.argmax(axis=1) != codes).sum())
    flags = int((fit_noise_model(probs, codes).error > 0.5).sum())
    assert disagreements > 500  # the face-value reading would call each of these a label error
    assert flags < disagreements / 4


def test_with_no_noise_nothing_is_more_likely_wrong_than_right() -> None:
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.3, 0.7]])
    model = fit_noise_model(probs, np.array([0, 0, 1, 1]))
    assert model.noise_rate == 0.0 and model.class_noise.tolist() == [0.0, 0.0]
    assert model.error.tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0])


def test_classes_the_evidence_cannot_tell_apart_leave_the_evidence_as_it_is() -> None:
    """Each class's rows split evenly between both classes: the labels say nothing, T is singular."""
    probs = np.array([[0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.1, 0.9]])
    model = fit_noise_model(probs, np.array([0, 0, 1, 1]))
    assert model.transition == pytest.approx(np.full((2, 2), 0.5))
    assert model.clean == pytest.approx(probs)
    assert model.error == pytest.approx([0.1, 0.9, 0.9, 0.1])


def test_no_rows() -> None:
    model = fit_noise_model(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))
    assert model.error.shape == (0,) and model.noise_rate == 0.0


def _weak_model_audit(rows_per_class: int) -> dict:
    """Clean labels and a weak model's probabilities (10 classes), audited with the label check alone."""
    import pandas as pd

    import curate

    rng = np.random.default_rng(5)
    codes = np.repeat(np.arange(10), rows_per_class)
    logits = rng.normal(size=(len(codes), 10)) + 1.5 * np.eye(10)[codes]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(len(codes))], "label": [f"c{c}" for c in codes]})
    result = curate.audit(frame, label="label", text="text", pred_probs=probs, detectors=["label"], progress=False)
    few = [(w.code, w.withheld) for w in result.warnings if w.code == "few_rows_noise"]
    return {"flags": int(result.summary["flagged"].iloc[0]), "warning": few[0] if few else None,
            **result.notes["label"]}


def test_flags_from_a_noise_estimate_on_small_classes_are_said_to_be_shaky() -> None:
    """With 30 rows per class the confident joint measures the model's confusions, not the labels."""
    small = _weak_model_audit(30)
    assert small["flags"] > 0 and small["noise_flags_in_small_classes"] == small["flags"] - small["consensus_flags"]
    assert small["warning"] == ("few_rows_noise", ())
    large = _weak_model_audit(60)
    assert large["noise_flags_in_small_classes"] == 0 and large["warning"] is None


def test_views_that_agree_flag_what_the_noise_estimate_misses() -> None:
    """A repeated, systematic mistake the confident joint does not count: every view still names the
    right class, and that consensus alone flags the rows; turned off, nothing is flagged."""
    import curate
    from curate.features import HashedTextEmbedder

    from .conftest import make_text_frame

    frame = make_text_frame(30)
    wrong = frame.index[::15]
    frame.loc[wrong, "label"] = frame.loc[wrong, "label"].map({"food": "sport", "sport": "tech", "tech": "food"})

    def audit(**label: float) -> curate.AuditResult:
        return curate.audit(frame, label="label", text="text", id="id", embedder=HashedTextEmbedder(),
                            detectors=["label"], progress=False, config={"detectors": {"label": label}})

    found = audit()
    notes = found.notes["label"]
    assert notes["estimated_noise_rate"] == 0.0  # the joint counted none of the six
    flagged = found.findings
    assert flagged["row_id"].tolist() == [frame.loc[0, "id"], frame.loc[30, "id"]]
    assert notes["consensus_flags"] == 2 and set(flagged["row_id"]) <= set(frame.loc[wrong, "id"])
    assert [d["error_prob"] for d in flagged["details"]] == [d["suggested_prob"] for d in flagged["details"]]
    # each such flag says what it rests on, and what the noise model alone would give it
    assert [(d["consensus_only"], d["noise_error_prob"]) for d in flagged["details"]] == [(True, 0.0)] * 2
    # every view learned these classes from 30 rows: the flags stand, and the run says what they rest on
    assert notes["consensus_flags_in_small_classes"] == 2
    warned = [w for w in found.warnings if w.code == "few_rows_noise"]
    assert len(warned) == 1 and warned[0].withheld == () and warned[0].facts["consensus_flags"] == 2
    assert warned[0].message.startswith("2 label flag(s) rest on a model that learned their classes from fewer "
                                        "than 50 rows each")
    assert audit(consensus_support=1.1).findings.empty

