"""Queue claim: 50 moderators claiming the next case from a queue of 1 million open cases
on PostgreSQL, through two API processes. Each moderator pauses between claims (an
exponential think time, mean 0.25 s: far busier than people reading cases, so the load is
~200 claims/s); the baseline is the same moderators calling ``GET /api/v1/me`` (key check
and a session, no queue) under the same pattern. A back-to-back run gives the throughput.
Every claimed case id is checked: one handed out twice fails the run."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from benchmarks._cpu import cpu_window
from benchmarks._load import run_load
from benchmarks._seed import bulk_insert
from benchmarks.intake import start_apis
from benchmarks.run import Context, Skip
from salingjaga.core.db import Database
from salingjaga.wiring import wire

MODERATORS = 50
OPEN_CASES = 1_000_000
THINK_MEAN = 0.25


def seed_cases(db: Database, n: int) -> None:
    """``n`` content items and one open review case for each, spread over priorities,
    levels (90% moderator), deadlines and ages."""
    from salingjaga.content.models import Account, ContentItem
    from salingjaga.moderation.models import Case

    # ~20 items per account, as on a platform; one account holding everything would make the
    # account history shown with each claimed case unrealistically long.
    accounts = max(1, n // 20)
    bulk_insert(db.engine, Account.__table__, accounts, {"id": "'acc_q_' || g", "platform_id": "'queue-' || g",
                                                         "handle": "'queue' || g", "kind": "'personal'"}, "acc")
    bulk_insert(db.engine, ContentItem.__table__, n, {
        "id": "'cnt_q_' || g", "platform_id": "'q-' || g", "account_id": f"'acc_q_' || (1 + g % {accounts})",
        "kind": "'video'",
        "status": "'active'", "caption": "'Konten antrean ' || g"}, "cnt")
    bulk_insert(db.engine, Case.__table__, n, {
        "id": "'case_q_' || g", "content_id": "'cnt_q_' || g", "open_content_id": "'cnt_q_' || g",
        "account_id": f"'acc_q_' || (1 + g % {accounts})", "kind": "'review'", "status": "'open'",
        "level": "CASE WHEN g % 10 = 0 THEN 'senior_moderator' ELSE 'moderator' END",
        "priority": "((g::bigint * 7919) % 100)::int", "deadline": "now() + ((g % 48) - 4) * interval '1 hour'",
        "policy": "'misinformation'", "source": "CASE WHEN g % 5 = 0 THEN 'trusted_flagger' ELSE 'detection' END",
        "created_at": "now() - (g % 86400) * interval '1 second'",
    }, "case")


def run(ctx: Context) -> list[dict[str, Any]]:
    """Claim p50/p99 at 50 moderators over 1M open cases, beside /api/v1/me."""
    try:
        from salingjaga.moderation.models import Case  # noqa: F401
        from salingjaga.moderation.service import claim_next  # noqa: F401
    except ImportError as exc:
        raise Skip(f"the moderation module is not present: {exc}") from exc
    from salingjaga.auth.service import create_api_key, create_user

    wire()  # every table on the metadata, the handlers registered
    url = ctx.database("bench_queue")
    db = Database(url)
    n = ctx.scale(OPEN_CASES, 20_000)
    seed_cases(db, n)
    with db.session() as s:
        keys = [create_api_key(s, create_user(s, name=f"moderator {i}", role="moderator").id)
                for i in range(MODERATORS)]
    db.dispose()
    servers = start_apis(ctx, url)
    urls = servers.urls
    duration = ctx.scale(15, 4)

    def me(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "GET", "/api/v1/me", {"Authorization": f"Bearer {keys[c]}"}, None

    def claim(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "POST", "/api/v1/queue/claim", {"Authorization": f"Bearer {keys[c]}"}, None

    def claim_full(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "POST", "/api/v1/queue/claim?full=true", {"Authorization": f"Bearer {keys[c]}"}, None

    # One moderator alone first: the claim's own cost, without queueing behind others. A
    # second of each first, so the figures do not include the processes' first requests.
    alone_opts: dict[str, Any] = {"warmup": 1.0, "duration": ctx.scale(5, 2), "keep_bodies": True}
    alone = run_load(urls[:1], 1, claim, seed=5, **alone_opts)
    alone_full = run_load(urls[:1], 1, claim_full, seed=7, **alone_opts)
    alone_base = run_load(urls[:1], 1, me, warmup=1.0, duration=ctx.scale(5, 2), seed=6)
    base = run_load(urls, MODERATORS, me, duration=duration, think_mean=THINK_MEAN)
    paced = run_load(urls, MODERATORS, claim, duration=duration, think_mean=THINK_MEAN, seed=2, keep_bodies=True)
    with cpu_window(servers.api_pids, ctx.postgres().pid, servers.worker_pids) as cpu:
        burst = run_load(urls, MODERATORS, claim, duration=duration, seed=3, keep_bodies=True)
        cpu.requests = burst.completed
    base_burst = run_load(urls, MODERATORS, me, duration=duration, seed=4)
    for r in (alone, alone_full, paced, burst):
        bad = {k: v for k, v in r.statuses.items() if k != 200}
        if bad:
            raise RuntimeError(f"claims answered {bad}")
    # Counted over the measured windows only (warm-up claims are not kept), which is enough:
    # a case handed out twice within them is the failure this looks for.
    handed = Counter(json.loads(b)["id"] for r in (alone, alone_full, paced, burst) for b in r.bodies)
    twice = [case_id for case_id, n in handed.items() if n > 1]
    if twice:
        raise RuntimeError(f"{len(twice)} cases were handed out more than once, e.g. {twice[:3]}")
    if not paced.latencies:
        # Every claim started during the warm-up was still running when the window closed.
        raise RuntimeError(f"no claim finished within {2 + duration} s with {MODERATORS} moderators; "
                           f"one moderator alone: p50 {alone.pct(0.5):.0f} ms over {len(alone.latencies)} claims")
    return [
        ctx.figure(f"claim p50, one moderator alone ({n:,} open)", alone.pct(0.5), "ms", "/api/v1/me p50 alone",
                   alone_base.pct(0.5), claims=len(alone.latencies)),
        ctx.figure(f"claim?full=true p50, one moderator alone ({n:,} open)", alone_full.pct(0.5), "ms",
                   "/api/v1/me p50 alone", alone_base.pct(0.5), claims=len(alone_full.latencies)),
        ctx.figure(f"claim p50 (50 moderators, {n:,} open)", paced.pct(0.5), "ms", "/api/v1/me p50", base.pct(0.5),
                   open_cases=n, claims_per_s=round(paced.rate, 1)),
        ctx.figure(f"claim p99 (50 moderators, {n:,} open)", paced.pct(0.99), "ms", "/api/v1/me p99",
                   base.pct(0.99), target="<= 20 ms", meets=paced.pct(0.99) <= 20, open_cases=n),
        ctx.figure("claims/s back to back (50 moderators)", burst.rate, "/s", "/api/v1/me back to back",
                   base_burst.rate, p99_ms=round(burst.pct(0.99), 1), **cpu.per_request_ms()),
    ]
