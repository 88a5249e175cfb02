"""A small closed-loop HTTP load generator for the benchmarks.

A minimal HTTP/1.1 keep-alive client on asyncio streams: each simulated client owns one
connection and sends its next request when the previous answer arrives. Written here rather
than using httpx because on a 2-core machine the load generator shares the CPU with the
servers it measures; this one spends a few microseconds per request, httpx far more.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# (method, path, headers, body) for the request number ``i`` of client ``c``
RequestFactory = Callable[[int, int], tuple[str, str, dict[str, str], Any]]


@dataclass
class LoadResult:
    """Latencies (seconds) of the requests started inside the measured window."""

    seconds: float
    latencies: list[float]
    statuses: dict[int, int] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)
    completed: int = 0  # every answered request, the warm-up's included (for CPU per request)

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """The ``q`` quantile of latency, in milliseconds."""
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, bytes]:
        """Send one request and read the whole answer."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        """Close the connection."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.writer = None


async def _drive(urls: list[str], clients: int, make: RequestFactory, warmup: float, duration: float,
                 think: Callable[[], float] | None, keep_bodies: bool) -> LoadResult:
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    bodies: list[bytes] = []
    last = [stop_at]
    completed = [0]

    async def client(c: int) -> None:
        conn = Conn(urls[c % len(urls)])
        i = 0
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    return
                method, path, headers, body = make(c, i)
                status, payload = await conn.request(method, path, headers, body)
                t1 = time.perf_counter()
                i += 1
                completed[0] += 1
                if t0 >= measure_from:  # started in the window: counted however long it took
                    last[0] = max(last[0], t1)
                    latencies.append(t1 - t0)
                    statuses[status] = statuses.get(status, 0) + 1
                    if keep_bodies:
                        bodies.append(payload)
                if think is not None:
                    await asyncio.sleep(think())
        finally:
            await conn.close()

    await asyncio.gather(*(client(c) for c in range(clients)))
    # Requests still running at the end of the window are waited for and counted, so slow
    # answers cannot drop out of the percentiles; the rate is over the stretched window.
    return LoadResult(last[0] - measure_from, latencies, statuses, bodies, completed[0])


def run_load(urls: list[str], clients: int, make: RequestFactory, warmup: float = 2.0, duration: float = 10.0,
             think_mean: float | None = None, keep_bodies: bool = False, seed: int = 1) -> LoadResult:
    """``clients`` concurrent clients spread over ``urls``; measured after ``warmup``.

    With ``think_mean`` each client pauses an exponential time between requests (people
    reading a case); without it they send back to back (a saturating closed loop).
    """
    rng = random.Random(seed)
    think = (lambda: rng.expovariate(1 / think_mean)) if think_mean else None
    return asyncio.run(_drive(urls, clients, make, warmup, duration, think, keep_bodies))
