"""Errors have stable reasons: the API adds ``reason`` beside its unchanged code and
message, and the pages say each error in the page's language with what to do next."""

from __future__ import annotations

import re

import pytest

from salingjaga import parts, wiring
from salingjaga.core.errors import Invalid
from salingjaga.web import display
from salingjaga.web.i18n import translations
from salingjaga.web.reasons import merged
from tests.conftest import bearer
from tests.web.crawl import english_sentence
from tests.web.helpers import csrf_from, sign_in
from tests.web.test_error_pages import visible


def test_the_api_keeps_its_error_and_adds_the_reason(client, scene):
    r = client.post("/api/v1/notices", headers=bearer(scene.service_key), json={
        "content": [{"url": "https://video.example/@x/tidak-ada"}], "policy": "civic_election_integrity",
        "explanation": "uji", "good_faith": True})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "no content with url 'https://video.example/@x/tidak-ada' is known to the platform"
    assert error["reason"] == "content.unknown_url"
    r = client.post("/api/v1/notices", headers=bearer(scene.service_key), json={
        "content": [{"url": scene.content_url}], "policy": "no_such_policy", "good_faith": True, "explanation": "x"})
    assert r.json()["error"]["reason"] == "policy.unknown"
    # an error that has no reason keeps the shape it always had
    assert "reason" not in client.get("/api/v1/notices/ntc_nothing", headers=bearer(scene.service_key)).json()["error"]


ERRORS = merged(module.ERRORS for module in parts.ERROR_WORDS)


@pytest.mark.parametrize("reason", sorted(ERRORS))
def test_every_reason_is_said_in_both_languages_with_a_next_step(reason: str) -> None:
    wiring.wire()
    values: dict[str, object] = {
        "url": "https://video.example/@a/1", "ref": "cnt_x", "limit": 10 * 1024 * 1024, "n": 10,
        "code": "99.99", "level": "senior_moderator", "email": "a@b.id", "role": "partner_reporter",
        "field": "legal_ground"}
    what, then = ERRORS[reason]
    for name in re.findall(r"%\((\w+)\)", what + then):  # any other value: a number
        values.setdefault(name, 42)
    error = Invalid("english text", reason=reason, params=values)
    said = {lang: display.filters(translations(lang).gettext, lang)["message"](error) for lang in ("id", "en")}
    assert said["en"].startswith((what % values)[:8])
    assert said["en"].endswith(then % values if "%(" in then else then)
    assert said["id"] != said["en"] and "english text" not in said["id"]
    assert not english_sentence(said["id"]), said["id"]
    assert not re.search(r"senior_moderator|partner_reporter|legal_ground|10485760", said["id"] + said["en"])


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", ["Unggahan dengan alamat https://video.example/@x/tidak-ada belum dikenal platform.",
            "Periksa tautannya"]),
    ("en", ["No post with the address https://video.example/@x/tidak-ada is known to the platform yet.",
            "Check the link; if it is right"]),
])
def test_the_portal_says_an_unknown_post_with_the_next_step(client, scene, lang, expected):
    sign_in(client, "nina@bandung.id", lang=lang)
    form = client.get(f"/portal/new?lang={lang}")
    r = client.post("/portal/notices", data={
        "csrf_token": csrf_from(form.text), "content": "https://video.example/@x/tidak-ada",
        "policy": "civic_election_integrity", "explanation": "uji", "good_faith": "true"})
    assert r.status_code == 422
    shown = visible(r.text)
    for words in expected:
        assert words in shown
    assert "is known to the platform\n" not in shown and "no content with url" not in shown


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Kolom “Penjelasan” lebih dari 10000 karakter. Persingkat, lalu kirim formulir lagi."),
    ("en", "The field “Explanation” is longer than 10000 characters. Shorten it, then send the form again."),
])
def test_the_portal_names_a_refused_field_in_the_pages_language(client, scene, lang, expected):
    sign_in(client, "nina@bandung.id", lang=lang)
    form = client.get(f"/portal/new?lang={lang}")
    r = client.post("/portal/notices", data={
        "csrf_token": csrf_from(form.text), "content": scene.content_url,
        "policy": "civic_election_integrity", "explanation": "x" * 10_001, "good_faith": "true"})
    assert r.status_code == 422
    shown = visible(r.text)
    assert expected in shown
    assert "String should have" not in shown and "explanation:" not in shown


def test_the_console_says_a_decision_without_facts_in_indonesian(client, scene):
    from tests.web.test_portal_console import file_notice

    sign_in(client, "nina@bandung.id")
    file_notice(client, scene)
    client.cookies.clear()
    sign_in(client, "dewi@mod.id", lang="id")
    queue = client.get("/console?lang=id")
    r = client.post("/console/claim", data={"csrf_token": csrf_from(queue.text)}, follow_redirects=False)
    case_url = r.headers["location"].split("?")[0]
    case = client.get(case_url)
    r = client.post(case_url + "/decide", data={
        "csrf_token": csrf_from(case.text), "action": "remove", "policy": "civic_election_integrity", "facts": " "})
    assert r.status_code == 422
    shown = visible(r.text)
    assert "Keputusan belum berisi fakta." in shown and "Tulis apa yang Anda lihat" in shown
    assert "facts: say what you saw" not in shown
