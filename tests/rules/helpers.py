"""Shared arrangements for the rules tests: accounts and content through the public API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import World, bearer


def make_account(client: TestClient, key: str, platform_id: str, kind: str = "personal",
                 region: str | None = None, **extra: Any) -> str:
    """Take in an account; returns our id."""
    body = {"platform_id": platform_id, "handle": extra.pop("handle", platform_id),
            "kind": kind, "region": region, **extra}
    r = client.post("/api/v1/accounts", json=body, headers=bearer(key))
    assert r.status_code in (200, 201), r.text
    return str(r.json()["id"])


def post_content(client: TestClient, key: str, platform_id: str, account: str, caption: str,
                 posted_at: str, region: str | None = None, **extra: Any) -> dict[str, Any]:
    """Take in one content item (scanned inline in tests)."""
    body = {"platform_id": platform_id, "kind": "video", "account_id": account, "caption": caption,
            "posted_at": posted_at, "region": region, **extra}
    r = client.post("/api/v1/content", json=body, headers=bearer(key))
    assert r.status_code == 201, r.text
    return dict(r.json())


def kpu_key(world: World, region: str | None = None, role: str = "guide_editor") -> str:
    """A key for KPU staff (national unless ``region``)."""
    name = "KPU RI" if region is None else f"KPU {region}"
    partner = world.partner(name=name, kind="election_commission", region=region, organisation="kpu")
    return world.key(role, partner)
