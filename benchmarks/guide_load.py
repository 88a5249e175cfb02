"""The guide and notice tags at election-day load, on one API process (PostgreSQL, durable)
with ``/healthz`` on the same server in the same run as the baseline:

- the published guide (``GET /api/v1/guide/pemilu-2024``), whole and as 304 answers to
  conditional requests (what a CDN's revalidation costs);
- tag look-ups of 1,000 content ids per call (``POST /api/v1/tags/lookup``), half of them
  tagged, in content ids per second;
- reach events in batches of 1,000 (``POST /api/v1/guide/events``, and the same batches as
  columns on ``/guide/events/columns``): tag impressions and clicks, views of tagged items
  and guide views from distinct visitors, in events per second, with the batches the
  server's writer committed per transaction (group commit) and the events per second one
  free core would count at the CPU each batch cost (the API's alone, and with PostgreSQL's).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import httpx

from benchmarks._cpu import cpu_window
from benchmarks._load import run_load
from benchmarks._seed import bulk_insert
from benchmarks.intake import seed_content, start_apis
from benchmarks.run import Context
from salingjaga.core.db import Database
from salingjaga.wiring import wire

CLIENTS = 32
BATCH_CLIENTS = 4  # few clients with big requests: the app's backend sends batches
SENDERS = 16  # reach batches from many of the app's servers at once
ITEMS = 100_000
BATCH = 1000
REGENCIES = ["32.73", "32.04", "35.78", "31.71", "33.74", "51.71", "12.71", "73.71"]


def _keys(db: Database) -> tuple[str, str, str]:
    """A service key (the app's backend) and two guide editors of different organisations."""
    from salingjaga.auth.service import create_api_key, create_user
    from salingjaga.partners.service import create_partner

    with db.session() as s:
        service = create_user(s, name="app backend", role="service")
        kpu = create_partner(s, name="KPU RI", kind="election_commission", organisation="kpu")
        bawaslu = create_partner(s, name="Bawaslu RI", kind="election_supervisor", organisation="bawaslu")
        writer = create_user(s, name="Putri (KPU)", role="guide_editor", partner_id=kpu.id)
        approver = create_user(s, name="Hadi (Bawaslu)", role="guide_editor", partner_id=bawaslu.id)
        return create_api_key(s, service.id), create_api_key(s, writer.id), create_api_key(s, approver.id)


def _publish(url: str, writer: str, approver: str) -> None:
    """A guide of a realistic size: six sections, key dates and a notice tag, published
    through the editorial workflow (draft by one organisation, approval by another)."""
    pages: list[dict[str, Any]] = [
        {"kind": "section", "key": f"section-{i}", "title": f"Bagian {i}: tata cara",
         "body": ("Bawa **e-KTP** ke TPS. Cek DPT di [cekdptonline](https://cekdptonline.kpu.go.id). " * 12),
         "data": {"position": i}} for i in range(6)]
    pages.append({"kind": "section", "key": "key-dates", "title": "Tanggal penting", "body": "Semua WIB.",
                  "data": {"dates": [{"date": "2024-02-14", "label": "Pemungutan suara"}]}})
    pages.append({"kind": "tag", "key": "notice-tag", "title": "Info resmi Pemilu 2024", "body": ""})
    with httpx.Client(base_url=url, timeout=30) as client:
        for page in pages:
            r = client.post("/api/v1/guide/pemilu-2024/versions", json={"lang": "id", **page},
                            headers={"Authorization": f"Bearer {writer}"})
            r.raise_for_status()
            client.post(f"/api/v1/guide/pemilu-2024/versions/{r.json()['id']}/approve",
                        headers={"Authorization": f"Bearer {approver}"}).raise_for_status()


def _events(rng: random.Random, n_items: int, serial: int) -> list[dict[str, Any]]:
    """A batch as the app sends it: mostly impressions of tags, some clicks and views of
    tagged items, and guide views by visitors new and returning."""
    at = datetime.now(UTC).isoformat()
    out = []
    for i in range(BATCH):
        roll = rng.random()
        item = f"bench-{rng.randint(1, n_items // 2)}"  # the tagged half
        user = f"u-{serial}-{i}" if rng.random() < 0.7 else f"u-{rng.randint(1, 50_000)}"
        if roll < 0.6:
            out.append({"type": "tag_impression", "content_id": item, "user": user, "at": at})
        elif roll < 0.65:
            out.append({"type": "tag_click", "content_id": item, "user": user, "at": at})
        elif roll < 0.85:
            out.append({"type": "content_view", "content_id": item, "user": user, "at": at})
        else:
            out.append({"type": "guide_view", "election": "pemilu-2024", "region": rng.choice(REGENCIES),
                        "user": user, "at": at})
    return out


def _columns(events: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The same batch in the columnar form (``POST /api/v1/guide/events/columns``)."""
    return {name: [e.get(name) for e in events] for name in ("type", "user", "at", "election", "region", "content_id")}


def run(ctx: Context) -> list[dict[str, Any]]:
    """Guide, 304, tag look-up and reach rates beside /healthz on one API process."""
    from salingjaga.guide.models import TagAssignment

    wire()  # every table on the metadata
    url = ctx.database("bench_guide")
    db = Database(url)
    n_items = ctx.scale(ITEMS, 10_000)
    seed_content(db, n_items)
    bulk_insert(db.engine, TagAssignment.__table__, n_items // 2, {
        "id": "'tag_bench_' || g", "content_id": "'cnt_bench_' || g", "election": "'pemilu-2024'",
        "region_code": "'32.73'", "source": "'detection'", "day": "current_date",
        "created_by": "'system:detection'"}, "tag")
    service, writer, approver = _keys(db)
    db.dispose()
    servers = start_apis(ctx, url, count=1)
    _publish(servers.urls[0], writer, approver)
    duration = ctx.scale(12, 4)
    auth = {"Authorization": f"Bearer {service}"}
    guide_path = "/api/v1/guide/pemilu-2024?lang=id"

    def measured(clients: int, make: Any, keep: bool = False) -> tuple[Any, dict[str, Any]]:
        """A load and the CPU per request it cost: on a machine others share, the rate
        swings with their load; the CPU per request does far less."""
        with cpu_window(servers.api_pids, ctx.postgres().pid, servers.worker_pids) as cpu:
            result = run_load(servers.urls, clients, make, duration=duration, keep_bodies=keep)
            cpu.requests = result.completed
        return result, cpu.per_request_ms()

    health, health_cpu = measured(CLIENTS, lambda c, i: ("GET", "/healthz", {}, None))
    guide, guide_cpu = measured(CLIENTS, lambda c, i: ("GET", guide_path, {}, None), keep=True)
    etag = httpx.get(servers.urls[0] + guide_path).headers["etag"]
    revalidate, revalidate_cpu = measured(CLIENTS, lambda c, i: ("GET", guide_path, {"If-None-Match": etag}, None))
    if set(guide.statuses) != {200} or set(revalidate.statuses) != {304}:
        raise RuntimeError(f"guide answered {guide.statuses}, revalidation {revalidate.statuses}")
    if len(json.loads(guide.bodies[-1])["sections"]) < 7:
        raise RuntimeError("the published guide is not what was published")

    rng = random.Random(3)
    # Bodies encoded beforehand: the load generator shares the CPU with the server.
    lookups = [json.dumps({"content_ids": [f"cnt_bench_{rng.randint(1, n_items)}" for _ in range(BATCH)]}).encode()
               for _ in range(64)]

    def lookup(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "POST", "/api/v1/tags/lookup", auth, lookups[(c * 7919 + i) % len(lookups)]

    tags, tags_cpu = measured(BATCH_CLIENTS, lookup, keep=True)
    sample = json.loads(tags.bodies[-1])
    tagged = sum(1 for t in sample["tags"].values() if t is not None)
    if set(tags.statuses) != {200} or not 0.3 < tagged / len(sample["tags"]) < 0.7:
        raise RuntimeError(f"tag look-up answered {tags.statuses}, {tagged} tagged of {len(sample['tags'])}")

    raw = [_events(rng, n_items, k) for k in range(64)]
    batches = [json.dumps(b).encode() for b in raw]
    column_batches = [json.dumps(_columns(b)).encode() for b in raw]

    def events(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "POST", "/api/v1/guide/events", auth, batches[(c * 7919 + i) % len(batches)]

    def columns(c: int, i: int) -> tuple[str, str, dict[str, str], Any]:
        return "POST", "/api/v1/guide/events/columns", auth, column_batches[(c * 7919 + i) % len(batches)]

    def writer_counts() -> dict[str, float]:
        """The reach writer's counters on the server's /metrics (batches, transactions)."""
        text = httpx.get(servers.urls[0] + "/metrics", headers=auth, timeout=30).text
        return {ln.split(" ")[0]: float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines()
                if ln.startswith(("salingjaga_reach_batches_total", "salingjaga_reach_transactions_total"))}

    def grouped(clients: int, make: Any) -> tuple[Any, dict[str, Any]]:
        """``measured``, with the batches the writer committed per transaction and the
        events per second one free core would count at the measured CPU per batch."""
        before = writer_counts()
        result, cpu = measured(clients, make, keep=True)
        after = writer_counts()
        batches, groups = (after[k] - before.get(k, 0.0) for k in (
            "salingjaga_reach_batches_total", "salingjaga_reach_transactions_total"))
        extra = {"batches_per_transaction": round(batches / groups, 2) if groups else None}
        if cpu.get("api_cpu_ms"):
            extra["free_core_events_per_s_api"] = round(BATCH * 1000 / cpu["api_cpu_ms"])
            extra["free_core_events_per_s_api_and_postgres"] = round(
                BATCH * 1000 / (cpu["api_cpu_ms"] + cpu["postgres_cpu_ms"]))
        return result, {**cpu, **extra}

    reach, reach_cpu = grouped(BATCH_CLIENTS, events)
    lean, lean_cpu = grouped(BATCH_CLIENTS, columns)
    # Many senders at once (an app's backend on many machines): the writer commits their
    # batches together, so the rate no longer waits on one commit per batch.
    crowd, crowd_cpu = grouped(SENDERS, columns)
    for result in (reach, lean, crowd):
        if set(result.statuses) != {200} or json.loads(result.bodies[-1])["counted"] != BATCH:
            raise RuntimeError(f"reach answered {result.statuses}: {result.bodies[-1][:300]!r}")
    ids_per_s = tags.rate * BATCH
    events_per_s = reach.rate * BATCH
    lean_per_s = lean.rate * BATCH
    return [
        ctx.figure("guide API GET (32 clients)", guide.rate, "/s", "/healthz rate", health.rate,
                   target=">= 80% of /healthz", meets=guide.rate >= 0.8 * health.rate, **guide_cpu,
                   healthz_api_cpu_ms=health_cpu.get("api_cpu_ms")),
        ctx.figure("guide API 304 (If-None-Match)", revalidate.rate, "/s", "/healthz rate", health.rate,
                   **revalidate_cpu),
        ctx.figure("guide API p99", guide.pct(0.99), "ms", "/healthz p99", health.pct(0.99)),
        ctx.figure("tag look-up, ids/s (batches of 1,000)", ids_per_s, "/s", "/healthz rate", health.rate,
                   target=">= 20,000 ids/s", meets=ids_per_s >= 20_000, p99_ms=round(tags.pct(0.99), 1),
                   **tags_cpu),
        ctx.figure("reach events/s (batches of 1,000 objects)", events_per_s, "/s", "/healthz rate", health.rate,
                   target=">= 50,000/s", meets=events_per_s >= 50_000, p99_ms=round(reach.pct(0.99), 1),
                   **reach_cpu),
        ctx.figure("reach events/s (batches of 1,000 as columns)", lean_per_s, "/s", "/healthz rate", health.rate,
                   target=">= 50,000/s", meets=lean_per_s >= 50_000, p99_ms=round(lean.pct(0.99), 1),
                   **lean_cpu),
        ctx.figure(f"reach events/s (batches of 1,000 as columns, {SENDERS} senders)", crowd.rate * BATCH, "/s",
                   "/healthz rate", health.rate, target=">= 50,000/s", meets=crowd.rate * BATCH >= 50_000,
                   p99_ms=round(crowd.pct(0.99), 1), **crowd_cpu),
    ]
