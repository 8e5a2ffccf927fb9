"""A new modality is one module plus its registration: a toy one runs through audit, report, review and export."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.export import export_version
from curate.modalities import available_modalities, register_modality, unregister_modality
from curate.report import from_workspace, render
from curate.review import DecisionRequest, ReviewSession, load_run
from curate.review.pages import item
from curate.store import Workspace

from .toy_modality import ToyModality

SRC = Path(__file__).resolve().parents[2] / "src" / "curate"


@pytest.fixture
def toy() -> Iterator[ToyModality]:
    modality = register_modality(ToyModality())
    yield modality
    unregister_modality("toy")


def signal_frame() -> pd.DataFrame:
    """60 low signals (digits 0-4) and 60 high ones (5-9), with planted problems named in the ids."""
    rng = np.random.default_rng(0)
    rows = []
    for label, digits in (("low", range(5)), ("high", range(5, 10))):
        for i in range(60):
            rows.append({"id": f"{label}{i}", "signal": " ".join(str(d) for d in rng.choice(list(digits), 8)),
                         "label": label})
    frame = pd.DataFrame(rows)
    frame.loc[frame["id"] == "low3", "signal"] = "9 8 9 7 6 9 8 5"  # a high signal labelled low
    frame.loc[frame["id"] == "low7", "signal"] = frame.loc[frame["id"] == "low8", "signal"].iloc[0].replace(" ", "  ")
    frame.loc[frame["id"] == "high5", "signal"] = ""  # empty
    return frame


def test_a_registered_modality_claims_its_tables_and_runs_everywhere(toy: ToyModality, tmp_path: Path) -> None:
    assert list(available_modalities())[-1] == "toy"
    ws = Workspace(tmp_path / "ws")
    result = curate.audit(signal_frame(), label="label", id="id", workspace=ws, name="signals")
    assert result.dataset.modality == "toy" and result.params["modality"] == "toy"
    flagged = {issue: set(group["row_id"]) for issue, group in result.findings.groupby("issue")}
    assert flagged["exact_duplicate"] == {"low7", "low8"}
    assert flagged["input_quality"] == {"high5"}
    assert "low3" in flagged["label"]
    assert result.notes["input_quality"] == {"empty_signals": 1}
    assert result.metrics["embedder"] == "toy:digit-histogram"

    html = render(from_workspace(ws, result.run_id))
    assert "signal=9 8 9 7 6 9 8 5, digits=8" in html  # the label flag's preview, as the modality shows it

    session = ReviewSession(load_run(ws), reviewer="ana")
    page = item(session, "low3")
    assert page.input.modality == "toy" and page.input.text is None
    assert page.input.fields == {"signal": "9 8 9 7 6 9 8 5", "digits": 8}
    session.decide(DecisionRequest(row_id="low3", action="relabel", new_label="high"))
    session.decide(DecisionRequest(row_id="low7", action="remove"))

    out = tmp_path / "fixed.csv"
    summary = export_version(ws, None, "latest", "csv", out)
    assert (summary.rows, summary.relabelled, summary.removed) == (119, 1, 1)
    exported = pd.read_csv(out, keep_default_na=False)
    assert exported.loc[exported["id"] == "low3", "label"].item() == "high"
    assert "low7" not in set(exported["id"])

    again = curate.audit(signal_frame(), label="label", id="id", workspace=ws, name="signals")
    label_flags = again.findings.loc[again.findings["issue"] == "label", "row_id"]
    assert again.dataset.modality == "toy" and "low3" not in set(label_flags)


def test_an_unknown_modality_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(curate.CurateError, match=r"no modality named 'audio'; available: image, tabular, text"):
        curate.audit(signal_frame(), label="label", id="id", modality="audio")


def test_no_code_outside_modalities_asks_which_modality_it_has() -> None:
    asking = re.compile(r"modality\s*(==|!=|in\b)|\.modality\s*==|== *['\"](text|tabular)['\"]")
    offenders = [f"{path.relative_to(SRC)}:{n}" for path in SRC.rglob("*.py") if "modalities" not in path.parts
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if asking.search(line)]
    assert offenders == []
