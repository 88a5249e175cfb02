"""Error pages say what happened and what to do next in the page's language; the raw
server text stays folded away as a technical detail."""

from __future__ import annotations

import re

from tests.web.helpers import csrf_from, make_user, sign_in


def visible(html: str) -> str:
    """The page's text outside <details> (what shows without opening anything)."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_a_refused_page_explains_in_indonesian(client, world):
    make_user(world, "partner_reporter", "agus@example.id", partner_id=world.partner(), name="Agus")
    sign_in(client, "agus@example.id", lang="id")
    denied = client.get("/console")
    assert denied.status_code == 403
    text = visible(denied.text)
    assert "Peran Anda tidak dapat membuka halaman ini" in text
    assert "web.console" not in text and "partner_reporter" not in text


def test_an_unknown_post_in_a_notice_is_explained_in_the_page_language(client, world, scene):
    sign_in(client, "nina@bandung.id", lang="id")
    form = client.get("/portal/new?lang=id")
    r = client.post("/portal/notices", data={
        "csrf_token": csrf_from(form.text), "content": "https://video.example/@x/tidak-ada",
        "policy": "civic_election_integrity", "explanation": "uji", "good_faith": "true"})
    assert r.status_code in (400, 404, 422)
    assert "belum dikenal platform" in r.text and "Periksa tautannya" in r.text
