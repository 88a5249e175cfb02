"""A simulated election week at the target's size: 1 million content items scanned and
50,000 notices, on SQLite, both runs (the claim order and the FIFO replay) side by side and
the report written. The target is the whole of it in at most 10 minutes on this machine.

The baseline is the same arrivals' count handled per second; ``--quick`` runs a twentieth
of the week (the rates per arrival are what carry over). Beside the wall time, the CPU the
two runs and the report took (``process_time`` of this process and the run processes' user
and system time): on a machine shared with other work the wall time says how busy it was,
the CPU per arrival what the simulation costs.
"""

from __future__ import annotations

import resource
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.run import Context
from salingjaga.core.timeutil import WIB
from salingjaga.simulate.report import write_report
from salingjaga.simulate.runner import Target, simulate
from salingjaga.simulate.scenario import parse_scenario

ITEMS = 1_000_000
NOTICES = 50_000
DAYS = 7


def scenario(share: float) -> dict[str, Any]:
    """``share`` of a week at the rates of 1,000,000 items and 50,000 notices a week,
    staffed to keep up with it."""
    days = DAYS * share
    per_day = NOTICES / DAYS
    staff = [{"count": 40, "seniority": "moderator"}, {"count": 6, "seniority": "senior_moderator"}]
    return {
        "scenario": {"name": "benchmark week", "election": "pemilu-2024", "start": datetime(2024, 2, 8, tzinfo=WIB),
                     "days": days, "seed": 1, "lease_minutes": 30, "sample_minutes": 120},
        "inflow": {"items_per_day": ITEMS / DAYS, "high_reach_share": 0.02},
        "detection": {"misinformation": {"violating_share": 0.002, "precision": 0.6, "recall": 0.7},
                      "civic_election_integrity": {"violating_share": 0.004, "precision": 0.6, "recall": 0.7}},
        "notices": [
            {"kind": "election_supervisor", "level": "national", "per_day": per_day * 0.2, "violating_share": 0.75,
             "policies": {"misinformation": 1, "civic_election_integrity": 2}},
            {"kind": "election_supervisor", "level": "province", "partners": 38, "per_day": per_day * 0.3,
             "violating_share": 0.75, "policies": {"misinformation": 1, "civic_election_integrity": 2}},
            {"kind": "election_supervisor", "level": "regency", "partners": 514, "per_day": per_day * 0.5,
             "violating_share": 0.75, "policies": {"misinformation": 1, "civic_election_integrity": 2}},
        ],
        "shifts": [{"name": name, "start_hour": start, "hours": 8, "staff": staff}
                   for name, start in (("pagi", 7), ("siang", 15), ("malam", 23))],
        "handling": {"default": {"any": {"median_minutes": 4, "p90_minutes": 9}}},
        "appeals": {"share": 0.03},
    }


def run(ctx: Context) -> list[dict[str, Any]]:
    """Wall time of the whole simulation against the 10-minute target."""
    from salingjaga.wiring import wire

    wire()  # every model imported, the domains wired
    share = 1.0 if not ctx.quick else 0.05
    sim = parse_scenario(scenario(share))
    out = Path(ctx.workdir) / "simulate-week"
    started, cpu_started, runs_before = time.perf_counter(), time.process_time(), _children_cpu()
    report = simulate(sim, Target(out), staffing=False, workers=2)
    write_report(report, out)
    seconds = time.perf_counter() - started
    runs_cpu = _children_cpu() - runs_before  # the two run processes, gone by now
    own_cpu = time.process_time() - cpu_started  # arrivals drawn, the report written
    arrivals = report["inflow"]["arrivals"]
    decided = report["policy"]["balance"]["decided"]
    full = seconds / share
    return [
        ctx.figure(f"simulated week ({report['inflow']['items_scanned']:,} items, "
                   f"{report['inflow']['by_origin'].get('notice', 0):,} notices), wall time", seconds, "s",
                   "target (10 min, scaled to this share of the week)", 600 * share,
                   target="<= 600 s for the full week", meets=full <= 600, full_week_estimate_s=round(full),
                   decided=decided, operations=report["policy"]["operations"]),
        ctx.figure("arrivals simulated per second (both runs)", arrivals / seconds, "/s",
                   "needed for the full week in 10 min", arrivals / share / 600),
        ctx.figure("CPU per arrival per run (the two runs' CPU / 2 / arrivals)", runs_cpu / 2 / arrivals * 1000, "ms",
                   "a run on one core in 10 min, the full week", 600 / (arrivals / share) * 1000,
                   runs_cpu_s=round(runs_cpu, 1), report_and_arrivals_cpu_s=round(own_cpu, 1)),
    ]


def _children_cpu() -> float:
    """User and system CPU seconds of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
