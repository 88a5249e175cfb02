"""Exact counts, medians and percentiles from a known history, through the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salingjaga.cli import app as cli_app
from tests.conftest import bearer
from tests.transparency.history import PERIOD, build

TYPES = ("removed", "kept_out_of_recommendations", "labelled", "age_restricted", "account_action",
         "no_violation")


def row(**counts: int) -> dict[str, int]:
    return {t: counts.get(t, 0) for t in TYPES}


@pytest.fixture
def history(client, world, db):
    return build(client, world, db)


def _report(client, key: str, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/transparency/report",
                   params={"from": PERIOD[0], "to": PERIOD[1], **params}, headers=bearer(key))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_report_counts_times_and_appeals_exactly(client, world, history):
    report = _report(client, world.key("auditor"))
    assert report["actions_by_policy"] == {
        "civic_election_integrity": row(removed=2),
        "misinformation": row(removed=3, kept_out_of_recommendations=1, labelled=2, no_violation=1),
        "synthetic_media": row(removed=1, labelled=1),
    }
    assert report["totals"]["decisions"] == 11
    assert report["totals"]["actions"] == 10
    assert report["actions_by_source"] == {
        "partner": row(labelled=1),
        "proactive": row(removed=2, labelled=1),
        "trusted_flagger": row(removed=2, kept_out_of_recommendations=1, no_violation=1),
        "user_report": row(removed=2, labelled=1),
    }
    assert report["automation"] == {"automated_decision": 3, "human_decision": 8,
                                    "automated_detection": 3, "human_detection": 8}
    per_day = {d["day"]: (d["actions"], d["decisions"]) for d in report["actions_per_day"]}
    assert per_day == {"2024-02-10": (2, 2), "2024-02-11": (1, 2), "2024-02-12": (2, 2),
                       "2024-02-13": (3, 3), "2024-02-14": (2, 2)}

    notices = report["notices"]
    assert notices["by_partner_kind"] == {
        "civil_society": {"received": 1, "decided": 1, "actioned": 1},
        "election_supervisor": {"received": 4, "decided": 4, "actioned": 3},
        "user": {"received": 4, "decided": 3, "actioned": 3},
    }
    assert (notices["received"], notices["decided"], notices["actioned"]) == (9, 8, 7)

    ttd = report["time_to_decision"]
    # Trusted: 1 h, 2 h, 4 h, 10 h. Others: 1 h, 20 h, 30 h, 50 h (type-7 percentiles).
    assert ttd["trusted_flagger"]["decided"] == 4
    assert ttd["trusted_flagger"]["median_seconds"] == pytest.approx(10800)
    assert ttd["trusted_flagger"]["p90_seconds"] == pytest.approx(29520)
    assert ttd["trusted_flagger"]["median_hours"] == 3.0
    assert ttd["other"]["decided"] == 4
    assert ttd["other"]["median_seconds"] == pytest.approx(90000)
    assert ttd["other"]["p90_seconds"] == pytest.approx(158400)
    assert ttd["all"]["median_seconds"] == pytest.approx(25200)
    assert ttd["all"]["p90_seconds"] == pytest.approx(129600)
    dist = {b["name"]: (b["trusted_flagger"], b["other"]) for b in ttd["distribution"]}
    assert dist == {"<1h": (0, 0), "1-2h": (1, 1), "2-6h": (2, 0), "6-12h": (1, 0),
                    "12-24h": (0, 1), "24-48h": (0, 1), ">=48h": (0, 1)}

    appeals = report["appeals"]
    assert (appeals["received"], appeals["decided"], appeals["reversed"], appeals["upheld"]) == (2, 2, 1, 1)
    assert appeals["reversals"] == 1
    assert appeals["by_appellant"] == {"creator": {"received": 2, "reversed": 1}}
    assert appeals["median_decision_seconds"] == pytest.approx(14400)
    assert appeals["p90_decision_seconds"] == pytest.approx(17280)


def test_region_and_election_filters(client, world, history):
    key = world.key("policy_lead")
    west_java = _report(client, key, region="32")  # a province includes 32.73
    assert west_java["actions_by_policy"]["misinformation"] == row(
        removed=3, kept_out_of_recommendations=1, labelled=1, no_violation=1)
    assert "civil_society" not in west_java["notices"]["by_partner_kind"]
    jakarta = _report(client, key, region="31.71")
    assert jakarta["actions_by_policy"] == {"misinformation": row(labelled=1)}
    pemilu = _report(client, key, election="pemilu-2024")
    assert pemilu["actions_by_policy"]["misinformation"]["labelled"] == 1  # A2 has no election
    one_day = _report(client, key, **{"from": "2024-02-14", "to": "2024-02-14"})
    assert one_day["totals"] == {"decisions": 2, "actions": 2, "by_type": {
        **row(removed=1, labelled=1)}}


def test_report_access_and_bad_input(client, world, history):
    for role in ("moderator", "partner_reporter"):
        partner = history.partners["bawaslu"] if role == "partner_reporter" else None
        r = client.get("/api/v1/transparency/report", params={"from": PERIOD[0], "to": PERIOD[1]},
                       headers=bearer(world.key(role, partner)))
        assert r.status_code == 403
    assert client.get("/api/v1/transparency/report", params={"from": PERIOD[0], "to": PERIOD[1]}
                      ).status_code == 401
    key = world.key("admin")
    for params in ({"from": "2024-02-14", "to": "2024-02-10"}, {"from": "2024-13-01", "to": "2024-02-10"},
                   {"from": PERIOD[0], "to": PERIOD[1], "election": "pemilu-1999"},
                   {"from": PERIOD[0], "to": PERIOD[1], "region": "99.99"}):
        r = client.get("/api/v1/transparency/report", params=params, headers=bearer(key))
        assert r.status_code == 422, (params, r.text)


def test_csv_export_and_chart_endpoint(client, world, history):
    key = world.key("auditor")
    r = client.get("/api/v1/transparency/report",
                   params={"from": PERIOD[0], "to": PERIOD[1], "format": "csv"}, headers=bearer(key))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "actions_by_policy,misinformation,removed,3" in r.text.splitlines()
    svg = client.get("/api/v1/transparency/charts/policy.svg",
                     params={"from": PERIOD[0], "to": PERIOD[1], "lang": "id"}, headers=bearer(key))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "Integritas Pemilu dan Sipil" in svg.text
    assert client.get("/api/v1/transparency/charts/nope.svg", params={"from": PERIOD[0], "to": PERIOD[1]},
                      headers=bearer(key)).status_code == 404


def test_partner_report_by_policy_and_action(client, world, history):
    bawaslu = history.partners["bawaslu"]
    r = client.get(f"/api/v1/transparency/partners/{bawaslu}/report",
                   params={"from": PERIOD[0], "to": PERIOD[1]}, headers=bearer(history.keys["bawaslu"]))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["notices"] == 4 and rep["actioned"] == 3 and rep["actioned_share"] == 0.75
    assert rep["by_policy"] == {"civic_election_integrity": 2, "misinformation": 2}
    # T1 was later reversed on appeal; the action taken on the notice stays "remove".
    assert rep["by_action"] == {"fyp_exclude": 1, "no_violation": 1, "remove": 2}
    assert rep["by_policy_action"]["misinformation"] == {"fyp_exclude": 1, "no_violation": 1}
    assert rep["time_to_decision"]["median_seconds"] == pytest.approx(10800)
    # Another organisation's partner cannot read it (404, not 403).
    other = client.get(f"/api/v1/transparency/partners/{bawaslu}/report",
                       params={"from": PERIOD[0], "to": PERIOD[1]}, headers=bearer(history.keys["cso"]))
    assert other.status_code == 404
    cso = client.get(f"/api/v1/transparency/partners/{history.partners['cso']}/report",
                     params={"from": PERIOD[0], "to": PERIOD[1]}, headers=bearer(world.key("auditor")))
    assert cso.json()["by_action"] == {"label_unverified": 1}


def test_rollup_refreshes_only_changed_days_and_sees_backdated_rows(client, world, db, history, settings):
    from salingjaga.transparency.rollup import refresh_rollup

    with db.session() as s:
        first = refresh_rollup(s)
    assert first["days_rebuilt"] >= 5
    with db.session() as s:
        again = refresh_rollup(s)
    assert again["days_rebuilt"] == 0
    runner = CliRunner()
    out = runner.invoke(cli_app, ["transparency", "rollup", "--database-url", settings.database_url, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["days_rebuilt"] == 0
    # A decision recorded late for an earlier day (an import, a replayed stream) is seen by
    # the next report: only that day is rebuilt.
    from salingjaga.moderation.service import apply_automated_action
    from tests.transparency.history import _backdate_decision, _content, at

    item = _content(client, history.keys["service"])
    with db.session() as s:
        late = apply_automated_action(s, content_id=item["id"], action="age_restrict", policy="misinformation",
                                      facts="Graphic footage.", rule="late-import")
        assert late is not None
        late_id = late.id
    _backdate_decision(db, late_id, at("02-11 03:00"))
    report = _report(client, world.key("auditor"))
    assert report["actions_by_policy"]["misinformation"]["age_restricted"] == 1
    assert report["totals"]["decisions"] == 12
    with db.session() as s:
        assert refresh_rollup(s)["days_rebuilt"] == 0


def _cli(settings, *args: str) -> Any:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["transparency", *args, "--database-url", settings.database_url])
    assert result.exit_code == 0, result.output
    return result


def test_cli_report_matches_the_api_and_writes_charts(client, world, history, settings, tmp_path: Path):
    api = _report(client, world.key("auditor"))
    result = _cli(settings, "report", "--from", PERIOD[0], "--to", PERIOD[1], "--format", "json",
                  "--charts", str(tmp_path / "charts"))
    cli = json.loads(result.stdout)
    for key in ("actions_by_policy", "actions_by_source", "automation", "actions_per_day", "notices",
                "time_to_decision", "appeals", "totals"):
        assert cli[key] == api[key], key
    assert cli["time_to_decision"]["other"]["p90_seconds"] == pytest.approx(158400)
    names = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert names == ["daily.svg", "policy.svg", "ttd.svg"]
    assert 'data-value="3"' in (tmp_path / "charts" / "policy.svg").read_text()
    csv_out = _cli(settings, "report", "--from", PERIOD[0], "--to", PERIOD[1], "--format", "csv")
    assert "time_to_decision,trusted_flagger,median_seconds,10800.0" in csv_out.stdout.splitlines()


def test_cli_partner_report(client, world, history, settings):
    result = _cli(settings, "partner-report", "--partner", history.partners["bawaslu"],
                  "--from", PERIOD[0], "--to", PERIOD[1])
    rep = json.loads(result.stdout)
    assert rep["by_policy"] == {"civic_election_integrity": 2, "misinformation": 2}
    assert rep["time_to_decision"]["p90_seconds"] == pytest.approx(29520)
    missing = CliRunner().invoke(cli_app, ["transparency", "partner-report", "--partner", "prt_nope", "--from",
                                           PERIOD[0], "--to", PERIOD[1], "--database-url", settings.database_url])
    assert missing.exit_code == 1 and "not found" in missing.output
