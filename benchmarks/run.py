"""Run every benchmark under ``benchmarks/`` and print each figure beside its baseline.

    python -m benchmarks.run [--only NAME ...] [--quick] [--out benchmarks/results.json]

A benchmark is a module ``benchmarks/<name>.py`` with ``run(ctx) -> list[dict]``; each dict
is one figure, built with ``ctx.figure(...)`` (name, value, unit, baseline_name,
baseline_value, ratio and optionally a target). A benchmark whose dependency is missing
raises ``Skip("reason")`` and is listed as skipped. ``ctx`` starts PostgreSQL (durable
settings: fsync and synchronous commit on) and Redis from the Debian packages on 127.0.0.1
when first asked, and stops them by PID at the end, so this runs on a fresh machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from salingjaga.dev.servers import PostgresServer, RedisServer, start_postgres, start_redis

HERE = Path(__file__).resolve().parent
console = Console(width=None if sys.stdout.isatty() else 170)


def _number(value: float) -> str:
    """Two decimals, three for a fraction below 1 (recall 0.937 must not print as 0.94)."""
    return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.2f}"


class Skip(Exception):
    """Raised by a benchmark that cannot run here; the message says why."""


class Context:
    """What a benchmark gets: shared servers, a scratch folder, the size knob, helpers."""

    def __init__(self, quick: bool, workdir: Path) -> None:
        self.quick = quick
        self.workdir = workdir
        self._pg: PostgresServer | None = None
        self._redis: RedisServer | None = None
        self.cleanups: list[Callable[[], None]] = []

    def scale(self, full: int, quick: int) -> int:
        """``full`` normally, ``quick`` with ``--quick``."""
        return quick if self.quick else full

    def postgres(self) -> PostgresServer:
        """A durable PostgreSQL for this run (started on first use)."""
        if self._pg is None:
            console.log("starting PostgreSQL (durable settings)")
            self._pg = start_postgres(durable=True, conf={"shared_buffers": "512MB", "work_mem": "32MB",
                                                          "max_wal_size": "4GB"})
        return self._pg

    def redis(self) -> RedisServer:
        """A Redis for this run (started on first use; append-only file on, as in production)."""
        if self._redis is None:
            console.log("starting Redis")
            self._redis = start_redis(durable=True)
        return self._redis

    def database(self, name: str) -> str:
        """A fresh, migrated PostgreSQL database; its URL."""
        from salingjaga.core.settings import Settings
        from salingjaga.migrate import upgrade

        url = self.postgres().create_database(name)
        upgrade(Settings(database_url=url, data_dir=self.workdir / "data"))
        return url

    def on_close(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the run ends (stop processes a benchmark started)."""
        self.cleanups.append(fn)

    def close(self) -> None:
        """Stop everything started for the run, by PID."""
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:
                traceback.print_exc()
        self.cleanups.clear()
        if self._redis is not None:
            self._redis.stop()
        if self._pg is not None:
            self._pg.stop()

    @staticmethod
    def figure(name: str, value: float, unit: str, baseline_name: str, baseline_value: float,
               target: str | None = None, meets: bool | None = None, **extra: Any) -> dict[str, Any]:
        """One result row; ``ratio`` is value / baseline."""
        ratio = value / baseline_value if baseline_value else None
        row: dict[str, Any] = {"name": name, "value": round(value, 4), "unit": unit,
                               "baseline_name": baseline_name, "baseline_value": round(baseline_value, 4),
                               "ratio": round(ratio, 4) if ratio is not None else None}
        if target is not None:
            row["target"] = target
            row["meets_target"] = meets
        row.update(extra)
        return row


def discover() -> list[str]:
    """Benchmark module names: every ``benchmarks/*.py`` except this runner and ``_*``."""
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"}
                  and not p.stem.startswith("_"))


def _entry(module: Any) -> Callable[[Context], list[dict[str, Any]]] | None:
    fn = getattr(module, "run", None)
    if fn is None:
        return None
    params = list(inspect.signature(fn).parameters)
    if len(params) < 1 or params[0] != "ctx":
        return None  # a standalone script with its own main(); not part of the suite
    entry: Callable[[Context], list[dict[str, Any]]] = fn
    return entry


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    mem = None
    with contextlib.suppress(ValueError, OSError):
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpus": os.cpu_count(), "memory_gib": mem, "platform": platform.platform(),
            "python": platform.python_version(), "load_avg_at_start": os.getloadavg()}


def print_table(results: list[dict[str, Any]]) -> None:
    """The summary table."""
    table = Table(title="SalingJaga benchmarks", show_lines=False)
    for col, just in (("benchmark", "left"), ("figure", "left"), ("value", "right"), ("baseline", "left"),
                      ("baseline value", "right"), ("ratio", "right"), ("target", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in results:
        if r.get("skipped"):
            table.add_row(r["benchmark"], f"[yellow]skipped[/yellow]: {r['skipped']}", "", "", "", "", "")
            continue
        target = r.get("target") or ""
        if target:
            mark = "[green]ok[/green]" if r.get("meets_target") else "[red]missed[/red]"
            target = f"{target} {mark}"
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        table.add_row(r["benchmark"], r["name"], f"{_number(r['value'])} {r['unit']}", r["baseline_name"],
                      f"{_number(r['baseline_value'])} {r.get('baseline_unit', r['unit'])}", ratio, target)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; exit status 1 when a benchmark crashed (a missed target is reported,
    not an error)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    names = discover()
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            parser.error(f"unknown benchmark(s) {sorted(unknown)}; known: {names}")
        names = [n for n in names if n in args.only]
    workdir = Path(tempfile.mkdtemp(prefix="sj-bench-"))
    ctx = Context(args.quick, workdir)
    results: list[dict[str, Any]] = []
    crashed = False
    started = datetime.now(UTC)
    host = machine()  # the load average before we add our own
    try:
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            entry = _entry(module)
            if entry is None:
                results.append({"benchmark": name, "skipped": "standalone script: no run(ctx) entry point"})
                continue
            console.rule(f"[bold]{name}")
            t0 = time.perf_counter()
            try:
                rows = entry(ctx)
                for row in rows:
                    results.append({"benchmark": name, **row, "measured_at": datetime.now(UTC).isoformat()})
                    console.log(f"{row['name']}: {row['value']} {row['unit']} (baseline {row['baseline_name']}: "
                                f"{row['baseline_value']}, ratio {row['ratio']})")
            except Skip as exc:
                console.log(f"skipped: {exc}")
                results.append({"benchmark": name, "skipped": str(exc)})
            except Exception as exc:
                crashed = True
                traceback.print_exc()
                results.append({"benchmark": name, "skipped": f"crashed: {type(exc).__name__}: {exc}"})
            finally:
                for fn in reversed(ctx.cleanups):
                    try:
                        fn()
                    except Exception:
                        traceback.print_exc()
                ctx.cleanups.clear()
            console.log(f"{name}: {time.perf_counter() - t0:.0f}s")
    finally:
        ctx.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.only and args.out.exists():
        # A partial run updates its own rows and keeps the others' figures from before.
        with contextlib.suppress(ValueError, KeyError):
            earlier = json.loads(args.out.read_text())["results"]
            results = [r for r in earlier if r.get("benchmark") not in names] + results
    print_table(results)
    summary = {"started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
               "quick": args.quick, "machine": host, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    console.print(f"wrote {args.out}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
