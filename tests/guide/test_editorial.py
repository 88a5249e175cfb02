"""The editorial rules through HTTP: drafts are private, a second editor approves, every
version is kept, a published page can be rolled back, and each step is audited."""

from __future__ import annotations

from salingjaga.audit.service import events_for
from tests.conftest import bearer
from tests.guide.conftest import draft, publish

GUIDE = "/api/v1/guide/pemilu-2024"


def test_draft_is_invisible_until_another_editor_approves_it(client, editors):
    version = draft(client, editors.kpu, title="Cara mencoblos (draf)", body="Teks rahasia draf")
    assert version["status"] == "draft" and not version["current"]

    public = client.get(GUIDE + "?lang=id").json()
    assert public["sections"] == []
    assert "rahasia" not in client.get("/panduan/pemilu-2024").text

    r = client.post(f"{GUIDE}/versions/{version['id']}/approve", headers=editors.kpu)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "four_eyes"
    assert "different guide editor" in r.json()["error"]["message"]
    assert client.get(GUIDE + "?lang=id").json()["sections"] == []

    r = client.post(f"{GUIDE}/versions/{version['id']}/approve", headers=editors.bawaslu)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published" and r.json()["current"]

    sections = client.get(GUIDE + "?lang=id").json()["sections"]
    assert [(s["key"], s["title"]) for s in sections] == [("how-to-vote", "Cara mencoblos (draf)")]
    assert "Teks rahasia draf" in sections[0]["html"]

    r = client.post(f"{GUIDE}/versions/{version['id']}/approve", headers=editors.bawaslu)
    assert r.status_code == 409


def test_only_the_author_edits_a_draft_and_published_versions_never_change(client, editors):
    version = draft(client, editors.kpu)
    url = f"{GUIDE}/versions/{version['id']}"
    r = client.patch(url, json={"body": "Diubah orang lain"}, headers=editors.bawaslu)
    assert r.status_code == 403
    r = client.patch(url, json={"body": "Bawa e-KTP dan surat pemberitahuan."}, headers=editors.kpu)
    assert r.status_code == 200 and r.json()["body"] == "Bawa e-KTP dan surat pemberitahuan."

    # A page has one open draft at a time.
    r = client.post(f"{GUIDE}/versions", headers=editors.bawaslu,
                    json={"lang": "id", "key": "how-to-vote", "title": "Lain", "body": "x"})
    assert r.status_code == 409 and r.json()["error"]["details"]["draft_id"] == version["id"]

    assert client.post(url + "/approve", headers=editors.bawaslu).status_code == 200
    r = client.patch(url, json={"title": "Ubah setelah terbit"}, headers=editors.kpu)
    assert r.status_code == 409
    assert client.get(url, headers=editors.kpu).json()["title"] == "Cara mencoblos"


