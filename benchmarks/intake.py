"""Notice intake on PostgreSQL: 32 concurrent partners posting notices to two API processes,
each notice committed (synchronous commit, fsync on) before its receipt is answered. The
baseline is the same two servers answering ``/healthz`` under the same load: the ceiling set
by HTTP and Python alone on this machine."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from benchmarks._cpu import cpu_window
from benchmarks._load import run_load
from benchmarks._seed import bulk_insert
from benchmarks.run import Context, Skip
from salingjaga.core.db import Database
from salingjaga.dev.servers import free_port, stop_pid
from salingjaga.wiring import wire

CLIENTS = 32
CONTENT_ITEMS = 50_000


@dataclass
class Servers:
    """The processes a benchmark drives: API servers (URLs and PIDs) and the worker that
    runs the periodic work (audit chaining, lease expiry, rollups) beside them."""

    urls: list[str]
    api_pids: list[int]
    worker_pids: list[int]


def start_apis(ctx: Context, database_url: str, count: int = 2) -> Servers:
    """``count`` uvicorn API processes on the database and the run's Redis stream, plus one
    ``salingjaga worker``, in the production shape (``SALINGJAGA_PERIODIC=worker``: the API
    processes only answer requests, the worker does the periodic work)."""
    from salingjaga.stream.cluster import service_env, spawn_api, spawn_worker, wait_healthy

    env = service_env(database_url, ctx.redis().url, ctx.workdir / "data",
                      SALINGJAGA_LOG_JSON="false", SALINGJAGA_RATE_LIMIT_PER_MINUTE="100000000",
                      SALINGJAGA_AUDIT_DEFERRED="true", SALINGJAGA_PERIODIC="worker",
                      SALINGJAGA_STREAM_NAME=f"bench:{free_port()}")
    urls, pids = [], []
    for _ in range(count):
        port = free_port()
        pid = spawn_api(port, env, ctx.workdir / f"api-{port}.log")
        ctx.on_close(lambda pid=pid: stop_pid(pid))
        urls.append(f"http://127.0.0.1:{port}")
        pids.append(pid)
    worker = spawn_worker(f"bench-periodic-{free_port()}", env, ctx.workdir / "worker-periodic.log")
    ctx.on_close(lambda: stop_pid(worker))
    for url in urls:
        wait_healthy(url, timeout=120)
    return Servers(urls, pids, [worker])


def seed_content(db: Database, n: int) -> None:
    """One account and ``n`` content items with URLs https://bench.example/v/<g>."""
    from salingjaga.content.models import Account, ContentItem

    bulk_insert(db.engine, Account.__table__, 1, {"id": "'acc_bench'", "platform_id": "'bench-account'",
                                                  "handle": "'bench'", "kind": "'personal'"}, "acc")
    bulk_insert(db.engine, ContentItem.__table__, n, {
        "id": "'cnt_bench_' || g", "platform_id": "'bench-' || g", "url": "'https://bench.example/v/' || g",
        "account_id": "'acc_bench'", "kind": "'video'", "status": "'active'",
        "caption": "'Video kampanye nomor ' || g",
    }, "cnt")


def run(ctx: Context) -> list[dict[str, Any]]:
    """Notices/s, p50 and p99 beside /healthz on the same servers."""
    try:
        from salingjaga.notices.models import Notice
    except ImportError as exc:
        raise Skip(f"the notices module is not present: {exc}") from exc
    from salingjaga.auth.service import create_api_key, create_user
    from salingjaga.partners.service import create_partner

    wire()  # every table on the metadata, the handlers registered
    url = ctx.database("bench_intake")
    db = Database(url)
    seed_content(db, ctx.scale(CONTENT_ITEMS, 5_000))
    keys = []
    with db.session() as s:
        for i in range(8):
            p = create_partner(s, name=f"Bawaslu Bench {i}", kind="election_supervisor", region=None,
                               organisation=f"bawaslu-bench-{i}", trusted=True,
                               policies=["misinformation", "civic_election_integrity"])
            u = create_user(s, name=f"analyst {i}", role="partner_reporter", partner_id=p.id)
            keys.append(create_api_key(s, u.id))
    servers = start_apis(ctx, url)
    urls = servers.urls
    duration = ctx.scale(15, 4)
    n_items = ctx.scale(CONTENT_ITEMS, 5_000)

    health = run_load(urls, CLIENTS, lambda c, i: ("GET", "/healthz", {}, None), duration=duration)
    rng = random.Random(7)

    def notice(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        body = {
            "content": [{"url": f"https://bench.example/v/{rng.randint(1, n_items)}"}],
            "policy": "misinformation",
            "legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c",
            "explanation": "Video ini menyebarkan tanggal pemungutan suara yang salah dan mengajak "
                           "pemilih datang pada hari yang keliru.",
            "region": None, "election": None, "contact": "pengawasan@bawaslu.example", "good_faith": True,
        }
        headers = {"Authorization": f"Bearer {keys[c % len(keys)]}", "Idempotency-Key": f"bench-{c}-{i}"}
        return "POST", "/api/v1/notices", headers, body

    with cpu_window(servers.api_pids, ctx.postgres().pid, servers.worker_pids) as cpu:
        result = run_load(urls, CLIENTS, notice, duration=duration, keep_bodies=True)
        cpu.requests = result.completed
    ok = result.statuses.get(201, 0)
    errors = {k: v for k, v in result.statuses.items() if k != 201}
    if errors:
        sample = next((b for b in result.bodies if b and not b.startswith(b'{"id"')), b"")
        raise RuntimeError(f"notice intake answered {errors}: {sample[:300]!r}")
    receipts = {json.loads(b)["id"] for b in result.bodies}
    with db.session() as s:
        stored = s.scalar(select(func.count()).select_from(Notice).where(Notice.id.in_(receipts)))
    db.dispose()
    if stored != len(receipts):
        raise RuntimeError(f"{len(receipts)} receipts answered but {stored} notices stored")
    return [
        ctx.figure("notices/s (32 clients, durable)", result.rate, "/s", "/healthz rate", health.rate,
                   target=">= 500/s", meets=result.rate >= 500, requests=ok, **cpu.per_request_ms()),
        ctx.figure("notice p50", result.pct(0.50), "ms", "/healthz p50", health.pct(0.50)),
        ctx.figure("notice p99", result.pct(0.99), "ms", "/healthz p99", health.pct(0.99),
                   target="<= 100 ms", meets=result.pct(0.99) <= 100),
    ]
