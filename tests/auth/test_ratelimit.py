"""Rate-limit counters under concurrency: exactly ``limit`` requests are admitted in a window
however many arrive at once, in memory and in Redis, and the next window admits again."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from salingjaga.auth.ratelimit import MemoryCounter, RedisCounter

WINDOW = 4  # seconds: short, so a test can see the next window come


def _at_window_start(window: int = WINDOW) -> None:
    """Sleep to just after a window begins, so a burst cannot straddle two windows."""
    time.sleep(window - time.time() % window + 0.05)


def _next_window(window: int = WINDOW) -> None:
    time.sleep(window - time.time() % window + 0.05)


async def _burst(counter: RedisCounter | MemoryCounter, key: str, n: int, limit: int) -> int:
    return sum(await asyncio.gather(*[counter.allow(key, WINDOW, limit) for _ in range(n)]))


def test_memory_counter_admits_exactly_the_limit_from_many_threads_and_coroutines():
    counter = MemoryCounter()
    allowed: list[int] = []

    def one_thread() -> None:
        allowed.append(asyncio.run(_burst(counter, "k", 100, 250)))

    _at_window_start()
    threads = [threading.Thread(target=one_thread) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 250
    assert asyncio.run(counter.exhausted("k", WINDOW, 250))
    _next_window()
    assert asyncio.run(counter.allow("k", WINDOW, 250))
    assert not asyncio.run(counter.exhausted("k", WINDOW, 250))


@pytest.mark.redis
def test_redis_counter_admits_exactly_the_limit_when_a_burst_arrives_at_once(redis_server):
    """The defect: 60 requests at a minute's start admitted 49 of 600, then every request
    was refused for the rest of the minute (replies wrote over slices others had taken)."""
    counter = RedisCounter(redis_server.url)

    async def scenario() -> tuple[int, int, int]:
        first = await _burst(counter, "burst", 60, 600)  # all inside the limit
        rest = await _burst(counter, "burst", 800, 600)  # hundreds more at once: 540 of them
        after = await _burst(counter, "burst", 10, 600)
        return first, rest, after

    _at_window_start()
    first, rest, after = asyncio.run(scenario())
    assert (first, rest, after) == (60, 540, 0)

    async def next_window() -> tuple[bool, bool]:
        return await counter.allow("burst", WINDOW, 600), await counter.exhausted("burst", WINDOW, 600)

    _next_window()
    assert asyncio.run(next_window()) == (True, False)


@pytest.mark.redis
def test_redis_counters_of_several_servers_share_one_exact_budget(redis_server):
    """Small limits take slices of one: two servers bursting at once admit the limit."""
    one, two = RedisCounter(redis_server.url), RedisCounter(redis_server.url)

    async def scenario() -> int:
        got = await asyncio.gather(*[c.allow("shared", WINDOW, 30) for _ in range(100) for c in (one, two)])
        return sum(got)

    _at_window_start()
    assert asyncio.run(scenario()) == 30

    async def exhausted() -> list[bool]:
        return [await c.exhausted("shared", WINDOW, 30) for c in (one, two)]

    assert asyncio.run(exhausted()) == [True, True]
