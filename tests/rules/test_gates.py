"""Feature gates: the pure table and the HTTP contract for every account kind and feature."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from sqlalchemy import func, select

from salingjaga.rules.gates import evaluate, gate_table, parse_gates
from salingjaga.rules.models import GateEscalation, GateRefusal
from tests.conftest import bearer
from tests.rules.helpers import make_account, post_content

FEATURES = ["gifts", "tips", "creator_rewards", "shop", "fundraising", "donations", "ads", "promote",
            "live_gifts"]
GPPPA = ["government", "politician", "political_party"]
EXPECTED_RULE = {
    "gifts": "gpppa-no-monetisation", "tips": "gpppa-no-monetisation",
    "creator_rewards": "gpppa-no-monetisation", "shop": "gpppa-no-monetisation",
    "fundraising": "gpppa-no-fundraising", "donations": "gpppa-no-fundraising",
    "ads": "gpppa-no-ads", "promote": "gpppa-no-ads", "live_gifts": "gpppa-no-live-gifts",
}


def _raw() -> dict:
    return tomllib.loads(resources.files("salingjaga.rules").joinpath("data/gates.toml").read_text("utf-8"))


def test_table_declares_every_contract_feature() -> None:
    assert set(FEATURES) <= set(gate_table().features)


@pytest.mark.parametrize("kind", GPPPA)
@pytest.mark.parametrize("feature", FEATURES)
def test_pure_gpppa_refused(kind: str, feature: str) -> None:
    d = evaluate(gate_table(), kind, feature)
    assert (d.allowed, d.rule, d.escalate) == (False, EXPECTED_RULE[feature], True)


def test_pure_approval_only_helps_government_ads() -> None:
    table = gate_table()
    assert evaluate(table, "government", "ads", frozenset({"psa_approval"})).allowed
    assert evaluate(table, "government", "promote", frozenset({"psa_approval"})).rule == "government-psa-approved"
    assert not evaluate(table, "government", "gifts", frozenset({"psa_approval"})).allowed
    assert not evaluate(table, "politician", "ads", frozenset({"psa_approval"})).allowed


def test_pure_suspension_and_restriction_beat_everything() -> None:
    table = gate_table()
    assert evaluate(table, "personal", "gifts", frozenset({"suspended"})).rule == "account-suspended"
    d = evaluate(table, "business", "shop", frozenset({"feature_restricted"}))
    assert (d.allowed, d.rule, d.escalate) == (False, "moderation-restriction", False)


def test_broken_tables_fail_at_load() -> None:
    raw = _raw()
    raw["rules"] = raw["rules"][:-1]  # drop the catch-all
    with pytest.raises(ValueError, match="must match every"):
        parse_gates(raw)
    raw = _raw()
    raw["rules"][3]["features"] = ["teleport"]
    with pytest.raises(ValueError, match="unknown features"):
        parse_gates(raw)
    raw = _raw()
    raw["rules"][3]["kinds"] = ["alien"]
    with pytest.raises(ValueError, match="unknown account kind"):
        parse_gates(raw)


def test_a_platform_can_change_the_rules(tmp_path, monkeypatch) -> None:
    raw_text = resources.files("salingjaga.rules").joinpath("data/gates.toml").read_text("utf-8")
    # This platform lets politicians sell merchandise in a shop.
    custom = raw_text.replace('features = ["gifts", "tips", "creator_rewards", "shop"]',
                              'features = ["gifts", "tips", "creator_rewards"]')
    path = tmp_path / "gates.toml"
    path.write_text(custom, encoding="utf-8")
    monkeypatch.setenv("SALINGJAGA_GATES_FILE", str(path))
    assert evaluate(gate_table(), "politician", "shop").allowed
    monkeypatch.delenv("SALINGJAGA_GATES_FILE")
    assert not evaluate(gate_table(), "politician", "shop").allowed


@pytest.mark.parametrize("kind", GPPPA)
def test_http_every_gate_refused_for_gpppa(client, world, db, kind: str) -> None:
    key = world.key("service")
    acc = make_account(client, key, f"acc-{kind}", kind=kind, region="32")
    for feature in FEATURES:
        r = client.get(f"/api/v1/accounts/acc-{kind}/features/{feature}", headers=bearer(key))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["allowed"] is False, (kind, feature)
        assert body["rule"] == EXPECTED_RULE[feature]
        assert body["reason"] and body["reason_i18n"]["id"]
    with db.session() as s:
        rows = s.scalars(select(GateRefusal).where(GateRefusal.account_id == acc)).all()
        assert sorted(r.feature for r in rows) == sorted(FEATURES)
        assert {r.account_kind for r in rows} == {kind}


@pytest.mark.parametrize("kind", ["personal", "business"])
def test_http_ordinary_account_may_use_everything(client, world, db, kind: str) -> None:
    key = world.key("service")
    make_account(client, key, "acc-ord", kind=kind)
    for feature in FEATURES:
        body = client.get(f"/api/v1/accounts/acc-ord/features/{feature}", headers=bearer(key)).json()
        assert (body["allowed"], body["rule"]) == (True, "default-allow"), feature
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(GateRefusal)) == 0


def test_http_government_ads_need_an_approval_on_record(client, world) -> None:
    service = world.key("service")
    lead = world.key("policy_lead")
    make_account(client, service, "acc-pemkot", kind="government", region="32.73")
    url = "/api/v1/accounts/acc-pemkot/features/ads"
    before = client.get(url, headers=bearer(service)).json()
    assert (before["allowed"], before["rule"]) == (False, "gpppa-no-ads")
    r = client.post("/api/v1/accounts/acc-pemkot/psa-approvals", json={"reference": "PSA/2024/1"},
                    headers=bearer(lead))
    assert r.status_code == 201, r.text
    after = client.get(url, headers=bearer(service)).json()
    assert (after["allowed"], after["rule"]) == (True, "government-psa-approved")
    # The approval covers ads, not monetisation.
    assert client.get("/api/v1/accounts/acc-pemkot/features/gifts", headers=bearer(service)).json()["allowed"] is False
    # Revoked: refused again.
    rv = client.post(f"/api/v1/rules/psa-approvals/{r.json()['id']}/revoke", headers=bearer(lead))
    assert rv.status_code == 200 and rv.json()["revoked_at"]
    assert client.get(url, headers=bearer(service)).json()["allowed"] is False


def test_approval_only_for_government_and_only_by_policy_staff(client, world) -> None:
    service = world.key("service")
    make_account(client, service, "acc-pol", kind="politician")
    r = client.post("/api/v1/accounts/acc-pol/psa-approvals", json={"reference": "x"},
                    headers=bearer(world.key("policy_lead")))
    assert r.status_code == 422 and "government" in r.json()["error"]["message"]
    r = client.post("/api/v1/accounts/acc-pol/psa-approvals", json={"reference": "x"}, headers=bearer(service))
    assert r.status_code == 403


def test_http_errors_and_permissions(client, world) -> None:
    service = world.key("service")
    make_account(client, service, "acc-1", kind="politician")
    r = client.get("/api/v1/accounts/acc-1/features/teleport", headers=bearer(service))
    assert r.status_code == 422 and "gifts" in r.json()["error"]["message"]
    assert client.get("/api/v1/accounts/nope/features/gifts", headers=bearer(service)).status_code == 404
    assert client.get("/api/v1/accounts/acc-1/features/gifts",
                      headers=bearer(world.key("moderator"))).status_code == 403
    assert client.get("/api/v1/accounts/acc-1/features/gifts").status_code == 401


def test_overview_records_nothing(client, world, db) -> None:
    service = world.key("service")
    make_account(client, service, "acc-party", kind="political_party")
    body = client.get("/api/v1/accounts/acc-party/features", headers=bearer(service)).json()
    assert {d["feature"] for d in body} >= set(FEATURES)
    assert not any(d["allowed"] for d in body if d["feature"] in FEATURES)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(GateRefusal)) == 0


def test_moderation_restriction_refuses_ordinary_account(client, world, db) -> None:
    from salingjaga.content.models import Account

    service = world.key("service")
    acc = make_account(client, service, "acc-r", kind="personal")
    with db.session() as s:
        a = s.get(Account, acc)
        assert a is not None
        a.restricted_features = ["monetisation"]
    body = client.get("/api/v1/accounts/acc-r/features/tips", headers=bearer(service)).json()
    assert (body["allowed"], body["rule"]) == (False, "moderation-restriction")
    assert client.get("/api/v1/accounts/acc-r/features/ads", headers=bearer(service)).json()["allowed"] is True


def test_repeated_refusals_open_one_gpppa_case(client, world, db) -> None:
    service = world.key("service")
    acc = make_account(client, service, "acc-caleg", kind="politician", region="32")
    item = post_content(client, service, "vid-caleg-1", "acc-caleg", "Terima kasih warga!",
                        "2024-10-01T03:00:00Z", region="32")
    for feature in ("gifts", "tips"):
        client.get(f"/api/v1/accounts/acc-caleg/features/{feature}", headers=bearer(service))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(GateEscalation)) == 0
    client.get("/api/v1/accounts/acc-caleg/features/live_gifts", headers=bearer(service))
    for _ in range(2):  # more refusals in the same burst open no second case
        client.get("/api/v1/accounts/acc-caleg/features/shop", headers=bearer(service))
    with db.session() as s:
        escalations = s.scalars(select(GateEscalation)).all()
        assert len(escalations) == 1
        assert escalations[0].account_id == acc and escalations[0].refusals == 3
        case_id = escalations[0].case_id
    assert case_id, "moderation.service.open_case should have opened a case"
    from salingjaga.moderation.models import Case

    with db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert case.policy == "gpppa_restrictions"
        assert case.content_id == item["id"]
        assert case.source == "rules"


def test_refusal_summary_counts_by_feature(client, world) -> None:
    service = world.key("service")
    make_account(client, service, "acc-g", kind="government")
    for feature in ("ads", "ads", "gifts"):
        client.get(f"/api/v1/accounts/acc-g/features/{feature}", headers=bearer(service))
    from datetime import UTC, datetime

    today = datetime.now(UTC).date().isoformat()
    r = client.get(f"/api/v1/rules/refusals/summary?from={today}&to={today}",
                   headers=bearer(world.key("auditor")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refusals"] == 3 and body["accounts"] == 1
    assert body["by_feature"] == {"ads": 2, "gifts": 1}
    assert body["by_account_kind"] == {"government": 3}
