"""Bulk removal in a copy group larger than the ids its later rows list keeps exactly the first copy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import curate
from curate.detectors.exact_duplicates import COPIES_LISTED
from curate.features import HashedTextEmbedder
from curate.ledger import record
from curate.review import ReviewSession, load_run
from curate.review.bulk import preview_bulk
from curate.review.models import QueueFilter
from curate.store import Workspace


def test_remove_duplicates_keeps_the_first_copy_still_present(tmp_path: Path) -> None:
    copies = COPIES_LISTED + 15
    texts = ["Item not available"] * copies + [f"order {i} shipped to {city}" for i, city in
                                               enumerate(["Lyon", "Oslo", "Quito", "Accra", "Perth", "Hanoi"] * 3)]
    frame = pd.DataFrame({"id": [f"r{i:02d}" for i in range(len(texts))], "text": texts,
                          "label": ["a", "b"] * (len(texts) // 2) + ["a"] * (len(texts) % 2)})
    ws = Workspace(tmp_path / "ws")
    result = curate.audit(frame, label="label", text="text", id="id", workspace=ws, name="orders",
                          embedder=HashedTextEmbedder(), detectors=["exact_duplicate"])
    # every listed copy removed by hand: the keeper must come from the full list on the first row
    for i in range(COPIES_LISTED):
        record(ws, result.dataset, row_id=f"r{i:02d}", action="remove", reviewer="ana")
    session = ReviewSession(load_run(ws), reviewer="kim")
    preview = preview_bulk(session, "remove_duplicates", QueueFilter(issue="exact_duplicate", state="all"))
    removed = [c.row_id for c in preview.changes]
    assert removed == [f"r{i:02d}" for i in range(COPIES_LISTED + 1, copies)]  # r10 stays
