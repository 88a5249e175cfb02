"""Notice intake: validation, bulk (JSON and CSV, per-row results), evidence, feedback."""

from __future__ import annotations

import base64
import hashlib

from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_receipt_and_bad_notices_change_nothing(client, world):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    item = make_content(client, service)
    r = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
    assert r.status_code == 201
    assert set(r.json()) == {"id", "status", "received_at", "case_id", "source", "priority_note"}
    assert r.json()["status"] == "received" and r.json()["source"] == "trusted_flagger"
    bad = [
        notice_body(item, good_faith=False),
        notice_body(item, policy="jokes"),
        notice_body(item, region="99.99"),
        {**notice_body(item), "content": [{"url": "https://video.example/unknown"}]},
        {**notice_body(item), "content": []},
        {**notice_body(item), "surprise": 1},
    ]
    for body in bad:
        resp = client.post("/api/v1/notices", json=body, headers=bearer(flagger))
        assert resp.status_code == 422, (body, resp.text)
    assert len(client.get("/api/v1/notices", headers=bearer(flagger)).json()) == 1
    assert client.post("/api/v1/notices", json=notice_body(item),
                       headers=bearer(world.key("moderator"))).status_code == 403


def test_source_depends_on_trust_and_policy_area(client, world):
    service = world.key("service")
    item = make_content(client, service)
    trusted = world.key("partner_reporter", world.partner(policies=["misinformation"]))
    untrusted = world.key("partner_reporter", world.partner("Ormas", kind="civil_society",
                                                             organisation="ormas", trusted=False))
    user = world.key("user")
    cases = [(trusted, "misinformation", "trusted_flagger"), (trusted, "hate_speech_sara", "partner"),
             (untrusted, "misinformation", "partner"), (user, "misinformation", "user_report")]
    for key, policy, source in cases:
        nid = client.post("/api/v1/notices", json=notice_body(item, policy), headers=bearer(key)).json()["id"]
        assert client.get(f"/api/v1/notices/{nid}", headers=bearer(key)).json()["source"] == source


def test_bulk_json_one_bad_row_does_not_sink_the_others(client, world):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    items = [make_content(client, service) for _ in range(3)]
    rows = [notice_body(i, idempotency_key=f"row-{n}") for n, i in enumerate(items)]
    rows.insert(1, {"content": [{"url": "https://video.example/nope"}], "policy": "misinformation",
                    "explanation": "x", "good_faith": True})
    rows.insert(2, {"policy": "misinformation"})
    r = client.post("/api/v1/notices/bulk", json={"notices": rows}, headers=bearer(flagger))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["received"], out["errors"]) == (3, 2)
    assert [x["status"] for x in out["results"]] == ["received", "error", "error", "received", "received"]
    assert "nope" in out["results"][1]["error"]["message"]
    again = client.post("/api/v1/notices/bulk", json=rows, headers=bearer(flagger)).json()
    assert again["existing"] == 3 and again["received"] == 0


def test_bulk_csv_thousands_of_rows(client, world, db):
    from sqlalchemy import func, select

    from salingjaga.moderation.models import Case
    from salingjaga.notices.models import Notice

    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    items = [make_content(client, service) for _ in range(4)]
    lines = ["url,policy,explanation,region,good_faith,idempotency_key"]
    for n in range(2000):
        item = items[n % 4]
        lines.append(f"{item['url']},misinformation,\"Klaim keliru, baris {n}\",32.73,true,k{n}")
    lines.append("https://video.example/missing,misinformation,x,32.73,true,kbad")
    r = client.post("/api/v1/notices/bulk", content="\n".join(lines).encode(),
                    headers={**bearer(flagger), "Content-Type": "text/csv"})
    assert r.status_code == 200, r.text[:500]
    out = r.json()
    assert out["received"] == 2000 and out["errors"] == 1
    assert out["results"][-1]["status"] == "error"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 2000
        assert s.scalar(select(func.count()).select_from(Case)) == 4  # one case per content item


def test_evidence_is_stored_with_its_sha256(client, world, settings):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    item = make_content(client, service)
    inline = notice_body(item, evidence=[{"filename": "../../etc/tangkapan layar.png",
                                          "data_base64": base64.b64encode(PNG).decode()}])
    notice = client.post("/api/v1/notices", json=inline, headers=bearer(flagger)).json()
    pdf = b"%PDF-1.4\n" + b"laporan pengawasan" * 10
    r = client.post(f"/api/v1/notices/{notice['id']}/evidence", headers=bearer(flagger),
                    files={"file": ("laporan.pdf", pdf, "application/pdf")})
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    rejected = client.post(f"/api/v1/notices/{notice['id']}/evidence", headers=bearer(flagger),
                           files={"file": ("x.exe", b"MZ\x90\x00" * 20, "application/octet-stream")})
    assert rejected.status_code == 415
    evidence = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(flagger)).json()["evidence"]
    assert {e["sha256"] for e in evidence} == {hashlib.sha256(PNG).hexdigest(), hashlib.sha256(pdf).hexdigest()}
    png = next(e for e in evidence if e["mime"] == "image/png")
    assert "/" not in png["filename"] and not png["filename"].startswith(".")
    stored = settings.data_dir / "evidence" / png["sha256"][:2] / png["sha256"]
    assert stored.read_bytes() == PNG
    stranger = world.key("partner_reporter", world.partner("KPU", organisation="kpu"))
    assert client.post(f"/api/v1/notices/{notice['id']}/evidence", headers=bearer(stranger),
                       files={"file": ("a.pdf", pdf, "application/pdf")}).status_code == 404


def test_feedback_share_actioned_and_unfounded_flag(client, world):
    service = world.key("service")
    partner = world.partner()
    flagger = world.key("partner_reporter", partner)
    moderator = world.key("moderator")
    for n in range(12):
        item = make_content(client, service)
        client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger))
        case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
        action = "remove" if n < 3 else "no_violation"
        client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator),
                    json={"action": action, "policy": "misinformation", "facts": "Reviewed."})
    fb = client.get(f"/api/v1/partners/{partner}/feedback", headers=bearer(flagger)).json()
    assert fb["totals"]["decided"] == 12 and fb["totals"]["actioned"] == 3
    assert fb["totals"]["share_actioned"] == 0.25
    assert fb["totals"]["median_hours_to_decision"] is not None
    assert fb["by_policy"]["misinformation"]["notices"] == 12
    assert fb["flagged_mostly_unfounded"] is True
    year = client.get("/api/v1/notices", headers=bearer(flagger)).json()[0]["received_at"][:4]
    report = client.get(f"/api/v1/partners/{partner}/report", params={"year": int(year)},
                        headers=bearer(flagger)).json()
    assert report["totals"]["notices"] == 12 and report["partner"]["trusted"] is True
    other = world.key("partner_reporter", world.partner("KPU", organisation="kpu"))
    assert client.get(f"/api/v1/partners/{partner}/feedback", headers=bearer(other)).status_code == 404
