"""The discrete-event loop: arrivals, shifts, claims, decisions and appeals in virtual time,
each carried out by the real services on a real database.

Time is a ``VirtualClock`` installed with ``core.timeutil.use_clock``: every deadline,
lease and audit time the services write is virtual, so a week runs in minutes and a lease
that runs out while a moderator works runs out exactly as it would on wall time (the
decision is refused with the same 409 and the case goes back to the queue).

Events, in time order: an arrival (the item is taken in; a detection hit goes through
detection's routing, a notice or user report through notice intake, opening a case), a
shift starting or ending, a moderator claiming (``claim_next``: the claim order, or FIFO
with ``queue_order = "fifo"``) and, after the handling time, deciding (``decide``; a second
review or an appeal follows when the services open one), a creator appealing. Idle
moderators are woken when work may have arrived.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.content.schemas import ContentIn
from salingjaga.content.service import ingest_content
from salingjaga.core.db import Database
from salingjaga.core.errors import APIError
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, VirtualClock, as_utc, use_clock
from salingjaga.detection.base import SignalResult
from salingjaga.detection.handlers import apply_route
from salingjaga.detection.routing import route
from salingjaga.moderation import actions as A
from salingjaga.moderation.models import Case
from salingjaga.moderation.service import (
    LEVELS,
    ROLE_LEVELS,
    claim_next,
    create_appeal,
    decide,
    queue_stats,
    use_settings,
)
from salingjaga.notices.schemas import ContentRef, NoticeIn
from salingjaga.notices.service import NoticeJob, submit_notices
from salingjaga.simulate.arrivals import Arrival, Inflow, draw_duration, follow_up_rng
from salingjaga.simulate.scenario import DETECTOR_SIGNALS, SENIORITY, Scenario
from salingjaga.simulate.world import Moderator, World, build_world

COMMIT_EVERY = 300  # operations per transaction (one writer: nothing waits on it)
# A decision refused because its lease ran out loses the decision, not the review: the
# facts are written down, and whoever claims the case next (often its holder: it waits at
# its place in the order) enters the decision again in this long. Without it a case whose
# handling outlasts the lease would be reviewed from scratch by one person after another
# and never decided, each time costing a lease's worth of someone's shift.
RESUBMIT_S = 120.0
Progress = Callable[[float], None]


@dataclass
class Outcome:
    """What became of one arrival: its case, deadline and decision time (seconds from start)."""

    case_id: str | None = None
    source: str = ""
    deadline_s: float | None = None
    tight: bool = False
    decided_s: float | None = None
    decisions: int = 0


@dataclass
class FollowUp:
    """A second review or appeal case the services opened after a decision."""

    kind: str
    arrival: int
    opened_s: float
    decided_s: float | None = None


@dataclass
class RunResult:
    """Everything one run measured."""

    queue_order: str
    outcomes: list[Outcome]
    follow_ups: dict[str, FollowUp]
    backlog: list[dict[str, Any]]
    utilisation: dict[str, dict[str, float]]
    lease_expired: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    operations: int = 0


class Simulation:
    """One run of a scenario's arrivals on one database, under one queue order."""

    def __init__(self, scenario: Scenario, inflow: Inflow, db: Database, settings: Settings,
                 progress: Progress | None = None) -> None:
        self.scenario, self.inflow, self.db, self.settings = scenario, inflow, db, settings
        self.progress = progress
        self.clock = VirtualClock(scenario.start - timedelta(seconds=1))
        self.end_s = scenario.days * 86400.0
        self.events: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self.outcomes = [Outcome() for _ in inflow.arrivals]
        self.by_case: dict[str, int] = {}
        self.by_item: dict[str, int] = {}
        self.follow_ups: dict[str, FollowUp] = {}
        self.idle: dict[str, set[int]] = {s: set() for s in SENIORITY}
        # moderator -> the case they hold and when they took it (kept, so deciding it reads
        # the session's object instead of the row again)
        self.holding: dict[int, tuple[Case, float]] = {}
        # Levels where a claim may find a case. A claim that finds nothing clears its
        # levels; whatever can put a case in the queue (an arrival, a decision opening a
        # second review, an appeal, a lease running out, a sample seeing cases wait) sets
        # them again. An idle team then costs no claims that are bound to find nothing.
        self.may_wait: set[str] = set(LEVELS)
        self.reviewed: set[str] = set()  # cases reviewed whose decision came after the lease
        self.result = RunResult(settings.queue_order, self.outcomes, self.follow_ups, [], {})
        self._ops = 0

    # -- time and events ---------------------------------------------------------------
    def at(self, seconds: float) -> datetime:
        """The virtual datetime ``seconds`` after the start."""
        return self.scenario.start + timedelta(seconds=seconds)

    def push(self, when_s: float, kind: str, payload: Any = None) -> None:
        """Schedule an event (dropped when after the end of the run)."""
        if when_s <= self.end_s:
            self._seq += 1
            heapq.heappush(self.events, (when_s, self._seq, kind, payload))

    def _shifts(self, world: World) -> None:
        first = self.scenario.start.astimezone(WIB).date() - timedelta(days=1)
        for day in range(int(self.scenario.days) + 3):
            midnight = datetime(first.year, first.month, first.day, tzinfo=WIB) + timedelta(days=day)
            for index, mod in enumerate(world.moderators):
                begin = (as_utc(midnight + timedelta(hours=mod.shift.start_hour)) - self.scenario.start).total_seconds()
                finish = begin + mod.shift.hours * 3600
                if finish <= 0 or begin >= self.end_s:
                    continue
                mod.shift_s += min(finish, self.end_s) - max(begin, 0.0)
                self.push(max(begin, 0.0), "shift_start", (index, min(finish, self.end_s)))
                self.push(min(finish, self.end_s), "shift_end", index)

    # -- the run -----------------------------------------------------------------------
    def run(self) -> RunResult:
        """Run every event up to the end and return the measurements."""
        with use_clock(self.clock), use_settings(self.settings), self.db.session() as session:
            self.session: Session = session
            self.world = build_world(session, self.scenario)
            session.commit()
            self._shifts(self.world)
            step = self.scenario.sample_minutes * 60
            for k in range(int(self.end_s // step) + 1):
                self.push(k * step, "sample")
            arrivals, nxt, total = self.inflow.arrivals, 0, max(1, len(self.inflow.arrivals))
            while self.events or nxt < len(arrivals):
                if nxt < len(arrivals) and (not self.events or arrivals[nxt].at_s <= self.events[0][0]):
                    self.clock.advance_to(self.at(arrivals[nxt].at_s))
                    self._arrive(arrivals[nxt])
                    nxt += 1
                    if self.progress is not None and nxt % 500 == 0:
                        self.progress(nxt / total)
                    continue
                when, _, kind, payload = heapq.heappop(self.events)
                self.clock.advance_to(self.at(when))
                getattr(self, f"_on_{kind}")(when, payload)
            self.clock.advance_to(self.at(self.end_s))
            self._on_sample(self.end_s, None)
        self.result.utilisation = self._utilisation()
        self.result.operations = self._ops
        return self.result

    def _tick(self) -> None:
        self._ops += 1
        if self._ops % COMMIT_EVERY == 0:
            self.session.commit()

    def _attempt(self, what: str, fn: Callable[[], Any], savepoint: bool = True) -> Any:
        """Run one service call in a savepoint; a refusal (4xx) is counted and rolled back.
        Without ``savepoint`` for calls that refuse before they write: a claim, and a
        decision, whose only refusal here (the lease ran out) comes before any write."""
        self._tick()
        try:
            if not savepoint:
                return fn()
            with self.session.begin_nested():
                return fn()
        except APIError as exc:
            key = f"{what}: {exc.status} {exc.code}"
            self.result.refused[key] = self.result.refused.get(key, 0) + 1
            return None

    # -- arrivals ----------------------------------------------------------------------
    def _item(self, arrival: Arrival, region: str | None) -> Any:
        account = self.world.accounts[arrival.index % len(self.world.accounts)]
        item, _ = ingest_content(self.session, ContentIn(
            platform_id=f"sim-{arrival.index}", kind="video", account_id=account.platform_id,
            caption=f"Simulated item {arrival.index} ({arrival.policy})", language=arrival.language,
            region=region or account.region_code, election=self.scenario.election,
            views=arrival.views, shares=arrival.views // 50), self.settings.data_dir)
        return item

    def _arrive(self, arrival: Arrival) -> None:
        if arrival.origin == "detection":
            self._attempt("detection", lambda: self._detected(arrival))
        else:
            self._attempt("notice", lambda: self._notice(arrival))
        outcome = self.outcomes[arrival.index]
        if outcome.case_id is not None:
            self.by_case[outcome.case_id] = arrival.index
        self._may_wait(LEVELS[0])
        self._wake()

    def _opened(self, arrival: Arrival, item: Any, cases: list[Case]) -> None:
        """Follow the item's open case among those the services opened or joined (none when
        routing opened none, or a rule decided it at once)."""
        self.by_item[item.id] = arrival.index
        case = next((c for c in cases if c.open_content_id == item.id), None)
        if case is not None:
            outcome = self.outcomes[arrival.index]
            outcome.case_id, outcome.source, outcome.tight = case.id, case.source, case.tight
            outcome.deadline_s = (as_utc(case.deadline) - self.scenario.start).total_seconds()

    def _detected(self, arrival: Arrival) -> None:
        item = self._item(arrival, None)
        kind, data = DETECTOR_SIGNALS[arrival.policy]
        signals = [SignalResult(type=kind, policy=arrival.policy, score=0.9, key=f"sim-{arrival.index}",
                                explanation="simulated detector hit", data=dict(data))]
        self._opened(arrival, item, apply_route(self.session, item.id, signals, {}, route(signals)))

    def _notice(self, arrival: Arrival) -> None:
        stream = self.scenario.streams[arrival.stream]
        region = self.world.regions[arrival.stream][arrival.partner]
        item = self._item(arrival, region)
        body = NoticeIn(content=[ContentRef(content_id=item.id)], policy=arrival.policy, good_faith=True,
                        explanation=f"Simulated {stream.kind} notice", region=region,
                        election=self.scenario.election)
        who = self.world.senders[arrival.stream][arrival.partner]
        outcome = submit_notices(self.session, [NoticeJob(body, who, f"sim-{arrival.index}")], self.settings)[0]
        if outcome.error is not None:
            raise outcome.error
        self._opened(arrival, item, outcome.cases)

    # -- staff -------------------------------------------------------------------------
    def _may_wait(self, *levels: str) -> None:
        """A case may now wait at ``levels`` (all of them when none are named)."""
        self.may_wait.update(levels or LEVELS)

    def _wake(self, level: str = "moderator") -> None:
        """A case of ``level`` may be waiting: wake one idle person who can take it, the
        least senior first (seniors stay free for what only they can do)."""
        for seniority in SENIORITY[SENIORITY.index(level):]:
            if self.idle[seniority]:
                self.push(self.clock_s(), "claim", self.idle[seniority].pop())
                return

    def _wake_all(self) -> None:
        """Wake every idle person (at each sample: a case that the woken could not take,
        such as an appeal its own decider was woken for, waits at most until then)."""
        for seniority in SENIORITY:
            while self.idle[seniority]:
                self.push(self.clock_s(), "claim", self.idle[seniority].pop())

    def clock_s(self) -> float:
        """Seconds since the start on the virtual clock."""
        return (self.clock.now() - self.scenario.start).total_seconds()

    def _on_shift_start(self, now_s: float, shift: tuple[int, float]) -> None:
        index, mod = shift[0], self.world.moderators[shift[0]]
        mod.on_shift, mod.shift_end_s = True, shift[1]
        if not mod.busy:
            self._on_claim(now_s, index)

    def _on_shift_end(self, _now_s: float, index: int) -> None:
        mod = self.world.moderators[index]
        mod.on_shift = False
        self.idle[mod.group.seniority].discard(index)

    def _on_claim(self, now_s: float, index: int) -> None:
        mod = self.world.moderators[index]
        if not mod.on_shift or mod.busy:
            return
        levels = ROLE_LEVELS[mod.group.seniority]
        case = None
        if self.may_wait.intersection(levels):
            case = self._attempt("claim", lambda: claim_next(self.session, mod.principal, self.settings),
                                 savepoint=False)
            if case is None:
                self.may_wait.difference_update(levels)
        if case is None:
            self.idle[mod.group.seniority].add(index)
            return
        arrival = self.inflow.arrivals[self.by_item.get(case.content_id, 0)]
        if case.kind == "review":
            base = arrival.handling_s
        else:
            rng = follow_up_rng(self.scenario, arrival.index, f"{case.kind}-time")
            base = draw_duration(rng, self.scenario.handling_time(arrival.policy, case.kind))
            if case.id not in self.follow_ups:
                self.follow_ups[case.id] = FollowUp(case.kind, arrival.index,
                                                    (as_utc(case.created_at) - self.scenario.start).total_seconds())
        took = base * mod.factor(arrival.policy, arrival.language, self.scenario.unskilled_factor)
        if case.id in self.reviewed:
            took = min(took, RESUBMIT_S)
        mod.busy = True
        # Busy time within the shift: a case finished after the shift's end is worked
        # overtime, which utilisation (busy over shift time) does not count.
        mod.busy_s += max(0.0, min(now_s + took, mod.shift_end_s, self.end_s) - now_s)
        self.holding[index] = (case, now_s)
        self.push(now_s + took, "finish", index)
        if took > self.settings.lease_seconds:  # the case waits again once the lease runs out
            self.push(now_s + self.settings.lease_seconds + 1, "lease_out", case.level)

    def _on_finish(self, now_s: float, index: int) -> None:
        mod = self.world.moderators[index]
        case, _ = self.holding.pop(index)
        mod.busy = False
        decided = self._attempt("decide", lambda: self._decide(mod, case), savepoint=False)
        if decided is None:
            self.result.lease_expired += 1
            self.reviewed.add(case.id)
            self._may_wait()
        elif any(d.second_review == "pending" for d in decided.decisions):
            self._may_wait("senior_moderator")
            self._wake("senior_moderator")
        self._on_claim(now_s, index)

    def _on_lease_out(self, _now_s: float, level: str) -> None:
        """A lease ran out while its holder works: the case waits again (the next claim at
        its level puts it back), as it would on the wall clock."""
        self._may_wait(level)
        self._wake(level)

    def _decide(self, mod: Moderator, case: Case) -> Any:
        case_id = case.id
        arrival = self.inflow.arrivals[self.by_item[case.content_id]]
        facts = f"Simulated review of item {arrival.index}: {arrival.policy}."
        if case.kind == "review":
            result = decide(self.session, case_id, mod.principal, action=arrival.action, policy=arrival.policy,
                            facts=facts)
            outcome = self.outcomes[arrival.index]
            outcome.decided_s, outcome.decisions = self.clock_s(), outcome.decisions + 1
            if arrival.appeal:
                self.push(self.clock_s() + arrival.appeal_delay_s, "appeal", result.main.id)
        else:
            rng = follow_up_rng(self.scenario, arrival.index, f"{case.kind}-outcome")
            share = (self.scenario.appeal_reverse_share if case.kind == "appeal"
                     else self.scenario.second_review_reverse_share)
            action = A.REVERSE if rng.random() < share else A.UPHOLD
            result = decide(self.session, case_id, mod.principal, action=action, policy=case.policy, facts=facts)
            self.follow_ups[case_id].decided_s = self.clock_s()
        return result

    def _on_appeal(self, _now_s: float, decision_id: str) -> None:
        self._attempt("appeal", lambda: create_appeal(self.session, decision_id, self.world.service,
                                                      "The creator says the video broke no rule."))
        self._may_wait()
        self._wake()

    def _on_sample(self, now_s: float, _payload: Any) -> None:
        stats = queue_stats(self.session)
        if stats["waiting"] or stats["by_status"].get("leased", 0):
            self._may_wait()
        if stats["waiting"]:
            self._wake_all()
        self.result.backlog.append({"at_s": now_s, "waiting": stats["waiting"], "overdue": stats["overdue"],
                                    "leased": stats["by_status"].get("leased", 0),
                                    "on_shift": sum(1 for m in self.world.moderators if m.on_shift)})

    def _utilisation(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for mod in self.world.moderators:
            row = out.setdefault(mod.shift.name, {"people": 0, "busy_hours": 0.0, "shift_hours": 0.0})
            row["people"] += 1
            row["busy_hours"] += mod.busy_s / 3600
            row["shift_hours"] += mod.shift_s / 3600
        for row in out.values():
            row["utilisation"] = row["busy_hours"] / row["shift_hours"] if row["shift_hours"] else 0.0
        return out
