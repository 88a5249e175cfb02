"""Start real PostgreSQL and Redis servers on 127.0.0.1 for the tests that need them.

The helpers live in ``salingjaga.dev.servers`` (the benchmarks and ``salingjaga cluster`` use
them too); this module re-exports them for the fixtures. Each server runs from a temporary
directory, on a free port, and is stopped by PID at the end. When a binary is missing the
tests skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

from salingjaga.dev.servers import (
    PostgresServer,
    RedisServer,
    free_port,
    pg_bin,
    start_postgres,
    start_redis,
    wait_port,
)

__all__ = ["PostgresServer", "RedisServer", "free_port", "pg_bin", "start_postgres", "start_redis", "wait_port"]
