"""The guide editor pages over HTTP: four eyes through the forms, the sanitised preview,
rollback, CSRF refusal, and who may open the editor at all."""

from __future__ import annotations

import re

import pytest

from salingjaga.audit.service import events_for
from salingjaga.guide.service import list_versions
from tests.web.helpers import csrf_from, make_user, sign_in

E = "/editor/pemilu-2024"
HOSTILE_MD = ("# Cara mencoblos\n\nBawa **e-KTP**.<script>alert('md')</script>\n\n"
              "[klik](javascript:alert(1)) [lagi](JaVa\tScRiPt:alert(2)) [KPU](https://kpu.go.id)\n\n"
              '<img src=x onerror="alert(3)">')


@pytest.fixture
def editors(world):
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    bawaslu = world.partner("Bawaslu RI")
    make_user(world, "guide_editor", "putri@kpu.id", kpu, name="Putri")
    make_user(world, "guide_editor", "hadi@bawaslu.id", bawaslu, name="Hadi")
    make_user(world, "moderator", "dewi@mod.id", name="Dewi")


def write_draft(client, title: str, body: str, key: str = "how-to-vote", glang: str = "id") -> str:
    """Open the draft form as an editor would, save it, and return the version page path."""
    form = client.get(f"{E}/{glang}/new?kind=section&key={key}")
    assert form.status_code == 200, form.text
    r = client.post(f"{E}/{glang}/drafts", data={"csrf_token": csrf_from(form.text), "kind": "section",
                                                 "key": key, "title": title, "body": body, "op": "save"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    path = r.headers["location"].split("?")[0]
    assert re.fullmatch(rf"{E}/versions/gvr_\w+", path)
    return path


def test_four_eyes_through_the_pages_then_rollback(client, editors, db):
    sign_in(client, "putri@kpu.id")
    home = client.get("/editor", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"].startswith("/editor/")
    assert 'href="/editor" aria-current="page">Guide editor</a>' in client.get(f"{E}/id").text  # role nav
    v1 = write_draft(client, "Cara mencoblos", "Bawa **e-KTP** ke TPS pukul 07.00.")
    assert "pukul 07.00" not in client.get("/panduan/pemilu-2024").text  # drafts are private

    page = client.get(v1)
    assert 'id="approve"' not in page.text  # the author is not offered approval...
    r = client.post(v1 + "/approve", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 403  # ...and is refused with the guide service's own message
    assert "another guide editor must approve it" in r.text and "Four-eyes rule" in r.text
    assert "pukul 07.00" not in client.get("/panduan/pemilu-2024").text

    client.cookies.clear()
    sign_in(client, "hadi@bawaslu.id", lang="id")
    queue = client.get(f"{E}/review")
    assert "Antrean tinjauan" in queue.text and "Cara mencoblos" in queue.text and "Putri" in queue.text
    page = client.get(v1)
    assert 'id="approve"' in page.text
    r = client.post(v1 + "/approve", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert "pukul 07.00" in client.get("/panduan/pemilu-2024").text  # public at once
    listing = client.get(f"{E}/id").text
    assert "v1" in listing and "Cara mencoblos" in listing

    # Hadi writes version 2, Putri approves it; then version 1 is restored from the history.
    v2 = write_draft(client, "Cara mencoblos (baru)", "Bawa e-KTP dan surat C6.")
    client.cookies.clear()
    sign_in(client, "putri@kpu.id")
    r = client.post(v2 + "/approve", data={"csrf_token": csrf_from(client.get(v2).text)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "surat C6" in client.get("/panduan/pemilu-2024").text
    history = client.get(f"{E}/id/pages/section/how-to-vote")
    assert history.status_code == 200
    assert f'action="{v1}/rollback"' in history.text and f'action="{v2}/rollback"' not in history.text
    r = client.post(v1 + "/rollback", data={"csrf_token": csrf_from(history.text), "reason": "C6 keliru"},
                    follow_redirects=False)
    assert r.status_code == 303
    public = client.get("/panduan/pemilu-2024").text
    assert "pukul 07.00" in public and "surat C6" not in public
    with db.session() as s:
        actions = [e.action for e in events_for(s, "guide_page", _page_id(s))]
    assert "guide.rolled_back" in actions


def _page_id(s) -> str:
    return list_versions(s, "pemilu-2024", lang="id", key="how-to-vote")[0][1].id


def test_preview_is_sanitised_and_saves_nothing(client, editors):
    sign_in(client, "putri@kpu.id")
    form = client.get(f"{E}/id/new?kind=section&key=how-to-vote")
    r = client.post(f"{E}/id/drafts", data={"csrf_token": csrf_from(form.text), "kind": "section",
                                            "key": "how-to-vote", "title": "Judul <b>tebal</b>",
                                            "body": HOSTILE_MD, "op": "preview"})
    assert r.status_code == 200
    preview = re.search(r'<section class="card" id="preview">(.*?)</section>', r.text, re.S).group(1)
    assert "<strong>e-KTP</strong>" in preview and '<a href="https://kpu.go.id"' in preview
    assert "<script" not in preview.lower() and "javascript" not in preview.lower()
    assert "<img" not in preview and "onerror" not in preview
    assert "Judul &lt;b&gt;tebal&lt;/b&gt;" in preview  # the title is text
    assert "&lt;script&gt;alert(&#39;md&#39;)" in r.text  # the source stays in the form, escaped
    assert "No page of this guide has been written" in client.get(f"{E}/id").text  # nothing saved

    version = write_draft(client, "Cara mencoblos", HOSTILE_MD)  # the saved draft renders the same way
    page = client.get(version).text
    rendered = re.search(r'<section class="card" id="rendered">(.*?)</section>', page, re.S).group(1)
    assert "<strong>e-KTP</strong>" in rendered
    assert "<script" not in rendered.replace("&lt;script", "") and 'href="javascript' not in rendered.lower()


def test_forms_without_the_csrf_token_change_nothing(client, editors, db):
    sign_in(client, "putri@kpu.id")
    version = write_draft(client, "Cara mencoblos", "Teks pertama")
    client.cookies.clear()
    sign_in(client, "hadi@bawaslu.id")
    assert client.post(version + "/approve", data={}).status_code == 403
    assert client.post(version + "/approve", data={"csrf_token": "forged"}).status_code == 403
    r = client.post(f"{E}/id/drafts", data={"csrf_token": "forged", "kind": "section", "key": "hotlines",
                                            "title": "Hotline", "body": "x", "op": "save"})
    assert r.status_code == 403
    with db.session() as s:
        assert [v.status for v, _p in list_versions(s, "pemilu-2024")] == ["draft"]  # nothing changed
    assert 'id="approve"' in client.get(version).text


def test_only_guide_editors_and_admins_open_the_editor(client, editors, world):
    r = client.get(f"{E}/id", follow_redirects=False)
    assert r.status_code in (303, 307) and r.headers["location"].startswith("/login")
    sign_in(client, "putri@kpu.id")
    version = write_draft(client, "Cara mencoblos", "Teks")
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    console = client.get("/console").text
    assert 'href="/editor"' not in console
    assert client.get(f"{E}/id").status_code == 403
    assert client.get(version).status_code == 403
    r = client.post(version + "/approve", data={"csrf_token": csrf_from(console)})
    assert r.status_code == 403
    client.cookies.clear()
    make_user(world, "admin", "admin@sj.id")
    sign_in(client, "admin@sj.id", lang="id")
    assert "Editor panduan" in client.get(f"{E}/en").text


def test_the_pages_list_filters_by_state(client, editors):
    """Each state lists the pages in it: a published page, and a second page whose first
    draft waits for approval (not published yet); both changed this week."""
    sign_in(client, "putri@kpu.id")
    published = write_draft(client, "Cara mencoblos", "Bawa e-KTP.")
    write_draft(client, "Nomor penting", "Hubungi KPU.", key="hotlines")
    client.cookies.clear()
    sign_in(client, "hadi@bawaslu.id")
    client.post(published + "/approve", data={"csrf_token": csrf_from(client.get(published).text)})
    expected = {"": {"how-to-vote", "hotlines"}, "published": {"how-to-vote"}, "awaiting": {"hotlines"},
                "unpublished": {"hotlines"}, "changed": {"how-to-vote", "hotlines"}}
    for state, keys in expected.items():
        text = client.get(f"{E}/id?state={state}").text
        assert set(re.findall(r'data-key-row="section/([\w-]+)"', text)) == keys, state
        assert f'id="listed-count">{len(keys)}<' in text, state
    assert 'data-key-row' not in client.get(f"{E}/en?state=published").text
