"""A burst of ordinary concurrent requests against a live server, as on voting day.

The mix is what the product's users do at once: partners list and file notices and attach
evidence, moderators look at the queue and claim cases, the platform posts content, the
public reads the transparency pages. Every request is sent at the same moment (a barrier),
over its own connection, and the outcome of each is kept: status, time taken, and whether a
503 carried ``Retry-After``. The tests assert on the outcomes; ``benchmarks/`` reuse it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from salingjaga.auth.service import create_api_key, create_user
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.partners.service import create_partner

# A tiny valid PNG (1x1, RGBA): evidence uploads must carry a real image.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2210bc30000000049454e44ae426082"
)


@dataclass
class Outcome:
    """One request's result."""

    kind: str
    status: int  # 0 when no HTTP answer came (connection error, client timeout)
    seconds: float
    retry_after: bool = False
    error: str = ""


@dataclass
class Keys:
    """The API keys and known content a burst uses."""

    partner: str
    moderator: str
    service: str
    auditor: str
    content_urls: list[str]


@dataclass
class BurstResult:
    """Every outcome of one burst."""

    outcomes: list[Outcome] = field(default_factory=list)

    def statuses(self) -> Counter[int]:
        """How many requests got each status."""
        return Counter(o.status for o in self.outcomes)

    def failures(self) -> list[Outcome]:
        """Answers the product must never give under load: a 5xx other than a 503 with
        ``Retry-After``, or no answer at all."""
        return [o for o in self.outcomes
                if o.status == 0 or (o.status >= 500 and not (o.status == 503 and o.retry_after))]

    def slowest(self) -> float:
        """The longest time any request took, in seconds."""
        return max((o.seconds for o in self.outcomes), default=0.0)

    def summary(self) -> dict[str, Any]:
        """Counts per kind and status, and the slowest request (for messages and benchmarks)."""
        per_kind: dict[str, Counter[int]] = {}
        for o in self.outcomes:
            per_kind.setdefault(o.kind, Counter())[o.status] += 1
        return {"statuses": dict(self.statuses()), "per_kind": {k: dict(v) for k, v in per_kind.items()},
                "slowest_s": round(self.slowest(), 2),
                "failures": [(o.kind, o.status, o.error[:200]) for o in self.failures()][:10]}


Request = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]


def _requests(keys: Keys) -> list[tuple[str, Request]]:
    """The kinds of request in the mix, each a coroutine factory on a client and a base URL."""
    partner = {"Authorization": f"Bearer {keys.partner}"}
    moderator = {"Authorization": f"Bearer {keys.moderator}"}
    service = {"Authorization": f"Bearer {keys.service}"}
    auditor = {"Authorization": f"Bearer {keys.auditor}"}

    async def list_notices(c: httpx.AsyncClient, base: str) -> httpx.Response:
        return await c.get(f"{base}/api/v1/notices", headers=partner)

    async def transparency_page(c: httpx.AsyncClient, base: str) -> httpx.Response:
        return await c.get(f"{base}/transparency")

    async def transparency_api(c: httpx.AsyncClient, base: str) -> httpx.Response:
        return await c.get(f"{base}/api/v1/transparency/report", headers=auditor,
                           params={"from": "2024-01-01", "to": "2024-12-31"})

    async def queue_stats(c: httpx.AsyncClient, base: str) -> httpx.Response:
        return await c.get(f"{base}/api/v1/queue/stats", headers=moderator)

    async def file_notice(c: httpx.AsyncClient, base: str) -> httpx.Response:
        url = keys.content_urls[hash(uuid.uuid4()) % len(keys.content_urls)]
        body = {"content": [{"url": url}], "policy": "misinformation", "good_faith": True,
                "explanation": "Video ini menyebarkan tanggal pemungutan suara yang salah."}
        return await c.post(f"{base}/api/v1/notices", json=body,
                            headers={**partner, "Idempotency-Key": f"burst-{uuid.uuid4()}"})

    async def post_content(c: httpx.AsyncClient, base: str) -> httpx.Response:
        n = uuid.uuid4().hex[:12]
        item = {"platform_id": f"burst-{n}", "url": f"https://video.example/v/burst-{n}", "kind": "video",
                "caption": "Pencoblosan diundur, jangan datang ke TPS hari Rabu",
                "account": {"platform_id": f"burst-acct-{n[:4]}", "handle": f"warga{n[:4]}"}}
        return await c.post(f"{base}/api/v1/content", json=item, headers=service)

    async def claim(c: httpx.AsyncClient, base: str) -> httpx.Response:
        got = await c.post(f"{base}/api/v1/queue/claim", headers=moderator)
        if got.status_code == 200:
            # Hand the case back, so the queue stays as it was for the next burst.
            case_id = got.json().get("id") or got.json().get("case", {}).get("id")
            if case_id:
                await c.post(f"{base}/api/v1/cases/{case_id}/release", headers=moderator)
        return got

    async def upload(c: httpx.AsyncClient, base: str) -> httpx.Response:
        filed = await file_notice(c, base)
        if filed.status_code != 201:
            return filed
        notice_id = filed.json()["id"]
        return await c.post(f"{base}/api/v1/notices/{notice_id}/evidence", headers=partner,
                            files={"file": ("layar.png", PNG_1X1, "image/png")})

    return [("list_notices", list_notices), ("transparency_page", transparency_page),
            ("transparency_api", transparency_api), ("queue_stats", queue_stats),
            ("file_notice", file_notice), ("post_content", post_content), ("claim", claim),
            ("upload", upload)]


