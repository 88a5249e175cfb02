"""Content scanning end to end through Redis Streams: items published to the stream, read
by ``salingjaga worker`` processes, scanned by the detection pipeline, signals and cases
written to PostgreSQL, acknowledged. Measured with one and with two worker processes (the
ratio is the scaling), and beside the stream's own cost (health probes: same path, no
detection)."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.run import Context, Skip
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.dev.servers import stop_pid
from salingjaga.wiring import wire


def _seed_items(db: Database, prefix: str, n: int, seed: int) -> list[str]:
    from benchmarks.text_signals import make_items
    from salingjaga.content.models import Account, ContentItem

    items = make_items(n, seed=seed)
    with db.session() as s:
        accounts = {it["account_id"] for it in items}
        s.add_all(Account(id=f"acc_{prefix}_{a}", platform_id=f"{prefix}-{a}", handle=f"{prefix}{a}",
                          kind="personal", restricted_features=[]) for a in accounts)
        s.flush()
        s.add_all(ContentItem(id=f"cnt_{prefix}_{it['id']}", platform_id=f"{prefix}-{it['id']}", kind="text",
                              caption=it["caption"], hashtags=it["hashtags"], media=[], labels=[],
                              account_id=f"acc_{prefix}_{it['account_id']}", posted_at=it["posted_at"])
                  for it in items)
    return [f"cnt_{prefix}_{it['id']}" for it in items]


def _drain(client: Any, settings: Settings, timeout: float = 1800.0) -> None:
    from salingjaga.stream.redis_streams import stream_stats

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = stream_stats(client, settings)
        if s["lag"] == 0 and s["pending"] == 0:
            if s["dead_letters"]:
                raise RuntimeError(f"{s['dead_letters']} entries were dead-lettered; see the worker logs")
            return
        time.sleep(0.05)
    raise RuntimeError("the workers did not drain the stream in time")


def measure(ctx: Context, url: str, workers: int, topic: str, payloads: list[dict[str, Any]],
            warmup: list[dict[str, Any]], tag: str) -> float:
    """Items/s for ``workers`` processes draining ``payloads`` published at once."""
    from salingjaga.stream.cluster import service_env, spawn_worker
    from salingjaga.stream.redis_streams import connect, ensure_group

    stream = f"bench:scan:{tag}"
    settings = Settings(database_url=url, redis_url=ctx.redis().url, stream="redis", stream_name=stream)
    env = service_env(url, ctx.redis().url, ctx.workdir / "data", SALINGJAGA_STREAM_NAME=stream,
                      SALINGJAGA_LOG_JSON="false")
    client = connect(settings)
    ensure_group(client, settings)
    pids = [spawn_worker(f"{tag}-{i}", env, ctx.workdir / f"worker-{tag}-{i}.log") for i in range(workers)]
    try:
        # Warm up (imports, models, caches) outside the timing, in every worker.
        pipe = client.pipeline(transaction=False)
        for p in warmup:
            pipe.xadd(stream, {"topic": topic, "payload": _json(p)})
        pipe.execute()
        _drain(client, settings)
        pipe = client.pipeline(transaction=False)
        for p in payloads:
            pipe.xadd(stream, {"topic": topic, "payload": _json(p)})
        started = time.perf_counter()
        pipe.execute()
        _drain(client, settings)
        elapsed = time.perf_counter() - started
    finally:
        for pid in pids:
            stop_pid(pid)
        client.close()
    return len(payloads) / elapsed


def _json(p: dict[str, Any]) -> str:
    import json

    return json.dumps(p, separators=(",", ":"))


def run(ctx: Context) -> list[dict[str, Any]]:
    """Items/s with 1 and 2 workers, and the ratio; probes/s as the transport baseline."""
    try:
        from salingjaga.detection.handlers import handle_content  # noqa: F401
    except ImportError as exc:
        raise Skip(f"the detection pipeline is not present: {exc}") from exc
    from salingjaga.core.ids import new_id
    from salingjaga.demo.load import load_demo
    from salingjaga.stream.models import StreamProbe

    wire()  # every table on the metadata, the handlers registered
    url = ctx.database("bench_scan")
    db = Database(url)
    settings = Settings(database_url=url, data_dir=ctx.workdir / "data", stream="inline")
    with db.session() as s:
        load_demo(s, settings)  # fact-checks, hash banks, routing: what detection reads
    n = ctx.scale(1000, 200)
    sets = {k: _seed_items(db, k, n, seed) for k, seed in (("one", 11), ("two", 12), ("warm", 13))}
    warm = [{"content_id": c} for c in sets["warm"][:40]]
    one = measure(ctx, url, 1, "content", [{"content_id": c} for c in sets["one"]], warm[:20], "one")
    two = measure(ctx, url, 2, "content", [{"content_id": c} for c in sets["two"]], warm[20:], "two")
    probe_ids = [new_id("prb") for _ in range(n + 20)]
    with db.session() as s:
        s.add_all(StreamProbe(id=i, handled_count=0) for i in probe_ids)
    probes = measure(ctx, url, 1, "probe", [{"probe_id": i} for i in probe_ids[20:]],
                     [{"probe_id": i} for i in probe_ids[:20]], "probe")
    db.dispose()
    ratio = two / one
    return [
        ctx.figure("scan items/s, 2 workers", two, "items/s", "1 worker", one,
                   target=">= 1.6 x", meets=ratio >= 1.6, items=n),
        ctx.figure("scan items/s, 1 worker", one, "items/s", "stream probes/s, 1 worker (no detection)",
                   probes, items=n),
    ]
