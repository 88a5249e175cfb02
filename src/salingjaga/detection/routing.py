"""Routing as a pure function: signals in, a decision out (actions to apply, cases to
open, and what shadow rules would have done). Thresholds and actions come from
``routing.toml``; nothing here touches the database."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.signals import ALL_SIGNAL_TYPES, SignalType
from salingjaga.moderation.actions import AGE_RESTRICT, CONTENT_ACTIONS, NO_VIOLATION, REMOVE

# What a rule may do to an item by itself: every content action of moderation's vocabulary
# (``moderation/actions.py``) but "no violation", which only a person decides.
AUTOMATED_ACTIONS = frozenset(CONTENT_ACTIONS) - {NO_VIOLATION}
RESTRICTIVE = frozenset({REMOVE, AGE_RESTRICT})
# Signals that may open a case for a person at most, never an automated action: claims
# whose proof failed (credentials that do not validate or are not trusted) and scan errors.
REVIEW_ONLY = frozenset({SignalType.C2PA_AI_UNVERIFIED.value, SignalType.MEDIA_ERROR.value})
ANY_SIGNAL = "*"


@dataclass(frozen=True)
class Rule:
    """One routing rule from the data file."""

    name: str
    signals: tuple[str, ...]
    min_score: float
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    require_exact: bool = False
    actions: tuple[str, ...] = ()
    queue: bool = False
    policy: str | None = None
    severity_boost: int = 0
    shadow: bool = False

    def applies(self, signal: SignalResult) -> bool:
        """Whether this rule's conditions hold for one signal."""
        if ANY_SIGNAL not in self.signals and signal.type not in self.signals:
            return False
        if signal.score < self.min_score:
            return False
        if self.require_exact and not signal.exact:
            return False
        for key, allowed in self.where:
            value = signal.data.get(key)
            if isinstance(value, str):
                value = value.lower()
            if value not in allowed:
                return False
        return True


@dataclass(frozen=True)
class RoutingConfig:
    """The parsed data file."""

    rules: tuple[Rule, ...]
    min_score: float = 0.5


@dataclass(frozen=True)
class PlannedAction:
    """An automated action the pipeline applies (or only records, in shadow mode)."""

    action: str
    policy: str
    rule: str
    shadow: bool
    signal_keys: tuple[str, ...]
    facts: str


@dataclass(frozen=True)
class PlannedCase:
    """A case for the human queue, with the signals that justify it."""

    policy: str
    rule: str
    shadow: bool
    reason: str
    severity_boost: int
    signal_keys: tuple[str, ...]


@dataclass
class RouteDecision:
    """Everything routing decided for one item."""

    actions: list[PlannedAction] = field(default_factory=list)
    cases: list[PlannedCase] = field(default_factory=list)

    @property
    def route(self) -> str:
        """A one-word summary: automated, label_and_queue, queue, label, or none."""
        live_actions = [a for a in self.actions if not a.shadow]
        live_cases = [c for c in self.cases if not c.shadow]
        if any(a.action in RESTRICTIVE for a in live_actions):
            return "automated"
        if live_actions and live_cases:
            return "label_and_queue"
        if live_cases:
            return "queue"
        if live_actions:
            return "label"
        return "none"

    def as_dict(self) -> dict[str, Any]:
        """JSON shape for the CLI and the API."""
        return {
            "route": self.route,
            "actions": [{"action": a.action, "policy": a.policy, "rule": a.rule,
                         "shadow": a.shadow} for a in self.actions],
            "cases": [{"policy": c.policy, "rule": c.rule, "shadow": c.shadow,
                       "severity_boost": c.severity_boost, "reason": c.reason}
                      for c in self.cases],
        }


