"""The fact-checker desk: a moderator refers a claim, the fact-checker records a verdict
(stored as ClaimReview) and sees the content it now matches."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.conftest import add_content
from tests.web.helpers import csrf_from, make_user, sign_in


def test_referral_verdict_and_matches(client, scene, world, db, settings):
    mafindo = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo",
                            policies=["misinformation"])
    make_user(world, "fact_checker", "tomi@mafindo.id", mafindo)
    add_content(db, settings, "vid-9002", "Coblos lewat WA saja, tidak perlu ke TPS <b>besok</b>")
    from salingjaga.auth.principal import SYSTEM
    from salingjaga.moderation.service import open_case

    with db.session() as s:
        open_case(s, content_id=scene.content_id, policy="misinformation", source="user_report",
                  reason="laporan pengguna", actor=SYSTEM, settings=settings)
    sign_in(client, "dewi@mod.id")
    token = csrf_from(client.get("/console").text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    assert "MAFINDO" in client.get(case_url).text
    r = client.post(case_url + "/refer", data={"csrf_token": token, "partner_id": mafindo,
                                               "note": "Cek klaim coblos via WA"}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.clear()

    sign_in(client, "tomi@mafindo.id")
    desk = client.get("/desk")
    assert "Cek klaim coblos via WA" in desk.text
    assert "&lt;script&gt;" in desk.text and "<script>alert" not in desk.text
    from salingjaga.factcheck.models import Referral

    with db.session() as s:
        referral_id = s.scalar(select(Referral.id))
    page = client.get(f"/desk/referrals/{referral_id}")
    r = client.post(f"/desk/referrals/{referral_id}/verdict", data={
        "csrf_token": csrf_from(page.text), "claim": "Pencoblosan bisa diwakilkan lewat WA",
        "rating": "Salah", "verdict": "", "claimant": "akun anonim",
        "review_url": "https://turnbackhoax.id/2024/coblos-wa", "language": "id"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "Putusan telah dicatat" in client.get(r.headers["location"] + "&lang=id").text
    assert 'id="verdict-value">Salah<' in page.text
    assert "(false)" in page.text
    from salingjaga.factcheck.models import FactCheck

    with db.session() as s:
        fc = s.scalar(select(FactCheck))
        assert fc.verdict == "false"
        assert fc.publisher == "MAFINDO"
        assert "https://video.example/@akun/vid-9001" in fc.appearance_urls
    assert "vid-9002" in page.text, "the similar post is listed as a match"
    # a second verdict on the same referral is refused
    again = client.post(f"/desk/referrals/{referral_id}/verdict", data={
        "csrf_token": csrf_from(page.text), "claim": "x", "rating": "Benar"})
    assert again.status_code == 409
    # another fact-checker organisation does not see the referral
    cekfakta = world.partner("Cekfakta", kind="fact_checker", organisation="cekfakta",
                             policies=["misinformation"])
    make_user(world, "fact_checker", "ana@cekfakta.id", cekfakta)
    client.cookies.clear()
    sign_in(client, "ana@cekfakta.id")
    assert client.get(f"/desk/referrals/{referral_id}").status_code == 404


def test_desk_lists_state_their_totals_and_this_weeks_answers(client, scene, world, db, settings):
    """The desk's lists and the fact-checker's home count the same rows: three referrals,
    one answered through the desk this week; staff see every referral on the console."""
    from salingjaga.auth.principal import SYSTEM
    from salingjaga.factcheck.service import create_referral

    mafindo = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo", policies=["misinformation"])
    make_user(world, "fact_checker", "tomi@mafindo.id", mafindo)
    make_user(world, "policy_lead", "bima@mod.id", name="Bima")
    ids = [add_content(db, settings, f"vid-93{i}", f"Klaim nomor {i} soal TPS") for i in range(3)]
    with db.session() as s:
        referrals = [create_referral(s, content_id=c, partner_id=mafindo, note=f"cek {i}", actor=SYSTEM).id
                     for i, c in enumerate(ids)]
    sign_in(client, "tomi@mafindo.id")
    desk = client.get("/desk")
    assert desk.text.count("<tr data-row") == 3 and "Rows 1–3 of 3" in desk.text
    page = client.get(f"/desk/referrals/{referrals[0]}")
    r = client.post(f"/desk/referrals/{referrals[0]}/verdict", data={
        "csrf_token": csrf_from(page.text), "claim": "Klaim nomor 0 soal TPS", "rating": "Salah",
        "verdict": "", "claimant": "", "review_url": "https://turnbackhoax.id/2024/tps-0", "language": "id"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    for path, rows in [("/desk?status=sent", 2), ("/desk?status=done&period=week", 1),
                       ("/desk?status=done", 1), ("/desk/claims?period=week", 1), ("/desk/claims", 1)]:
        text = client.get(path).text
        assert text.count("<tr data-row") == rows and f"Rows 1–{rows} of {rows}" in text, path
    home = client.get("/").text
    for key, n in [("waiting", 2), ("answered_week", 1), ("claims_week", 1), ("answered", 1)]:
        assert f'data-count="{key}" data-n="{n}"' in home, key
    assert "Median time to a verdict, over 1 answered referrals" in home
    client.cookies.clear()
    sign_in(client, "bima@mod.id")  # staff: every referral, counted from the table itself
    console = client.get("/console/referrals").text
    assert 'id="listed-count">3<' in console and "Rows 1–3 of 3" in console
    assert client.get("/desk?status=sent").text.count("<tr data-row") == 2
