"""The small network trained on a dataset's own pictures: a scikit-learn classifier, and the image audit's view."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import curate
from curate.modalities.image import NETWORK_MIN_ROWS
from curate.modalities.image_network import SmallImageNetwork, torch_available

pytestmark = pytest.mark.skipif(not torch_available(), reason="torch (the 'image' or 'embed' extra) is missing")

SIDE = 12


def _bar(kind: str, where: int, rng: np.random.Generator) -> np.ndarray:
    """A 12x12 grey picture in [0, 1]: a bright horizontal ('h') or vertical ('v') bar on faint noise."""
    array = rng.uniform(0.0, 0.2, size=(SIDE, SIDE))
    if kind == "h":
        array[where, 2:-2] = 1.0
    else:
        array[2:-2, where] = 1.0
    return array


def _bars(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` flattened bars, alternately 'h' and 'v', each at a row or column from 3 to 8."""
    rng = np.random.default_rng(seed)
    labels = np.array(["hv"[i % 2] for i in range(n)])
    pictures = np.stack([_bar(kind, 3 + (i // 2) % 6, rng).ravel() for i, kind in enumerate(labels)])
    return pictures.astype(np.float32), labels


def test_it_fits_and_predicts_probabilities_over_its_classes() -> None:
    X, y = _bars(60)
    network = SmallImageNetwork(side=SIDE, epochs=15).fit(X, y)
    assert network.classes_.tolist() == ["h", "v"]
    probs = network.predict_proba(X[:7])
    assert probs.shape == (7, 2) and probs.dtype == np.float64
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert network.predict(X).tolist() == y.tolist()


def test_colour_pictures_are_read_channel_first() -> None:
    X, y = _bars(40)
    colour = np.concatenate([X, X * 0.5, X * 0.2], axis=1)  # three channels, each a whole picture
    network = SmallImageNetwork(side=SIDE, channels=3, epochs=15).fit(colour, y)
    assert network.predict_proba(colour).shape == (40, 2)
    assert network.predict(colour).tolist() == y.tolist()


def test_it_is_deterministic_under_a_seed_and_leaves_the_global_random_state_alone() -> None:
    import torch

    X, y = _bars(40)
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    first = SmallImageNetwork(side=SIDE, epochs=2, min_pictures=0, seed=3).fit(X, y).predict_proba(X)
    assert torch.equal(torch.random.get_rng_state(), before)
    again = SmallImageNetwork(side=SIDE, epochs=2, min_pictures=0, seed=3).fit(X, y).predict_proba(X)
    other = SmallImageNetwork(side=SIDE, epochs=2, min_pictures=0, seed=4).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    if not torch.cuda.is_available():  # the default device is the CPU here: naming it changes nothing
        on_cpu = SmallImageNetwork(side=SIDE, epochs=2, min_pictures=0, seed=3, device="cpu").fit(X, y)
        np.testing.assert_array_equal(on_cpu.predict_proba(X), first)
        assert on_cpu.device_ == "cpu"


def test_pictures_of_another_size_are_refused() -> None:
    X, y = _bars(10)
    with pytest.raises(ValueError, match=r"^X must have 784 columns \(1 x 28 x 28\); got shape \(10, 144\)$"):
        SmallImageNetwork().fit(X, y)
    with pytest.raises(ValueError, match=r"^X has 10 rows but y has 9$"):
        SmallImageNetwork(side=SIDE).fit(X, y[:9])


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((array * 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.slow
def test_the_image_audit_reads_the_network_and_finds_planted_flips() -> None:
    X, labels = _bars(NETWORK_MIN_ROWS, seed=1)  # the network reads a set this large or larger
    planted = [7, 30, 61, 88, 113, 150, 199]
    labels = labels.copy()
    for i in planted:
        labels[i] = "v" if labels[i] == "h" else "h"
    frame = pd.DataFrame({"picture": [_png(x.reshape(SIDE, SIDE)) for x in X], "label": labels})
    result = curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)
    assert result.metrics["network_view"] == "a small convolutional network trained here on grey pixels at 28x28"
    assert set(result.metrics["view_weights"]) == {"classifier", "neighbours", "pixels", "network"}
    assert sorted(result.findings.query("issue == 'label'")["row_id"].astype(int)) == planted


def test_a_small_image_set_is_read_without_the_network() -> None:
    X, labels = _bars(40)
    frame = pd.DataFrame({"picture": [_png(x.reshape(SIDE, SIDE)) for x in X], "label": labels})
    result = curate.audit(frame, label="label", image="picture", embedder="pixels", progress=False)
    assert "network_view" not in result.metrics
    assert set(result.metrics["view_weights"]) == {"classifier", "neighbours", "pixels"}