def _as_tuple(value: Any) -> tuple[Any, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(v.lower() if isinstance(v, str) else v for v in items)


def parse_config(raw: dict[str, Any]) -> RoutingConfig:
    """Build and check the routing configuration; unsafe rules, and rules naming a signal
    type no detector produces (a typo would never match), are refused."""
    rules = []
    for spec in raw.get("rules", []):
        actions = tuple(spec.get("actions", []))
        unknown_signals = set(spec["signals"]) - ALL_SIGNAL_TYPES - {ANY_SIGNAL}
        if unknown_signals:
            raise ValueError(f"rule {spec['name']}: unknown signal types {sorted(unknown_signals)}; "
                             f"known: {', '.join(sorted(ALL_SIGNAL_TYPES))} (or \"{ANY_SIGNAL}\")")
        unknown = set(actions) - AUTOMATED_ACTIONS
        if unknown:
            raise ValueError(f"rule {spec['name']}: unknown actions {sorted(unknown)}")
        if actions and set(spec["signals"]) & REVIEW_ONLY:
            raise ValueError(f"rule {spec['name']}: {sorted(set(spec['signals']) & REVIEW_ONLY)} may "
                             "only open a case for review, never act automatically")
        if set(actions) & RESTRICTIVE and not spec.get("require_exact", False):
            raise ValueError(f"rule {spec['name']}: {sorted(set(actions) & RESTRICTIVE)} needs "
                             "require_exact = true (automation acts alone only on exact evidence)")
        rules.append(Rule(
            name=spec["name"],
            signals=tuple(spec["signals"]),
            min_score=float(spec.get("min_score", raw.get("defaults", {}).get("min_score", 0.5))),
            where=tuple((k, _as_tuple(v)) for k, v in spec.get("where", {}).items()),
            require_exact=bool(spec.get("require_exact", False)),
            actions=actions,
            queue=bool(spec.get("queue", False)),
            policy=spec.get("policy"),
            severity_boost=int(spec.get("severity_boost", 0)),
            shadow=bool(spec.get("shadow", False)),
        ))
    return RoutingConfig(tuple(rules), float(raw.get("defaults", {}).get("min_score", 0.5)))


@cache
def _default_config() -> RoutingConfig:
    text = resources.files("salingjaga.detection").joinpath("routing.toml").read_text("utf-8")
    return parse_config(tomllib.loads(text))


def load_config(path: str | Path | None = None) -> RoutingConfig:
    """The shipped routing file, or another one (a platform's own thresholds)."""
    if path is None:
        return _default_config()
    return parse_config(tomllib.loads(Path(path).read_text("utf-8")))


def route(signals: Sequence[SignalResult], config: RoutingConfig | None = None) -> RouteDecision:
    """Decide actions and cases for one item's signals.

    A live rule wins over a shadow rule proposing the same action or case, so turning a
    rule's shadow on never weakens what another live rule does.
    """
    config = config or load_config()
    actions: dict[str, PlannedAction] = {}
    cases: dict[str, PlannedCase] = {}
    for rule in config.rules:
        hits = [s for s in signals if rule.applies(s)]
        if not hits:
            continue
        top = max(hits, key=lambda s: s.score)
        policy = rule.policy or top.policy
        keys = tuple(f"{s.type}:{s.key}" for s in hits)
        # defence in depth for rules matching "*": review-only signals never trigger actions
        acting = [s for s in hits if s.type not in REVIEW_ONLY]
        acting_top = max(acting, key=lambda s: s.score) if acting else None
        acting_keys = tuple(f"{s.type}:{s.key}" for s in acting)
        for action in rule.actions:
            if acting_top is None:
                break
            if action in RESTRICTIVE and not acting_top.exact:
                continue  # defence in depth: never restrict on inexact evidence
            current = actions.get(action)
            if current is None or (current.shadow and not rule.shadow):
                actions[action] = PlannedAction(action, rule.policy or acting_top.policy, rule.name,
                                                rule.shadow, acting_keys, acting_top.explanation)
        if rule.queue:
            current_case = cases.get(policy)
            if current_case is None or (current_case.shadow and not rule.shadow):
                cases[policy] = PlannedCase(policy, rule.name, rule.shadow, top.explanation,
                                            rule.severity_boost, keys)
            elif not rule.shadow and rule.severity_boost > current_case.severity_boost:
                cases[policy] = PlannedCase(policy, current_case.rule, False, current_case.reason,
                                            rule.severity_boost,
                                            current_case.signal_keys + keys)
    # a removal makes every lesser action and the case for its policy moot
    if any(a.action == "remove" and not a.shadow for a in actions.values()):
        removed = {a.policy for a in actions.values() if a.action == "remove"}
        cases = {p: c for p, c in cases.items() if p not in removed}
    return RouteDecision(list(actions.values()), list(cases.values()))
