"""The homes, the notices' pictures, keyframes and the referrals tab over HTTP, on SQLite and
PostgreSQL: the counts by the status a partner sees (a decision under second review counts
as under review) equal the portal's rows for that status, the queue-health figures equal
the console's rows for each deadline filter, and a video's keyframes are made from the
stored file and served by number to those who may read content only."""

from __future__ import annotations

import base64
import re

from salingjaga.auth.principal import SYSTEM
from tests.web.conftest import add_content
from tests.web.helpers import csrf_from, sign_in
from tests.web.test_portal_console import file_notice


def _rows(html: str, table: str) -> int:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return body.count("<tr data-row")


def _figures(html: str, pattern: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(n)) for href, n in re.findall(pattern, html)]


def test_partner_home_counts_equal_the_portal_rows(client, scene):
    sign_in(client, "nina@bandung.id")
    first, _ = file_notice(client, scene)
    file_notice(client, scene, explanation="Masih beredar di grup warga.")
    client.cookies.clear()
    sign_in(client, "dewi@mod.id")
    queue = client.get("/console")
    case_url = client.post("/console/claim", data={"csrf_token": csrf_from(queue.text)},
                           follow_redirects=False).headers["location"].split("?")[0]
    case = client.get(case_url)
    r = client.post(f"{case_url}/decide", data={
        "csrf_token": csrf_from(case.text), "action": "remove", "policy": "civic_election_integrity",
        "facts": "Prosedur pemungutan suara palsu."}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    home = client.get("/?lang=en").text
    assert "Your office's notices" in home and 'id="notices-per-week"' in home
    cards = _figures(home, r'<a class="card stat" href="(/portal\?status=\w+)" data-status="\w+">'
                           r'<span class="muted small">[^<]+</span><strong>(\d+)</strong>')
    assert len(cards) == 4
    # both notices joined the decided case, which a second review still checks
    assert dict(cards)["/portal?status=in_review"] == 2 and dict(cards)["/portal?status=decided"] == 0
    for href, n in cards:
        assert _rows(client.get(href).text, "notices") == n, href
    weeks = [int(n) for n in re.findall(r'data-count="(\d+)"', home)]
    assert len(weeks) == 12 and sum(weeks) == 2
    portal = client.get("/portal").text
    assert f'href="/portal/notices/{first}" translate="no">Coblos lewat WA!' in portal  # the caption, not the URL
    assert "https://video.example" not in portal.split('id="notices"', 1)[1]
    notice = client.get(f"/portal/notices/{first}").text.split('id="notice-content"', 1)[1]
    assert notice.index("Coblos lewat WA!") < notice.index("https://video.example/@akun/vid-9001")


def test_moderator_home_counts_equal_the_console_rows(client, scene, db, settings):
    from salingjaga.moderation.service import open_case

    policies = ("misinformation", "hate_speech_sara", "misinformation")
    items = [add_content(db, settings, f"vid-80{n}", f"Video {n}") for n in range(len(policies))]
    with db.session() as s:
        for item, policy in zip(items, policies, strict=True):
            open_case(s, content_id=item, policy=policy, source="user_report", reason="laporan",
                      actor=SYSTEM, settings=settings)
    sign_in(client, "dewi@mod.id")
    home = client.get("/").text
    figures = _figures(home, r'<a href="(/console[^"]*)" data-(?:due|queue)="\w*">(\d+)</a>')
    assert len(figures) == 3 * 5 + 3 * 2  # three queues by deadline, and by two policies
    assert ("/console", 3) in figures and ("/console?policy=misinformation", 2) in figures
    for href, n in figures:
        page = client.get(href).text
        assert int(re.search(r'id="listed-count">(\d+)<', page).group(1)) == n == _rows(page, "queue"), href
    sign_in(client, "admin@sj.id")
    admin = client.get("/").text
    assert 'id="admin-home"' in admin and 'id="queue-health"' not in admin


def _video() -> bytes:
    from tests.detection.helpers import scene_video

    return scene_video(seed=3, seconds=4, size=(160, 120), fps=4, scene_seconds=1, codec="mpeg4")


def test_keyframes_are_made_from_the_stored_video_and_served_by_number(client, scene, db, settings):
    from salingjaga.moderation.service import open_case

    video = base64.b64encode(_video()).decode()
    content_id = add_content(db, settings, "vid-9100", "Video hoaks", media=[
        {"kind": "video", "filename": "../../etc/passwd.mp4", "data_base64": video}])
    damaged = base64.b64encode(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64).decode()  # an MP4 header only
    broken = add_content(db, settings, "vid-9101", "Video rusak", media=[
        {"kind": "video", "filename": "x.mp4", "data_base64": damaged}])
    with db.session() as s:
        case_id = open_case(s, content_id=content_id, policy="misinformation", source="user_report",
                            reason="laporan", actor=SYSTEM, settings=settings).id
        broken_case = open_case(s, content_id=broken, policy="misinformation", source="user_report",
                                reason="laporan", actor=SYSTEM, settings=settings).id
    sign_in(client, "dewi@mod.id")
    page = client.get(f"/console/cases/{case_id}").text
    sources = re.findall(r'<img src="(/console/pictures/[^"]+)"', page)
    assert len(sources) >= 2 and all(re.fullmatch(rf"/console/pictures/{content_id}/0/\d+", s) for s in sources)
    assert str(settings.data_dir) not in page and "previews/" not in page
    for src in sources:
        answer = client.get(src)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
        assert answer.content[:3] == b"\xff\xd8\xff"
    assert client.get(f"/console/pictures/{content_id}/0/{len(sources)}").status_code == 404
    assert client.get(f"/console/pictures/{content_id}/1/0").status_code == 404
    # a file that cannot be decoded has no pictures and the case still opens
    broken_page = client.get(f"/console/cases/{broken_case}")
    assert broken_page.status_code == 200 and 'id="keyframes"' not in broken_page.text
    queue = client.get("/console").text
    assert f'src="/console/pictures/{content_id}/0/0"' in queue
    client.cookies.clear()
    sign_in(client, "nina@bandung.id")
    assert client.get(sources[0]).status_code == 403
