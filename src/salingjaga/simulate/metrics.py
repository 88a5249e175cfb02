"""What a run's measurements add up to: time to decision per source and policy, deadline
misses, the balance of arrivals, follow-up work and the staffing condition. Pure.

An arrival still waiting at the end of the run has waited at least until then: its time
counts as that lower bound (``censored``), so a percentile over a backlog that never
cleared is a lower bound too, never an optimistic figure taken over the decided ones only.
"""

from __future__ import annotations

import math
from typing import Any

from salingjaga.simulate.arrivals import Inflow
from salingjaga.simulate.engine import RunResult
from salingjaga.simulate.scenario import Scenario

PERCENTILES = (50, 90, 95, 99)
TRUSTED = "trusted_flagger"


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _group(entries: list[tuple[float, bool, str]]) -> dict[str, Any]:
    """Hours to decision (``(seconds, decided, deadline state)`` per arrival) summarised."""
    hours = [s / 3600 for s, _, _ in entries]
    met = sum(1 for _, _, d in entries if d == "met")
    missed = sum(1 for _, _, d in entries if d == "missed")
    out: dict[str, Any] = {"arrivals": len(entries), "decided": sum(1 for _, ok, _ in entries if ok),
                           "censored": sum(1 for _, ok, _ in entries if not ok),
                           "deadline_met": met, "deadline_missed": missed,
                           "deadline_met_share": met / (met + missed) if met + missed else None}
    for q in PERCENTILES:
        value = percentile(hours, q)
        out[f"p{q}_hours"] = round(value, 4) if value is not None else None
    return out


def summarise(scenario: Scenario, inflow: Inflow, result: RunResult) -> dict[str, Any]:
    """The figures of one run, as the report shows them."""
    end_s = scenario.days * 86400
    by_source: dict[str, list[tuple[float, bool, str]]] = {}
    by_policy: dict[str, list[tuple[float, bool, str]]] = {}
    balance = {"arrivals": len(inflow.arrivals), "decided": 0, "pending": 0, "expired": 0, "not_queued": 0,
               "decided_twice": 0}
    for arrival, outcome in zip(inflow.arrivals, result.outcomes, strict=True):
        if outcome.case_id is None:
            balance["not_queued"] += 1
            continue
        if outcome.decisions > 1:
            balance["decided_twice"] += 1
        deadline = outcome.deadline_s if outcome.deadline_s is not None else math.inf
        if outcome.decided_s is not None:
            balance["decided"] += 1
            took, done = outcome.decided_s - arrival.at_s, True
            state = "met" if outcome.decided_s <= deadline else "missed"
        else:
            took, done = end_s - arrival.at_s, False
            state = "missed" if deadline < end_s else "open"
            balance["expired" if state == "missed" else "pending"] += 1
        by_source.setdefault(outcome.source, []).append((took, done, state))
        by_policy.setdefault(arrival.policy, []).append((took, done, state))
    follow: dict[str, list[tuple[float, bool, str]]] = {}
    for f in result.follow_ups.values():
        took = (f.decided_s if f.decided_s is not None else end_s) - f.opened_s
        follow.setdefault(f.kind, []).append((took, f.decided_s is not None, "open"))
    return {
        "queue_order": result.queue_order,
        "balance": balance,
        "by_source": {k: _group(v) for k, v in sorted(by_source.items())},
        "by_policy": {k: _group(v) for k, v in sorted(by_policy.items())},
        "follow_ups": {k: _group(v) for k, v in sorted(follow.items())},
        "backlog": result.backlog,
        "utilisation": result.utilisation,
        "lease_expired": result.lease_expired,
        "refused": result.refused,
        "operations": result.operations,
    }


def trusted_within_deadline(summary: dict[str, Any], share: float = 0.95) -> bool:
    """The staffing condition: trusted flaggers' notices are decided within their deadline
    at the 95th percentile (at least ``share`` of those whose deadline has come met it)."""
    group = summary["by_source"].get(TRUSTED)
    if group is None or group["deadline_met_share"] is None:
        return True
    return bool(group["deadline_met_share"] >= share)
