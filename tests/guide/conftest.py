"""Fixtures of the guide tests: two guide editors of different organisations, and helpers
that drive the editorial workflow through HTTP as editors would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import World, bearer


@dataclass
class Editors:
    """A KPU editor who writes and a Bawaslu editor who approves (and an admin)."""

    kpu: dict[str, str]
    bawaslu: dict[str, str]
    kpu_id: str
    bawaslu_id: str


@pytest.fixture
def editors(world: World) -> Editors:
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    bawaslu = world.partner("Bawaslu RI")
    kpu_id, kpu_key = world.user("guide_editor", kpu, name="Putri (KPU)")
    bawaslu_id, bawaslu_key = world.user("guide_editor", bawaslu, name="Hadi (Bawaslu)")
    return Editors(bearer(kpu_key), bearer(bawaslu_key), kpu_id, bawaslu_id)


def draft(client: TestClient, headers: dict[str, str], election: str = "pemilu-2024",
          **body: Any) -> dict[str, Any]:
    """Create a draft and return it (asserting 201)."""
    body.setdefault("lang", "id")
    body.setdefault("kind", "section")
    body.setdefault("key", "how-to-vote")
    body.setdefault("title", "Cara mencoblos")
    body.setdefault("body", "Bawa **e-KTP** ke TPS.")
    r = client.post(f"/api/v1/guide/{election}/versions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def publish(client: TestClient, author: dict[str, str], approver: dict[str, str],
            election: str = "pemilu-2024", **body: Any) -> dict[str, Any]:
    """Draft as ``author``, approve as ``approver``; returns the published version."""
    version = draft(client, author, election, **body)
    r = client.post(f"/api/v1/guide/{election}/versions/{version['id']}/approve", headers=approver)
    assert r.status_code == 200, r.text
    return r.json()
