"""Political ad review: political content and GPPPA advertisers are rejected with reasons;
approved public-service ads from government bodies pass."""

from __future__ import annotations

from sqlalchemy import select

from salingjaga.rules.models import AdReview, GateRefusal
from tests.conftest import bearer
from tests.rules.helpers import make_account

URL = "/api/v1/ads/review"


def _review(client, key, advertiser: str, text: str, category: str = "commercial", **extra):
    r = client.post(URL, json={"advertiser": advertiser, "text": text, "category": category, **extra},
                    headers=bearer(key))
    assert r.status_code == 200, r.text
    return r.json()


def test_commercial_ad_from_a_business_is_approved(client, world) -> None:
    key = world.key("service")
    make_account(client, key, "acc-shop", kind="business")
    body = _review(client, key, "acc-shop", "Diskon batik 20% minggu ini!", ad_id="ad-1")
    assert body["decision"] == "approved" and body["reasons"] == [] and body["ad_id"] == "ad-1"


def test_political_content_is_rejected_with_the_terms(client, world) -> None:
    key = world.key("service")
    make_account(client, key, "acc-shop", kind="business")
    body = _review(client, key, "acc-shop", "Promo spesial! Dukung paslon nomor 2 di Pilkada",
                   hashtags=["kampanye"])
    assert body["decision"] == "rejected"
    reason = body["reasons"][0]
    assert reason["code"] == "political_content"
    assert "paslon" in reason["terms"] and "#kampanye" in reason["terms"]


def test_registered_candidate_name_makes_an_ad_political(client, world) -> None:
    from tests.rules.helpers import kpu_key

    key = world.key("service")
    client.post("/api/v1/elections/pilkada-2024/candidates",
                json={"region": "32", "number": 1, "name": "Andi Pratama - Siti Rahmawati",
                      "members": ["Andi Pratama", "Siti Rahmawati"]}, headers=bearer(kpu_key(world)))
    make_account(client, key, "acc-shop", kind="business")
    body = _review(client, key, "acc-shop", "Kaos bergambar Andi Pratama, stok terbatas")
    assert body["decision"] == "rejected"
    assert "andi pratama" in body["reasons"][0]["terms"]


def test_gpppa_advertisers_are_rejected_and_recorded(client, world, db) -> None:
    key = world.key("service")
    for kind in ("politician", "political_party", "government"):
        make_account(client, key, f"acc-{kind}", kind=kind)
        body = _review(client, key, f"acc-{kind}", "Selamat Hari Pahlawan dari kami", category="public_service")
        assert body["decision"] == "rejected", kind
        assert body["reasons"][0]["code"] == "advertiser_not_allowed"
        assert body["reasons"][0]["rule"] == "gpppa-no-ads"
    with db.session() as s:
        refusals = s.scalars(select(GateRefusal).where(GateRefusal.source == "ad_review")).all()
        assert sorted(r.account_kind for r in refusals) == ["government", "political_party", "politician"]
        assert {r.feature for r in refusals} == {"ads"}
        assert len(s.scalars(select(AdReview)).all()) == 3


def test_approved_public_service_ad_passes(client, world) -> None:
    key = world.key("service")
    make_account(client, key, "acc-pemkot", kind="government", region="32.73")
    r = client.post("/api/v1/accounts/acc-pemkot/psa-approvals", json={"reference": "PSA/2024/7"},
                    headers=bearer(world.key("policy_lead")))
    assert r.status_code == 201
    psa = _review(client, key, "acc-pemkot", "Cek DPT kamu dan datang ke TPS tanggal 27 November",
                  category="public_service")
    assert psa["decision"] == "approved"
    assert psa["reasons"][0]["code"] == "public_service_approved"
    # The approval covers public-service ads only, and never political ones.
    commercial = _review(client, key, "acc-pemkot", "Festival kuliner kota, tiket murah", category="commercial")
    assert commercial["decision"] == "rejected"
    assert commercial["reasons"][0]["code"] == "approval_covers_public_service_only"
    political = _review(client, key, "acc-pemkot", "Pilih nomor urut 1 untuk kota maju", category="public_service")
    assert political["decision"] == "rejected" and political["reasons"][0]["code"] == "political_content"


def test_ad_review_errors(client, world) -> None:
    key = world.key("service")
    make_account(client, key, "acc-shop", kind="business")
    r = client.post(URL, json={"advertiser": "acc-shop", "text": "x", "category": "weird"}, headers=bearer(key))
    assert r.status_code == 422 and "public_service" in r.json()["error"]["message"]
    r = client.post(URL, json={"advertiser": "ghost", "text": "x"}, headers=bearer(key))
    assert r.status_code == 404
    r = client.post(URL, json={"advertiser": "acc-shop", "text": "x"}, headers=bearer(world.key("moderator")))
    assert r.status_code == 403
