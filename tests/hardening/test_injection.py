"""Injection strings in every text field are stored and returned as plain text, change
nothing else, and a NUL character (which PostgreSQL cannot store) is a clear 422."""

from __future__ import annotations

import pytest

from tests.conftest import bearer

HOSTILE = [
    "'; DROP TABLE notices; --",
    "<script>alert(document.cookie)</script>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "../../../../etc/passwd",
    "=HYPERLINK(\"http://evil.example\")",
    "\u202eRTL override and emoji 🗳️",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips_verbatim(client, world, text):
    service = bearer(world.key("service"))
    account = {"platform_id": "acc-x", "handle": text[:200], "display_name": text, "bio": text}
    body = {"platform_id": "vid-x", "kind": "video", "account": account, "caption": text,
            "transcript": text, "on_screen_text": text, "hashtags": [text[:50]],
            "url": "https://video.example/x"}
    r = client.post("/api/v1/content", json=body, headers=service)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["caption"] == text and item["transcript"] == text
    partner = world.partner("Bawaslu Jabar", region="32")
    flagger = bearer(world.key("partner_reporter", partner))
    notice = {"content": [{"content_id": item["id"]}], "policy": "misinformation",
              "explanation": text, "legal_ground": text, "contact": text, "good_faith": True}
    key = f"inj-{HOSTILE.index(text)}"
    r = client.post("/api/v1/notices", json=notice, headers={**flagger, "Idempotency-Key": key})
    assert r.status_code == 201, r.text
    seen = client.get(f"/api/v1/notices/{r.json()['id']}", headers=flagger).json()
    assert seen["explanation"] == text
    # the tables the SQL string names are intact
    assert client.get("/api/v1/notices", headers=flagger).status_code == 200


def test_nul_character_is_refused_cleanly(client, world):
    service = bearer(world.key("service"))
    body = {"platform_id": "vid-nul", "kind": "text", "caption": "a\u0000b",
            "account": {"platform_id": "acc-nul", "handle": "nul"}}
    r = client.post("/api/v1/content", json=body, headers=service)
    assert r.status_code == 422, r.text
    assert "NUL" in r.json()["error"]["message"]
    assert client.get("/api/v1/content/vid-nul", headers=service).status_code == 404
