"""Reference data: regions and elections."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends, Query

from salingjaga.auth.deps import public
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.routing import Router
from salingjaga.regions.elections import all_elections, get_election
from salingjaga.regions.schemas import ElectionOut, RegionOut
from salingjaga.regions.service import all_regions, get_region

router = Router(prefix="/api/v1", tags=["regions"])


@router.get("/regions", dependencies=[Depends(public)], response_model=list[RegionOut])
def list_regions(
    level: Literal["province", "regency"] | None = None,
    province: str | None = Query(default=None, description="only regencies of this province"),
) -> list[dict[str, str]]:
    """Provinces and regencies/cities with Kemendagri codes."""
    return [
        r.as_dict()
        for r in all_regions().values()
        if (level is None or r.level == level)
        and (province is None or r.province_code == province)
    ]


@router.get("/regions/{code}", dependencies=[Depends(public)], response_model=RegionOut)
def region_detail(code: str) -> dict[str, str]:
    """One region."""
    try:
        return get_region(code).as_dict()
    except Invalid as exc:
        raise NotFound(exc.message, reason=exc.reason, params=exc.params) from exc


@router.get("/elections", dependencies=[Depends(public)], response_model=list[ElectionOut])
def list_elections() -> list[dict[str, Any]]:
    """Every election with its calendar and scope."""
    return [e.as_dict() for e in all_elections().values()]


@router.get("/elections/{slug}", dependencies=[Depends(public)], response_model=ElectionOut)
def election_detail(slug: str) -> dict[str, Any]:
    """One election."""
    return get_election(slug).as_dict()
