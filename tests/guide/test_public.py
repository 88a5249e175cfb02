"""What the public and the app see: cached JSON and pages with validators, sanitised
Markdown, the countdown, both languages and the region pages."""

from __future__ import annotations

from datetime import timedelta

from salingjaga.guide.service import today_wib
from tests.guide.conftest import draft, publish

GUIDE = "/api/v1/guide/pemilu-2024"
HOSTILE = """\
Bawa e-KTP.

<script>alert('xss-block')</script>

Klik <a href="https://evil.example" onclick="alert('xss-onclick')">di sini</a>
<img src="x" onerror="alert('xss-img')"> [tautan](javascript:alert('xss-link'))
<iframe src="https://evil.example/frame"></iframe>

[Cek DPT](https://cekdptonline.kpu.go.id) atau telepon [148](tel:148).
"""


def test_script_in_markdown_is_neutralised_in_json_and_pages(client, editors):
    publish(client, editors.kpu, editors.bawaslu, body=HOSTILE)
    html = client.get(GUIDE + "?lang=id").json()["sections"][0]["html"]
    page = client.get("/panduan/pemilu-2024").text
    for text in (html, page):
        assert "<script>alert" not in text
        assert "onclick" not in text and "onerror" not in text
        assert "javascript:" not in text
        assert "<iframe" not in text and "<img" not in text
        assert "evil.example" not in text  # raw HTML is dropped, not just disarmed
        assert '<a href="https://cekdptonline.kpu.go.id" rel="noopener noreferrer">Cek DPT</a>' in text
        assert '<a href="tel:148" rel="noopener noreferrer">148</a>' in text
    # The only script on the page is our own countdown, which the policy allows by hash.
    csp = client.get("/panduan/pemilu-2024").headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp


