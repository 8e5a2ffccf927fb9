"""The static text embedder: distilled once from the shipped sentence model, kept with its provenance, read whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.errors import ConfigError
from curate.features import StaticEmbedder, embedder_from_name
from curate.features.names import check_embedder_name
from curate.features.text import DEFAULT_TEXT_MODEL, resolve_model_path

SPORT = "the home team won the final match of the season after a late goal in extra time"
COOKING = "simmer the onions in butter, add garlic and tomatoes, then season the sauce with basil"


def test_vectors_are_unit_rows_of_256_floats_and_do_not_depend_on_the_batch() -> None:
    embedder = StaticEmbedder()
    both = embedder.embed([SPORT, COOKING])
    assert both.shape == (2, 256) and both.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(both, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(embedder.embed([COOKING])[0], both[1], rtol=1e-5, atol=1e-6)
    # It reads meaning: a paraphrase is nearer than the other topic
    paraphrase = embedder.embed(["the home side won the last game of the season with a goal in extra time"])[0]
    assert paraphrase @ both[0] > paraphrase @ both[1] + 0.2


def test_a_text_with_no_known_word_piece_gets_a_zero_vector() -> None:
    vectors = StaticEmbedder().embed(["", SPORT])
    assert not vectors[0].any() and vectors[1].any()


def test_the_distillation_is_kept_with_its_provenance_and_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = StaticEmbedder()
    first.embed([SPORT])
    record = first.provenance()
    assert record is not None
    assert (record["base_model"], record["base_path"], record["dims"]) == (
        DEFAULT_TEXT_MODEL, resolve_model_path(DEFAULT_TEXT_MODEL), 256)
    assert record["model2vec"].startswith("0.") and record["distill_seconds"] > 0
    folder = Path(record["folder"])
    assert json.loads((folder / "provenance.json").read_text())["distilled_at"] == record["distilled_at"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".distilling-")]

    def refuse(self: StaticEmbedder, folder: Path) -> None:
        raise AssertionError("distilled twice")

    monkeypatch.setattr(StaticEmbedder, "_distil", refuse)
    again = StaticEmbedder()
    assert again.preparation_note() is None
    np.testing.assert_array_equal(again.embed([SPORT]), first.embed([SPORT]))


def test_a_fresh_cache_folder_announces_the_distillation(tmp_path: Path) -> None:
    embedder = StaticEmbedder(cache_dir=tmp_path)
    note = embedder.preparation_note()
    assert note is not None and note.startswith(f"distilling static embeddings from {DEFAULT_TEXT_MODEL} once")
    assert str(tmp_path) in note and embedder.provenance() is None


def test_a_long_text_is_read_whole() -> None:
    # 2,000 words: a window of 256 word pieces would see only the sport at its start.
    long_text = " ".join([SPORT] * 60 + [COOKING] * 60)
    long, sport, cooking = StaticEmbedder().embed([long_text, " ".join([SPORT] * 60), COOKING])
    assert long @ cooking > sport @ cooking + 0.2


def test_static_names_a_base_model_and_is_checked_before_loading(tmp_path: Path) -> None:
    folder = resolve_model_path(DEFAULT_TEXT_MODEL)
    embedder = embedder_from_name(f"static:{folder}")
    assert isinstance(embedder, StaticEmbedder) and embedder.model == folder and embedder.english_only
    assert isinstance(embedder_from_name("static"), StaticEmbedder)
    with pytest.raises(ConfigError, match=r"^embedder 'static:/no/such/model': no such model folder"):
        check_embedder_name("static:/no/such/model")
    with pytest.raises(ConfigError, match=r"name the sentence-transformers model after 'static:'"):
        check_embedder_name("static:")
    with pytest.raises(ConfigError, match="holds no sentence-transformers model"):
        check_embedder_name(f"static:{tmp_path}")


def test_an_english_audit_uses_it_and_records_what_it_was_distilled_from() -> None:
    words = ["goal", "match", "league", "coach", "striker"], ["sauce", "oven", "garlic", "recipe", "butter"]
    texts = [f"the {a} and the {b} were talked about today number {i}" for i in range(40)
             for a, b in [(words[0][i % 5], words[0][(i + 1) % 5]), (words[1][i % 5], words[1][(i + 2) % 5])]]
    frame = pd.DataFrame({"text": texts, "label": ["sport", "food"] * 40})
    result = curate.audit(frame, label="label", text="text", detectors=["label"])
    assert result.metrics["embedder"] == "static:sentence-transformers/all-MiniLM-L6-v2+pca256"
    made_from = result.metrics["embedder_provenance"]
    assert made_from["base_model"] == DEFAULT_TEXT_MODEL and made_from["dims"] == 256
    assert result.metrics["oof_accuracy"] > 0.9