def test_every_version_is_kept_and_rollback_restores_an_earlier_one(client, editors, db):
    v1 = publish(client, editors.kpu, editors.bawaslu, title="Versi satu", body="Isi pertama")
    v2 = publish(client, editors.bawaslu, editors.kpu, title="Versi dua", body="Isi kedua")
    rejected = draft(client, editors.kpu, title="Versi tiga", body="Isi ketiga")
    r = client.post(f"{GUIDE}/versions/{rejected['id']}/reject", headers=editors.bawaslu, json={})
    assert r.status_code == 422  # a reviewer says why
    r = client.post(f"{GUIDE}/versions/{rejected['id']}/reject", headers=editors.bawaslu,
                    json={"reason": "Jam buka TPS salah"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"

    listed = client.get(f"{GUIDE}/versions?key=how-to-vote&lang=id", headers=editors.kpu).json()
    assert [(v["number"], v["status"], v["current"]) for v in listed] == [
        (3, "rejected", False), (2, "published", True), (1, "published", False)]
    assert client.get(GUIDE + "?lang=id").json()["sections"][0]["title"] == "Versi dua"

    r = client.post(f"{GUIDE}/versions/{v1['id']}/rollback", headers=editors.kpu,
                    json={"reason": "Versi dua memuat jam buka yang keliru"})
    assert r.status_code == 200 and r.json()["current"]
    section = client.get(GUIDE + "?lang=id").json()["sections"][0]
    assert (section["title"], section["version"]) == ("Versi satu", 1)

    # Rolling back to the current one, or to something never published, is refused.
    assert client.post(f"{GUIDE}/versions/{v1['id']}/rollback", headers=editors.kpu).status_code == 409
    r = client.post(f"{GUIDE}/versions/{rejected['id']}/rollback", headers=editors.kpu)
    assert r.status_code == 409
    # ... and forward again to version two.
    assert client.post(f"{GUIDE}/versions/{v2['id']}/rollback", headers=editors.bawaslu).status_code == 200
    assert client.get(GUIDE + "?lang=id").json()["sections"][0]["title"] == "Versi dua"

    with db.session() as s:
        events = events_for(s, "guide_page", v1["page_id"])
        assert [e.action for e in events] == ["guide.rolled_back", "guide.rolled_back"]
        assert events[0].data["to_version_id"] == v1["id"]
        assert events[0].data["from_version_id"] == v2["id"]
        assert events[0].actor == f"user:{editors.kpu_id}"
        published = events_for(s, "guide_version", v2["id"])
        assert [e.action for e in published] == ["guide.draft_created", "guide.published"]
        assert published[1].actor == f"user:{editors.kpu_id}"


def test_languages_are_separate_pages(client, editors):
    publish(client, editors.kpu, editors.bawaslu, lang="id", title="Cara mencoblos", body="Coblos sekali.")
    publish(client, editors.kpu, editors.bawaslu, lang="en", title="How to vote", body="Punch once.")
    id_guide = client.get(GUIDE + "?lang=id").json()
    en_guide = client.get(GUIDE + "?lang=en").json()
    assert [s["title"] for s in id_guide["sections"]] == ["Cara mencoblos"]
    assert [s["title"] for s in en_guide["sections"]] == ["How to vote"]
    assert id_guide["election"]["name"] == "Pemilu 2024"
    assert en_guide["election"]["name"] == "2024 General Election"
    labels = {d["label"] for d in en_guide["key_dates"]}
    assert {"Voting day", "Campaign period begins"} <= labels
    assert "Hari pemungutan suara" in {d["label"] for d in id_guide["key_dates"]}
    assert client.get(GUIDE + "?lang=fr").status_code == 422


def test_who_may_edit(client, editors, world):
    body = {"lang": "id", "key": "hotlines", "title": "Layanan", "body": "x"}
    for role in ("moderator", "service", "partner_reporter"):
        partner = world.partner(f"P {role}") if role == "partner_reporter" else None
        r = client.post(f"{GUIDE}/versions", json=body, headers=bearer(world.key(role, partner)))
        assert r.status_code == 403, role
    assert client.get(f"{GUIDE}/versions", headers=bearer(world.key("moderator"))).status_code == 403
    assert client.get(f"{GUIDE}/versions").status_code == 401

    # A provincial Bawaslu editor edits only region pages inside its province.
    jabar = world.partner("Bawaslu Provinsi Jawa Barat", region="32")
    jabar_editor = bearer(world.user("guide_editor", jabar)[1])
    r = client.post(f"{GUIDE}/versions", json=body, headers=jabar_editor)
    assert r.status_code == 403 and "region 32" in r.json()["error"]["message"]
    region = {"lang": "id", "kind": "region", "title": "Pasangan calon", "body": "",
              "data": {"candidates": [{"number": 1, "names": "A - B"}]}}
    r = client.post("/api/v1/guide/pilkada-2024/versions", json={**region, "key": "35"},
                    headers=jabar_editor)
    assert r.status_code == 403
    r = client.post("/api/v1/guide/pilkada-2024/versions", json={**region, "key": "32.73"},
                    headers=jabar_editor)
    assert r.status_code == 201, r.text
    # and an admin may approve it.
    r = client.post(f"/api/v1/guide/pilkada-2024/versions/{r.json()['id']}/approve",
                    headers=bearer(world.key("admin")))
    assert r.status_code == 200


def test_bad_drafts_get_clear_errors(client, editors):
    url = f"{GUIDE}/versions"
    cases = [
        ({"lang": "id", "kind": "section", "key": "Bad Key!", "title": "t"}, "section key"),
        ({"lang": "id", "kind": "region", "key": "99.99", "title": "t"}, "unknown region"),
        ({"lang": "id", "kind": "tag", "key": "notice-tag", "title": "x" * 121}, "at most 120"),
        ({"lang": "id", "kind": "section", "key": "hotlines", "title": "t",
          "data": {"candidates": [{"number": 1, "names": "A"}]}}, "region pages"),
        ({"lang": "id", "kind": "tag", "key": "notice-tag", "title": "t",
          "data": {"link": "javascript:alert(1)"}}, "link must be"),
    ]
    for body, message in cases:
        r = client.post(url, json=body, headers=editors.kpu)
        assert r.status_code == 422, (body, r.text)
        assert message in r.json()["error"]["message"], r.text
    r = client.post("/api/v1/guide/pilkada-2024/versions", headers=editors.kpu,
                    json={"lang": "id", "kind": "region", "key": "34", "title": "t"})
    assert r.status_code == 422 and "holds no pilkada-2024" in r.json()["error"]["message"]
    assert client.post("/api/v1/guide/pemilu-2099/versions", headers=editors.kpu,
                       json={"lang": "id", "key": "hotlines", "title": "t"}).status_code == 404
