"""curate profile on real public data from ../shared/data; each test skips with a reason when it is absent.

The expected facts are counted here independently (pandas, and a brute-force grouping by the same
normalised text), not copied from a profile's output.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from curate.profile import DataProfile, profile_data

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
NOISYAG = DATA / "noisyag-news" / "noisy_10k.csv"
NSMC = DATA / "nsmc" / "reviews_10k.csv"
NEWSGROUPS = DATA / "20news" / "test.parquet"


def _copies(frame: pd.DataFrame) -> tuple[int, int, int]:
    """(groups of exact copies, rows in them, groups with more than one label), by brute force."""
    groups: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(frame["text"].fillna(""), frame["label"].astype(str), strict=True):
        key = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text)).casefold()).strip()
        if key:
            groups[key].append(label)
    copies = [labels for labels in groups.values() if len(labels) > 1]
    return len(copies), sum(map(len, copies)), sum(1 for labels in copies if len(set(labels)) > 1)


def _check_against(profile: DataProfile, frame: pd.DataFrame) -> None:
    assert profile.rows == len(frame)
    assert sorted(profile.classes.counts.items()) == sorted(frame["label"].astype(str).value_counts().items())
    copies = profile.duplicates
    assert (copies.groups, copies.rows_in_groups, copies.conflicting_groups) == _copies(frame)
    assert profile.text is not None and profile.text.texts == len(frame)
    assert profile.text.characters is not None
    assert profile.text.characters.max == frame["text"].str.len().max()


@pytest.mark.slow
@pytest.mark.skipif(not NSMC.exists(), reason="../shared/data/nsmc is not present")
def test_nsmc_korean_reviews() -> None:
    profile = profile_data(NSMC)
    _check_against(profile, pd.read_csv(NSMC))
    text = profile.text
    assert text is not None and text.tokens is not None
    assert profile.classes.counts == {"negative": 5000, "positive": 5000}
    assert text.language_shares["ko"] > 0.99
    assert text.scripts["hangul"] > 0.95
    assert text.tokens.truncated == 0  # reviews of at most 140 characters
    rating = next(c for c in profile.columns if c.name == "rating")
    assert (rating.kind, rating.missing, rating.numbers.min, rating.numbers.max) == ("numeric", 0, 1.0, 10.0)  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.skipif(not NOISYAG.exists(), reason="../shared/data/noisyag-news is not present")
def test_noisyag_news() -> None:
    frame = pd.read_csv(NOISYAG)
    profile = profile_data(NOISYAG, label="label")
    _check_against(profile, frame)
    text = profile.text
    assert text is not None and text.tokens is not None
    assert text.language_shares["en"] > 0.99
    assert profile.classes.majority == frame["label"].value_counts().idxmax()
    roles = {c.name: c.role for c in profile.columns}
    assert roles == {"text": "text", "label": "label", "true_label": "unused"}


@pytest.mark.slow
@pytest.mark.skipif(not NEWSGROUPS.exists(), reason="../shared/data/20news is not present")
def test_20_newsgroups_test_set_long_texts_are_cut() -> None:
    from tokenizers import Tokenizer

    from curate.features.text import DEFAULT_TEXT_MODEL, resolve_model_path

    frame = pd.read_parquet(NEWSGROUPS)
    profile = profile_data(NEWSGROUPS)
    _check_against(profile, frame)
    assert len(profile.classes.counts) == 20
    tokens = profile.text.tokens  # type: ignore[union-attr]
    assert tokens is not None
    # an independent count with the tokenizer file, for a sample of 200 posts
    tokenizer = Tokenizer.from_file(str(Path(resolve_model_path(DEFAULT_TEXT_MODEL)) / "tokenizer.json"))
    tokenizer.no_truncation()
    sample = frame["text"].iloc[:200].tolist()
    over = sum(len(e.ids) > 254 for e in tokenizer.encode_batch(sample, add_special_tokens=False))
    sampled = profile_data(frame.iloc[:200], label="label", text=["text"])
    assert sampled.text is not None and sampled.text.tokens is not None
    assert sampled.text.tokens.truncated == over
    assert tokens.truncated > len(frame) / 2  # most posts are longer than one window
