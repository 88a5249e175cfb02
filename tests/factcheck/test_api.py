from sqlalchemy import select

from salingjaga.detection.retro import retro_match
from salingjaga.factcheck.models import FactCheck
from tests.conftest import bearer

REVIEW = {
    "@type": "ClaimReview",
    "url": "https://cekfakta.example/coblos-wa",
    "claimReviewed": "Pencoblosan bisa diwakilkan dengan mengirim foto KTP lewat WhatsApp",
    "reviewRating": {"alternateName": "Salah"},
    "author": {"name": "Cek Fakta Contoh"},
}


def _content(client, key, pid, caption):
    body = {"platform_id": pid, "kind": "video", "caption": caption, "url": f"https://v.example/{pid}",
            "account": {"platform_id": "acc-1", "handle": "warga"}}
    r = client.post("/api/v1/content", json=body, headers=bearer(key))
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def test_fact_checker_adds_moderator_reads_others_refused(client, world):
    fc_partner = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo")
    checker = world.key("fact_checker", fc_partner)
    r = client.post("/api/v1/factchecks", json=REVIEW, headers=bearer(checker))
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert r.json()["verdict"] == "false"
    again = client.post("/api/v1/factchecks", json={**REVIEW, "reviewRating": {"alternateName": "Menyesatkan"}},
                        headers=bearer(checker))
    assert again.status_code == 200 and again.json()["id"] == fid and again.json()["verdict"] == "misleading"
    moderator = world.key("moderator")
    assert client.post("/api/v1/factchecks", json=REVIEW, headers=bearer(moderator)).status_code == 403
    listed = client.get("/api/v1/factchecks", headers=bearer(moderator)).json()
    assert [f["id"] for f in listed] == [fid]
    assert client.get(f"/api/v1/factchecks/{fid}", headers=bearer(moderator)).json()["claim"].startswith("Pencoblosan")
    reporter = world.key("partner_reporter", fc_partner)
    assert client.get("/api/v1/factchecks", headers=bearer(reporter)).status_code == 403
    bad = client.post("/api/v1/factchecks", json={"claimReviewed": "x"}, headers=bearer(checker))
    assert bad.status_code == 422


def test_referral_round_trip_and_partner_isolation(client, world, db):
    service = world.key("service")
    content_id = _content(client, service, "vid-1", "Nyoblos bisa diwakilin lewat WA, kirim foto KTP aja")
    mafindo = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo")
    other = world.partner("Cek Lain", kind="fact_checker", organisation="ceklain")
    checker = world.key("fact_checker", mafindo)
    outsider = world.key("fact_checker", other)
    moderator = world.key("moderator")
    r = client.post("/api/v1/referrals", json={"content_id": content_id, "partner_id": mafindo, "note": "cek"},
                    headers=bearer(moderator))
    assert r.status_code == 201, r.text
    ref = r.json()["id"]
    not_fc = world.partner("Bawaslu", kind="election_supervisor")
    assert client.post("/api/v1/referrals", json={"content_id": content_id, "partner_id": not_fc},
                       headers=bearer(moderator)).status_code == 422
    assert [x["id"] for x in client.get("/api/v1/referrals", headers=bearer(checker)).json()] == [ref]
    assert client.get("/api/v1/referrals", headers=bearer(outsider)).json() == []
    assert client.post(f"/api/v1/referrals/{ref}/verdict", json=REVIEW, headers=bearer(outsider)).status_code == 404
    verdict = {k: v for k, v in REVIEW.items() if k != "author"}  # publisher: the partner
    done = client.post(f"/api/v1/referrals/{ref}/verdict", json=verdict, headers=bearer(checker))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["factcheck_id"]
    again = client.post(f"/api/v1/referrals/{ref}/verdict", json=REVIEW, headers=bearer(checker))
    assert again.status_code == 409
    with db.session() as s:
        fc = s.scalar(select(FactCheck).where(FactCheck.id == done.json()["factcheck_id"]))
        assert fc.source == "referral" and "https://v.example/vid-1" in fc.appearance_urls
        assert fc.publisher == "MAFINDO"


def test_retro_match_finds_content_already_taken_in(client, world, db):
    service = world.key("service")
    hit = _content(client, service, "vid-2", "BREAKING!! pencoblosan bisa diwakilkan lewat WA, kirim foto KTP")
    _content(client, service, "vid-3", "Resep rendang padang yang empuk")
    checker = world.key("fact_checker", world.partner("MAFINDO", kind="fact_checker"))
    fid = client.post("/api/v1/factchecks", json=REVIEW, headers=bearer(checker)).json()["id"]
    with db.session() as s:
        found = retro_match(s, fid, threshold=0.3)
    assert [cid for cid, _ in found] == [hit]
    assert 0.3 <= found[0][1] <= 1.0


def test_content_matching_an_unrated_fact_check_goes_to_a_person_with_the_rating(client, world, db):
    """A rating nobody recognises is never taken as true: the match opens a case, and the
    signal quotes the publisher's own words for the moderator."""
    from salingjaga.moderation.models import Case

    checker = world.key("fact_checker", world.partner("MAFINDO", kind="fact_checker"))
    claim = "Surat suara untuk pemilih luar negeri sudah dicoblos sebelum dikirim"
    review = {**REVIEW, "url": "https://cekfakta.example/luar-negeri", "claimReviewed": claim,
              "reviewRating": {"alternateName": "Dipelintir habis"}}
    r = client.post("/api/v1/factchecks", json=review, headers=bearer(checker))
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "unrated" and r.json()["rating"] == "Dipelintir habis"
    service = world.key("service")
    cid = _content(client, service, "vid-9", claim)
    admin = world.key("admin")
    sigs = client.get(f"/api/v1/content/{cid}/signals", headers=bearer(admin)).json()["signals"]
    [hit] = [s for s in sigs if s["type"] == "claim_match"]
    assert "publisher's rating: \"Dipelintir habis\"" in hit["explanation"]
    with db.session() as s:
        cases = list(s.scalars(select(Case).where(Case.content_id == cid)))
    assert len(cases) == 1
