"""The word view: a word TF-IDF classifier beside the sentence model in the label evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, SGDClassifier

import curate
from curate.evidence.calibration import mix_views
from curate.evidence.label_evidence import label_evidence
from curate.evidence.predictions import cross_val_pred_probs
from curate.features import HashedTextEmbedder, NgramEmbedder, SentenceEmbedder
from curate.modalities import get_modality
from curate.modalities.base import FeatureSet
from curate.neighbors import build_neighbor_graph

from ..detectors.helpers import text_dataset

SPORT = ["goal", "match", "league", "striker", "keeper", "penalty", "referee", "stadium"]
MONEY = ["bank", "shares", "profit", "market", "bond", "investor", "dividend", "loan"]
OPENINGS = ["The report from yesterday talks about the", "Everyone in town was discussing the",
            "The newspaper printed a long story about the", "My neighbour told me about the"]


def _topic_rows(n: int, flipped: int) -> tuple[list[str], list[str], np.ndarray]:
    """Texts of three topic words each; the label is the topic, except on the first ``flipped`` rows."""
    rng = np.random.default_rng(3)
    texts, labels = [], []
    for i in range(n):
        topic = i % 2
        words = rng.choice(SPORT if topic == 0 else MONEY, 3, replace=False)
        texts.append(f"{OPENINGS[i % 4]} {words[0]}, the {words[1]} and the {words[2]} this week.")
        labels.append(["sport", "money"][topic])
    truth = np.zeros(n, dtype=bool)
    for i in range(flipped):
        labels[i] = "money" if labels[i] == "sport" else "sport"
        truth[i] = True
    return texts, labels, truth


def test_text_gets_words_beside_meaning_unreduced_ngrams_beside_ngrams_and_nothing_beside_hashes() -> None:
    texts, labels, _ = _topic_rows(40, 0)
    dataset = text_dataset(texts, labels)
    text = get_modality("text")
    vectors = np.zeros((40, 2), dtype=np.float32)
    (view,) = text.extra_views(dataset, features=FeatureSet(vectors, embedder=SentenceEmbedder()), seed=0)
    assert view.name == "words" and view.description.startswith("word 1-2-gram TF-IDF (tfidf:word1-2:")
    assert view.features.shape[0] == 40 and isinstance(view.classifier, LogisticRegression)
    big = text_dataset(texts * 125, labels * 125)
    (large,) = text.extra_views(big, features=FeatureSet(vectors, embedder=SentenceEmbedder()), seed=0)
    assert isinstance(large.classifier, SGDClassifier)  # 5,000 rows: stochastic gradient descent
    hashed = FeatureSet(vectors, surface=True, embedder=HashedTextEmbedder())
    assert text.extra_views(dataset, features=hashed, seed=0) == []  # the quick mode stays quick
    ngrams = NgramEmbedder(dim=8)
    (unreduced,) = text.extra_views(dataset, features=FeatureSet(ngrams.embed(texts), embedder=ngrams), seed=0)
    assert unreduced.name == "ngrams" and unreduced.features.shape[1] > 8
    assert (unreduced.features != ngrams.sparse(texts)).nnz == 0
    assert get_modality("tabular").extra_views(dataset, features=FeatureSet(vectors), seed=0) == []


def test_an_informative_word_view_outweighs_uninformative_features_and_finds_the_flips() -> None:
    texts, labels, truth = _topic_rows(400, 12)
    dataset = text_dataset(texts, labels)
    codes = dataset.label_codes
    noise = np.random.default_rng(0).normal(size=(400, 16))  # main features that know nothing
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    first = cross_val_pred_probs(noise, codes, 2, classifier=LogisticRegression())
    extra = get_modality("text").extra_views(dataset, features=FeatureSet(noise, embedder=SentenceEmbedder()), seed=0)
    evidence = label_evidence(noise, codes, 2, first, classifier=LogisticRegression(),
                              graph=build_neighbor_graph(noise, 50), extra=extra)
    assert list(evidence.extra) == ["words"] and evidence.extra["words"].shape == (400, 2)
    assert evidence.mix is not None and evidence.mix.extra_weights[0] >= 0.7
    assert np.allclose(evidence.probs, mix_views(evidence.classifier, evidence.neighbours, evidence.mix,
                                                 [evidence.extra["words"]]))
    suspects = evidence.probs[np.arange(400), codes] < 0.5
    assert set(np.flatnonzero(suspects)) == set(np.flatnonzero(truth))


def test_the_audit_records_the_word_view_and_its_weight(tmp_path) -> None:
    texts, labels, truth = _topic_rows(200, 6)
    frame = pd.DataFrame({"text": texts, "label": labels})
    result = curate.audit(frame, label="label", text="text")
    assert set(result.metrics["view_weights"]) == {"classifier", "neighbours", "words"}
    assert abs(sum(result.metrics["view_weights"].values()) - 1.0) < 0.011
    assert result.metrics["words_view"].startswith("word 1-2-gram TF-IDF")
    assert result.metrics["words_oof_accuracy"] >= 0.9
    label = result.findings[result.findings.issue == "label"]
    assert set(label.row_id.astype(int)) == set(np.flatnonzero(truth))
    assert "words_prob" in label.details.iloc[0]
    korean = pd.DataFrame({"text": [f"{w} 영화 {i}번째 리뷰입니다" for i, w in enumerate(["좋은", "나쁜"] * 30)],
                           "label": ["pos", "neg"] * 30})
    read = curate.audit(korean, label="label", text="text")
    assert set(read.metrics["view_weights"]) == {"classifier", "neighbours", "ngrams"}
    assert read.metrics["ngrams_view"].startswith("the same n-grams unreduced")


def test_an_image_embedder_on_text_is_one_line_and_the_workspace_stays_unmade(tmp_path) -> None:
    import subprocess
    import sys

    data = tmp_path / "t.csv"
    data.write_text("text,label\nhello world,a\ngood day,b\nnice one,a\nbad one,b\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "curate.cli", "audit", str(data), "--label", "label",
                          "--embedder", "pixels", "--workspace", str(tmp_path / "ws")],
                         capture_output=True, text=True, check=False)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1] == ("error: the embedder 'pixels:grey:16' reads images, not text; use "
                                                   "auto, sentence, hashed or ngrams")
    assert not (tmp_path / "ws").exists()
