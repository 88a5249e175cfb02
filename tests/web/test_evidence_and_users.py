"""Evidence downloads from the portal (tenancy, headers, the evidence store only) and an
admin deactivating and reactivating a user (sessions, API keys, audit log)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from salingjaga.audit.service import events_for
from salingjaga.notices.web import evidence_location
from tests.conftest import bearer
from tests.web.helpers import csrf_from, make_user, sign_in
from tests.web.test_portal_console import file_notice, png_bytes

ME = "/api/v1/me"


def test_partner_downloads_evidence_of_notices_it_may_see(client, scene, settings):
    sign_in(client, "nina@bandung.id")
    notice_id, sha = file_notice(client, scene)
    page = client.get(f"/portal/notices/{notice_id}").text
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "/evidence/" in part)
    assert link.startswith(f"/portal/notices/{notice_id}/evidence/evd_")
    r = client.get(link)
    assert r.status_code == 200
    assert r.content == png_bytes() and hashlib.sha256(r.content).hexdigest() == sha
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("attachment;") and "bukti.png" in r.headers[
        "content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"

    other_notice, _ = file_notice(client, scene, explanation="Laporan kedua tentang ajakan yang sama.")
    evidence_id = link.rsplit("/", 1)[1]
    assert client.get(f"/portal/notices/{other_notice}/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/portal/notices/{notice_id}/evidence/evd_unknown").status_code == 404

    client.cookies.clear()
    sign_in(client, "agus@jabar.id")  # the province oversees its regency
    assert client.get(link).content == png_bytes()
    client.cookies.clear()
    sign_in(client, "yoga@jatim.id")  # another province: as if it did not exist
    r = client.get(link)
    assert r.status_code == 404 and png_bytes() not in r.content

    stored = Path(settings.data_dir) / "evidence" / sha[:2] / sha
    stored.write_bytes(b"%PDF-1.4 swapped")  # a file that no longer matches its digest is not served
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    assert client.get(link).status_code == 404


def test_evidence_location_stays_inside_the_store(tmp_path):
    data = b"\x89PNG\r\n\x1a\nbytes"
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "evidence" / sha[:2]).mkdir(parents=True)
    (tmp_path / "evidence" / sha[:2] / sha).write_bytes(data)
    assert evidence_location(tmp_path, sha) == (tmp_path / "evidence" / sha[:2] / sha).resolve()
    (tmp_path / "secret").write_bytes(b"x")
    for bad in ("../secret", "../../etc/passwd", sha.upper(), sha[:-1] + "/", ""):
        assert evidence_location(tmp_path, bad) is None


def test_admin_deactivates_and_reactivates_a_user(app, client, world, db):
    admin_id = make_user(world, "admin", "admin@sj.id")
    sari_id, sari_key = world.user("moderator", name="Sari", email="sari@sj.id", password="kata-sandi-panjang")
    with TestClient(app) as sari:
        sign_in(sari, "sari@sj.id", password="kata-sandi-panjang")
        assert sari.get("/console").status_code == 200
        sign_in(client, "admin@sj.id")
        users = client.get("/admin/users").text
        token = csrf_from(users)
        assert f'action="/admin/users/{admin_id}/deactivate"' not in users  # not offered for oneself
        assert client.post(f"/admin/users/{sari_id}/deactivate", data={}).status_code == 403  # no token
        assert sari.get("/console").status_code == 200

        r = client.post(f"/admin/users/{sari_id}/deactivate", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get(ME, headers=bearer(sari_key)).status_code == 401
        r = sari.get("/console", follow_redirects=False)
        assert r.status_code in (303, 307) and r.headers["location"].startswith("/login")
        assert sign_in(sari, "sari@sj.id", password="kata-sandi-panjang").status_code != 303
        listing = client.get("/admin/users?lang=id").text
        assert f'action="/admin/users/{sari_id}/reactivate"' in listing and "Aktifkan lagi" in listing
        r = client.post(f"/admin/users/{admin_id}/deactivate", data={"csrf_token": token})
        assert r.status_code == 422  # nobody locks themselves out
        assert client.get("/admin/users").status_code == 200

        r = client.post(f"/admin/users/{sari_id}/reactivate", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get(ME, headers=bearer(sari_key)).json()["role"] == "moderator"
        assert sari.get("/console", follow_redirects=False).status_code != 200  # the old session stays ended
        assert sign_in(sari, "sari@sj.id", password="kata-sandi-panjang").headers["location"] == "/console"
    with db.session() as s:
        events = [(e.action, e.actor, (e.data or {}).get("sessions_ended"))
                  for e in events_for(s, "user", sari_id) if e.action.startswith("user.")]
    assert events[1:] == [("user.deactivated", f"user:{admin_id}", 1),
                          ("user.reactivated", f"user:{admin_id}", None)]
