"""Reference data through HTTP: regions, elections, calendars."""

from datetime import date

from salingjaga.regions.elections import get_election, is_tight_day


def test_regions_counts_and_levels(client):
    provinces = client.get("/api/v1/regions?level=province").json()
    regencies = client.get("/api/v1/regions?level=regency").json()
    assert len(provinces) == 38
    assert len(regencies) == 514
    assert {"code": "32", "name": "Jawa Barat", "level": "province", "type": "provinsi",
            "province_code": "32"} in provinces
    bandung = next(r for r in regencies if r["code"] == "32.73")
    assert bandung["name"] == "Kota Bandung" and bandung["province_code"] == "32"


def test_regencies_of_one_province(client):
    jakarta = client.get("/api/v1/regions?level=regency&province=31").json()
    assert [r["code"] for r in jakarta] == ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]


def test_bad_level_is_422_with_error_shape(client):
    r = client.get("/api/v1/regions?level=village")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid"
    assert "level" in r.json()["error"]["message"]


def test_unknown_region_is_404(client):
    r = client.get("/api/v1/regions/99.99")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_elections_with_dates_and_scope(client):
    slugs = [e["slug"] for e in client.get("/api/v1/elections").json()]
    assert {"pemilu-2024", "pilkada-2024"} <= set(slugs)
    pemilu = client.get("/api/v1/elections/pemilu-2024").json()
    assert pemilu["voting_day"] == "2024-02-14"
    assert pemilu["periods"]["campaign"] == {"start": "2023-11-28", "end": "2024-02-10"}
    assert pemilu["periods"]["quiet"] == {"start": "2024-02-11", "end": "2024-02-13"}
    assert pemilu["scope"]["province_count"] == 38
    pilkada = client.get("/api/v1/elections/pilkada-2024").json()
    assert pilkada["voting_day"] == "2024-11-27"
    assert pilkada["periods"]["campaign"] == {"start": "2024-09-25", "end": "2024-11-23"}
    assert pilkada["periods"]["quiet"] == {"start": "2024-11-24", "end": "2024-11-26"}
    assert pilkada["scope"]["province_count"] == 37
    assert pilkada["scope"]["regency_count"] == 508
    assert "34" not in pilkada["scope"]["provinces"]  # DI Yogyakarta: no governor election
    assert "31.71" not in pilkada["scope"]["regencies"]  # Jakarta's administrative cities
    assert "34.71" in pilkada["scope"]["regencies"]  # Kota Yogyakarta elects its mayor


def test_unknown_election_is_404(client):
    r = client.get("/api/v1/elections/pemilu-1999")
    assert r.status_code == 404
    assert "pemilu-2024" in r.json()["error"]["message"]


def test_calendar_functions():
    pilkada = get_election("pilkada-2024")
    assert pilkada.active_periods(date(2024, 11, 25), "32.73") == ["quiet"]
    assert pilkada.active_periods(date(2024, 11, 25), "31.71") == ["quiet"]  # Jakarta governor
    assert pilkada.active_periods(date(2024, 11, 25), "34") == []
    assert pilkada.active_periods(date(2024, 11, 27), "34.71") == ["voting"]
    assert is_tight_day(date(2024, 2, 14), "35")
    assert not is_tight_day(date(2024, 2, 10), "35")
