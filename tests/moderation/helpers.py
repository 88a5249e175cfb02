"""Arrange content through the intake API, as the platform would."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import bearer

_seq = itertools.count(1)


def make_content(client: Any, service_key: str, *, region: str = "32.73", views: int = 100,
                 shares: int = 0, kind: str = "video", account: str | None = None,
                 account_kind: str = "personal", caption: str = "Sore yang cerah di taman kota") -> dict[str, Any]:
    """Take in one content item (with its author) and return it."""
    n = next(_seq)
    acc = account or f"acc-{n}"
    body = {
        "platform_id": f"vid-{n}-{region}", "kind": kind, "url": f"https://video.example/@u/{n}",
        "caption": caption, "region": region, "views": views, "shares": shares,
        "account": {"platform_id": acc, "handle": f"h{acc}", "kind": account_kind},
    }
    r = client.post("/api/v1/content", json=body, headers=bearer(service_key))
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def notice_body(content: dict[str, Any], policy: str = "misinformation", **extra: Any) -> dict[str, Any]:
    """A well-formed notice about one content item."""
    body = {"content": [{"url": content["url"]}], "policy": policy,
            "explanation": "Klaim keliru tentang tata cara pemungutan suara.",
            "contact": "pengawasan@bawaslu.example", "good_faith": True}
    body.update(extra)
    return body
