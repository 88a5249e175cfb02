"""Bulk notices on the embedded database (SQLite): how long the write lock is held at a time.

SQLite has one write lock for the whole file; a writer that holds it for seconds makes
every other writer wait, and past ``busy_timeout`` fail. The lock is measured from outside
the app: a probe on its own connection takes the write lock (``BEGIN IMMEDIATE``) and lets
it go every few milliseconds, and the longest it ever waited is the longest stretch some
other writer held the lock. Nothing in the app is instrumented.

Measured while one API server (uvicorn, the embedded settings) takes a 5,000-row CSV
upload, then three such uploads at once. The baseline, in the same run on the same
database: the same 5,000 rows written in one transaction, as bulk uploads were taken
before (then 17 s of lock for one upload; three at once failed after 50 s).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from benchmarks.run import Context
from salingjaga.dev.servers import free_port, stop_pid

ROWS = 5000
UPLOADS_AT_ONCE = 3
ITEMS = 50
TARGET_MS = 500.0  # "a fraction of a second"


class LockProbe:
    """Watches SQLite's write lock from its own connection, in two ways at once:

    - ``hold``: tries the lock without waiting (``timeout=0``) every half millisecond; the
      longest run of failed tries is the longest stretch the lock was held;
    - ``wait``: a second connection writes as any other writer does (SQLite's busy handler,
      which polls with sleeps of up to 100 ms) every 20 ms; its longest wait is what a
      moderator's decision or another process would have waited.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holds: list[float] = []
        self.waits: list[float] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._hold, daemon=True),
                         threading.Thread(target=self._wait, daemon=True)]

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        locked_since: float | None = None
        try:
            while not self._stop.is_set():
                now = time.perf_counter()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:  # held by someone else
                    locked_since = locked_since if locked_since is not None else now
                else:
                    conn.execute("ROLLBACK")
                    if locked_since is not None:
                        self.holds.append(now - locked_since)
                        locked_since = None
                time.sleep(0.0005)
        finally:
            conn.close()

    def _wait(self) -> None:
        conn = sqlite3.connect(self.path, timeout=300, isolation_level=None)
        try:
            while not self._stop.is_set():
                start = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                self.waits.append(time.perf_counter() - start)
                conn.execute("ROLLBACK")
                time.sleep(0.02)
        finally:
            conn.close()

    def __enter__(self) -> LockProbe:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def longest_hold_ms(self) -> float:
        return max(self.holds, default=0.0) * 1000

    def longest_wait_ms(self) -> float:
        return max(self.waits, default=0.0) * 1000

    def p99_wait_ms(self) -> float:
        if len(self.waits) < 100:
            return self.longest_wait_ms()
        return statistics.quantiles(self.waits, n=100)[98] * 1000


def _seed(url: str, data_dir: Path) -> tuple[list[str], list[str], Any]:
    """Partners with keys (one per upload, one for the baseline) and content items;
    returns (keys, urls, the baseline's caller)."""
    from salingjaga.auth.principal import Principal
    from salingjaga.auth.service import create_api_key, create_user
    from salingjaga.content.schemas import ContentIn
    from salingjaga.content.service import ingest_content
    from salingjaga.core.db import Database
    from salingjaga.partners.service import create_partner

    db = Database(url)
    keys, urls = [], []
    with db.session() as s:
        for n in range(UPLOADS_AT_ONCE + 2):
            partner = create_partner(s, name=f"Bawaslu {n}", kind="election_supervisor", organisation=f"b{n}",
                                     trusted=True, policies=["misinformation"])
            user = create_user(s, name=f"reporter {n}", role="partner_reporter", partner_id=partner.id)
            keys.append(create_api_key(s, user.id))
            who = Principal(user_id=user.id, name=user.name, role=user.role, partner_id=partner.id)
        for n in range(ITEMS):
            item, _ = ingest_content(s, ContentIn.model_validate({
                "platform_id": f"bulk-{n}", "kind": "video", "url": f"https://video.example/@a/{n}",
                "caption": "Klaim TPS", "region": "32.73",
                "account": {"platform_id": f"acc-{n}", "handle": f"a{n}"}}), data_dir)
            urls.append(str(item.url))
    db.dispose()
    return keys, urls, who


