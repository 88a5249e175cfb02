"""The practice modules and their answer keys (``data/scenarios.toml``), read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from salingjaga.core.errors import NotFound
from salingjaga.policies.service import get_policy
from salingjaga.regions.service import get_region

NO_VIOLATION = "none"


@dataclass(frozen=True)
class Scenario:
    """One module: a post to judge, and what a good practice notice about it says."""

    id: str
    order: int
    title: dict[str, str]
    platform: str
    author: str
    region: str
    election: str
    post: str
    media: dict[str, str]
    policies: tuple[str, ...]
    legal_grounds: tuple[str, ...]
    evidence: bool
    key_terms: tuple[str, ...]
    min_terms: int
    reasoning: dict[str, str]
    lesson: dict[str, str]

    @property
    def url(self) -> str:
        """The practice post's address: a notice names its content by URL, as on the real
        channel, and this one exists only in the sandbox."""
        return f"https://latihan.salingjaga.invalid/{self.id}"

    @property
    def breaks_a_policy(self) -> bool:
        return self.policies != (NO_VIOLATION,)


@cache
def all_scenarios() -> dict[str, Scenario]:
    """Every module by id, in teaching order; the answer keys name real policies and regions."""
    raw = tomllib.loads(resources.files("salingjaga.training").joinpath("data/scenarios.toml").read_text("utf-8"))
    out: list[Scenario] = []
    for sid, s in raw["scenarios"].items():
        scenario = Scenario(
            id=sid, order=int(s["order"]), title=s["title"], platform=s["platform"], author=s["author"],
            region=s["region"], election=s["election"], post=s["post"], media=s["media"],
            policies=tuple(s["policies"]), legal_grounds=tuple(s["legal_grounds"]), evidence=bool(s["evidence"]),
            key_terms=tuple(t.lower() for t in s["key_terms"]), min_terms=int(s["min_terms"]),
            reasoning=s["reasoning"], lesson=s["lesson"])
        for code in scenario.policies:
            if code != NO_VIOLATION:
                get_policy(code)
        get_region(scenario.region)
        out.append(scenario)
    return {s.id: s for s in sorted(out, key=lambda s: s.order)}


def get_scenario(scenario_id: str) -> Scenario:
    """The module, or 404."""
    scenario = all_scenarios().get(scenario_id)
    if scenario is None:
        raise NotFound(f"practice module {scenario_id} not found", reason="training.module_unknown",
                       params={"ref": scenario_id})
    return scenario
