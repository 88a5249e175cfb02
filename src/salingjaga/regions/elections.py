"""Elections as data files: a new election is a TOML file, not code.

Files ship in ``regions/data/elections``; ``SALINGJAGA_ELECTIONS_DIR`` may add more.
Calendar questions (which periods are active for a region on a date) are pure functions.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from salingjaga.core.errors import NotFound
from salingjaga.regions.service import all_regions, province_of

PERIOD_ORDER = ("campaign", "quiet", "voting", "counting")


@dataclass(frozen=True)
class Period:
    """A named span of days, inclusive at both ends."""

    name: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the period."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Election:
    """An election: its calendar and the regions in scope."""

    slug: str
    kind: str
    name: dict[str, str]
    voting_day: date
    periods: tuple[Period, ...]
    province_codes: frozenset[str]
    regency_codes: frozenset[str]
    max_campaign_accounts_per_platform: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    def period(self, name: str) -> Period | None:
        """The period with this name, if the election has one."""
        return next((p for p in self.periods if p.name == name), None)

    def in_scope(self, region_code: str | None) -> bool:
        """Whether the election is held in (or above) a region; None means anywhere."""
        if region_code is None:
            return True
        if "." in region_code:
            return region_code in self.regency_codes or province_of(region_code) in self.province_codes
        return region_code in self.province_codes

    def active_periods(self, day: date, region_code: str | None = None) -> list[str]:
        """Names of the periods that contain ``day`` for a region in scope."""
        if not self.in_scope(region_code):
            return []
        return [p.name for p in self.periods if p.contains(day)]

    def as_dict(self) -> dict[str, Any]:
        """JSON shape used by the API (region scope given as counts and codes)."""
        return {
            "slug": self.slug,
            "kind": self.kind,
            "name": self.name,
            "voting_day": self.voting_day.isoformat(),
            "periods": {
                p.name: {"start": p.start.isoformat(), "end": p.end.isoformat()}
                for p in self.periods
            },
            "scope": {
                "province_count": len(self.province_codes),
                "regency_count": len(self.regency_codes),
                "provinces": sorted(self.province_codes),
                "regencies": sorted(self.regency_codes),
            },
            "max_campaign_accounts_per_platform": self.max_campaign_accounts_per_platform,
        }


def _resolve_scope(scope: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    regions = all_regions().values()
    provs = scope.get("provinces", "all")
    prov_set = {r.code for r in regions if r.level == "province"} if provs == "all" else set(provs)
    prov_set -= set(scope.get("exclude_provinces", []))
    regs = scope.get("regencies", "all")
    reg_set = {r.code for r in regions if r.level == "regency"} if regs == "all" else set(regs)
    reg_set -= set(scope.get("exclude_regencies", []))
    unknown = (prov_set | reg_set) - {r.code for r in regions}
    if unknown:
        raise ValueError(f"election scope names unknown regions: {sorted(unknown)[:5]}")
    return frozenset(prov_set), frozenset(reg_set)


def parse_election(raw: dict[str, Any]) -> Election:
    """Build an Election from the parsed TOML of one file."""
    periods = tuple(
        Period(name, spec["start"], spec["end"])
        for name, spec in sorted(
            raw["periods"].items(),
            key=lambda kv: PERIOD_ORDER.index(kv[0]) if kv[0] in PERIOD_ORDER else 99,
        )
    )
    provs, regs = _resolve_scope(raw.get("scope", {}))
    known = {"slug", "kind", "name", "voting_day", "periods", "scope",
             "max_campaign_accounts_per_platform"}
    return Election(
        slug=raw["slug"],
        kind=raw.get("kind", "election"),
        name=raw["name"],
        voting_day=raw["voting_day"],
        periods=periods,
        province_codes=provs,
        regency_codes=regs,
        max_campaign_accounts_per_platform=int(raw.get("max_campaign_accounts_per_platform", 20)),
        extra={k: v for k, v in raw.items() if k not in known},
    )


@cache
def _load(extra_dir: str | None) -> dict[str, Election]:
    texts: list[str] = []
    folder = resources.files("salingjaga.regions").joinpath("data/elections")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            texts.append(item.read_text("utf-8"))
    if extra_dir:
        for path in sorted(Path(extra_dir).glob("*.toml")):
            texts.append(path.read_text("utf-8"))
    out: dict[str, Election] = {}
    for text in texts:
        election = parse_election(tomllib.loads(text))
        out[election.slug] = election
    return out


def all_elections() -> dict[str, Election]:
    """Every known election by slug."""
    return _load(os.environ.get("SALINGJAGA_ELECTIONS_DIR") or None)


def get_election(slug: str) -> Election:
    """The election with this slug, or 404."""
    election = all_elections().get(slug)
    if election is None:
        raise NotFound(f"no election {slug!r}; known: {', '.join(all_elections())}",
                       reason="election.unknown", params={"code": slug})
    return election


def active_periods(day: date, region_code: str | None = None) -> list[dict[str, str]]:
    """Every (election, period) active for a region on a day, across all elections."""
    out = []
    for election in all_elections().values():
        for name in election.active_periods(day, region_code):
            out.append({"election": election.slug, "period": name})
    return out


def is_tight_day(day: date, region_code: str | None = None) -> bool:
    """True in a quiet period or on voting day for the region: deadlines tighten then."""
    return any(p["period"] in ("quiet", "voting") for p in active_periods(day, region_code))
