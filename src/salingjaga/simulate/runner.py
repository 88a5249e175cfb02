"""A whole simulation: the arrivals drawn once, a run under the queue's claim order and a
replay of the same arrivals under plain FIFO with the same staff, each on a fresh
database, and the staffing search over further runs.

Databases: by default each run gets its own SQLite file in the output folder (kept: the
policy run's file can be served or fed to ``demo load --history``). With a database URL
every run uses that database in turn, emptied and migrated before each (it must be a
scratch database); the policy run goes last, so its state is what the database keeps.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text

from salingjaga.audit.service import chain_all
from salingjaga.core.db import Database
from salingjaga.core.gc_tuning import tune_gc
from salingjaga.core.settings import Settings
from salingjaga.migrate import upgrade
from salingjaga.simulate.arrivals import Inflow, generate
from salingjaga.simulate.engine import Progress, Simulation
from salingjaga.simulate.metrics import summarise, trusted_within_deadline
from salingjaga.simulate.scenario import Scenario

MAX_STAFF = 4096  # the staffing search gives up above this many moderators per shift


@dataclass
class Target:
    """Where runs go: a folder for SQLite files, or one scratch database."""

    out: Path
    database_url: str | None = None

    def url(self, name: str) -> str:
        """The database URL of the run called ``name``."""
        return self.database_url or f"sqlite:///{self.out / (name + '.db')}"


@cache
def _sqlite_template() -> Path:
    """A migrated, empty SQLite file made once per process: runs start from a copy of it
    (migrating from scratch costs more than a small run)."""
    folder = Path(tempfile.mkdtemp(prefix="salingjaga-sim-"))
    path = folder / "template.db"
    upgrade(Settings(database_url=f"sqlite:///{path}", data_dir=folder / "data"))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


def fresh_database(url: str) -> None:
    """Empty ``url`` and migrate it: a SQLite file is replaced by a migrated copy; a
    PostgreSQL database loses its ``public`` schema (so the URL must name a scratch
    database) and is migrated again."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        if path.exists():
            _refuse_a_deployment(Database(url), url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), path)
        return
    _refuse_a_deployment(Database(url), url)
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        db.dispose()
    upgrade(Settings(database_url=url))


def _refuse_a_deployment(db: Database, url: str) -> None:
    """A guard against a wrong URL before the database is emptied: the simulator never gives
    anyone a password, a deployment always has people who sign in."""
    try:
        with db.engine.connect() as conn:
            if inspect(conn).has_table("users") and conn.execute(
                    text("SELECT 1 FROM users WHERE password_hash IS NOT NULL LIMIT 1")).first() is not None:
                raise ValueError(f"{url.split('@')[-1]} has users who sign in: not a scratch database "
                                 "(the simulator empties the database it is given)")
    finally:
        db.dispose()


