"""CPU per request, split by process: the API servers, PostgreSQL, the workers and the load
generator.

Rates and latencies on a shared 2-core machine move by a third between identical runs;
the CPU a request costs in each process moves far less, and it is what the targets come
down to (what two cores can serve is 2 s of CPU per second divided by it). Read from
``/proc/<pid>/stat`` (user + system time) before and after a load; PostgreSQL is the
postmaster and its children (the backends that served the load). Linux only; elsewhere
the split is empty.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _tree(root: int | None) -> dict[int, float]:
    """CPU seconds of ``root`` and its direct children, by pid."""
    if root is None or not Path("/proc").is_dir():
        return {}
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        st = _stat(int(entry.name)) if entry.name.isdigit() else None
        if st is not None and root in (int(entry.name), st[0]):
            out[int(entry.name)] = st[1]
    return out


def _own(pids: list[int]) -> dict[int, float]:
    return {pid: st[1] for pid in pids if (st := _stat(pid)) is not None}


@dataclass
class Split:
    """CPU seconds used during a window, and per request once ``requests`` is known."""

    api: float = 0.0
    postgres: float = 0.0
    loadgen: float = 0.0
    worker: float = 0.0
    requests: int = 0

    def per_request_ms(self) -> dict[str, Any]:
        """Milliseconds of CPU per request in each place (empty without requests)."""
        if not self.requests:
            return {}
        n = self.requests
        return {"api_cpu_ms": round(1000 * self.api / n, 3), "postgres_cpu_ms": round(1000 * self.postgres / n, 3),
                "loadgen_cpu_ms": round(1000 * self.loadgen / n, 3), "worker_cpu_ms": round(1000 * self.worker / n, 3)}


@contextmanager
def cpu_window(api_pids: list[int], postgres_pid: int | None, worker_pids: list[int] | None = None) -> Iterator[Split]:
    """Measure the CPU the API processes, PostgreSQL, the workers (the periodic work the
    requests caused, such as audit chaining) and this process use inside the block;
    set ``split.requests`` inside it to get per-request figures. A PostgreSQL backend that
    started during the window counts from zero."""
    split = Split()
    workers = worker_pids or []
    api0, pg0, w0, own0 = _own(api_pids), _tree(postgres_pid), _own(workers), time.process_time()
    try:
        yield split
    finally:
        api1, pg1, w1 = _own(api_pids), _tree(postgres_pid), _own(workers)
        split.worker = sum(v - w0.get(pid, 0.0) for pid, v in w1.items())
        split.api = sum(v - api0.get(pid, 0.0) for pid, v in api1.items())
        split.postgres = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
        split.loadgen = time.process_time() - own0


def one_core() -> set[int] | None:
    """Pin this process to one core (the figure is per core); the previous set, to restore
    (None where affinity is not supported)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    return before
