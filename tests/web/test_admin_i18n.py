"""Admin pages, the audit browser's chain status, and translations of every page string."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from sqlalchemy import text

from salingjaga.domains import DOMAINS
from tests.conftest import bearer
from tests.web.helpers import csrf_from, make_user, sign_in

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "salingjaga"


def template_messages() -> list[str]:
    """Every message the pages' templates pass to _(): the shared layout's and every
    domain's own (``<domain>/templates/<domain>/``)."""
    found: list[str] = []
    for path in sorted(PACKAGE.glob("*/templates/*/**/*.html")):
        with open(path, "rb") as fh:
            for _line, _func, msg, _comments in babel_extract(
                    fh, ["_", "gettext"], [], {"extensions": "jinja2.ext.i18n",
                                              "trim_blocks": "true", "lstrip_blocks": "true"}):
                found.append(msg if isinstance(msg, str) else msg[0])
    return found


def indonesian_catalog() -> dict[str, str]:
    """Every domain's Indonesian catalogue merged as ``web.i18n.translations`` merges them
    (in ``DOMAINS`` order, a later catalogue winning)."""
    merged: dict[str, str] = {}
    for domain in DOMAINS:
        for po in sorted((PACKAGE / domain / "locale" / "id" / "LC_MESSAGES").glob("*.po")):
            with open(po, encoding="utf-8") as fh:
                for message in read_po(fh):
                    if message.id and isinstance(message.id, str) and message.string:
                        merged[message.id] = str(message.string)
    return merged


def test_every_page_string_has_an_indonesian_translation():
    messages = template_messages()
    assert len(messages) > 200
    # the moved pages are among those read (a glob gone wrong would silently check less)
    read = set(PACKAGE.glob("*/templates/*/**/*.html"))
    folders = {p.parent.relative_to(PACKAGE).parts[0] for p in read}
    assert {"web", "moderation", "partners", "factcheck", "guide", "policies"} <= folders
    # the admin pages of users, roles and the audit log (auth's and audit's, in the shell)
    shell = PACKAGE / "web" / "templates" / "web"
    assert {shell / "admin_users.html", shell / "admin_roles.html", shell / "admin_audit.html"} <= read
    catalog = indonesian_catalog()
    missing = [m for m in messages if m not in catalog]
    assert missing == []
    # placeholders survive translation
    for m in messages:
        placeholders = set(re.findall(r"%\(\w+\)s", m))
        if placeholders:
            assert set(re.findall(r"%\(\w+\)s", catalog[m])) == placeholders, m


def test_admin_creates_a_partner_and_its_key_is_shown_once(client, world):
    make_user(world, "admin", "admin@sj.id")
    sign_in(client, "admin@sj.id")
    page = client.get("/admin")
    r = client.post("/admin/partners", data={
        "csrf_token": csrf_from(page.text), "name": "Bawaslu <b>Kota</b> Bogor", "kind": "election_supervisor",
        "organisation": "bawaslu", "region": "32.71", "trusted": "true",
        "policies": ["misinformation", "campaign_rules"]})
    assert r.status_code == 201, r.text
    key = re.search(r'id="api-key">([^<]+)<', r.text).group(1)
    assert "Bawaslu &lt;b&gt;Kota&lt;/b&gt; Bogor" in r.text
    me = client.get("/api/v1/me", headers=bearer(key))
    assert me.json()["role"] == "partner_reporter"
    listing = client.get("/admin").text
    assert "Bawaslu &lt;b&gt;Kota&lt;/b&gt; Bogor" in listing
    users = client.get("/admin/users").text
    assert key not in users
    assert key[:10] in users  # only the prefix is ever shown again


def test_admin_partner_form_errors_are_shown(client, world):
    make_user(world, "admin", "admin@sj.id")
    sign_in(client, "admin@sj.id")
    r = client.post("/admin/partners", data={
        "csrf_token": csrf_from(client.get("/admin").text), "name": "Tanpa kebijakan",
        "kind": "civil_society", "trusted": "true"})
    assert r.status_code == 422
    assert ("A trusted flagger needs at least one policy area. "
            "Choose its policy areas, or leave it not trusted.") in r.text


def test_admin_creates_a_user_who_can_sign_in_and_revokes_a_key(client, world):
    make_user(world, "admin", "admin@sj.id")
    sign_in(client, "admin@sj.id")
    token = csrf_from(client.get("/admin/users").text)
    r = client.post("/admin/users", data={"csrf_token": token, "name": "Sari", "role": "senior_moderator",
                                          "email": "sari@sj.id", "password": "kata-sandi-panjang",
                                          "language": "id", "issue_key": "true"})
    assert r.status_code == 201
    key = re.search(r'id="api-key">([^<]+)<', r.text).group(1)
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    users = client.get("/admin/users").text
    key_id = re.search(r'/admin/keys/(key_[0-9a-f]+)/revoke', users.split("Sari")[1]).group(1)
    client.post(f"/admin/keys/{key_id}/revoke", data={"csrf_token": token})
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
    client.cookies.clear()
    assert sign_in(client, "sari@sj.id", password="kata-sandi-panjang").headers["location"] == "/console"


def test_audit_page_shows_chain_status_and_detects_tampering(client, world, db):
    make_user(world, "admin", "admin@sj.id")
    world.partner("Perludem", kind="civil_society", organisation="perludem")
    sign_in(client, "admin@sj.id")
    page = client.get("/admin/audit")
    assert "Chain intact" in page.text
    assert "partner.created" in page.text
    with db.session() as s:
        s.execute(text("UPDATE audit_events SET actor = 'user:intruder' WHERE position = 1"))
    page = client.get("/admin/audit?lang=id")
    assert "Rantai rusak" in page.text
    assert "Entri rusak pertama: 1" in page.text


def test_roles_and_policies_pages(client, world):
    make_user(world, "auditor", "audit@sj.id")
    sign_in(client, "audit@sj.id")
    assert "partners.create" in client.get("/admin/roles").text
    policies = client.get("/admin/policies?lang=id").text
    assert "Integritas Pemilu dan Sipil" in policies
    assert "Ambang batas perutean" in policies
    assert "hash_match_to_removed_media" in policies  # detection/routing.toml, read as data
    assert client.get("/admin/users").status_code == 403


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_console_and_portal_page_renders_in_both_languages(client, world, lang):
    from tests.web.conftest import Scene  # noqa: F401 - documents where the richer world lives

    p = world.partner()
    make_user(world, "partner_reporter", "rep@sj.id", p)
    make_user(world, "moderator", "mod@sj.id")
    make_user(world, "admin", "admin@sj.id")
    expected = {"id": ["Kirim laporan", "Umpan balik"], "en": ["File a notice", "Feedback"]}[lang]
    sign_in(client, "rep@sj.id", lang=lang)
    for path in ("/portal", "/portal/new", "/portal/bulk", "/portal/feedback"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.text.count(expected[0]) >= 1 and expected[1] in r.text, path
    client.cookies.clear()
    sign_in(client, "mod@sj.id", lang=lang)
    queue = client.get("/console").text
    assert ("Klaim berikutnya" if lang == "id" else "Claim next") in queue
    assert ("Antrean kosong." if lang == "id" else "The queue is empty.") in queue
    client.cookies.clear()
    sign_in(client, "admin@sj.id", lang=lang)
    for path in ("/admin", "/admin/users", "/admin/roles", "/admin/policies", "/admin/audit"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert ("Log audit" if lang == "id" else "Audit log") in r.text