def _scratch_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """A run's SQLite file is scratch: nothing is lost that a rerun would not make again,
    so it is written without waiting for the disk (no fsync, the rollback journal in
    memory). The services' statements are the same as on a durable database."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA journal_mode=MEMORY")
    cur.close()


def run_settings(scenario: Scenario, url: str, data_dir: Path, queue_order: str) -> Settings:
    """The settings a run's services take: the scenario's deadlines and lease, the queue
    order and its share of overdue turns."""
    return Settings(database_url=url, data_dir=data_dir, stream="inline",
                    deadline_hours_default=scenario.deadline_hours_default,
                    deadline_hours_tight=scenario.deadline_hours_tight,
                    lease_seconds=scenario.lease_seconds, queue_order=queue_order,
                    queue_overdue_share=scenario.overdue_share)


def run_once(scenario: Scenario, inflow: Inflow, url: str, data_dir: Path, queue_order: str,
             progress: Progress | None = None) -> dict[str, Any]:
    """One run on a fresh database; its summary, with its wall time."""
    fresh_database(url)
    settings = run_settings(scenario, url, data_dir, queue_order)
    tune_gc(settings.gc_threshold)  # a run is one long process, collected as an API process is
    # Audit events are queued and chained after the run, as a busy deployment does
    # (``audit_deferred``): chaining each event inside the transaction that writes it
    # would serialise the run on the chain's head.
    db = Database(url, audit_deferred=True)
    if db.dialect == "sqlite":
        event.listen(db.engine, "connect", _scratch_pragmas)
    started = time.perf_counter()
    try:
        result = Simulation(scenario, inflow, db, settings, progress).run()
        chain_all(db)
    finally:
        db.dispose()
    summary = summarise(scenario, inflow, result)
    summary["wall_seconds"] = round(time.perf_counter() - started, 2)
    return summary


Probe = Callable[[list[Scenario]], list[dict[str, Any]]]


def staffing_search(scenario: Scenario, probe: Probe, width: int = 1, limit: int = MAX_STAFF) -> dict[str, Any]:
    """The fewest first-level moderators per shift for which trusted flaggers' notices
    meet their deadline at p95, found by search over runs (fewer staff never decide
    faster): doubling until the condition holds, then narrowing the gap by trying
    ``width`` staffings inside it at once (``width`` 1 is bisection). ``probe`` runs
    scenarios (side by side when it can) and returns their summaries."""
    tried: dict[int, bool] = {}

    def check(ns: list[int]) -> None:
        new = sorted({n for n in ns if n not in tried})
        for n, summary in zip(new, probe([scenario.with_moderators_per_shift(n) for n in new]), strict=True):
            tried[n] = trusted_within_deadline(summary)

    high = max(1, scenario.moderators_per_shift)
    check([high])
    while not tried[high]:
        if high >= limit:
            return {"moderators_per_shift": None, "limit": limit, "tried": tried,
                    "answer": f"no staffing up to {limit} moderators per shift keeps the deadline"}
        high = min(limit, high * 2)
        check([high])
    low = -1  # below every staffing: the condition is taken to fail there, never run
    while high - low > 1:
        gap = high - low
        check([low + max(1, round(gap * k / (width + 1))) for k in range(1, width + 1)
               if low + max(1, round(gap * k / (width + 1))) < high])
        high = min(n for n, ok in tried.items() if ok and low < n <= high)
        low = max([n for n, ok in tried.items() if not ok and low <= n < high], default=low)
    answer = (f"{high} moderators per shift keep trusted notices within the deadline at p95; {high - 1} do not"
              if high > 0 else "the senior staff alone keep trusted notices within the deadline at p95")
    return {"moderators_per_shift": high, "tried": {str(k): v for k, v in sorted(tried.items())}, "answer": answer}


def _named(progress: Callable[[str, float], None] | None, name: str) -> Progress | None:
    if progress is None:
        return None

    def report(share: float) -> None:
        progress(name, share)

    return report


def _run_job(job: tuple[Scenario, Inflow, str, Path, str]) -> dict[str, Any]:
    return run_once(*job)


def run_many(jobs: list[tuple[Scenario, Inflow, str, Path, str]], workers: int,
             progress: Callable[[str, float], None] | None, names: list[str]) -> list[dict[str, Any]]:
    """Run independent runs (each on its own database), ``workers`` at a time in child
    processes, or one after the other in this one (with progress) when ``workers`` is 1."""
    if workers <= 1 or len(jobs) == 1:
        return [run_once(*job, progress=_named(progress, name)) for job, name in zip(jobs, names, strict=True)]
    results: list[dict[str, Any]] = []
    # fork: the children inherit the imported models and the wiring of this process
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for name, result in zip(names, pool.map(_run_job, jobs), strict=True):
            if progress is not None:
                progress(name, 1.0)
            results.append(result)
    return results


def simulate(scenario: Scenario, target: Target, *, staffing: bool = True, workers: int = 1,
             progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """Run the scenario under FIFO and under the claim order (and the staffing search):
    the report's data. ``workers`` > 1 runs independent runs side by side in processes
    (SQLite files only: a database URL is one database, used by one run at a time)."""
    target.out.mkdir(parents=True, exist_ok=True)
    data_dir = target.out / "data"
    workers = 1 if target.database_url else max(1, workers)
    started = time.perf_counter()
    inflow = generate(scenario)
    report: dict[str, Any] = {"scenario": scenario_summary(scenario), "inflow": inflow_summary(inflow)}
    if staffing:
        probes: list[int] = []

        def probe(variants: list[Scenario]) -> list[dict[str, Any]]:
            sizes = [v.moderators_per_shift for v in variants]
            probes.extend(sizes)
            jobs = [(v, inflow, target.url(f"staffing-{n}"), data_dir, "priority") for v, n in zip(
                variants, sizes, strict=True)]
            return run_many(jobs, workers, progress, [f"staffing {n}/shift" for n in sizes])

        report["staffing"] = staffing_search(scenario, probe, width=workers)
        report["staffing"]["runs"] = len(probes)
        if target.database_url is None:
            for n in probes:
                for suffix in ("", "-wal", "-shm"):
                    (target.out / f"staffing-{n}.db{suffix}").unlink(missing_ok=True)
    report["fifo"], report["policy"] = run_many(
        [(scenario, inflow, target.url("fifo"), data_dir, "fifo"),
         (scenario, inflow, target.url("policy"), data_dir, "priority")], workers, progress, ["fifo", "claim order"])
    report["wall_seconds"] = round(time.perf_counter() - started, 2)
    return report


def scenario_summary(scenario: Scenario) -> dict[str, Any]:
    """The scenario's main figures, for the report's header."""
    return {"name": scenario.name, "election": scenario.election, "start": scenario.start.isoformat(),
            "days": scenario.days, "seed": scenario.seed, "items_per_day": scenario.items_per_day,
            "deadline_hours": {"default": scenario.deadline_hours_default, "tight": scenario.deadline_hours_tight},
            "lease_minutes": scenario.lease_seconds / 60,
            "shifts": [{"name": s.name, "start_hour": s.start_hour, "hours": s.hours, "people": s.size,
                        "moderators": s.moderators} for s in scenario.shifts],
            "sources": scenario.sources}


def inflow_summary(inflow: Inflow) -> dict[str, Any]:
    """What the scan saw and what reached the queue."""
    return {"items_scanned": inflow.items_scanned, "violating": inflow.violating, "detected": inflow.detected,
            "false_positives": inflow.false_positives, "arrivals": len(inflow.arrivals),
            "by_origin": inflow.count_by_origin()}
