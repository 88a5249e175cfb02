"""A simulation scenario as data: read from a TOML file and checked before anything runs.

The file says which election (its calendar comes from the election files), when the run
starts and how long it lasts, the inflow (content items scanned per day with the share
violating per policy and the detectors' precision and recall, notices per partner kind and
level, user reports), the surge per calendar period and hour of day, the moderators per
shift and skill, handling times per policy and action, and the share of decisions appealed.
``docs/operations.md`` describes every field; the shipped scenarios in ``scenarios/`` cite a
source for each figure.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from salingjaga.core.timeutil import WIB
from salingjaga.policies.service import get_policy
from salingjaga.regions.elections import get_election

SENIORITY = ("moderator", "senior_moderator", "policy_lead")
PARTNER_LEVELS = ("national", "province", "regency")
# How a detector that finds a policy's violations reports it: the signal type and data the
# routing rules (detection/routing.toml) read. Only these policies can be inflow policies.
DETECTOR_SIGNALS: dict[str, tuple[str, dict[str, Any]]] = {
    "misinformation": ("classifier", {"label": "election_misinformation"}),
    "civic_election_integrity": ("classifier", {"label": "civic_integrity"}),
    "hate_speech_sara": ("classifier", {"label": "hate_sara"}),
    "synthetic_media": ("unlabelled_ai_public_figure", {}),
    "fraud_scam_spam": ("scam_pattern", {}),
    "covert_influence": ("coordinated_burst", {}),
}


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with the field at fault."""


@dataclass(frozen=True)
class Duration:
    """A handling or delay time: log-normal, given by its median and 90th percentile."""

    median_s: float
    p90_s: float

    @property
    def sigma(self) -> float:
        """The log-normal's sigma, from the ratio of p90 to median (z of 0.9 = 1.2816)."""
        return math.log(self.p90_s / self.median_s) / 1.2816 if self.p90_s > self.median_s else 0.0


@dataclass(frozen=True)
class Detection:
    """How the proactive detectors do on one policy."""

    violating_share: float
    precision: float
    recall: float


@dataclass(frozen=True)
class NoticeStream:
    """Notices from one kind and level of partner (or user reports: ``kind = "user"``)."""

    kind: str
    level: str
    per_day: float
    trusted: bool
    violating_share: float
    policies: dict[str, float]
    partners: int = 1


@dataclass(frozen=True)
class StaffGroup:
    """Moderators of one seniority and skill in a shift."""

    count: int
    seniority: str
    policies: frozenset[str]
    languages: frozenset[str]


@dataclass(frozen=True)
class Shift:
    """A daily shift, in WIB hours."""

    name: str
    start_hour: float
    hours: float
    staff: tuple[StaffGroup, ...]

    @property
    def moderators(self) -> int:
        """How many first-level moderators work the shift."""
        return sum(g.count for g in self.staff if g.seniority == "moderator")

    def with_moderators(self, n: int) -> Shift:
        """This shift with exactly ``n`` first-level moderators, split over its moderator
        groups in their proportions (largest remainder); a shift without one gets a group."""
        groups = [g for g in self.staff if g.seniority == "moderator"]
        others = tuple(g for g in self.staff if g.seniority != "moderator")
        if not groups:
            groups = [StaffGroup(0, "moderator", frozenset(), frozenset())]
        total = sum(g.count for g in groups) or len(groups)
        shares = [n * (g.count or 1) / total for g in groups]
        counts = [int(s) for s in shares]
        for i in sorted(range(len(groups)), key=lambda i: counts[i] - shares[i])[: n - sum(counts)]:
            counts[i] += 1
        scaled = tuple(replace(g, count=c) for g, c in zip(groups, counts, strict=True))
        return replace(self, staff=scaled + others)

    @property
    def size(self) -> int:
        """How many people work the shift."""
        return sum(g.count for g in self.staff)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, checked."""

    name: str
    election: str
    start: datetime
    days: float
    seed: int
    deadline_hours_default: float
    deadline_hours_tight: float
    lease_seconds: int
    items_per_day: float
    hourly_profile: tuple[float, ...]
    surge: dict[str, float]
    detection: dict[str, Detection]
    streams: tuple[NoticeStream, ...]
    languages: dict[str, float]
    shifts: tuple[Shift, ...]
    handling: dict[str, dict[str, Duration]]
    unskilled_factor: float
    actions: dict[str, str]
    appeal_share: float
    appeal_delay: Duration
    appeal_reverse_share: float
    second_review_reverse_share: float
    high_reach_share: float
    sample_minutes: float
    sources: dict[str, str] = field(default_factory=dict)
    overdue_share: float = 0.25  # the claim order's overdue turns (``queue_overdue_share``)

    @property
    def end(self) -> datetime:
        """When arrivals stop and the run is measured."""
        return self.start + timedelta(days=self.days)

    def handling_time(self, policy: str, action: str) -> Duration:
        """The handling time of ``action`` on ``policy`` (the policy's, else the default's)."""
        for key in (policy, "default"):
            table = self.handling.get(key, {})
            if action in table:
                return table[action]
            if "any" in table:
                return table["any"]
        raise ScenarioError(f"handling: no time for {policy}/{action} and no [handling.default] any")

    def with_moderators_per_shift(self, n: int) -> Scenario:
        """The same scenario with ``n`` moderators (the first level) in every shift, split
        over the shift's moderator groups in their proportions; seniors stay as they are."""
        return replace(self, shifts=tuple(s.with_moderators(n) for s in self.shifts))

    def scaled(self, factor: float) -> Scenario:
        """The same period with every inflow (items, notices, reports) multiplied by
        ``factor``, and the staff and the offices sending notices with it (at least one
        each)."""
        streams = tuple(replace(st, per_day=st.per_day * factor, partners=max(1, round(st.partners * factor)))
                        for st in self.streams)
        shifts = tuple(replace(sh, staff=tuple(replace(g, count=max(1, round(g.count * factor))) for g in sh.staff))
                       for sh in self.shifts)
        return replace(self, items_per_day=self.items_per_day * factor, streams=streams, shifts=shifts)

    @property
    def moderators_per_shift(self) -> int:
        """The most first-level moderators any shift has."""
        return max(s.moderators for s in self.shifts)

    def calendar_factor(self, day: date) -> tuple[str | None, float]:
        """The election period of a WIB day and its surge factor (1 outside every period)."""
        names = get_election(self.election).active_periods(day)
        for name in ("voting", "quiet", "counting", "campaign"):
            if name in names:
                return name, self.surge.get(name, 1.0)
        return None, self.surge.get("none", 1.0)


