"""The case page shows the text read from an item's picture, with the words that matched
the fact-check marked, so the moderator sees why the item was matched."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from tests.conftest import bearer
from tests.detection.text_media import jpeg, text_picture
from tests.web.helpers import sign_in


def test_moderator_sees_the_recognised_text_with_matched_words_marked(client, scene, world, db) -> None:
    from salingjaga.moderation.models import Case

    checker = world.key("fact_checker", world.partner("Cek Fakta Nusantara", kind="fact_checker"))
    review = {"@type": "ClaimReview", "claimReviewed": "Surat suara sudah dicoblos untuk paslon nomor 2 "
              "di gudang KPU Sidoarjo", "reviewRating": {"alternateName": "Salah"}}
    r = client.post("/api/v1/factchecks", json=review, headers=bearer(checker))
    assert r.status_code == 201, r.text
    poster = jpeg(text_picture("Surat suara sudah dicoblos untuk paslon nomor 2 di gudang KPU Sidoarjo!"))
    body = {"platform_id": "img-ocr-1", "kind": "image", "caption": "lihat ini <b>",
            "account": {"platform_id": "acc-ocr", "handle": "ocr"},
            "media": [{"kind": "image", "data_base64": base64.b64encode(poster).decode()}]}
    r = client.post("/api/v1/content", headers=bearer(scene.service_key), json=body)
    assert r.status_code == 201, r.text
    with db.session() as s:
        case_id = s.scalar(select(Case.id).where(Case.content_id == r.json()["id"]))
    assert case_id is not None  # the picture's claim matched a false fact-check: queued
    sign_in(client, "dewi@mod.id")
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert "Text read from media 1" in page.text
    [shown] = re.findall(r'<div class="content-text ocr-text"[^>]*>(.*?)</div>', page.text, re.S)
    marked = {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", shown)}
    assert {"dicoblos", "gudang", "sidoarjo"} <= marked
    assert "<mark>Surat</mark>" in shown and "Sidoarjo</mark>!" in shown
