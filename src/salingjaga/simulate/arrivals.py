"""The arrivals of a scenario, drawn once from its seed: what reaches the review queue and
when, with the work each will need. Pure: no database, no clock.

Content items are not drawn one by one: per hour and policy, the violating items among
those posted, the share the detectors find (recall) and the false positives that come with
them (precision) are drawn as counts, and only the flagged items become arrivals. Notices and
user reports are drawn per hour from their daily rates. The calendar period (campaign, quiet,
voting, counting) and the hour of day (WIB) scale every rate.

Both runs of a simulation (the queue policy and FIFO) are fed this same list, so they see
the same arrivals and the same work.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from salingjaga.core.timeutil import WIB
from salingjaga.moderation.actions import NO_VIOLATION, REMOVE
from salingjaga.simulate.scenario import Duration, Scenario


@dataclass(frozen=True)
class Arrival:
    """One thing that asks for review: a flagged item, a notice or a user report."""

    index: int
    at_s: float  # seconds after the scenario's start
    origin: str  # "detection" or "notice" (user reports are notices without a partner)
    stream: int  # index in Scenario.streams; -1 for detection
    partner: int  # which partner of the stream sends it
    policy: str
    violating: bool
    language: str
    views: int
    action: str
    handling_s: float
    appeal: bool
    appeal_delay_s: float


@dataclass
class Inflow:
    """The arrivals in time order and what the scan saw of all items."""

    arrivals: list[Arrival]
    items_scanned: int = 0
    violating: dict[str, int] = field(default_factory=dict)
    detected: dict[str, int] = field(default_factory=dict)
    false_positives: dict[str, int] = field(default_factory=dict)

    def count_by_origin(self) -> dict[str, int]:
        """Arrivals per origin."""
        out: dict[str, int] = {}
        for a in self.arrivals:
            out[a.origin] = out.get(a.origin, 0) + 1
        return out


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (a normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam > 400:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw (a normal approximation for large n)."""
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n > 200:
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        return min(n, max(0, round(rng.gauss(mean, sd))))
    return sum(1 for _ in range(n) if rng.random() < p)


def draw_duration(rng: random.Random, d: Duration) -> float:
    """A log-normal draw with the duration's median and p90, in seconds."""
    return d.median_s * math.exp(d.sigma * rng.gauss(0.0, 1.0)) if d.sigma else d.median_s


def follow_up_rng(scenario: Scenario, arrival: int, what: str) -> random.Random:
    """The generator for work that follows a decision (a second review, an appeal): seeded
    by the arrival, so both runs draw the same figures for the same item."""
    return random.Random(f"{scenario.seed}:{arrival}:{what}")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def generate(scenario: Scenario) -> Inflow:
    """Every arrival of the scenario, in time order, from its seed."""
    rng = random.Random(scenario.seed)
    mean_hour = sum(scenario.hourly_profile) / 24
    inflow = Inflow(arrivals=[])
    drafts: list[tuple[float, str, int, int, str, bool]] = []
    hours = math.ceil(scenario.days * 24)
    for h in range(hours):
        start_s = h * 3600.0
        span = min(3600.0, scenario.days * 86400 - start_s)
        local = scenario.start + timedelta(seconds=start_s)
        wib = local.astimezone(WIB)
        _period, surge = scenario.calendar_factor(wib.date())
        factor = surge * scenario.hourly_profile[wib.hour] / mean_hour * span / 3600.0
        items = poisson(rng, scenario.items_per_day / 24 * factor)
        inflow.items_scanned += items
        for policy, det in scenario.detection.items():
            violating = binomial(rng, items, det.violating_share)
            found = binomial(rng, violating, det.recall)
            false = poisson(rng, found * (1 - det.precision) / det.precision)
            inflow.violating[policy] = inflow.violating.get(policy, 0) + violating
            inflow.detected[policy] = inflow.detected.get(policy, 0) + found
            inflow.false_positives[policy] = inflow.false_positives.get(policy, 0) + false
            drafts += [(start_s + rng.random() * span, "detection", -1, 0, policy, True) for _ in range(found)]
            drafts += [(start_s + rng.random() * span, "detection", -1, 0, policy, False) for _ in range(false)]
        for index, stream in enumerate(scenario.streams):
            for _ in range(poisson(rng, stream.per_day / 24 * factor)):
                drafts.append((start_s + rng.random() * span, "notice", index, rng.randrange(stream.partners),
                               _pick(rng, stream.policies), rng.random() < stream.violating_share))
    drafts.sort(key=lambda d: d[0])
    for index, (at_s, origin, stream_ix, partner, policy, violating) in enumerate(drafts):
        action = scenario.actions.get(policy, REMOVE) if violating else NO_VIOLATION
        high = rng.random() < scenario.high_reach_share
        views = rng.randint(100_000, 2_000_000) if high else int(rng.lognormvariate(math.log(2000), 1.2)) % 99_000
        inflow.arrivals.append(Arrival(
            index=index, at_s=at_s, origin=origin, stream=stream_ix, partner=partner, policy=policy,
            violating=violating, language=_pick(rng, scenario.languages), views=views, action=action,
            handling_s=draw_duration(rng, scenario.handling_time(policy, action)),
            appeal=action != NO_VIOLATION and rng.random() < scenario.appeal_share,
            appeal_delay_s=draw_duration(rng, scenario.appeal_delay)))
    return inflow
