"""The report's sections fed by other domains: fact-check referrals and their outcomes,
GPPPA feature-gate refusals, and Election Guide reach. Each is arranged through its own
domain's HTTP API; only the referral times are then moved to known past instants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from salingjaga.core.timeutil import utcnow
from salingjaga.factcheck.models import Referral
from salingjaga.transparency.report import wib_day
from tests.conftest import bearer
from tests.transparency.history import _content


def test_fact_checks_gpppa_refusals_and_guide_reach(client, world, db):
    service = world.key("service")
    moderator = world.key("moderator")
    checker_partner = world.partner("Cek Fakta", kind="fact_checker", organisation="cekfakta", trusted=False)
    checker = world.key("fact_checker", checker_partner)
    now = utcnow().replace(microsecond=0)
    today = wib_day(now)
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}

    # Three referrals; verdicts come back on two after 1 h and 3 h.
    referrals = []
    for _ in range(3):
        item = _content(client, service)
        r = client.post("/api/v1/referrals", headers=bearer(moderator),
                        json={"content_id": item["id"], "partner_id": checker_partner, "note": "Tolong dicek."})
        assert r.status_code == 201, r.text
        referrals.append(r.json()["id"])
    for ref, rating in zip(referrals[:2], ("Salah", "Menyesatkan"), strict=True):
        v = client.post(f"/api/v1/referrals/{ref}/verdict", headers=bearer(checker), json={
            "claimReviewed": "Pemilih bisa mencoblos lewat WhatsApp.",
            "reviewRating": {"alternateName": rating}, "url": f"https://cekfakta.example/{ref}"})
        assert v.status_code == 200, v.text
    with db.session() as s:
        for ref, (sent, done) in zip(referrals, ((5, 4), (6, 3), (2, None)), strict=True):
            s.execute(update(Referral).where(Referral.id == ref).values(
                created_at=now - timedelta(hours=sent),
                completed_at=None if done is None else now - timedelta(hours=done)))

    # A politician's account may not receive gifts or run ads: two refusals.
    acc = _content(client, service, account_kind="politician")["account_id"]
    for feature in ("gifts", "ads"):
        gate = client.get(f"/api/v1/accounts/{acc}/features/{feature}", headers=bearer(service))
        assert gate.status_code == 200 and gate.json()["allowed"] is False, gate.text

    # Guide reach: two visitors read the guide, one clicks a tag link.
    events = [{"type": "guide_view", "election": "pemilu-2024", "region": "32.73", "user": u,
               "at": now.isoformat()} for u in ("u1", "u2")]
    events.append({"type": "tag_click", "election": "pemilu-2024", "region": "32.73", "user": "u1",
                   "at": now.isoformat()})
    posted = client.post("/api/v1/guide/events", json=events, headers=bearer(service))
    assert posted.status_code == 200 and posted.json()["counted"] == 3, posted.text

    report = client.get("/api/v1/transparency/report", params=period, headers=bearer(world.key("auditor"))).json()
    fc = report["fact_checks"]
    assert (fc["referred"], fc["verdicts"], fc["awaiting_verdict"]) == (3, 2, 1)
    assert fc["by_verdict"] == {"false": 1, "misleading": 1}
    assert fc["median_verdict_seconds"] == pytest.approx(7200)   # 1 h and 3 h
    assert fc["p90_verdict_seconds"] == pytest.approx(10080)
    gp = report["gpppa_refusals"]
    assert gp["refusals"] == 2 and gp["by_feature"] == {"ads": 1, "gifts": 1}
    assert gp["by_account_kind"] == {"politician": 2}
    reach = report["guide_reach"]
    direct = client.get("/api/v1/guide/pemilu-2024/reach", params=period, headers=bearer(world.key("auditor")))
    assert direct.status_code == 200, direct.text
    assert reach["totals"] == direct.json()["totals"]
    assert sum(reach["totals"].values()) >= 3
    assert report["notes"] == []

    # Filters reach the other domains too: no region in Papua holds any of this.
    papua = client.get("/api/v1/transparency/report", params={**period, "region": "91"},
                       headers=bearer(world.key("auditor"))).json()
    assert papua["fact_checks"]["referred"] == 0
    assert sum(papua["guide_reach"]["totals"].values()) == 0
    assert any("gpppa_refusals" in n for n in papua["notes"])
