"""Feature gates as data, evaluated by a pure function.

The rules live in ``data/gates.toml`` (or the file named by ``SALINGJAGA_GATES_FILE``) so a
platform changes what GPPPA accounts may do without touching code. ``evaluate`` takes the
account's kind and the facts the service looked up and returns the first matching rule's
decision; no database, no clock, so every combination is tested cheaply.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from salingjaga.content.models import ACCOUNT_KINDS, GPPPA_KINDS

KNOWN_FACTS = frozenset({"suspended", "feature_restricted", "psa_approval"})
ANY = "*"


@dataclass(frozen=True)
class Feature:
    """A platform feature an account may ask to use."""

    code: str
    group: str
    name: dict[str, str]


@dataclass(frozen=True)
class GateRule:
    """One row of the gate table; ``kinds``/``features`` of None match anything."""

    id: str
    kinds: frozenset[str] | None
    features: frozenset[str] | None
    effect: str
    when: frozenset[str]
    unless: frozenset[str]
    escalate: bool
    reason: dict[str, str]

    def matches(self, kind: str, feature: str, facts: frozenset[str]) -> bool:
        """Whether this rule applies to the (kind, feature, facts) question."""
        return (
            (self.kinds is None or kind in self.kinds)
            and (self.features is None or feature in self.features)
            and self.when <= facts
            and not (self.unless & facts)
        )


@dataclass(frozen=True)
class Escalation:
    """How many refusals within how many hours open a case, and under which policy."""

    threshold: int
    window_hours: float
    policy: str


@dataclass(frozen=True)
class GateTable:
    """Features, ordered rules and the escalation setting of one gates file."""

    features: dict[str, Feature]
    rules: tuple[GateRule, ...]
    escalation: Escalation

    def rule(self, rule_id: str) -> GateRule:
        """The rule with this id (KeyError if none)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True)
class GateDecision:
    """The answer to "may an account of this kind use this feature?"."""

    feature: str
    allowed: bool
    rule: str
    reason: dict[str, str]
    escalate: bool


def _kinds(raw: list[str], rule_id: str) -> frozenset[str] | None:
    if ANY in raw:
        return None
    out: set[str] = set()
    for k in raw:
        if k == "gpppa":
            out |= GPPPA_KINDS
        elif k in ACCOUNT_KINDS:
            out.add(k)
        else:
            raise ValueError(f"gate rule {rule_id}: unknown account kind {k!r}")
    return frozenset(out)


def parse_gates(raw: dict[str, Any]) -> GateTable:
    """Build and check a gate table from parsed TOML; a broken file fails loudly at load."""
    features = {
        code: Feature(code, str(spec.get("group", "other")), dict(spec.get("name", {})))
        for code, spec in raw.get("features", {}).items()
    }
    if not features:
        raise ValueError("gates file declares no [features]")
    rules: list[GateRule] = []
    seen: set[str] = set()
    for spec in raw.get("rules", []):
        rule_id = str(spec["id"])
        if rule_id in seen:
            raise ValueError(f"gate rule {rule_id} appears twice")
        seen.add(rule_id)
        feats = list(spec.get("features", [ANY]))
        feature_set = None if ANY in feats else frozenset(feats)
        if feature_set is not None and not feature_set <= features.keys():
            raise ValueError(f"gate rule {rule_id}: unknown features {sorted(feature_set - features.keys())}")
        effect = spec.get("effect")
        if effect not in ("allow", "deny"):
            raise ValueError(f"gate rule {rule_id}: effect must be allow or deny, not {effect!r}")
        when = frozenset(spec.get("when", []))
        unless = frozenset(spec.get("unless", []))
        if (when | unless) - KNOWN_FACTS:
            raise ValueError(f"gate rule {rule_id}: unknown facts {sorted((when | unless) - KNOWN_FACTS)}")
        reason = dict(spec.get("reason", {}))
        if "en" not in reason:
            raise ValueError(f"gate rule {rule_id}: reason needs at least an 'en' text")
        rules.append(GateRule(rule_id, _kinds(list(spec.get("kinds", [ANY])), rule_id), feature_set,
                              effect, when, unless, bool(spec.get("escalate", False)), reason))
    if not rules:
        raise ValueError("gates file declares no [[rules]]")
    last = rules[-1]
    if last.kinds is not None or last.features is not None or last.when or last.unless:
        raise ValueError(f"the last gate rule ({last.id}) must match every account and feature")
    esc = raw.get("escalation", {})
    escalation = Escalation(int(esc.get("threshold", 3)), float(esc.get("window_hours", 24)),
                            str(esc.get("policy", "gpppa_restrictions")))
    if escalation.threshold < 1 or escalation.window_hours <= 0:
        raise ValueError("escalation threshold and window_hours must be positive")
    return GateTable(features, tuple(rules), escalation)


@cache
def _load(path: str | None) -> GateTable:
    if path:
        text = Path(path).read_text("utf-8")
    else:
        text = resources.files("salingjaga.rules").joinpath("data/gates.toml").read_text("utf-8")
    return parse_gates(tomllib.loads(text))


def gate_table() -> GateTable:
    """The gate table in force (the packaged file unless SALINGJAGA_GATES_FILE names one)."""
    return _load(os.environ.get("SALINGJAGA_GATES_FILE") or None)


def evaluate(table: GateTable, kind: str, feature: str, facts: frozenset[str] = frozenset()) -> GateDecision:
    """Decide by the first rule that matches; ``feature`` must be one the table declares."""
    if feature not in table.features:
        raise KeyError(feature)
    for rule in table.rules:
        if rule.matches(kind, feature, facts):
            return GateDecision(feature, rule.effect == "allow", rule.id, rule.reason,
                                rule.escalate and rule.effect == "deny")
    raise AssertionError("unreachable: the last rule matches everything")  # pragma: no cover
