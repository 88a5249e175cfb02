"""Security headers, rate limits, body limits and hostile request bodies."""

import time
import uuid

import pytest
from fastapi.testclient import TestClient

from salingjaga.app import create_app
from tests.conftest import bearer


def test_security_headers_on_api_and_pages(client):
    for path in ("/healthz", "/", "/api/v1/policies", "/api/v1/nothing-here"):
        r = client.get(path)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_rate_limit_per_key_answers_429_with_retry_after(settings, world):
    settings.rate_limit_per_minute = 5
    app = create_app(settings)
    key_a, key_b = world.key("moderator"), world.key("moderator")
    with TestClient(app) as c:
        codes = [c.get("/api/v1/me", headers=bearer(key_a)).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        r = c.get("/api/v1/me", headers=bearer(key_a))
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["error"]["code"] == "rate_limited"
        # another key has its own budget; health checks are never limited
        assert c.get("/api/v1/me", headers=bearer(key_b)).status_code == 200
        assert all(c.get("/healthz").status_code == 200 for _ in range(10))


@pytest.mark.redis
def test_rate_limit_is_shared_by_api_processes_through_redis(settings, world, redis_server):
    """Two API servers on one Redis count one budget per key: a partner cannot double its
    limit by spreading requests over servers."""
    shared = settings.model_copy(update={"stream": "redis", "redis_url": redis_server.url,
                                         "stream_name": f"test:{uuid.uuid4().hex}",
                                         "rate_limit_per_minute": 4})
    key = world.key("moderator")
    if time.time() % 60 > 55:  # keep the whole test inside one one-minute window
        time.sleep(61 - time.time() % 60)
    with TestClient(create_app(shared, start_workers=False)) as one, \
            TestClient(create_app(shared, start_workers=False)) as two:
        codes = [c.get("/api/v1/me", headers=bearer(key)).status_code for c in (one, two, one, two, one, two)]
    assert codes == [200, 200, 200, 200, 429, 429]


@pytest.mark.redis
def test_servers_take_the_budget_in_slices_and_never_pass_the_limit(settings, world, redis_server):
    """With a larger limit each server takes a twentieth of the budget per Redis round trip:
    far fewer round trips than requests, and never more requests than the limit."""
    import redis

    shared = settings.model_copy(update={"stream": "redis", "redis_url": redis_server.url,
                                         "stream_name": f"test:{uuid.uuid4().hex}",
                                         "rate_limit_per_minute": 100})
    key = world.key("moderator")
    if time.time() % 60 > 50:  # keep the whole test inside one one-minute window
        time.sleep(61 - time.time() % 60)
    stats = redis.Redis.from_url(redis_server.url)
    before = stats.info("commandstats").get("cmdstat_eval", {}).get("calls", 0)
    with TestClient(create_app(shared, start_workers=False)) as one, \
            TestClient(create_app(shared, start_workers=False)) as two:
        codes = [c.get("/api/v1/me", headers=bearer(key)).status_code for _ in range(65) for c in (one, two)]
    round_trips = stats.info("commandstats")["cmdstat_eval"]["calls"] - before
    stats.close()
    allowed = codes.count(200)
    assert 95 <= allowed <= 100  # at most one slice (5) held unspent by the other server
    assert codes.count(429) == len(codes) - allowed
    assert round_trips <= 24  # one per slice taken and one refusal per server, not one per request


def test_requests_go_on_with_the_limit_per_server_when_redis_is_down(settings, world):
    """Redis holds only counters: when it does not answer, requests are still served and
    the limit still holds, counted by the server itself."""
    from salingjaga.dev.servers import free_port

    down = settings.model_copy(update={"stream": "redis", "redis_url": f"redis://127.0.0.1:{free_port()}/0",
                                       "rate_limit_per_minute": 3})
    key = world.key("moderator")
    if time.time() % 60 > 55:  # keep the whole test inside one one-minute window
        time.sleep(61 - time.time() % 60)
    with TestClient(create_app(down, start_workers=False)) as c:
        codes = [c.get("/api/v1/me", headers=bearer(key)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_hostile_bodies_are_clear_4xx(client, world):
    admin = {**bearer(world.key("admin")), "content-type": "application/json"}
    deep = b"[" * 50000 + b"]" * 50000
    for body in (deep, b'{"name": "\xff\xfe"}', b'{"name": ', b"\x00\x01"):
        r = client.post("/api/v1/partners", content=body, headers=admin)
        assert 400 <= r.status_code < 500, body[:10]
        assert "error" in r.json()
    assert client.get("/api/v1/partners", headers=admin).json() == []


def _script_src(csp: str) -> str:
    return next(part for part in csp.split(";") if part.strip().startswith("script-src"))


def test_no_page_or_answer_lets_inline_scripts_run(client):
    """script-src without 'unsafe-inline': an injected <script> or on* handler is refused."""
    for path in ("/", "/login", "/api/v1/policies", "/api/v1/nothing-here", "/no-such-page",
                 "/panduan/pemilu-2024", "/transparency"):
        r = client.get(path)
        assert "'unsafe-inline'" not in _script_src(r.headers["content-security-policy"]), path


def test_security_headers_are_the_outermost_middleware(app):
    from salingjaga.auth.middleware import SecurityHeaders

    assert app.user_middleware[0].cls is SecurityHeaders


def test_413_429_and_500_carry_the_headers_and_the_error_shape(settings, world):
    """Answers made by middleware (413, 429) and by an unhandled exception (500) are
    answers like any other: security headers, JSON error shape."""
    settings.rate_limit_per_minute = 3
    settings.max_body_bytes = 1000
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/boom", boom)
    admin = bearer(world.key("admin"))
    with TestClient(app, raise_server_exceptions=False) as c:
        too_big = c.post("/api/v1/partners", content=b"x" * 2000,
                         headers={**admin, "content-type": "application/json"})
        failed = c.get("/api/v1/boom", headers=admin)
        codes = [c.get("/api/v1/me", headers=admin) for _ in range(3)]
    limited = codes[-1]
    for r, status, code in ((too_big, 413, "payload_too_large"), (failed, 500, "internal_error"),
                            (limited, 429, "rate_limited")):
        assert r.status_code == status
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], status
        assert r.headers["x-content-type-options"] == "nosniff", status
    assert "a bug" not in failed.text  # the exception's text stays in the server's log


def test_made_up_keys_do_not_get_budgets_of_their_own(settings):
    """The defect: 700 requests with ``Bearer junk-<uuid>`` all answered 200, because the
    limit counted each made-up key apart. Keys no user holds count on the address."""
    import uuid

    settings.rate_limit_per_minute = 5
    if time.time() % 60 > 55:  # keep the whole test inside one one-minute window
        time.sleep(61 - time.time() % 60)
    with TestClient(create_app(settings)) as c:
        codes = [c.get("/api/v1/policies", headers=bearer(f"junk-{uuid.uuid4()}")).status_code
                 for _ in range(8)]
        # the address is out of budget: no key, made-up or not, buys another request
        assert c.get("/api/v1/policies").status_code == 429
    assert codes == [200] * 5 + [429] * 3


def test_a_made_up_key_is_looked_up_once_then_refused_from_memory(settings):
    from sqlalchemy import event

    app = create_app(settings)
    lookups = []

    @event.listens_for(app.state.db.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        if "api_keys" in statement:
            lookups.append(statement)

    with TestClient(app) as c:
        codes = [c.get("/api/v1/me", headers=bearer("junk-the-same")).status_code for _ in range(5)]
    assert codes == [401] * 5
    assert len(lookups) == 1


def test_all_keys_of_one_user_share_one_budget(settings, world):
    from salingjaga.auth.service import create_api_key

    settings.rate_limit_per_minute = 4
    user_id, first = world.user("moderator")
    with world.db.session() as s:
        second = create_api_key(s, user_id)
    if time.time() % 60 > 55:
        time.sleep(61 - time.time() % 60)
    with TestClient(create_app(settings)) as c:
        codes = [c.get("/api/v1/me", headers=bearer(k)).status_code for k in (first, second) * 3]
    assert codes == [200] * 4 + [429] * 2


@pytest.mark.redis
def test_a_burst_through_http_admits_exactly_the_limit_with_redis(settings, world, redis_server):
    """Concurrent requests of one key at a minute's start: exactly the limit is served, the
    rest get 429 (the defect admitted 49 of 600 and then refused the key all minute)."""
    import asyncio

    import httpx

    shared = settings.model_copy(update={"stream": "redis", "redis_url": redis_server.url,
                                         "stream_name": f"test:{uuid.uuid4().hex}",
                                         "rate_limit_per_minute": 60})
    key = world.key("moderator")
    app = create_app(shared, start_workers=False)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sj") as http:
            warm = await http.get("/api/v1/me", headers=bearer(key))  # the key is known from here on
            rest = await asyncio.gather(*[http.get("/api/v1/me", headers=bearer(key)) for _ in range(100)])
        return [warm.status_code, *(r.status_code for r in rest)]

    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    codes = asyncio.run(burst())
    assert codes.count(200) == 60 and codes.count(429) == 41
