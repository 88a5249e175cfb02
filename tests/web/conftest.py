"""A small world for page tests: Bawaslu at three levels, moderators, a fact-checker and a
content item whose caption carries hostile markup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.helpers import make_user

HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@dataclass
class Scene:
    """Ids of what the tests act on."""

    ri: str
    jabar: str
    bandung: str
    jatim: str
    content_id: str
    content_url: str
    service_key: str


def add_content(db: Any, settings: Any, platform_id: str, caption: str, **extra: Any) -> str:
    """Take in a content item (with its author) as the platform would."""
    from salingjaga.content.schemas import ContentIn
    from salingjaga.content.service import ingest_content

    body = {"platform_id": platform_id, "kind": "video", "caption": caption,
            "url": f"https://video.example/@akun/{platform_id}", "region": "32.73",
            "election": "pilkada-2024", "views": 120000, "shares": 3000,
            "account": {"platform_id": "acc-" + platform_id, "handle": "akun_" + platform_id,
                        "kind": "politician", "verified": True, "region": "32"}, **extra}
    with db.session() as s:
        item, _ = ingest_content(s, ContentIn(**body), settings.data_dir)
        return item.id


@pytest.fixture
def scene(world: Any, db: Any, settings: Any) -> Scene:
    """Partners, people who can sign in, and one hostile content item."""
    ri = world.partner("Bawaslu RI")
    jabar = world.partner("Bawaslu Provinsi Jawa Barat", region="32")
    bandung = world.partner("Bawaslu Kota Bandung", region="32.73")
    jatim = world.partner("Bawaslu Provinsi Jawa Timur", region="35")
    make_user(world, "partner_reporter", "nina@bandung.id", bandung, name="Nina")
    make_user(world, "partner_reporter", "agus@jabar.id", jabar, name="Agus")
    make_user(world, "partner_reporter", "yoga@jatim.id", jatim, name="Yoga")
    make_user(world, "moderator", "dewi@mod.id", name="Dewi")
    make_user(world, "moderator", "rizky@mod.id", name="Rizky")
    make_user(world, "admin", "admin@sj.id", name="Admin")
    content_id = add_content(db, settings, "vid-9001", "Coblos lewat WA! " + HOSTILE,
                             transcript="Tidak perlu datang ke TPS " + HOSTILE)
    service_key = world.key("service")
    return Scene(ri, jabar, bandung, jatim, content_id, "https://video.example/@akun/vid-9001", service_key)
