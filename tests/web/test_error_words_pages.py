"""The errors of the guide, fact-check, training and transparency domains as their pages
say them: in the page's language, what happened and what to do next, never the API's
English message; and the API keeps that message and code, with the reason beside them."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.web.helpers import csrf_from, make_user, sign_in
from tests.web.test_error_pages import visible

E = "/editor/pemilu-2024"


def test_the_api_adds_the_reason_beside_its_unchanged_error(client, world):
    admin = bearer(world.key("admin"))
    r = client.get("/api/v1/content/cnt_tidak_ada", headers=admin)
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "not_found", "message": "content cnt_tidak_ada not found",
                                 "reason": "content.not_found"}
    r = client.get("/api/v1/transparency/report", params={"from": "2024-02-14", "to": "2024-02-01"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "invalid", "message": "'to' is before 'from'", "reason": "period.reversed"}
    r = client.post("/api/v1/factchecks/import", content=b"  ", headers={**admin, "content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["reason"] == "factcheck.body_empty"
    assert r.json()["error"]["message"].startswith("the body is empty: send ClaimReview JSON-LD")


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Anda menulis draf ini, sehingga editor panduan lain yang harus menyetujuinya. "
           "Mintalah editor panduan kedua untuk memeriksanya."),
    ("en", "You wrote this draft, so another guide editor must approve it. Ask a second guide editor to review it."),
])
def test_the_guide_editor_says_the_four_eyes_rule_with_the_next_step(client, world, lang, expected):
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    make_user(world, "guide_editor", "putri@kpu.id", kpu, name="Putri")
    sign_in(client, "putri@kpu.id", lang=lang)
    form = client.get(f"{E}/id/new?kind=section&key=how-to-vote")
    r = client.post(f"{E}/id/drafts", data={"csrf_token": csrf_from(form.text), "kind": "section",
                                            "key": "how-to-vote", "title": "Cara mencoblos", "body": "Bawa e-KTP.",
                                            "op": "save"}, follow_redirects=False)
    version = r.headers["location"].split("?")[0]
    r = client.post(version + "/approve", data={"csrf_token": csrf_from(client.get(version).text)})
    assert r.status_code == 403
    shown = visible(r.text)
    assert expected in shown
    assert "four-eyes rule)" not in shown and "a different guide editor must approve it" not in shown


def test_the_guide_editor_says_a_bad_section_key_in_indonesian(client, world):
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    make_user(world, "guide_editor", "putri@kpu.id", kpu, name="Putri")
    sign_in(client, "putri@kpu.id", lang="id")
    form = client.get(f"{E}/id/new?kind=section&key=")
    r = client.post(f"{E}/id/drafts", data={"csrf_token": csrf_from(form.text), "kind": "section",
                                            "key": "Cara Mencoblos", "title": "Cara mencoblos", "body": "x",
                                            "op": "save"})
    assert r.status_code == 422
    shown = visible(r.text)
    assert ("Kunci sebuah bagian hanya boleh berisi huruf kecil, angka, dan tanda hubung. "
            "Pilih kunci seperti cara-memilih.") in shown
    assert "must be lowercase letters" not in shown


def _referral(world, db, scene) -> str:
    """A claim a moderator sent to MAFINDO, whose fact-checker Tomi signs in."""
    from salingjaga.auth.principal import SYSTEM
    from salingjaga.factcheck.service import create_referral

    mafindo = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo", policies=["misinformation"])
    make_user(world, "fact_checker", "tomi@mafindo.id", mafindo, name="Tomi")
    with db.session() as s:
        return create_referral(s, content_id=scene.content_id, partner_id=mafindo, note="Cek klaim", actor=SYSTEM).id


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", ["Hasil cek fakta ini belum memiliki putusan.",
            "Tulis penilaian sebagaimana diterbitkan pemeriksa fakta, misalnya Salah atau Hoaks"]),
    ("en", ["The fact-check has no verdict.",
            "Give the rating as the fact-checker published it, such as Salah or Hoaks"]),
])
def test_the_desk_says_a_verdict_without_a_rating_with_the_next_step(client, world, db, scene, lang, expected):
    referral = _referral(world, db, scene)
    sign_in(client, "tomi@mafindo.id", lang=lang)
    page = client.get(f"/desk/referrals/{referral}")
    r = client.post(f"/desk/referrals/{referral}/verdict", data={
        "csrf_token": csrf_from(page.text), "claim": "Pencoblosan bisa diwakilkan lewat WA", "rating": "",
        "verdict": "", "language": "id"})
    assert r.status_code == 422
    shown = visible(r.text)
    for words in expected:
        assert words in shown
    assert "reviewRating" not in shown and "ClaimReview needs" not in shown


def test_the_desk_says_a_second_verdict_is_refused_in_indonesian(client, world, db, scene):
    referral = _referral(world, db, scene)
    sign_in(client, "tomi@mafindo.id", lang="id")
    for expected_status in (303, 409):
        page = client.get(f"/desk/referrals/{referral}")
        r = client.post(f"/desk/referrals/{referral}/verdict", data={
            "csrf_token": csrf_from(page.text), "claim": "Pencoblosan bisa diwakilkan lewat WA", "rating": "Salah",
            "language": "id"}, follow_redirects=False)
        assert r.status_code == expected_status
    shown = visible(r.text)
    assert ("Permintaan ini sudah memiliki putusan. Muat ulang halaman untuk melihatnya; "
            "putusan baru memerlukan permintaan baru.") in shown
    assert "already has a verdict" not in shown


def test_the_console_says_a_referral_to_a_partner_that_checks_no_facts(client, world, db, scene, settings):
    from salingjaga.auth.principal import SYSTEM
    from salingjaga.moderation.service import open_case

    with db.session() as s:
        open_case(s, content_id=scene.content_id, policy="misinformation", source="user_report",
                  reason="laporan pengguna", actor=SYSTEM, settings=settings)
    sign_in(client, "dewi@mod.id", lang="id")
    token = csrf_from(client.get("/console").text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    r = client.post(case_url + "/refer", data={"csrf_token": token, "partner_id": scene.bandung, "note": "Cek"})
    assert r.status_code == 422
    shown = visible(r.text)
    assert ("Bawaslu Kota Bandung bukan organisasi pemeriksa fakta. "
            "Kirim klaim ke salah satu mitra pemeriksa fakta.") in shown
    assert "is not a fact-checker" not in shown


def test_the_practice_form_says_too_many_evidence_files_in_indonesian(client, scene):
    sign_in(client, "nina@bandung.id", lang="id")
    module = "/training/modules/hoaks-tanggal-coblos"
    page = client.get(module)
    files = [("evidence", (f"layar-{n}.png", b"\x89PNG\r\n", "image/png")) for n in range(11)]
    r = client.post(module, data={"csrf_token": csrf_from(page.text), "policy": "civic_election_integrity",
                                  "explanation": "Hoaks tanggal coblos", "good_faith": "true"}, files=files)
    assert r.status_code == 422
    shown = visible(r.text)
    assert ("Satu laporan memuat paling banyak 10 berkas bukti. "
            "Lampirkan berkas yang paling penting dan jelaskan sisanya di penjelasan.") in shown
    assert "at most 10 evidence files" not in shown


@pytest.mark.parametrize(("path", "period", "expected", "english"), [
    ("/transparansi", {"from": "2024-02-14", "to": "2024-02-01"},
     "Akhir periode jatuh sebelum awalnya. Pilih tanggal akhir yang sama dengan atau sesudah tanggal awal.",
     "'to' is before 'from'"),
    ("/transparansi", {"from": "2023-01-01", "to": "2024-06-01"},
     "Satu periode paling panjang 400 hari. Pilih periode yang lebih pendek.",
     "the public page shows at most 400 days"),
    ("/transparency", {"from": "2024-02-14", "to": "2024-02-01"},
     "The end of the period is before its start. Choose an end date on or after the start date.",
     "'to' is before 'from'"),
])
def test_the_public_report_says_a_bad_period_in_its_language(client, path, period, expected, english):
    r = client.get(path, params=period)
    assert r.status_code == 422
    shown = visible(r.text)
    assert expected in shown and english not in shown
