"""The list of Bawaslu offices, derived from the region data: Bawaslu RI, one office per
province and one per regency/city (1 + 38 + 514 = 553). The list ships as
``partners/data/bawaslu-offices.csv`` so an operator can read it, add contact addresses and
import it (``salingjaga partners import --bawaslu``); ``derive_bawaslu_offices`` rebuilds it
from the regions, and a test keeps the file and the regions in step."""

from __future__ import annotations

import csv
import io
from importlib import resources

from salingjaga.regions.service import provinces, regencies

SHIPPED_OFFICES = "data/bawaslu-offices.csv"
COLUMNS = ("name", "kind", "region_code", "contact_email", "organisation", "trusted", "policies")
# Bawaslu supervises the election: it flags in the election policy areas.
BAWASLU_POLICIES = ("civic_election_integrity", "misinformation", "hate_speech_sara",
                    "campaign_rules", "gpppa_restrictions")


def derive_bawaslu_offices() -> list[dict[str, str]]:
    """One row per office, national first, then each province followed by its regencies."""
    def row(name: str, code: str) -> dict[str, str]:
        return {"name": name, "kind": "election_supervisor", "region_code": code, "contact_email": "",
                "organisation": "bawaslu", "trusted": "true", "policies": ";".join(BAWASLU_POLICIES)}

    rows = [row("Bawaslu RI", "")]
    for province in provinces():
        rows.append(row(f"Bawaslu Provinsi {province.name}", province.code))
        rows.extend(row(f"Bawaslu {regency.name}", regency.code) for regency in regencies(province.code))
    return rows


def offices_csv(rows: list[dict[str, str]]) -> str:
    """The rows as the import file format."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def shipped_offices_csv() -> str:
    """The shipped Bawaslu office list as text."""
    return resources.files("salingjaga.partners").joinpath(SHIPPED_OFFICES).read_text("utf-8")
