"""The election calendar per region: which elections and races apply, which periods are
active on a local calendar day. Pure functions over the election and region data, except
``today`` and ``calendar_answer``, which read the clock for the local day.

A region can be in several elections at once and, in a Pilkada, in two races of one
election: a regency of Jawa Barat elects its regent and also votes for the governor.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any

from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import as_utc, utcnow
from salingjaga.regions.elections import Election, all_elections
from salingjaga.regions.service import Region, all_regions, get_region, province_of, regencies


@cache
def _data() -> dict[str, Any]:
    text = resources.files("salingjaga.rules").joinpath("data/calendar.toml").read_text("utf-8")
    return tomllib.loads(text)


def zone_name(region_code: str | None) -> str:
    """WIB, WITA or WIT for a region (WIB, where the election files' dates are, if unknown)."""
    tz = _data()["timezones"]
    if region_code:
        prov = province_of(region_code)
        for name in tz["offsets"]:
            if prov in tz.get(name, []):
                return str(name)
    return str(tz["default"])


def zone(region_code: str | None) -> timezone:
    """The fixed-offset zone of a region (Indonesia keeps no daylight saving)."""
    name = zone_name(region_code)
    return timezone(timedelta(hours=int(_data()["timezones"]["offsets"][name])), name)


def local_date(at: datetime, region_code: str | None) -> date:
    """The calendar day in the region at instant ``at`` (naive means UTC)."""
    return as_utc(at).astimezone(zone(region_code)).date()


def _office(election: Election, level: str) -> dict[str, str] | None:
    races = _data().get("races", {}).get(election.kind, {})
    office = races.get(level)
    return dict(office) if office else None


@dataclass(frozen=True)
class Race:
    """One contest of an election: national, a province's or a regency/city's."""

    level: str  # national | province | regency
    region_code: str | None
    region_name: str | None
    office: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """JSON shape used by the API."""
        return {"level": self.level, "region": self.region_code, "region_name": self.region_name,
                "office": self.office}


def races_for(election: Election, region: Region | None) -> list[Race]:
    """The races of ``election`` a voter in ``region`` takes part in (None: national view)."""
    out: list[Race] = []
    national = _office(election, "national")
    if national is not None:
        out.append(Race("national", None, None, national))
    if region is None:
        return out
    prov = all_regions()[region.province_code]
    prov_office = _office(election, "provinsi")
    if prov_office is not None and prov.code in election.province_codes:
        out.append(Race("province", prov.code, prov.name, prov_office))
    if region.level == "regency":
        reg_office = _office(election, region.type)
        if reg_office is not None and region.code in election.regency_codes:
            out.append(Race("regency", region.code, region.name, reg_office))
    return out


def regency_races_within(election: Election, province_code: str) -> int:
    """How many regencies/cities of a province hold their own race in the election."""
    return sum(1 for r in regencies(province_code) if r.code in election.regency_codes)


def applies(election: Election, region: Region | None) -> bool:
    """Whether the election is held for anyone in (or above) the region."""
    if region is None:
        return True
    if races_for(election, region):
        return True
    return region.level == "province" and regency_races_within(election, region.code) > 0


def calendar(day: date, region_code: str | None) -> list[dict[str, Any]]:
    """Every election that applies to the region, with its periods active on ``day``."""
    region = get_region(region_code) if region_code else None
    out: list[dict[str, Any]] = []
    for election in sorted(all_elections().values(), key=lambda e: e.voting_day):
        if not applies(election, region):
            continue
        active = [p for p in election.periods if p.contains(day)]
        entry: dict[str, Any] = {
            "election": election.slug,
            "kind": election.kind,
            "name": election.name,
            "voting_day": election.voting_day.isoformat(),
            "active_periods": [
                {"period": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in active
            ],
            "races": [r.as_dict() for r in races_for(election, region)],
        }
        if region is not None and region.level == "province":
            entry["regency_races_within"] = regency_races_within(election, region.code)
        out.append(entry)
    return out


def active_period_names(day: date, region_code: str | None, election: Election) -> list[str]:
    """Names of the periods of one election active for the region on ``day``."""
    region = get_region(region_code) if region_code else None
    if not applies(election, region):
        return []
    return [p.name for p in election.periods if p.contains(day)]


def today(region_code: str | None = None) -> date:
    """Today's local calendar day in a region."""
    return local_date(utcnow(), region_code)


def calendar_answer(day: date | None, region_code: str | None, settings: Settings) -> dict[str, Any]:
    """The elections, races and active periods for a region on a local calendar day (today
    if none), and the deadline that applies to new cases there."""
    region = get_region(region_code) if region_code else None
    day = day or today(region_code)
    elections = calendar(day, region_code)
    active = [{"election": e["election"], "period": p["period"]} for e in elections for p in e["active_periods"]]
    tight = any(a["period"] in ("quiet", "voting") for a in active)
    return {
        "date": day.isoformat(),
        "region": region.as_dict() if region else None,
        "timezone": zone_name(region_code),
        "elections": elections,
        "active": active,
        "tight": tight,
        "deadline_hours": settings.deadline_hours_tight if tight else settings.deadline_hours_default,
    }
