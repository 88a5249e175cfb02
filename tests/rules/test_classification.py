"""Account classification: the platform marks GPPPA accounts; the system proposes candidates
from names (registered candidates, party names, government titles) for a person to confirm."""

from __future__ import annotations

from salingjaga.rules.matching import campaign_hits, propose_kind
from tests.conftest import bearer
from tests.rules.helpers import kpu_key, make_account, post_content


def test_pure_proposals() -> None:
    gov = propose_kind("pemkot_bandung", "Pemerintah Kota Bandung", "")
    assert gov is not None and gov.kind == "government"
    party = propose_kind("dpw_golkar_jabar", "DPW Partai Golkar Jawa Barat", "")
    assert party is not None and party.kind == "political_party"
    cand = propose_kind("fajar.nugroho.official", "Fajar N.", "", ["Fajar Nugroho"])
    assert cand is not None and cand.kind == "politician"
    assert cand.evidence[0]["source"] == "registered_candidate"
    assert propose_kind("warga_bandung", "Warga Bandung", "suka kopi") is None
    # A bio that only mentions the government is not enough.
    assert propose_kind("ibu_rina", "Rina", "pegawai pemerintah") is None


def test_pure_campaign_phrases() -> None:
    assert campaign_hits("Ayo COBLOS   nomor 2!") == ["coblos nomor"]
    assert "#kampanye" in campaign_hits("seru #kampanye")
    assert campaign_hits("kampanyenya kapan?") == []  # whole words only
    assert campaign_hits("Jangan lupa cek DPT") == []


def test_platform_marks_an_account(client, world) -> None:
    service = world.key("service")
    make_account(client, service, "acc-1", kind="personal")
    r = client.put("/api/v1/accounts/acc-1/kind", json={"kind": "politician"}, headers=bearer(service))
    assert r.status_code == 200 and r.json()["gpppa"] is True
    assert client.get("/api/v1/accounts/acc-1/features/gifts", headers=bearer(service)).json()["allowed"] is False
    assert client.put("/api/v1/accounts/acc-1/kind", json={"kind": "alien"},
                      headers=bearer(service)).status_code == 422
    assert client.put("/api/v1/accounts/acc-1/kind", json={"kind": "personal"},
                      headers=bearer(world.key("moderator"))).status_code == 403


def test_proposal_from_content_intake_confirmed_by_a_person(client, world) -> None:
    service = world.key("service")
    client.post("/api/v1/elections/pilkada-2024/candidates",
                json={"region": "32.73", "number": 1, "name": "Fajar Nugroho - Dian Puspita",
                      "members": ["Fajar Nugroho", "Dian Puspita"]}, headers=bearer(kpu_key(world)))
    make_account(client, service, "acc-fajar", kind="personal", handle="fajar_nugroho_bdg",
                 display_name="Kang Fajar")
    post_content(client, service, "vid-f1", "acc-fajar", "Ngopi pagi", "2024-10-01T01:00:00Z")
    lead = world.key("policy_lead")
    proposals = client.get("/api/v1/rules/classification-proposals", headers=bearer(lead)).json()
    assert [(p["proposed_kind"], p["evidence"][0]["term"]) for p in proposals] == [("politician", "fajar nugroho")]
    assert client.get("/api/v1/accounts/acc-fajar/features/gifts", headers=bearer(service)).json()["allowed"]
    r = client.post(f"/api/v1/rules/classification-proposals/{proposals[0]['id']}/decision",
                    json={"decision": "confirm"}, headers=bearer(lead))
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert client.get("/api/v1/accounts/acc-fajar/features/gifts", headers=bearer(service)).json()["allowed"] is False
    # A reviewer's decision sticks: platform intake saying "personal" does not undo it.
    make_account(client, service, "acc-fajar", kind="personal", handle="fajar_nugroho_bdg")
    assert client.get("/api/v1/accounts/acc-fajar", headers=bearer(service)).json()["kind"] == "politician"
    again = client.post(f"/api/v1/rules/classification-proposals/{proposals[0]['id']}/decision",
                        json={"decision": "reject"}, headers=bearer(lead))
    assert again.status_code == 409


def test_rejected_proposal_is_not_raised_again(client, world) -> None:
    service = world.key("service")
    lead = world.key("policy_lead")
    make_account(client, service, "acc-dinas", kind="personal", handle="dinas_kopi",
                 display_name="Dinas Kopi Nusantara")  # a coffee shop, not a government office
    scan = client.post("/api/v1/rules/classification-proposals/scan", headers=bearer(lead))
    assert scan.status_code == 200 and scan.json()["proposals"] == 1
    pid = client.get("/api/v1/rules/classification-proposals", headers=bearer(lead)).json()[0]["id"]
    r = client.post(f"/api/v1/rules/classification-proposals/{pid}/decision", json={"decision": "reject"},
                    headers=bearer(lead))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    client.post("/api/v1/rules/classification-proposals/scan", headers=bearer(lead))
    assert client.get("/api/v1/rules/classification-proposals", headers=bearer(lead)).json() == []
    assert client.get("/api/v1/accounts/acc-dinas", headers=bearer(service)).json()["kind"] == "personal"
    assert client.get("/api/v1/rules/classification-proposals",
                      headers=bearer(world.key("user"))).status_code == 403
