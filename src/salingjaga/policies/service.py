"""Loading the policy taxonomy. Reference data is read once and never mutated."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from salingjaga.errors import Invalid


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

    def as_dict(self) -> dict[str, object]:
        """JSON shape used by the API."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "severity": self.severity,
            "dsa_category": self.dsa_category,
            "dsa_keywords": list(self.dsa_keywords),
            "legal_grounds": list(self.legal_grounds),
        }


@cache
def all_policies() -> dict[str, Policy]:
    """Every policy by code, in file order."""
    text = resources.files("salingjaga.policies").joinpath("data/policies.toml").read_text("utf-8")
    raw = tomllib.loads(text)["policies"]
    return {
        code: Policy(
            code=code,
            name=p["name"],
            description=p["description"],
            severity=int(p["severity"]),
            dsa_category=p["dsa_category"],
            dsa_keywords=tuple(p["dsa_keywords"]),
            legal_grounds=tuple(p["legal_grounds"]),
        )
        for code, p in raw.items()
    }


def get_policy(code: str) -> Policy:
    """The policy with this code, or a 422 naming the valid codes."""
    policies = all_policies()
    if code not in policies:
        raise Invalid(f"unknown policy {code!r}; valid: {', '.join(policies)}")
    return policies[code]


def validate_policy_codes(codes: list[str]) -> list[str]:
    """Check a list of policy codes, returning it unchanged."""
    for code in codes:
        get_policy(code)
    return codes
