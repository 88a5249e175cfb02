"""The public guide at election-day load: a fresh hit is answered from the cache entry's
encoded body and headers (the fast path), identical to what the declared route answers,
with the security headers every response carries; an expiry is rebuilt once, not once per
waiting request, and a stale copy is answered meanwhile."""

from __future__ import annotations

import threading
import time

from salingjaga.auth.middleware import CSP
from salingjaga.guide.caching import TTLCache, app_cache
from tests.guide.conftest import publish

GUIDE = "/api/v1/guide/pemilu-2024"


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "date"}


def test_a_fresh_hit_answers_as_the_declared_route_does(client, editors):
    publish(client, editors.kpu, editors.bawaslu)
    built = client.get(GUIDE + "?lang=id")  # a miss: the declared route builds the entry
    hit = client.get(GUIDE + "?lang=id")  # the fast path answers from it
    plain = client.get(GUIDE)  # no query: the default language, also from the entry
    assert built.status_code == hit.status_code == plain.status_code == 200
    assert built.content == hit.content == plain.content
    assert _headers(built) == _headers(hit) == _headers(plain)
    assert hit.headers["content-security-policy"] == CSP
    assert hit.headers["x-content-type-options"] == "nosniff"
    assert hit.headers["content-type"] == "application/json"
    assert int(hit.headers["content-length"]) == len(hit.content)
    etag = hit.headers["etag"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"x", W/{etag}'},
                    {"If-Modified-Since": hit.headers["last-modified"]}):
        again = client.get(GUIDE + "?lang=id", headers=headers)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"] == hit.headers["cache-control"]
        assert again.headers["content-security-policy"] == CSP
    assert client.get(GUIDE + "?lang=id", headers={"If-None-Match": '"other"'}).status_code == 200
    # What the fast path does not read goes the declared way: validation and errors.
    bad = client.get(GUIDE + "?lang=xx")
    assert bad.status_code == 422 and bad.headers["content-security-policy"] == CSP
    assert client.get(GUIDE + "?lang=en&x=1").json()["lang"] == "en"
    assert client.get("/api/v1/guide/no-such-election?lang=id").status_code == 404
    assert client.get(GUIDE + "/regions/99.99?lang=id").status_code == 404


def test_an_expired_entry_is_rebuilt_once_while_the_stale_copy_is_answered(client, editors, monkeypatch):
    from salingjaga.guide import service

    publish(client, editors.kpu, editors.bawaslu)
    etag = client.get(GUIDE + "?lang=id").headers["etag"]
    cache = app_cache(client.app)
    builds = []
    real = service.published_guide

    def counted(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "published_guide", counted)

    def together(n: int = 8, headers: dict[str, str] | None = None) -> list[int]:
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(
            client.get(GUIDE + "?lang=id", headers=headers).status_code)) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return answers

    cache.clear()  # a miss: the concurrent requests wait for one build
    assert together() == [200] * 8
    assert len(builds) == 1
    cache.ttl = 0.5
    cache.clear()
    together(1)
    time.sleep(0.6)  # past fresh, within the stale window
    # Answered at once (the stale copy, the validators unchanged while nothing was
    # published) while one of them rebuilds it.
    assert together(headers={"If-None-Match": etag}) == [304] * 8
    assert len(builds) == 3
    assert cache.lookup(("guide", "pemilu-2024", "id", service.today_wib()))[1]  # fresh again


def test_cache_builds_a_key_once_for_concurrent_callers_and_serves_stale():
    cache = TTLCache(ttl=60, stale=60)
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "built"

    out: list[str] = []
    threads = [threading.Thread(target=lambda: out.append(cache.get_or_set("k", slow))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert out == ["built"] * 6 and len(calls) == 1
    cache.ttl = 0.0
    cache.store("k", "old")
    assert cache.lookup("k") == ("old", False)  # stale, still answered
    assert cache.claim_refresh("k") and not cache.claim_refresh("k")  # one refresher
    cache.refreshed("k")
    # A build that began before a clear (a publish) is not stored.
    generation = cache.generation
    cache.clear()
    cache.store("k", "from before the publish", generation)
    assert cache.lookup("k") == (None, False)
    cache.stale = 0.0
    cache.store("k", "gone")
    assert cache.lookup("k") == (None, False)
