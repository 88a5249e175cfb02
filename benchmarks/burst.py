"""A voting-day burst on the embedded server: 200 ordinary requests at one instant.

    python -m benchmarks.run --only burst [--quick]

Starts ``salingjaga``'s app as its own process on SQLite with the in-process worker (the
embedded default), seeds a trusted flagger, moderators and 20 content items, then sends
the mixed burst of ``tests/support/burst.py`` (notices listed and filed, evidence uploaded,
queue stats, claims, content, the transparency page and API) and, as the baseline in the
same run, the same number of ``GET /healthz`` at one instant. Figures: the slowest answer,
the 95th percentile, and the burst's completion rate; the server's CPU per request.
``tests/hardening/test_burst.py`` asserts the behaviour (no 5xx but 503, none over 10 s).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
from tests.stream.helpers import env_for
from tests.support.burst import burst, post_seed_content, seed

from salingjaga.core.settings import Settings
from salingjaga.dev.servers import free_port, stop_pid
from salingjaga.migrate import upgrade
from salingjaga.stream.cluster import spawn_api, wait_healthy


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


async def _healthz_burst(base: str, total: int) -> list[float]:
    limits = httpx.Limits(max_connections=total + 10, max_keepalive_connections=0)
    start = asyncio.Event()
    times: list[float] = []
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one() -> None:
            await start.wait()
            began = time.monotonic()
            (await client.get(f"{base}/healthz")).raise_for_status()
            times.append(time.monotonic() - began)

        tasks = [asyncio.create_task(one()) for _ in range(total)]
        await asyncio.sleep(0.05)
        start.set()
        await asyncio.gather(*tasks)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def run(ctx: Any) -> list[dict[str, Any]]:
    total = ctx.scale(200, 100)
    work = ctx.workdir / "burst"
    settings = Settings(database_url=f"sqlite:///{work / 'sj.db'}", data_dir=work / "data", stream="memory",
                        rate_limit_per_minute=1_000_000)
    settings.ensure_dirs()
    upgrade(settings)
    keys = seed(settings)
    port = free_port()
    pid = spawn_api(port, env_for(settings), work / "api.log")
    ctx.on_close(lambda: stop_pid(pid))
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, timeout=180, pid=pid, log=work / "api.log")
    post_seed_content(base, keys)
    asyncio.run(_healthz_burst(base, total))  # warm the connection handling
    cpu = _cpu_seconds(pid)
    began = time.monotonic()
    health = asyncio.run(_healthz_burst(base, total))
    health_wall = time.monotonic() - began
    health_cpu = (_cpu_seconds(pid) - cpu) / total * 1000
    cpu = _cpu_seconds(pid)
    began = time.monotonic()
    result = burst([base], keys, total=total)
    wall = time.monotonic() - began
    cpu_per_request = (_cpu_seconds(pid) - cpu) / total * 1000
    times = [o.seconds for o in result.outcomes]
    bad = len(result.failures())
    return [
        ctx.figure("burst: slowest answer", max(times), "s", "healthz burst: slowest", max(health),
                   target="<= 10 s, no 5xx but 503", meets=max(times) <= 10 and bad == 0,
                   statuses=dict(result.statuses())),
        ctx.figure("burst: p95 answer", _p95(times), "s", "healthz burst: p95", _p95(health)),
        ctx.figure("burst: requests/s", total / wall, "req/s", "healthz burst: requests/s", total / health_wall),
        ctx.figure("burst: server CPU per request", cpu_per_request, "ms", "healthz: server CPU per request",
                   health_cpu),
    ]
