"""The practice sandbox through the API: grading with the real channel's checks and the
answer key, completion and certificate, practice notices kept out of every queue and
report, and completion figures that add up per province."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from salingjaga.training.grading import ground_matches
from salingjaga.training.scenarios import all_scenarios
from salingjaga.training.service import tally
from tests.conftest import bearer


def _png() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 90)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


GOOD = {
    "hoaks-tanggal-coblos": ("civic_election_integrity", "UU 7/2017 Pasal 517",
                             "Unggahan ini menyebut KPU memundurkan pencoblosan ke 28 November, padahal tanggal "
                             "resmi tetap 27 November. Ini hoaks prosedur pemungutan suara yang membuat pemilih "
                             "tidak datang ke TPS."),
    "hasutan-sara": ("hate_speech_sara", "UU 7/2017 Pasal 280 ayat (1) huruf c",
                     "Unggahan menghasut kebencian terhadap calon nomor 1 karena agama dan asal pendatang, dan "
                     "mengajak mengusir pendukungnya: hasutan SARA."),
    "audio-ai-calon": ("synthetic_media", "UU 1/2024 Pasal 35",
                       "Klip audio meniru suara calon gubernur; suara datar tanpa napas menandakan suara "
                       "sintetis buatan AI, dan tidak ada label konten AI."),
    "gpppa-hadiah-live": ("gpppa_restrictions", None,
                          "Akun terverifikasi milik bupati yang mencalonkan diri menerima gift dalam siaran "
                          "live; akun GPPPA tidak boleh memakai monetisasi."),
}


def _notice(module: str, *, policy: str, legal_ground: str | None, explanation: str, evidence: bool) -> dict[str, Any]:
    s = all_scenarios()[module]
    return {"content": [{"url": s.url}], "policy": policy, "legal_ground": legal_ground,
            "explanation": explanation, "region": s.region, "election": s.election, "good_faith": True,
            "evidence": [{"filename": "layar.png", "data_base64": _png()}] if evidence else []}


def test_grounds_match_articles_not_prefixes_of_numbers() -> None:
    assert ground_matches("UU 7/2017 Pasal 280 ayat (1) huruf c", ("UU 7/2017 Pasal 280",)) == "UU 7/2017 Pasal 280"
    assert ground_matches("uu  1/2024 pasal 28 ayat (2)", ("UU 1/2024 Pasal 28",)) == "UU 1/2024 Pasal 28"
    assert ground_matches("UU 1/2024 Pasal 280", ("UU 1/2024 Pasal 28",)) is None
    assert ground_matches("", ("UU 7/2017 Pasal 517",)) is None


def test_practice_notices_are_graded_and_never_reach_queues_or_reports(client: Any, world: Any, db: Any) -> None:
    office = world.partner("Bawaslu Kota Bandung", region="32.73")
    _uid, key = world.user("partner_reporter", office, email="nina@bandung.example")
    h = bearer(key)
    assert [m["id"] for m in client.get("/api/v1/training/modules", headers=h).json()] == list(all_scenarios())

    # a weak notice: wrong policy, no ground, no evidence, vague; the real channel's check fails too
    weak = _notice("hoaks-tanggal-coblos", policy="misleading_behaviour", legal_ground=None, explanation="",
                   evidence=False)
    r = client.post("/api/v1/training/modules/hoaks-tanggal-coblos/notices", headers=h, json=weak)
    assert r.status_code == 201, r.text
    graded = r.json()
    assert graded["passed"] is False and graded["score"] == 0 and graded["practice"] is True
    checks = {c["name"]: c for c in graded["checks"]}
    assert checks["channel"]["detail"] == "explanation: say why the content breaks the policy or the law"
    assert not checks["policy"]["passed"] and not checks["evidence"]["passed"]
    assert "27 November" in graded["reasoning"]["id"]

    # refusing to report real content through the sandbox
    real = {**weak, "content": [{"url": "https://video.example/@akun/vid-1"}]}
    assert client.post("/api/v1/training/modules/hoaks-tanggal-coblos/notices", headers=h,
                       json=real).status_code == 422

    for module, (policy, ground, explanation) in GOOD.items():
        r = client.post(f"/api/v1/training/modules/{module}/notices", headers=h,
                        json=_notice(module, policy=policy, legal_ground=ground, explanation=explanation,
                                     evidence=True))
        assert r.json()["passed"], (module, r.json())
    # filing a notice about lawful campaign speech is the mistake the last module teaches
    speech = _notice("pidato-kampanye", policy="campaign_rules", legal_ground="UU 7/2017 Pasal 276",
                     explanation="Ini kampanye, mohon diturunkan karena berisi janji politik kepada pemilih.",
                     evidence=True)
    wrong = client.post("/api/v1/training/modules/pidato-kampanye/notices", headers=h, json=speech).json()
    assert not wrong["passed"]
    progress = client.get("/api/v1/training/progress", headers=h).json()
    assert progress["done"] == 4 and progress["certificate"] is None
    right = client.post("/api/v1/training/modules/pidato-kampanye/notices", headers=h,
                        json={**speech, "policy": "none"}).json()
    assert right["passed"] and right["checks"] == [{"name": "policy", "passed": True, "detail": "none"}]
    progress = client.get("/api/v1/training/progress", headers=h).json()
    assert progress["done"] == progress["total"] == 5
    assert progress["certificate"].startswith("SJ-")

    # nothing reached the real channel: no notice, no case, an empty queue, zero in the report
    from salingjaga.moderation.models import Case
    from salingjaga.notices.models import Notice

    with db.session() as s:
        assert s.scalar(select(func.count(Notice.id))) == 0
        assert s.scalar(select(func.count(Case.id))) == 0
    moderator = world.key("moderator")
    stats = client.get("/api/v1/queue/stats", headers=bearer(moderator))
    assert stats.status_code == 200 and stats.json()["waiting"] == 0
    assert client.get("/api/v1/notices", headers=h).json() == []
    report = client.get("/api/v1/transparency/report?from=2025-06-01&to=2027-05-31", headers=bearer(world.key("admin")))
    assert report.status_code == 200
    assert report.json()["notices"]["received"] == 0 and report.json()["notices"]["by_source"] == {}


def test_completion_figures_add_up_per_province(client: Any, world: Any) -> None:
    admin = world.key("admin")
    offices = {code: world.partner(f"Bawaslu {code}", region=code) for code in ("32", "32.73", "32.04", "35.78")}
    ri = world.partner("Bawaslu RI")
    people = [("32", True), ("32.73", True), ("32.73", False), ("32.04", False), ("35.78", True)]
    for n, (code, completes) in enumerate(people):
        _uid, key = world.user("partner_reporter", offices[code], email=f"staf{n}@bawaslu.example")
        if completes:
            for module, (policy, ground, explanation) in GOOD.items():
                client.post(f"/api/v1/training/modules/{module}/notices", headers=bearer(key),
                            json=_notice(module, policy=policy, legal_ground=ground, explanation=explanation,
                                         evidence=True))
            client.post("/api/v1/training/modules/pidato-kampanye/notices", headers=bearer(key),
                        json=_notice("pidato-kampanye", policy="none", legal_ground=None, explanation="",
                                     evidence=False))
    world.user("partner_admin", ri, email="ri@bawaslu.example")

    by_province = client.get("/api/v1/training/completion", headers=bearer(admin)).json()
    rows = {r["code"]: (r["staff"], r["completed"]) for r in by_province["rows"]}
    assert rows == {"32": (4, 2), "35": (1, 1), "national": (1, 0)}
    assert by_province["total"] == {"staff": 6, "completed": 3}
    jabar = client.get("/api/v1/training/completion?province=32", headers=bearer(admin)).json()
    assert {r["code"]: (r["staff"], r["completed"]) for r in jabar["rows"]} == {
        "32": (1, 1), "32.73": (2, 1), "32.04": (1, 0)}
    assert jabar["total"] == {"staff": rows["32"][0], "completed": rows["32"][1]}  # the regencies add up
    assert client.get("/api/v1/training/completion", headers=bearer(world.key("partner_reporter", ri))
                      ).status_code == 403


def test_tally_is_pure() -> None:
    rows = tally([("11.01", True), ("11", False), (None, True), ("12.02", False)])
    assert [(r.code, r.staff, r.completed) for r in rows] == [("11", 2, 1), ("12", 1, 0), ("national", 1, 1)]


def test_an_office_admin_sees_each_member_s_progress(client: Any, world: Any) -> None:
    from tests.web.helpers import make_user, sign_in

    office = world.partner("Bawaslu Kabupaten Bandung", region="32.04")
    other = world.partner("Bawaslu Kabupaten Garut", region="32.05")
    _uid, key = world.user("partner_reporter", office, name="Ujang", email="ujang@kab-bandung.example")
    world.user("partner_reporter", office, name="Euis", email="euis@kab-bandung.example")
    module = "hasutan-sara"
    policy, ground, explanation = GOOD[module]
    client.post(f"/api/v1/training/modules/{module}/notices", headers=bearer(key),
                json=_notice(module, policy=policy, legal_ground=ground, explanation=explanation, evidence=True))
    make_user(world, "partner_admin", "kepala@kab-bandung.example", office)
    sign_in(client, "kepala@kab-bandung.example")
    page = client.get("/training/office")
    assert page.status_code == 200
    rows = page.text[page.text.index('id="trainees"'):]
    assert rows.index("Euis") < rows.index("Ujang")
    assert "1/5" in rows and "0/5" in rows and "Garut" not in rows
    assert client.get(f"/training/office?partner={other}").status_code == 404


def test_admin_completion_chart_page(client: Any, world: Any) -> None:
    from tests.web.helpers import make_user, sign_in

    office = world.partner("Bawaslu Provinsi Papua", region="91")
    world.user("partner_reporter", office, name="Yakob", email="yakob@papua.example")
    make_user(world, "admin", "admin@sj.example")
    sign_in(client, "admin@sj.example")
    page = client.get("/admin/training")
    assert page.status_code == 200
    assert 'id="completion-chart"' in page.text and "Papua" in page.text
    assert "0 of 1 partner staff completed the training." in page.text
    detail = client.get("/admin/training?province=91")
    assert detail.status_code == 200 and "Papua" in detail.text
    assert client.get("/training/certificate").status_code == 404  # nothing completed yet
