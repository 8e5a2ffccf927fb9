"""Numbers in input columns: parsed where the file left the type open (CSV), typed text kept as text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from curate.errors import DatasetError
from curate.ingest.building import build_dataset
from curate.ingest.loading import load_data
from curate.profile import profile_data

POSTCODES = [f"{4500 + 7 * i:05d}" for i in range(36)] + ["K1A0B1", "K1A0B2", "M5V3L9", "H0H0H0"]


def _png(seed: int) -> bytes:
    picture = Image.new("L", (8, 8), color=(37 * seed) % 256)
    picture.putpixel((seed % 8, seed // 8 % 8), 255 - (37 * seed) % 256)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _table(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"우편번호": ids, "width": [float(i % 7) for i in range(len(ids))],
                         "라벨": ["a", "b"] * (len(ids) // 2)})


def test_a_parquet_string_id_column_of_mostly_digits_stays_text_beside_pictures(tmp_path: Path) -> None:
    ids = [f"{i:05d}" for i in range(40)] + [f"{i:05d}_dup" for i in range(8)]
    frame = pd.DataFrame({"id": ids, "image": [_png(i) for i in range(48)], "라벨": [str(i % 2) for i in range(48)]})
    frame.to_parquet(tmp_path / "손글씨_숫자.parquet")
    dataset = load_data(tmp_path / "손글씨_숫자.parquet", label="라벨").dataset
    assert dataset.modality == "image"
    assert dataset.frame["id"].tolist() == ids
    assert "not used as input: 'id' (not the image column)" in dataset.notes


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".xlsx"])
def test_a_string_column_of_a_typed_file_is_never_parsed_as_numbers(tmp_path: Path, suffix: str) -> None:
    frame = _table(POSTCODES)
    path = tmp_path / f"addresses{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dict("records")))
    dataset = load_data(path, label="라벨").dataset
    assert dataset.frame["우편번호"].tolist() == POSTCODES
    # all digits, still typed text: "04500" is not the number 4500
    digits_only = load_data(_saved(frame.iloc[:36], path), label="라벨").dataset
    assert digits_only.frame["우편번호"].tolist()[:2] == ["04500", "04507"]


def _saved(frame: pd.DataFrame, path: Path) -> Path:
    other = path.with_name("digits" + path.suffix)
    if path.suffix == ".parquet":
        frame.to_parquet(other)
    elif path.suffix == ".xlsx":
        frame.to_excel(other, index=False)
    else:
        other.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dict("records")))
    return other


def test_profile_reads_a_parquet_string_column_as_categories(tmp_path: Path) -> None:
    _table(POSTCODES).to_parquet(tmp_path / "addresses.parquet")
    profile = profile_data(tmp_path / "addresses.parquet", label="라벨", tokens=False)
    column = next(c for c in profile.columns if c.name == "우편번호")
    assert (column.kind, column.notes) == ("categorical", [])


def test_csv_codes_stay_text_exactly_as_written(tmp_path: Path) -> None:
    path = tmp_path / "addresses.csv"
    _table(POSTCODES).to_csv(path, index=False)
    assert load_data(path, label="라벨").dataset.frame["우편번호"].tolist() == POSTCODES
    # digits alone, with leading zeros: ids, not amounts
    _table(POSTCODES[:36]).to_csv(path, index=False)
    assert load_data(path, label="라벨").dataset.frame["우편번호"].tolist() == POSTCODES[:36]
    # digits without leading zeros are numbers
    _table([str(4500 + 7 * i) for i in range(36)]).to_csv(path, index=False)
    assert load_data(path, label="라벨").dataset.frame["우편번호"].tolist()[:2] == [4500.0, 4507.0]


@pytest.mark.parametrize(("stray", "count"), [("n/a?", 1), ("12kg", 1), ("unknown", 1)])
def test_a_csv_column_of_numbers_with_stray_cells_names_the_line(tmp_path: Path, stray: str, count: int) -> None:
    cells = [str(float(i % 9)) for i in range(40)]
    cells[6] = stray
    path = tmp_path / "measures.csv"
    _table(cells).to_csv(path, index=False)
    with pytest.raises(DatasetError) as caught:
        load_data(path, label="라벨")
    assert str(caught.value) == (
        f"{path}: column '우편번호' is numeric but line 8 holds {stray!r} ({count} such cell(s)); fix or blank them"
    )


def test_a_column_that_is_not_an_input_cannot_fail_the_load() -> None:
    scores = [str(i) for i in range(48)]
    scores[5] = "n/a?"
    frame = pd.DataFrame({"score": scores, "image": [_png(i) for i in range(48)], "label": ["0", "1"] * 24})
    dataset = build_dataset(frame, label="label", source="pictures.csv")
    assert dataset.modality == "image"
    assert dataset.frame["score"].tolist() == scores  # as written, not parsed
    assert "not used as input: 'score' (not the image column)" in dataset.notes