def _csv(urls: list[str], tag: str) -> bytes:
    lines = ["url,policy,explanation,region,good_faith,idempotency_key"]
    lines += [f"{urls[n % len(urls)]},misinformation,Klaim keliru {tag} {n},32.73,true,{tag}-{n}"
              for n in range(ROWS)]
    return "\n".join(lines).encode()


def _upload(base: str, key: str, body: bytes) -> dict[str, Any]:
    r = httpx.post(f"{base}/api/v1/notices/bulk", content=body, timeout=600,
                   headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})
    return {"status": r.status_code, "received": r.json().get("received") if r.status_code == 200 else None}


def _one_transaction(url: str, urls: list[str], who: Any, settings: Any) -> float:
    """The baseline: ROWS notices written in one transaction; seconds taken."""
    from salingjaga.core.db import Database
    from salingjaga.notices.bulk import parse_csv, prepare
    from salingjaga.notices.service import NoticeJob, submit_notices

    db = Database(url)
    try:
        jobs = [j for j in prepare(parse_csv(_csv(urls, "base").decode()), who) if isinstance(j, NoticeJob)]
        start = time.perf_counter()
        with db.session() as s:
            submit_notices(s, jobs, settings)
        return time.perf_counter() - start
    finally:
        db.dispose()


def run(ctx: Context) -> list[dict[str, Any]]:
    """Longest write-lock hold: one upload, three at once, against one transaction."""
    from salingjaga.core.settings import Settings
    from salingjaga.migrate import upgrade
    from salingjaga.stream.cluster import spawn_api, wait_healthy

    path = ctx.workdir / "bulk-lock.db"
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, data_dir=ctx.workdir / "bulk-data", stream="inline")
    upgrade(settings)
    keys, urls, who = _seed(url, settings.data_dir)
    env = {**os.environ, "SALINGJAGA_DATABASE_URL": url, "SALINGJAGA_DATA_DIR": str(settings.data_dir),
           "SALINGJAGA_STREAM": "inline", "SALINGJAGA_RATE_LIMIT_PER_MINUTE": "1000000"}
    port = free_port()
    log = ctx.workdir / f"bulk-api-{port}.log"
    pid = spawn_api(port, env, log)
    ctx.on_close(lambda: stop_pid(pid))
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, timeout=120, pid=pid, log=log)

    with LockProbe(path) as one:
        start = time.perf_counter()
        single = _upload(base, keys[0], _csv(urls, "one"))
        one_seconds = time.perf_counter() - start
    with LockProbe(path) as many, ThreadPoolExecutor(UPLOADS_AT_ONCE) as pool:
        start = time.perf_counter()
        answers = list(pool.map(lambda n: _upload(base, keys[n + 1], _csv(urls, f"many{n}")),
                                range(UPLOADS_AT_ONCE)))
        many_seconds = time.perf_counter() - start
    stop_pid(pid)
    with LockProbe(path) as baseline:
        base_seconds = _one_transaction(url, urls, who, settings)

    ok = single["received"] == ROWS and all(a["status"] == 200 and a["received"] == ROWS for a in answers)
    base_name = f"{ROWS} rows in one transaction"
    return [
        ctx.figure(f"bulk upload of {ROWS} rows: longest write-lock hold", one.longest_hold_ms(), "ms",
                   base_name, baseline.longest_hold_ms(), target=f"< {TARGET_MS:.0f} ms",
                   meets=one.longest_hold_ms() < TARGET_MS and ok, upload_seconds=round(one_seconds, 2)),
        ctx.figure(f"{UPLOADS_AT_ONCE} uploads of {ROWS} rows at once: longest write-lock hold",
                   many.longest_hold_ms(), "ms", base_name, baseline.longest_hold_ms(),
                   target=f"< {TARGET_MS:.0f} ms", meets=many.longest_hold_ms() < TARGET_MS and ok,
                   all_uploads_succeeded=ok, seconds=round(many_seconds, 2)),
        ctx.figure(f"another writer during {UPLOADS_AT_ONCE} uploads: longest wait for the lock",
                   many.longest_wait_ms(), "ms", base_name, baseline.longest_wait_ms(),
                   p99_ms=round(many.p99_wait_ms(), 2)),
        ctx.figure(f"bulk upload of {ROWS} rows: rows per second", ROWS / one_seconds, "rows/s",
                   base_name, ROWS / base_seconds),
    ]