def _num(raw: dict[str, Any], key: str, where: str, default: float | None = None, *,
         low: float = 0.0, high: float = math.inf) -> float:
    value = raw.get(key, default)
    if value is None:
        raise ScenarioError(f"{where}.{key} is required")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}.{key} must be a number, not {value!r}")
    if not low <= float(value) <= high:
        raise ScenarioError(f"{where}.{key} = {value} is outside {low}..{high}")
    return float(value)


def _duration(raw: Any, where: str) -> Duration:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where} must be a table with median_minutes and p90_minutes")
    median = _num(raw, "median_minutes", where, low=0.01)
    p90 = _num(raw, "p90_minutes", where, median, low=median)
    return Duration(median * 60, p90 * 60)


def _policy(name: str, where: str) -> str:
    try:
        get_policy(name)
    except Exception as exc:
        raise ScenarioError(f"{where}: unknown policy {name!r}") from exc
    return name


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(f"{where} must be a table of name = weight")
    out = {str(k): _num(raw, k, where, low=0.0) for k in raw}
    if sum(out.values()) <= 0:
        raise ScenarioError(f"{where}: the weights add up to nothing")
    return out


def _start(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw.astimezone(UTC) if raw.tzinfo else raw.replace(tzinfo=WIB).astimezone(UTC)
    if isinstance(raw, date):
        return datetime.combine(raw, time(0), WIB).astimezone(UTC)
    raise ScenarioError("scenario.start must be a TOML date or date-time (WIB when no offset)")


def _streams(raw: dict[str, Any]) -> tuple[NoticeStream, ...]:
    out = []
    for i, spec in enumerate(raw.get("notices", [])):
        where = f"notices[{i}]"
        level = spec.get("level", "national")
        if level not in PARTNER_LEVELS:
            raise ScenarioError(f"{where}.level must be one of {', '.join(PARTNER_LEVELS)}")
        policies = _weights(spec.get("policies"), f"{where}.policies")
        for p in policies:
            _policy(p, f"{where}.policies")
        out.append(NoticeStream(
            kind=str(spec.get("kind", "election_supervisor")), level=level,
            per_day=_num(spec, "per_day", where), trusted=bool(spec.get("trusted", True)),
            violating_share=_num(spec, "violating_share", where, low=0, high=1),
            policies=policies, partners=int(_num(spec, "partners", where, 1, low=1, high=1000))))
    reports = raw.get("user_reports")
    if reports:
        policies = _weights(reports.get("policies"), "user_reports.policies")
        for p in policies:
            _policy(p, "user_reports.policies")
        out.append(NoticeStream(kind="user", level="national", per_day=_num(reports, "per_day", "user_reports"),
                                trusted=False, policies=policies,
                                violating_share=_num(reports, "violating_share", "user_reports", low=0, high=1)))
    return tuple(out)


def _shifts(raw: list[dict[str, Any]]) -> tuple[Shift, ...]:
    if not raw:
        raise ScenarioError("at least one [[shifts]] is required")
    out = []
    for i, spec in enumerate(raw):
        where = f"shifts[{i}]"
        groups = []
        for j, g in enumerate(spec.get("staff", [])):
            seniority = g.get("seniority", "moderator")
            if seniority not in SENIORITY:
                raise ScenarioError(f"{where}.staff[{j}].seniority must be one of {', '.join(SENIORITY)}")
            policies = frozenset(_policy(p, f"{where}.staff[{j}].policies") for p in g.get("policies", []))
            groups.append(StaffGroup(int(_num(g, "count", f"{where}.staff[{j}]", low=0)), seniority, policies,
                                     frozenset(g.get("languages", []))))
        out.append(Shift(str(spec.get("name", f"shift-{i}")), _num(spec, "start_hour", where, high=23.99),
                         _num(spec, "hours", where, low=0.5, high=24), tuple(groups)))
    return tuple(out)


def parse_scenario(raw: dict[str, Any]) -> Scenario:
    """A Scenario from parsed TOML; raises ``ScenarioError`` naming the first bad field."""
    head = raw.get("scenario")
    if not isinstance(head, dict):
        raise ScenarioError("the file needs a [scenario] table")
    try:
        get_election(str(head.get("election")))
    except Exception as exc:
        raise ScenarioError(f"scenario.election: no election {head.get('election')!r}") from exc
    inflow = raw.get("inflow", {})
    profile = tuple(float(x) for x in inflow.get("hourly_profile", [1.0] * 24))
    if len(profile) != 24 or min(profile) < 0 or sum(profile) <= 0:
        raise ScenarioError("inflow.hourly_profile must be 24 non-negative weights (WIB hours 0..23)")
    detection = {}
    for policy, spec in raw.get("detection", {}).items():
        where = f"detection.{policy}"
        if _policy(policy, where) not in DETECTOR_SIGNALS:
            raise ScenarioError(f"{where}: no detector reports {policy}; known: {', '.join(DETECTOR_SIGNALS)}")
        detection[policy] = Detection(_num(spec, "violating_share", where, high=1),
                                      _num(spec, "precision", where, low=0.01, high=1),
                                      _num(spec, "recall", where, high=1))
    handling: dict[str, dict[str, Duration]] = {}
    for key, table in raw.get("handling", {}).items():
        if key not in ("default", "unskilled_factor"):
            _policy(key, f"handling.{key}")
        if key == "unskilled_factor":
            continue
        handling[key] = {action: _duration(d, f"handling.{key}.{action}") for action, d in table.items()}
    appeals = raw.get("appeals", {})
    scenario = Scenario(
        name=str(head.get("name", "scenario")), election=str(head["election"]), start=_start(head.get("start")),
        days=_num(head, "days", "scenario", low=1 / 24, high=120), seed=int(head.get("seed", 1)),
        deadline_hours_default=_num(head, "deadline_hours_default", "scenario", 24.0, low=0.1),
        deadline_hours_tight=_num(head, "deadline_hours_tight", "scenario", 2.0, low=0.1),
        lease_seconds=int(_num(head, "lease_minutes", "scenario", 15, low=1) * 60),
        items_per_day=_num(inflow, "items_per_day", "inflow", 0.0), hourly_profile=profile,
        surge={str(k): _num(raw.get("surge", {}), k, "surge") for k in raw.get("surge", {})},
        detection=detection, streams=_streams(raw),
        languages=_weights(inflow.get("languages", {"id": 1.0}), "inflow.languages"),
        shifts=_shifts(raw.get("shifts", [])), handling=handling,
        unskilled_factor=_num(raw.get("handling", {}), "unskilled_factor", "handling", 1.5, low=1),
        actions={_policy(k, "actions"): str(v) for k, v in raw.get("actions", {}).items()},
        appeal_share=_num(appeals, "share", "appeals", 0.0, high=1),
        appeal_delay=_duration(appeals.get("delay", {"median_minutes": 720, "p90_minutes": 2880}), "appeals.delay"),
        appeal_reverse_share=_num(appeals, "reverse_share", "appeals", 0.2, high=1),
        second_review_reverse_share=_num(raw.get("second_review", {}), "reverse_share", "second_review", 0.05,
                                         high=1),
        high_reach_share=_num(inflow, "high_reach_share", "inflow", 0.02, high=1),
        sample_minutes=_num(head, "sample_minutes", "scenario", 60, low=1),
        overdue_share=_num(head, "overdue_share", "scenario", 0.25, high=1),
        sources={str(k): str(v) for k, v in raw.get("sources", {}).items()},
    )
    scenario.handling_time("misinformation", "remove")  # a default must exist
    return scenario


SHIPPED = Path(__file__).with_name("scenarios")


def find_scenario(name: str) -> Path:
    """A scenario file by path, or a shipped scenario by name (``pemilu-2024-week``)."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = SHIPPED / (name if name.endswith(".toml") else f"{name}.toml")
    if shipped.is_file():
        return shipped
    known = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.toml")))
    raise ScenarioError(f"no scenario file {name!r} and no shipped scenario of that name; shipped: {known}")


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    return parse_scenario(raw)