async def _burst(bases: list[str], keys: Keys, total: int, timeout: float) -> BurstResult:
    kinds = _requests(keys)
    result = BurstResult()
    start = asyncio.Event()
    # No keep-alive: a pooled connection the server closes as idle would be reused just as it
    # closes, and that race is the client's, not the server's.
    limits = httpx.Limits(max_connections=total + 10, max_keepalive_connections=0)

    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def one(i: int) -> None:
            kind, make = kinds[i % len(kinds)]
            base = bases[i % len(bases)]
            await start.wait()
            began = time.monotonic()
            try:
                answer = await make(client, base)
            except httpx.HTTPError as exc:
                result.outcomes.append(Outcome(kind, 0, time.monotonic() - began, error=repr(exc)))
                return
            result.outcomes.append(Outcome(
                kind, answer.status_code, time.monotonic() - began,
                retry_after="retry-after" in answer.headers,
                error=answer.text[:300] if answer.status_code >= 500 else ""))

        tasks = [asyncio.create_task(one(i)) for i in range(total)]
        await asyncio.sleep(0.05)  # every task is waiting at the barrier
        start.set()
        await asyncio.gather(*tasks)
    return result


def burst(bases: list[str], keys: Keys, total: int = 200, timeout: float = 60.0) -> BurstResult:
    """Send ``total`` mixed requests at once, spread over ``bases``; wait for every answer."""
    return asyncio.run(_burst(bases, keys, total, timeout))


def seed(settings: Settings) -> Keys:
    """A trusted flagger, a moderator, an auditor and the platform's service account."""
    db = Database(settings.database_url)
    with db.session() as s:
        service = create_user(s, name="platform", role="service")
        moderator = create_user(s, name="Dewi", role="moderator", email="dewi@burst.test")
        auditor = create_user(s, name="Auditor", role="auditor", email="auditor@burst.test")
        partner = create_partner(s, name="Bawaslu RI", kind="election_supervisor", region=None,
                                 organisation="bawaslu", trusted=True, policies=["misinformation"])
        reporter = create_user(s, name="analyst", role="partner_reporter", partner_id=partner.id)
        keys = Keys(partner=create_api_key(s, reporter.id), moderator=create_api_key(s, moderator.id),
                    service=create_api_key(s, service.id), auditor=create_api_key(s, auditor.id),
                    content_urls=[f"https://video.example/v/seed-{i}" for i in range(20)])
    db.dispose()
    return keys


def post_seed_content(base: str, keys: Keys) -> None:
    with httpx.Client(timeout=60) as http:
        for i, url in enumerate(keys.content_urls):
            item = {"platform_id": f"seed-{i}", "url": url, "kind": "video",
                    "caption": f"Hasil hitung cepat TPS {i} sudah keluar",
                    "account": {"platform_id": f"acct-{i % 5}", "handle": f"warga{i % 5}"}}
            answer = http.post(f"{base}/api/v1/content", json=item,
                               headers={"Authorization": f"Bearer {keys.service}"})
            assert answer.status_code in (200, 201), answer.text
