"""The partner portal and moderator console over HTTP: filing with evidence, jurisdiction,
claiming, deciding, outcomes, bulk upload, feedback, appeals and escaping."""

from __future__ import annotations

import hashlib
import io
import re

from PIL import Image

from tests.conftest import bearer
from tests.web.conftest import HOSTILE
from tests.web.helpers import csrf_from, sign_in


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def file_notice(client, scene, explanation="Ajakan mencoblos lewat WA menyesatkan pemilih."):
    page = client.get("/portal/new")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    evidence = png_bytes()
    r = client.post("/portal/notices", data={
        "csrf_token": csrf_from(page.text), "content": scene.content_url,
        "policy": "civic_election_integrity", "legal_ground": "UU 7/2017 Pasal 280 ayat (1)",
        "explanation": explanation, "region": "32.73", "election": "pilkada-2024",
        "good_faith": "true", "idempotency_key": key,
    }, files=[("evidence", ("bukti.png", evidence, "image/png"))], follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?done=notice_filed")
    notice_id = r.headers["location"].split("/")[3].split("?")[0]
    return notice_id, hashlib.sha256(evidence).hexdigest()


def test_reporter_files_a_notice_with_evidence_and_province_sees_it(client, scene):
    sign_in(client, "nina@bandung.id")
    notice_id, sha = file_notice(client, scene)
    page = client.get(f"/portal/notices/{notice_id}?done=notice_filed")
    assert page.status_code == 200
    assert "The notice was received." in page.text
    assert sha in page.text
    assert "Received" in page.text
    client.cookies.clear()
    sign_in(client, "agus@jabar.id")  # the province sees its regency's notice
    assert notice_id in client.get("/portal").text
    assert client.get(f"/portal/notices/{notice_id}").status_code == 200
    client.cookies.clear()
    sign_in(client, "yoga@jatim.id")  # another province does not, and is not told it exists
    assert notice_id not in client.get("/portal").text
    assert client.get(f"/portal/notices/{notice_id}").status_code == 404


def test_a_form_sent_twice_files_one_notice_with_its_evidence_once(client, scene, db):
    """The portal goes through the intake writer like the API: the form's key makes a second
    submission (double click, browser retry) land on the first notice, evidence not repeated."""
    from sqlalchemy import func, select

    from salingjaga.notices.models import Notice, NoticeEvidence

    sign_in(client, "nina@bandung.id")
    page = client.get("/portal/new")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf_from(page.text), "content": scene.content_url, "policy": "misinformation",
            "explanation": "Tanggal pemungutan suara yang salah.", "good_faith": "true", "idempotency_key": key}
    first = client.post("/portal/notices", data=form, files=[("evidence", ("a.png", png_bytes(), "image/png"))],
                        follow_redirects=False)
    again = client.post("/portal/notices", data=form, files=[("evidence", ("a.png", png_bytes(), "image/png"))],
                        follow_redirects=False)
    assert first.status_code == again.status_code == 303, again.text
    assert first.headers["location"] == again.headers["location"]
    notice_id = first.headers["location"].split("/")[3].split("?")[0]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.idempotency_key == key)) == 1
        assert s.scalar(select(func.count()).select_from(NoticeEvidence)
                        .where(NoticeEvidence.notice_id == notice_id)) == 1


def test_a_bad_notice_is_refused_with_the_form_kept(client, scene):
    sign_in(client, "nina@bandung.id")
    page = client.get("/portal/new")
    r = client.post("/portal/notices", data={
        "csrf_token": csrf_from(page.text), "content": "https://video.example/unknown",
        "policy": "misinformation", "explanation": "Tolong periksa <b>ini</b>", "good_faith": "true"})
    assert r.status_code == 422
    assert "No post with the address https://video.example/unknown is known" in r.text  # and what to do
    assert "Tolong periksa &lt;b&gt;ini&lt;/b&gt;" in r.text


