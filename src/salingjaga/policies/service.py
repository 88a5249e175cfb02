"""Loading the policy taxonomy. Reference data is read once and never mutated."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from salingjaga.core.errors import Invalid


@dataclass(frozen=True)
class Policy:
    """One policy area."""

    code: str
    name: dict[str, str]
    description: dict[str, str]
    severity: int
    dsa_category: str
    dsa_keywords: tuple[str, ...]
    legal_grounds: tuple[str, ...]
    territory: str = "worldwide"
    dsa_specification: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON shape used by the API."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "severity": self.severity,
            "dsa_category": self.dsa_category,
            "dsa_keywords": list(self.dsa_keywords),
            "dsa_specification": self.dsa_specification,
            "legal_grounds": list(self.legal_grounds),
            "territory": self.territory,
        }


@dataclass(frozen=True)
class Territory:
    """Where a restriction applies: ``worldwide`` or one country (ISO 3166 code)."""

    code: str
    name: dict[str, str]
    eea: bool  # applies in the EEA, so its statement of reasons goes to the DSA database

    def as_dict(self) -> dict[str, object]:
        """The shape a creator's statement and notification carry (``applies_in``)."""
        return {"code": self.code, "name": self.name, "eea": self.eea}


@dataclass(frozen=True)
class TerritoryRuling:
    """Where a decision's restriction applies, and what settled it: ``policy`` (the
    policy's own territory) or ``legal_ground`` (a decision under national law)."""

    territory: Territory
    by: str


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("salingjaga.policies").joinpath("data/policies.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def all_policies() -> dict[str, Policy]:
    """Every policy by code, in file order."""
    raw = _raw()["policies"]
    return {
        code: Policy(
            code=code,
            name=p["name"],
            description=p["description"],
            severity=int(p["severity"]),
            dsa_category=p["dsa_category"],
            dsa_keywords=tuple(p["dsa_keywords"]),
            legal_grounds=tuple(p["legal_grounds"]),
            territory=str(p.get("territory", "worldwide")),
            dsa_specification=p.get("dsa_specification"),
        )
        for code, p in raw.items()
    }


@cache
def all_territories() -> dict[str, Territory]:
    """Every territory a policy or legal ground may name, by code."""
    return {code: Territory(code=code, name=t["name"], eea=bool(t["eea"]))
            for code, t in _raw()["territories"].items()}


def get_territory(code: str) -> Territory:
    """The territory with this code (``worldwide`` or a country code)."""
    territories = all_territories()
    if code not in territories:
        raise Invalid(f"unknown territory {code!r}; valid: {', '.join(territories)}", reason="territory.unknown",
                      params={"code": code})
    return territories[code]


def restriction_territory(policy_code: str, legal_ground: str | None) -> TerritoryRuling:
    """Where a restriction under ``policy_code`` applies.

    A decision that cites a legal ground is taken under that law, which holds only in its
    own country (the recorded grounds are Indonesian law), whatever the policy's reach. One
    without a legal ground enforces the policy, whose territory the policy data names:
    the terms of service apply worldwide, Indonesian election rules in Indonesia.
    """
    if legal_ground and legal_ground.strip():
        return TerritoryRuling(get_territory(str(_raw()["legal_grounds"]["territory"])), "legal_ground")
    return TerritoryRuling(get_territory(get_policy(policy_code).territory), "policy")


def get_policy(code: str) -> Policy:
    """The policy with this code, or a 422 naming the valid codes."""
    policies = all_policies()
    if code not in policies:
        raise Invalid(f"unknown policy {code!r}; valid: {', '.join(policies)}",
                      reason="policy.unknown", params={"code": code})
    return policies[code]


def dsa_mapping_errors(policy: Policy) -> list[str]:
    """Why ``policy``'s DSA mapping would make the API refuse its statements (empty: none):
    a category or keyword that is not a current constant of the official enumerations, or
    a KEYWORD_OTHER specification text over the API's 500 characters; and a territory
    the data does not define."""
    from salingjaga.policies.dsa import dsa_enums

    enums = dsa_enums()
    errors: list[str] = []

    def named(value: str) -> str:
        day = enums.removed.get(value)
        return f"{value} (removed from the DSA Transparency Database on {day})" if day else value

    if policy.dsa_category not in enums.categories:
        errors.append(f"{policy.code}: dsa_category {named(policy.dsa_category)} is not a current DSA category")
    for keyword in policy.dsa_keywords:
        if keyword not in enums.keywords:
            errors.append(f"{policy.code}: dsa_keywords {named(keyword)} is not a current DSA keyword")
    if policy.dsa_specification is not None and len(policy.dsa_specification) > 500:
        errors.append(f"{policy.code}: dsa_specification is longer than 500 characters")
    if policy.territory not in all_territories():
        errors.append(f"{policy.code}: territory {policy.territory!r} is not defined under [territories]")
    return errors


def validate_policy_codes(codes: list[str]) -> list[str]:
    """Check a list of policy codes, returning it unchanged."""
    for code in codes:
        get_policy(code)
    return codes
