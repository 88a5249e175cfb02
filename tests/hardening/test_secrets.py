"""Secrets at rest: webhook secrets encrypted, API keys hashed; both shown once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from salingjaga.core.secretbox import seal, unseal
from salingjaga.partners.models import Partner
from tests.conftest import bearer


def test_webhook_secret_is_shown_once_and_stored_encrypted(client, world, db, settings):
    partner = world.partner("Bawaslu RI")
    admin = world.key("partner_admin", partner)
    r = client.put(f"/api/v1/partners/{partner}/webhook", headers=bearer(admin),
                   json={"url": "https://hooks.example/bawaslu"})
    assert r.status_code == 200, r.text
    secret = r.json()["webhook_secret"]
    with db.session() as s:
        stored = s.scalar(select(Partner.webhook_secret).where(Partner.id == partner))
    assert stored and secret not in stored and stored.startswith("fernet:")
    assert unseal(settings.secret_key, stored) == secret
    shown = client.get(f"/api/v1/partners/{partner}", headers=bearer(admin)).json()
    assert secret not in str(shown)


def test_sealed_secret_needs_the_right_key():
    sealed = seal("key-one", "whsec_abc")
    assert unseal("key-one", sealed) == "whsec_abc"
    with pytest.raises(ValueError):
        unseal("key-two", sealed)
    with pytest.raises(ValueError):
        unseal("key-one", sealed[:-4] + "AAAA")
