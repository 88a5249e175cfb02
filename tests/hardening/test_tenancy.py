"""Tenancy across organisations and jurisdictions, and reporter identity never visible to
creators (issue 10; PRODUCT P1, P9)."""

from __future__ import annotations

import re

import pytest

from salingjaga.auth.permissions import roles_for
from tests.conftest import bearer
from tests.hardening.routes import route_table
from tests.moderation.helpers import make_content, notice_body

# Who sees whose notices: a province its regencies/cities, the national body everyone in
# its organisation, another organisation nobody else's.
SEES = {
    "ri": {"ri", "jabar", "bandung", "jatim"},
    "jabar": {"jabar", "bandung"},
    "bandung": {"bandung"},
    "jatim": {"jatim"},
    "perludem": {"perludem"},
}


@pytest.fixture
def orgs(client, world):
    service = world.key("service")
    made = {
        "ri": world.partner("Bawaslu RI"),
        "jabar": world.partner("Bawaslu Jawa Barat", region="32"),
        "bandung": world.partner("Bawaslu Kota Bandung", region="32.73"),
        "jatim": world.partner("Bawaslu Jawa Timur", region="35"),
        "perludem": world.partner("Perludem", kind="civil_society", organisation="perludem"),
    }
    out = {}
    for name, pid in made.items():
        reporter = world.key("partner_reporter", pid)
        item = make_content(client, service)
        r = client.post("/api/v1/notices", headers=bearer(reporter), json=notice_body(
            item, contact=f"{name}@pengawas.example", idempotency_key=f"{name}-2024-0001"))
        assert r.status_code == 201, r.text
        out[name] = {"partner": pid, "reporter": reporter, "admin": world.key("partner_admin", pid),
                     "notice": r.json()["id"]}
    user = world.key("user")
    citizen = make_content(client, service)
    r = client.post("/api/v1/notices", headers=bearer(user), json=notice_body(citizen))
    out["citizen"] = {"reporter": user, "notice": r.json()["id"]}
    moderator = world.key("moderator")
    for _ in range(len(made) + 1):  # decide every case so notifications and feedback exist
        case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
        r = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
            "action": "remove", "policy": "misinformation", "facts": "A false voting procedure."})
        assert r.status_code == 201, r.text
    return out


def test_each_partner_sees_exactly_its_jurisdiction(client, orgs, world):
    names = list(SEES)
    for viewer in names:
        for key in (orgs[viewer]["reporter"], orgs[viewer]["admin"]):
            listed = {n["id"] for n in client.get("/api/v1/notices", headers=bearer(key)).json()}
            assert listed == {orgs[o]["notice"] for o in SEES[viewer]}, viewer
            for owner in [*names, "citizen"]:
                notice_id = orgs[owner]["notice"]
                r = client.get(f"/api/v1/notices/{notice_id}", headers=bearer(key))
                visible = owner in SEES[viewer]
                assert r.status_code == (200 if visible else 404), (viewer, owner)
                if visible:  # a parent body sees the notice, not the notifier's contact
                    assert ("contact" in r.json()) is (owner == viewer), (viewer, owner)
                # only the notice's own partner may add evidence to it
                ev = client.post(f"/api/v1/notices/{notice_id}/evidence", headers=bearer(key),
                                 files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
                assert ev.status_code == (201 if owner == viewer else 404), (viewer, owner, ev.text)
            inbox = client.get("/api/v1/notifications", headers=bearer(key)).json()
            about = {i for n in inbox for i in n["payload"].get("notice_ids", [])}
            assert about == {orgs[viewer]["notice"]}, viewer
            for owner in names:
                pid = orgs[owner]["partner"]
                for path in (f"/api/v1/partners/{pid}/feedback", f"/api/v1/partners/{pid}/report?year=2024"):
                    r = client.get(path, headers=bearer(key))
                    assert r.status_code == (200 if owner == viewer else 404), (viewer, owner, path)
    citizen = orgs["citizen"]["reporter"]
    assert [n["id"] for n in client.get("/api/v1/notices", headers=bearer(citizen)).json()] == [
        orgs["citizen"]["notice"]]
    staff = world.key("auditor")
    assert len(client.get("/api/v1/notices", headers=bearer(staff)).json()) == len(names) + 1


PARAMS = {"content_id", "account_id", "decision_id", "statement_id", "notice_id", "slug", "feature"}


def test_no_service_key_endpoint_reveals_the_reporter(app, client, world):
    service = world.key("service")
    bandung = world.partner("Bawaslu Kota Bandung", region="32.73")
    reporter_id, reporter = world.user("partner_reporter", bandung, name="Nina Pengawas",
                                       email="nina@bawaslu-bandung.example")
    moderator = world.key("moderator")
    item = make_content(client, service, region="32.73")
    notice = client.post("/api/v1/notices", headers=bearer(reporter), json=notice_body(
        item, contact="pengawasan.bdg@bawaslu.example", idempotency_key="bdg-2024-0042")).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    decided = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": "remove", "policy": "misinformation", "facts": "A false voting procedure.",
        "account_action": "suspend", "suspend_days": 7}).json()
    account_decision = decided["account_decision"]
    secrets = [bandung, "Bawaslu Kota Bandung", reporter_id, "Nina Pengawas", "nina@bawaslu-bandung",
               "pengawasan.bdg@", notice["id"], "bdg-2024-0042"]
    bodies = []
    appeal = client.post(f"/api/v1/decisions/{decided['id']}/appeals", headers=bearer(service),
                         json={"reason": "Satire."})
    assert appeal.status_code == 201, appeal.text
    bodies.append(("POST appeal", appeal.text))
    again = client.post("/api/v1/content", headers=bearer(service), json={
        "platform_id": item["platform_id"], "kind": "video", "url": item["url"], "region": "32.73",
        "account": {"platform_id": "x-" + item["account_id"], "handle": "h"}})
    bodies.append(("POST content", again.text))

    values = {"content_id": [item["id"]], "account_id": [item["account_id"]],
              "decision_id": [decided["id"], account_decision["id"]],
              "statement_id": [decided["statement_id"], account_decision["statement_id"]],
              "notice_id": [notice["id"]], "slug": ["pilkada-2024"], "feature": ["live"]}
    walked = set()
    for route, perms in route_table(app).items():
        method, path = route.split(" ", 1)
        if method != "GET" or not path.startswith("/api/") or perms[0] == "public":
            continue
        if "service" not in roles_for(perms[0]):
            continue
        names = re.findall(r"\{([^}]+)\}", path)
        unknown = set(names) - PARAMS
        assert not unknown, f"{route}: give the tenancy test a value for {unknown}"
        urls = [path]
        for name in names:
            urls = [u.replace("{" + name + "}", v) for u in urls for v in values[name]]
        for url in urls:
            r = client.get(url, headers=bearer(service),
                           params={"account_id": item["account_id"]} if url.endswith("/notifications") else None)
            assert r.status_code < 500, (url, r.text)
            if "notice_id" in names:
                assert r.status_code == 404, (url, r.text)  # a creator's service never reads notices
                bodies.append((url, r.text.replace(notice["id"], "<the id asked for>")))
            else:
                bodies.append((url, r.text))
        walked.add(route)
    assert {"GET /api/v1/content/{content_id}", "GET /api/v1/decisions/{decision_id}",
            "GET /api/v1/statements/{statement_id}", "GET /api/v1/notifications",
            "GET /api/v1/notices", "GET /api/v1/notices/{notice_id}"} <= walked
    leaks = [(where, s) for where, text in bodies for s in secrets if s in text]
    assert leaks == []
