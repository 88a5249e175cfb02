"""Pure parts of the guide, without a database: sanitising, the calendar and countdown,
which election a tag names, and the HTTP validators."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.requests import Request

from salingjaga.guide.caching import TTLCache, http_date, make_etag, not_modified
from salingjaga.guide.markdown import render_markdown
from salingjaga.guide.service import KeyDate, calendar_dates, merge_key_dates, next_key_date
from salingjaga.guide.tags import pick_election
from salingjaga.regions.elections import all_elections, get_election


def test_sanitiser_removes_scripts_handlers_raw_html_and_bad_schemes():
    cases = {
        "<script>alert(1)</script>": "",
        "x <script>alert(1)</script> y": "<p>x alert(1) y</p>",
        "<b onmouseover=alert(1)>bold</b>": "<p>bold</p>",
        "[a](javascript:alert(1))": '<p><a rel="noopener noreferrer">a</a></p>',
        "[a](JaVa%09ScRiPt:alert(1))": '<p><a rel="noopener noreferrer">a</a></p>',
        "[a](data:text/html;base64,PHNjcmlwdD4=)": '<p><a rel="noopener noreferrer">a</a></p>',
        "![Foto calon](https://x.example/c.jpg)": "<p>Foto calon</p>",
        "<style>body{display:none}</style>": "",
        "<!-- komentar -->\n\nok": "<p>ok</p>",
    }
    for source, expected in cases.items():
        assert render_markdown(source).strip() == expected, source


def test_sanitiser_keeps_what_editors_need():
    html = render_markdown("# Judul\n\n**tebal** [KPU](https://www.kpu.go.id) [148](tel:148) "
                           "[surel](mailto:info@kpu.go.id) [bagian](#voter-list)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Judul</h2>" in html  # the page owns <h1>
    assert "<strong>tebal</strong>" in html
    for href in ("https://www.kpu.go.id", "tel:148", "mailto:info@kpu.go.id", "#voter-list"):
        assert f'href="{href}"' in html
    assert "<table>" in html and "<td>2</td>" in html


def test_calendar_and_countdown():
    pilkada = get_election("pilkada-2024")
    dates = calendar_dates(pilkada, "en")
    assert [(d.day.isoformat(), d.label) for d in dates] == [
        ("2024-09-25", "Campaign period begins"), ("2024-11-23", "Campaign period ends"),
        ("2024-11-24", "Quiet period (masa tenang) begins"), ("2024-11-27", "Voting day"),
        ("2024-12-16", "Vote recapitulation ends")]
    merged = merge_key_dates(dates, [KeyDate(date(2024, 9, 22), "Ballot numbers drawn", "editor"),
                                     KeyDate(date(2024, 11, 27), "Voting day", "editor")])
    assert [d.day for d in merged] == sorted(d.day for d in merged)
    assert len(merged) == 6  # the repeated voting day is shown once
    nxt = next_key_date(merged, date(2024, 11, 20))
    assert nxt is not None and (nxt.label, nxt.as_dict(date(2024, 11, 20))["days_until"]) == (
        "Campaign period ends", 3)
    assert next_key_date(merged, date(2024, 11, 24)).label == "Quiet period (masa tenang) begins"  # type: ignore[union-attr]
    assert next_key_date(merged, date(2024, 11, 27)).label == "Voting day"  # type: ignore[union-attr]
    assert next_key_date(merged, date(2025, 1, 1)) is None
    assert calendar_dates(pilkada, "id")[3].label == "Hari pemungutan suara"


def test_which_election_a_tag_names():
    elections = list(all_elections().values())
    pick = lambda region, day: getattr(pick_election(elections, region, day), "slug", None)  # noqa: E731
    assert pick("32.73", date(2024, 2, 1)) == "pemilu-2024"      # Pemilu campaign
    assert pick("32.73", date(2024, 11, 25)) == "pilkada-2024"   # Pilkada quiet period
    assert pick("32.73", date(2024, 7, 1)) == "pilkada-2024"     # the next one to come
    assert pick("32.73", date(2025, 6, 1)) == "pilkada-2024"     # the most recent
    assert pick("34", date(2024, 11, 25)) == "pemilu-2024"       # no governor race in DIY
    assert pick("34.71", date(2024, 11, 25)) == "pilkada-2024"   # but Kota Yogyakarta votes
    assert pick(None, date(2023, 6, 1)) == "pemilu-2024"


def _request(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})


def test_conditional_requests():
    etag = make_etag("guide", ["id", "2024-11-20", "gvr_1"])
    assert etag != make_etag("guide", ["en", "2024-11-20", "gvr_1"])
    assert etag != make_etag("guide", ["id", "2024-11-21", "gvr_1"])  # the countdown moved
    modified = datetime(2024, 11, 20, 8, 30, 15, tzinfo=UTC)
    assert not_modified(_request({"If-None-Match": etag}), etag, modified)
    assert not_modified(_request({"If-None-Match": f'W/{etag}, "other"'}), etag, modified)
    assert not not_modified(_request({"If-None-Match": '"other"'}), etag, modified)
    assert not_modified(_request({"If-Modified-Since": http_date(modified)}), etag, modified)
    assert not not_modified(_request({"If-Modified-Since": "Tue, 19 Nov 2024 00:00:00 GMT"}), etag, modified)
    assert not not_modified(_request({"If-Modified-Since": "garbage"}), etag, modified)
    # If-None-Match decides when both are sent.
    assert not not_modified(_request({"If-None-Match": '"other"',
                                      "If-Modified-Since": http_date(modified)}), etag, modified)


def test_cache_expires_and_is_bounded():
    cache = TTLCache(ttl=0.0)
    calls = []
    for _ in range(2):
        cache.get_or_set("k", lambda: calls.append(1) or len(calls))
    assert len(calls) == 2  # expired at once
    cache = TTLCache(ttl=60, maxsize=2)
    for key in ("a", "b", "c"):
        cache.get_or_set(key, lambda key=key: key)
    assert cache.get_or_set("a", lambda: "rebuilt") == "rebuilt"  # evicted as least recent
    assert cache.get_or_set("c", lambda: "rebuilt") == "c"