def test_etag_and_last_modified_give_304_until_something_is_published(client, editors):
    publish(client, editors.kpu, editors.bawaslu)
    first = client.get(GUIDE + "?lang=id")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"].startswith("public")
    # what a CDN in front needs: a shared-cache lifetime and leave to serve stale copies
    assert {"s-maxage=60", "stale-while-revalidate=60", "stale-if-error=86400"} <= {
        d.strip() for d in first.headers["cache-control"].split(",")}
    again = client.get(GUIDE + "?lang=id", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(GUIDE + "?lang=id", headers={"If-Modified-Since": modified}).status_code == 304
    # Another language is another representation.
    en = client.get(GUIDE + "?lang=en")
    assert en.headers["etag"] != etag
    assert client.get(GUIDE + "?lang=en", headers={"If-None-Match": etag}).status_code == 200

    page = client.get("/panduan/pemilu-2024")
    assert page.headers["etag"] != etag
    assert client.get("/panduan/pemilu-2024",
                      headers={"If-None-Match": page.headers["etag"]}).status_code == 304

    # A new publication changes the validators at once on this server.
    publish(client, editors.bawaslu, editors.kpu, key="hotlines", title="Layanan", body="x")
    fresh = client.get(GUIDE + "?lang=id", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert [s["key"] for s in fresh.json()["sections"]] == ["how-to-vote", "hotlines"]
    assert client.get("/panduan/pemilu-2024",
                      headers={"If-None-Match": page.headers["etag"]}).status_code == 200


def test_next_key_date_and_days_until_it(client, editors):
    soon = today_wib() + timedelta(days=10)
    later = today_wib() + timedelta(days=40)
    past = today_wib() - timedelta(days=3)
    publish(client, editors.kpu, editors.bawaslu, key="key-dates", title="Tanggal penting",
            body="Semua tanggal WIB.",
            data={"dates": [{"date": later.isoformat(), "label": "Debat ketiga"},
                            {"date": soon.isoformat(), "label": "Sosialisasi pemilih pemula"},
                            {"date": past.isoformat(), "label": "Yang sudah lewat"}]})
    guide = client.get(GUIDE + "?lang=id").json()
    assert guide["next_key_date"] == {"date": soon.isoformat(), "label": "Sosialisasi pemilih pemula",
                                      "source": "editor", "days_until": 10}
    dates = [d["date"] for d in guide["key_dates"]]
    assert dates == sorted(dates)
    assert "2024-02-14" in dates  # voting day, from the election's data file
    page = client.get("/panduan/pemilu-2024").text
    assert f'data-countdown="{soon.isoformat()}"' in page
    assert "Sosialisasi pemilih pemula" in page and "hari lagi menuju" in page


def test_public_pages_in_both_languages_with_a_switch_to_the_other_path(client, editors):
    publish(client, editors.kpu, editors.bawaslu, lang="id", title="Cara mencoblos", body="Coblos sekali.")
    publish(client, editors.kpu, editors.bawaslu, lang="en", title="How to vote", body="Punch once.")
    id_page = client.get("/panduan/pemilu-2024")
    en_page = client.get("/guide/pemilu-2024")
    assert id_page.status_code == en_page.status_code == 200
    assert '<html lang="id">' in id_page.text and '<html lang="en">' in en_page.text
    assert "Pusat Panduan Pemilu" in id_page.text and "Cara mencoblos" in id_page.text
    assert "Election Guide Center" in en_page.text and "How to vote" in en_page.text
    assert "How to vote" not in id_page.text
    assert 'href="/guide/pemilu-2024" hreflang="en"' in id_page.text
    assert 'href="/panduan/pemilu-2024" hreflang="id"' in en_page.text
    assert 'name="viewport"' in id_page.text
    r = client.get("/panduan/pemilu-2024?lang=en", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/guide/pemilu-2024"
    assert client.get("/panduan/pemilu-2099").status_code == 404


def test_region_pages_show_candidates_as_text_and_never_drafts(client, editors):
    url = "/api/v1/guide/pilkada-2024"
    publish(client, editors.kpu, editors.bawaslu, "pilkada-2024", kind="region", key="32",
            title="Pasangan calon", body="Info: [KPU Jabar](https://jabar.kpu.go.id)",
            data={"race": "Pemilihan Gubernur",
                  "candidates": [{"number": 2, "names": "Calon Dua - Wakil Dua"},
                                 {"number": 1, "names": "Calon Satu - Wakil Satu",
                                  "nominated_by": "perseorangan"}]})
    publish(client, editors.kpu, editors.bawaslu, "pilkada-2024", kind="region", key="32.73",
            title="Pasangan calon", data={"race": "Pemilihan Wali Kota",
                                          "candidates": [{"number": 1, "names": "Wali Satu"}]})
    draft(client, editors.kpu, "pilkada-2024", kind="region", key="32.04", title="Draf Bandung",
          data={"candidates": [{"number": 1, "names": "Calon Rahasia"}]})

    bandung = client.get(url + "/regions/32.73?lang=id").json()
    assert [r["region"]["code"] for r in bandung["races"]] == ["32", "32.73"]
    assert [c["names"] for c in bandung["races"][0]["candidates"]] == [
        "Calon Satu - Wakil Satu", "Calon Dua - Wakil Dua"]
    assert client.get(url + "/regions/32.04?lang=id").json()["races"][0]["region"]["code"] == "32"
    assert "Calon Rahasia" not in client.get(url + "/regions/32.04?lang=id").text
    assert [r["code"] for r in client.get(url + "?lang=id").json()["regions"]] == ["32", "32.73"]
    assert client.get(url + "/regions/32.73?lang=en").json()["races"] == []
    assert client.get(url + "/regions/34?lang=id").status_code == 404  # no governor race in DIY
    assert client.get(url + "/regions/99?lang=id").status_code == 404

    page = client.get("/panduan/pilkada-2024/wilayah/32.73")
    assert page.status_code == 200
    assert "Calon Satu - Wakil Satu" in page.text and "Wali Satu" in page.text
    assert "<img" not in page.text
    picker = client.get("/panduan/pilkada-2024")
    assert '<option value="32.73">' in picker.text
    r = client.get("/panduan/pilkada-2024?region=32.73", follow_redirects=False)
    assert r.headers["location"] == "/panduan/pilkada-2024/wilayah/32.73"
    r = client.get("/guide/pilkada-2024/regions/32.73?lang=id", follow_redirects=False)
    assert r.headers["location"] == "/panduan/pilkada-2024/wilayah/32.73"
