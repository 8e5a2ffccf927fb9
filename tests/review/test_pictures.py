"""Pictures in the review app: served by row id as PNG made anew, thumbnails in the queue, groups side by side."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from curate.errors import NotFoundError
from curate.modalities.image_decode import decode_image
from curate.review.render import image_url, item_url

from .image_data import COPIED, COPY, HTML_ROW, MISLABELLED, SVG_ROW, TURNED, encoded, make_shape_frame, shape


def _png(response) -> Image.Image:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(response.content))


def _source(row_id: str) -> Image.Image:
    frame = make_shape_frame().set_index("id")
    found = decode_image(frame.loc[row_id, "picture"], None).image
    assert found is not None
    return found


def test_a_picture_is_served_by_row_id_as_a_png_enlarged_pixel_for_pixel(image_client) -> None:  # type: ignore[no-untyped-def]
    response = image_client.get("/rows/shape-00/image?size=thumb")
    thumb = _png(response)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, max-age=600"
    assert (thumb.size, thumb.mode) == ((96, 96), "RGB")  # 48x48, twice
    expected = _source("shape-00").resize((96, 96), Image.Resampling.NEAREST)
    np.testing.assert_array_equal(np.asarray(thumb), np.asarray(expected))
    assert _png(image_client.get("/rows/shape-00/image?size=large")).size == (480, 480)  # ten times
    assert _png(image_client.get("/rows/shape-00/image")).size == (96, 96)  # thumb by default


def test_exif_orientation_is_applied_as_decoding_does(image_client) -> None:  # type: ignore[no-untyped-def]
    """The 40x20 JPEG says to turn it a quarter: shown 20x40, then doubled."""
    picture = _png(image_client.get(f"/rows/{TURNED}/image?size=thumb"))
    assert picture.size == (40, 80)


@pytest.mark.parametrize("row_id", [SVG_ROW, HTML_ROW])
def test_a_cell_that_is_not_a_picture_is_never_served(image_client, row_id: str) -> None:  # type: ignore[no-untyped-def]
    response = image_client.get(image_url(row_id, "large"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == f"row {row_id!r} has no picture to show"
    assert b"<svg" not in response.content and b"<script" not in response.content


@pytest.mark.parametrize("row_id", ["../shape-00", "/etc/passwd", "shape-00/../shape-01", "picture", "..", "."])
def test_a_path_or_an_unknown_id_is_404(image_client, row_id: str) -> None:  # type: ignore[no-untyped-def]
    response = image_client.get(image_url(row_id, "thumb"))
    assert response.status_code == 404
    assert response.text == f"no row {row_id!r} in dataset 'shapes'"


def test_a_real_file_named_as_a_row_is_not_read(image_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    picture = tmp_path / "real.png"
    picture.write_bytes(encoded(Image.new("RGB", (8, 8))))
    for row_id in (str(picture), "../" * 12 + str(picture).lstrip("/")):
        response = image_client.get(f"/rows/{quote(row_id, safe='')}/image")
        assert (response.status_code, response.headers["content-type"]) == (404, "text/plain; charset=utf-8")
        assert response.text.startswith("no row ")


def test_an_unknown_size_is_refused(image_client) -> None:  # type: ignore[no-untyped-def]
    assert image_client.get("/rows/shape-00/image?size=huge").status_code == 422


def test_a_text_dataset_has_no_pictures(client, session) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/rows/r0/image?size=thumb")
    assert response.status_code == 404
    assert response.text == "row 'r0' has no picture to show (dataset 'tickets' is not images)"
    with pytest.raises(NotFoundError, match="is not images"):
        session.picture("r0", "large")
    queue = client.get("/queue?state=all").text
    assert "<img" not in queue and "/image" not in queue
    assert client.get("/api/queue").json()["pictures"] is False
    assert client.get("/api/items/d0").json()["pictures"] is False


def test_the_queue_shows_each_rows_thumbnail_lazily_with_its_escaped_id(image_client) -> None:  # type: ignore[no-untyped-def]
    html = image_client.get("/queue?state=all&limit=1000").text
    rows = re.findall(r'<tr class="queue-row" data-row-id="([^"]*)"', html)
    assert MISLABELLED in rows and COPY in rows and 'html-&#34;&lt;b&gt;&amp;' in rows
    unreadable = {SVG_ROW, 'html-&#34;&lt;b&gt;&amp;'}  # no picture to show: no <img> that would 404
    for row_id in rows:
        unescaped = row_id.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        src = image_url(unescaped, "thumb").replace("&", "&amp;")
        assert (f'<img class="thumb" src="{src}" alt="{row_id}" loading="lazy">' in html) == (row_id not in unreadable)
    assert html.count('<img class="thumb"') == len(set(rows) - unreadable)
    assert HTML_ROW not in html  # the id's quote and tag are escaped everywhere
    assert image_client.get("/api/queue").json()["pictures"] is True


def test_the_item_page_shows_the_picture_large(image_client) -> None:  # type: ignore[no-untyped-def]
    html = image_client.get(f"/item/{MISLABELLED}?issue=label").text
    assert (f'<img class="picture-large" id="input-picture" src="/rows/{MISLABELLED}/image?size=large" '
            f'alt="{MISLABELLED}">') in html
    assert 'id="picture-group"' not in html  # no copies: nothing to set side by side


@pytest.mark.parametrize("row_id", [SVG_ROW, HTML_ROW])
def test_the_item_page_of_an_unreadable_picture_says_why_without_an_img(image_client, row_id: str) -> None:  # type: ignore[no-untyped-def]
    html = image_client.get(item_url(row_id)).text
    panel = html.split('<section class="input-panel">')[1].split("</section>")[0]
    assert '<p class="error" id="input-problem">image: unreadable (not an image Pillow can read)</p>' in panel
    assert "<img" not in panel
    item = image_client.get(f"/api/items/{quote(row_id, safe='')}").json()
    assert item["input"]["problem"] == "unreadable"
    # the model never read it: no probabilities behind its label finding, no suggestion ranked by them
    [label] = [f for f in item["findings"] if f["issue"] == "label"]
    assert label["details"] == {"unread": True} and not label["flagged"]
    assert all(s["probability"] is None for s in item["suggestions"])


def test_head_of_a_picture_is_answered_like_get_without_a_body(image_client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/rows/shape-00/image?size=thumb", "/image?row=shape-00&size=large"):
        got, head = image_client.get(url), image_client.head(url)
        assert head.status_code == 200
        assert head.headers["content-type"] == "image/png"
        assert head.headers["content-length"] == str(len(got.content))
        assert head.headers["cache-control"] == "private, max-age=600"
        assert head.content == b""
    missing = image_client.head(image_url(SVG_ROW, "thumb"))
    assert (missing.status_code, missing.content) == (404, b"")


def test_a_copy_across_splits_is_shown_side_by_side_with_its_original(image_client) -> None:  # type: ignore[no-untyped-def]
    html = image_client.get(f"/item/{COPY}?state=all").text
    gallery = html.split('id="picture-group"')[1].split("</div>")[0]
    assert f'<img src="/rows/{COPY}/image?size=large" alt="{COPY}" loading="lazy">' in gallery
    assert f'<img src="/rows/{COPIED}/image?size=large" alt="{COPIED}" loading="lazy">' in gallery
    assert "near copy" in gallery
    assert f'<img class="thumb" src="/rows/{COPIED}/image?size=thumb" alt="{COPIED}" loading="lazy">' in (
        html.split('id="duplicates"')[1])
    item = image_client.get(f"/api/items/{COPY}").json()
    assert item["pictures"] is True
    assert [(r["row_id"], r["relation"]) for r in item["group"]] == [(COPIED, "near copy")]
    # the copy is also a leak (train and test): listed once, by its first relation
    assert {f["issue"] for f in item["findings"] if f["flagged"]} >= {"leakage", "near_duplicate"}
    original = _source(COPIED).resize((480, 480), Image.Resampling.NEAREST)
    served = _png(image_client.get(image_url(COPY, "large")))
    assert np.abs(np.asarray(served, dtype=int) - np.asarray(original, dtype=int)).mean() < 3  # a JPEG of it


def test_the_audit_flags_the_planted_label_error(image_session) -> None:  # type: ignore[no-untyped-def]
    label = image_session.flagged().query("issue == 'label'")
    worst = label.sort_values("score").iloc[0]
    assert (worst["row_id"], worst["given_label"], worst["suggested_label"]) == (MISLABELLED, "square", "circle")


def test_pictures_in_a_path_column_are_read_inside_the_dataset_folder_only(tmp_path: Path) -> None:
    import curate
    from curate.review import ReviewSession, load_run
    from curate.store import Workspace

    folder = tmp_path / "data"
    (folder / "pics").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(encoded(Image.new("RGB", (8, 8), (255, 0, 0))))
    rng = np.random.default_rng(3)
    rows = []
    for i in range(20):
        kind = ("circle", "square")[i % 2]
        shape(kind, rng).save(folder / "pics" / f"{i}.png")
        rows.append({"id": f"p{i}", "path": f"pics/{i}.png", "label": kind})
    rows.append({"id": "outside", "path": "../secret.png", "label": "circle"})
    pd.DataFrame(rows).to_csv(folder / "files.csv", index=False)
    curate.audit(folder / "files.csv", label="label", id="id", image="path", embedder="pixels",
                 workspace=tmp_path / "ws", progress=False)
    session = ReviewSession(load_run(Workspace(tmp_path / "ws")), reviewer="tester")
    served = Image.open(io.BytesIO(session.picture("p1", "thumb")))
    expected = Image.open(folder / "pics" / "1.png").convert("RGB").resize((96, 96), Image.Resampling.NEAREST)
    np.testing.assert_array_equal(np.asarray(served), np.asarray(expected))
    with pytest.raises(NotFoundError, match=r"^row 'outside' has no picture to show$"):
        session.picture("outside", "thumb")
    assert session.view_of(session.position_of("outside")).text.startswith("image: outside_folder")



def test_neighbours_of_pictures_have_similarities_from_0_to_1(image_ws: Path) -> None:
    from curate.store import Workspace

    workspace = Workspace(image_ws)
    run = workspace.runs()[-1]
    similarities = [s for position in range(run.metrics["rows"]) for _, s in workspace.neighbors(run.id, position)]
    # pixel vectors are not unit length: their similarity is exp(-distance / scale), never a negative distance
    assert similarities and all(0.0 < s <= 1.0 for s in similarities)


def test_the_queue_gives_long_ids_the_width_to_be_told_apart(image_client) -> None:  # type: ignore[no-untyped-def]
    # A user trial: a picture folder's ids (paths) showed as "ship/shi…" three times over.
    assert '<col class="c-id c-id-long">' in image_client.get("/queue").text


def test_the_queue_keeps_short_ids_narrow(client) -> None:  # type: ignore[no-untyped-def]
    assert '<col class="c-id">' in client.get("/queue").text
