"""The calendar: which elections, races and periods apply to a region on a local date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from salingjaga.regions.elections import get_election
from salingjaga.regions.service import get_region
from salingjaga.rules import calendar as cal


def test_local_date_follows_the_regions_zone() -> None:
    # 23 Nov 2024 18:30 UTC is already 24 Nov in Jakarta (WIB) and in Jayapura (WIT).
    at = datetime(2024, 11, 23, 18, 30, tzinfo=UTC)
    assert cal.local_date(at, "32.73") == date(2024, 11, 24)
    assert cal.local_date(at, "91") == date(2024, 11, 24)
    # 16:30 UTC is 23:30 WIB (still the campaign) but 00:30 WITA in Makassar (quiet period).
    at = datetime(2024, 11, 23, 16, 30, tzinfo=UTC)
    assert cal.local_date(at, "32") == date(2024, 11, 23)
    assert cal.local_date(at, "73.71") == date(2024, 11, 24)
    assert cal.zone_name("73.71") == "WITA" and cal.zone_name("94") == "WIT" and cal.zone_name(None) == "WIB"


def test_races_of_a_regency_in_a_pilkada_province() -> None:
    pilkada = get_election("pilkada-2024")
    races = cal.races_for(pilkada, get_region("32.04"))  # Kabupaten Bandung
    assert [(r.level, r.region_code) for r in races] == [("province", "32"), ("regency", "32.04")]
    assert races[1].office["id"].startswith("Bupati")
    city = cal.races_for(pilkada, get_region("32.73"))
    assert city[1].office["id"].startswith("Wali Kota")


def test_special_regions() -> None:
    pilkada = get_election("pilkada-2024")
    # DI Yogyakarta: no governor election, but its regencies elect regents.
    assert [r.level for r in cal.races_for(pilkada, get_region("34.02"))] == ["regency"]
    assert cal.races_for(pilkada, get_region("34")) == []
    assert cal.applies(pilkada, get_region("34"))
    # Jakarta's administrative cities elect no mayor; Jakarta elects its governor.
    assert [r.level for r in cal.races_for(pilkada, get_region("31.71"))] == ["province"]


def test_http_calendar_quiet_period_for_province_and_regency(client) -> None:
    province = client.get("/api/v1/calendar?region=32&date=2024-11-25")
    assert province.status_code == 200, province.text
    p = province.json()
    assert p["date"] == "2024-11-25" and p["region"]["code"] == "32" and p["timezone"] == "WIB"
    assert p["active"] == [{"election": "pilkada-2024", "period": "quiet"}]
    assert p["tight"] is True and p["deadline_hours"] == 2.0
    pilkada = next(e for e in p["elections"] if e["election"] == "pilkada-2024")
    assert [r["level"] for r in pilkada["races"]] == ["province"]
    assert pilkada["regency_races_within"] == 27  # Jawa Barat's 18 regencies and 9 cities
    assert pilkada["active_periods"][0] == {"period": "quiet", "start": "2024-11-24", "end": "2024-11-26"}

    regency = client.get("/api/v1/calendar?region=32.73&date=2024-11-25").json()
    assert regency["active"] == [{"election": "pilkada-2024", "period": "quiet"}]
    races = next(e for e in regency["elections"] if e["election"] == "pilkada-2024")["races"]
    assert [(r["level"], r["region"]) for r in races] == [("province", "32"), ("regency", "32.73")]
    assert races[1]["region_name"] == "Kota Bandung"


def test_http_calendar_other_days(client) -> None:
    def active(region: str, day: str) -> list[dict[str, str]]:
        r = client.get(f"/api/v1/calendar?region={region}&date={day}")
        assert r.status_code == 200, r.text
        return r.json()["active"]

    assert active("32.73", "2024-11-23") == [{"election": "pilkada-2024", "period": "campaign"}]
    assert active("32.73", "2024-11-27") == [{"election": "pilkada-2024", "period": "voting"}]
    assert active("32.73", "2024-12-01") == [{"election": "pilkada-2024", "period": "counting"}]
    assert active("32.73", "2024-02-12") == [{"election": "pemilu-2024", "period": "quiet"}]
    assert active("32.73", "2025-06-01") == []
    ordinary = client.get("/api/v1/calendar?region=32.73&date=2024-10-01").json()
    assert ordinary["tight"] is False and ordinary["deadline_hours"] == 24.0
    # Pemilu 2024 applies to every region, with the national race.
    pemilu = next(e for e in ordinary["elections"] if e["election"] == "pemilu-2024")
    assert [r["level"] for r in pemilu["races"]] == ["national", "province", "regency"]


def test_http_calendar_bad_input(client) -> None:
    r = client.get("/api/v1/calendar?region=99&date=2024-11-25")
    assert r.status_code == 422 and "region" in r.json()["error"]["message"]
    assert client.get("/api/v1/calendar?region=32&date=25-11-2024").status_code == 422
    national = client.get("/api/v1/calendar?date=2024-11-25").json()
    assert national["region"] is None and {"election": "pilkada-2024", "period": "quiet"} in national["active"]
