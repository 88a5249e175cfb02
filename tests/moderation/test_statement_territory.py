"""The statement of reasons and the notification a creator receives say where the restriction
applies: Indonesia for Indonesian law and Indonesian election rules (no EEA countries then),
worldwide for the terms of service (with the EEA countries the DSA field takes)."""

from __future__ import annotations

from typing import Any

import pytest

from salingjaga.moderation.statements import EEA_COUNTRIES, validate_statement
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def _decide(client: Any, world: Any, policy: str, action: str, **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    service, moderator = world.key("service"), world.key("moderator")
    item = make_content(client, service)
    r = client.post("/api/v1/notices", json=notice_body(item, policy), headers=bearer(world.key("user")))
    assert r.status_code == 201, r.text
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    d = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": action, "policy": policy, "facts": "Campaign video posted during the quiet period.", **extra})
    assert d.status_code == 201, d.text
    decision = d.json()
    statement = client.get(f"/api/v1/statements/{decision['statement_id']}", headers=bearer(service)).json()
    inbox = client.get("/api/v1/notifications", params={"account_id": item["account_id"]},
                       headers=bearer(service)).json()
    told = [n["payload"] for n in inbox if n["decision_id"] == decision["id"]]
    assert len(told) == 1
    return statement, told[0]


@pytest.mark.parametrize(("policy", "action", "extra"), [
    ("campaign_rules", "remove", {}),
    ("gpppa_restrictions", "restrict_feature", {"feature": "gifts"}),
    ("civic_election_integrity", "remove", {"legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c"}),
])
def test_indonesia_only_restriction_names_indonesia_and_no_eea_country(client, world, policy, action, extra):
    statement, told = _decide(client, world, policy, action, **extra)
    indonesia = {"code": "ID", "name": {"id": "Indonesia", "en": "Indonesia"}, "eea": False}
    assert statement["applies_in"] == indonesia
    assert "territorial_scope" not in statement
    assert validate_statement(statement) == []
    assert told["applies_in"] == indonesia
    assert told["statement_id"] == statement["puid"]


def test_terms_of_service_restriction_applies_worldwide_with_the_eea_scope(client, world):
    statement, told = _decide(client, world, "political_ads", "remove")
    assert statement["applies_in"]["code"] == "worldwide" and statement["applies_in"]["eea"] is True
    assert statement["territorial_scope"] == list(EEA_COUNTRIES)
    assert statement["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert statement["category_specification_other"] == "Political advertising, which the platform does not allow"
    assert validate_statement(statement) == []
    assert told["applies_in"]["name"]["en"].startswith("Worldwide")