def test_moderator_claims_reads_signals_and_decides_and_reporter_sees_outcome(client, scene):
    sign_in(client, "nina@bandung.id")
    notice_id, _ = file_notice(client, scene)
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    queue = client.get("/console")
    assert queue.status_code == 200
    assert "Coblos lewat WA!" in queue.text
    assert "<script>alert" not in queue.text
    token = csrf_from(queue.text)
    r = client.post("/console/claim", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    case_url = r.headers["location"].split("?")[0]
    case = client.get(case_url)
    assert case.status_code == 200
    # hostile caption and transcript are shown as text, never as markup
    assert HOSTILE not in case.text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in case.text
    assert "Ajakan mencoblos lewat WA menyesatkan pemilih." in case.text
    assert "GPPPA" in case.text
    assert case.headers["content-security-policy"].startswith("default-src 'self'")
    case_id = case_url.rsplit("/", 1)[1]
    preview = client.get(f"/console/cases/{case_id}/preview",
                         params={"action": "remove", "policy": "civic_election_integrity", "facts": "Hoaks"})
    assert "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS" in preview.text
    assert "SOURCE_TRUSTED_FLAGGER" in preview.text
    assert 'class="error"' not in preview.text  # a valid statement shows no DSA errors
    assert "Applies in" in preview.text and "EEA" in preview.text  # where the restriction applies, in words
    # a decision without facts is refused and nothing changes
    r = client.post(f"/console/cases/{case_id}/decide", data={
        "csrf_token": csrf_from(case.text), "action": "remove", "policy": "civic_election_integrity", "facts": " "})
    assert r.status_code == 422
    r = client.post(f"/console/cases/{case_id}/decide", data={
        "csrf_token": csrf_from(case.text), "action": "remove", "policy": "civic_election_integrity",
        "facts": "Prosedur pemungutan suara palsu."}, follow_redirects=False)
    assert r.status_code == 303
    assert "Decision recorded" in client.get(r.headers["location"]).text
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    page = client.get(f"/portal/notices/{notice_id}")
    # removing a post of this reach takes a second review: until it ends the notifier sees
    # the notice under review, not the first decision
    assert "Under review" in page.text and 'id="second-review-note"' in page.text
    assert "Prosedur pemungutan suara palsu." not in page.text
    feedback = client.get("/portal/feedback")
    assert "100.0%" in feedback.text


def test_escalate_hold_and_release(client, scene):
    sign_in(client, "nina@bandung.id")
    file_notice(client, scene)
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    token = csrf_from(client.get("/console").text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    r = client.post(case_url + "/hold", data={"csrf_token": token, "reason": "menunggu cek fakta"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "On hold" in client.get(case_url).text
    client.post(case_url + "/release", data={"csrf_token": token})
    assert client.post("/console/claim", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    r = client.post(case_url + "/escalate", data={"csrf_token": token, "note": "tokoh publik"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(case_url)
    assert "Senior review" in page.text  # the level, named
    assert "tokoh publik" in page.text
    # a moderator cannot claim a senior case: the queue is now empty for them
    r = client.post("/console/claim", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == "/console?done=queue_empty"


def test_bulk_upload_reports_each_row(client, scene):
    sign_in(client, "nina@bandung.id")
    token = csrf_from(client.get("/portal/bulk").text)
    csv_text = ("url,policy,explanation,good_faith\n"
                f"{scene.content_url},misinformation,Hoaks TPS,true\n"
                "https://video.example/none,misinformation,Tidak ada,true\n"
                f"{scene.content_url},no_such_policy,Salah,true\n")
    r = client.post("/portal/bulk", data={"csrf_token": token},
                    files={"file": ("notices.csv", csv_text.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    rows = re.findall(r"<tr><td>(\d+)</td>\s*<td>(.*?)</td>", r.text, re.S)
    assert [(i, "error" in s) for i, s in rows] == [("1", False), ("2", True), ("3", True)]
    # each row's error in words, with the value it concerns and the next step
    assert "The policy no_such_policy is not known. Choose a policy from the list of the policy library." in r.text


def test_creator_appeal_is_decided_by_a_different_moderator(client, scene):
    sign_in(client, "nina@bandung.id")
    file_notice(client, scene)
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    token = csrf_from(client.get("/console").text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    client.post(case_url + "/decide", data={"csrf_token": token, "action": "remove",
                                            "policy": "civic_election_integrity", "facts": "Hoaks."})
    from sqlalchemy import select

    from salingjaga.moderation.models import Decision
    db = client.app.state.db
    with db.session() as s:
        decision_id = s.scalar(select(Decision.id).where(Decision.content_id == scene.content_id))
    r = client.post(f"/api/v1/decisions/{decision_id}/appeals", json={"reason": "Ini satire <i>lucu</i>"},
                    headers=bearer(scene.service_key))
    assert r.status_code == 201, r.text
    # the first moderator does not get their own decision's appeal
    assert "Ini satire" not in client.get("/console/appeals").text
    client.cookies.clear()
    sign_in(client, "rizky@mod.id")
    appeals = client.get("/console/appeals")
    assert "Coblos lewat WA!" in appeals.text
    token = csrf_from(appeals.text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    page = client.get(case_url)
    assert "Ini satire &lt;i&gt;lucu&lt;/i&gt;" in page.text
    r = client.post(case_url + "/decide", data={"csrf_token": token, "action": "reverse",
                                                "policy": "civic_election_integrity", "facts": "Satire, dipulihkan."},
                    follow_redirects=False)
    assert r.headers["location"] == "/console/appeals?done=appeal_decided"
    with db.session() as s:
        from salingjaga.content.models import ContentItem
        assert s.get(ContentItem, scene.content_id).status == "active"


def test_media_preview_is_served_only_to_staff_and_only_as_media(client, scene, world, db, settings):
    import base64

    from tests.web.conftest import add_content

    content_id = add_content(db, settings, "img-7001", "Foto surat suara",
                             kind="image", media=[{"kind": "image", "filename": "a.png",
                                                   "data_base64": base64.b64encode(png_bytes()).decode()}])
    from salingjaga.auth.principal import SYSTEM
    from salingjaga.moderation.service import open_case

    with db.session() as s:
        case_id = open_case(s, content_id=content_id, policy="misinformation", source="user_report",
                            reason="laporan", actor=SYSTEM, settings=settings).id
    sign_in(client, "dewi@mod.id")
    page = client.get(f"/console/cases/{case_id}")
    assert f'<img src="/console/media/{content_id}/0"' in page.text
    img = client.get(f"/console/media/{content_id}/0")
    assert img.status_code == 200
    assert img.headers["content-type"] == "image/png"
    assert img.content == png_bytes()
    assert client.get(f"/console/media/{content_id}/1").status_code == 404
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    assert client.get(f"/console/media/{content_id}/0").status_code == 403
    assert client.get(f"/console/cases/{case_id}").status_code == 403


def test_app_script_and_strict_csp_are_served(client, scene):
    js = client.get("/static/app.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    sign_in(client, "dewi@mod.id")
    page = client.get("/console")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script>" not in page.text.replace('<script src="/static/app.js" defer></script>', "")


def test_notifier_appeals_a_no_action_decision_from_the_portal(client, scene):
    sign_in(client, "nina@bandung.id")
    notice_id, _ = file_notice(client, scene)
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    token = csrf_from(client.get("/console").text)
    case_url = client.post("/console/claim", data={"csrf_token": token},
                           follow_redirects=False).headers["location"].split("?")[0]
    client.post(case_url + "/decide", data={"csrf_token": token, "action": "no_violation",
                                            "policy": "civic_election_integrity", "facts": "Bukan ajakan nyata."})
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    page = client.get(f"/portal/notices/{notice_id}")
    assert "No violation" in page.text
    r = client.post(f"/portal/notices/{notice_id}/appeal",
                    data={"csrf_token": csrf_from(page.text), "reason": "Nomor WA itu aktif menipu."},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "Appealed" in client.get(f"/portal/notices/{notice_id}").text
    client.cookies.clear()
    sign_in(client, "rizky@mod.id")
    assert "Coblos lewat WA!" in client.get("/console/appeals").text
