"""A small scenario end to end through the command, on a real database: every arrival is
accounted for once, the FIFO replay sees the same arrivals, and the report is written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from salingjaga.cli import app
from salingjaga.content.models import ContentItem
from salingjaga.core.db import Database
from salingjaga.moderation.models import Case, Decision
from salingjaga.simulate.arrivals import generate
from salingjaga.simulate.runner import Target, simulate
from salingjaga.simulate.scenario import ScenarioError, find_scenario, load_scenario, parse_scenario

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("sim")
    result = CliRunner().invoke(app, ["simulate", str(HERE / "small.toml"), "--out", str(out), "--no-staffing"])
    assert result.exit_code == 0, result.output
    assert "trusted flaggers: median" in result.output
    return out, json.loads((out / "report.json").read_text())


def test_every_arrival_is_decided_pending_or_expired_once(small_run) -> None:  # type: ignore[no-untyped-def]
    out, report = small_run
    for run in ("policy", "fifo"):
        balance = report[run]["balance"]
        assert balance["arrivals"] == report["inflow"]["arrivals"] > 20
        assert balance["decided"] + balance["pending"] + balance["expired"] + balance["not_queued"] == \
            balance["arrivals"]
        assert balance["not_queued"] == 0 and balance["decided_twice"] == 0
        assert sum(g["arrivals"] for g in report[run]["by_source"].values()) == balance["arrivals"]
    db = Database(f"sqlite:///{out / 'policy.db'}")
    try:
        with db.session() as s:
            reviews = s.scalar(select(func.count()).select_from(Case).where(Case.kind == "review"))
            assert reviews == report["policy"]["balance"]["arrivals"]
            decided_cases = s.scalar(select(func.count(func.distinct(Decision.case_id))).where(
                Decision.case_id.in_(select(Case.id).where(Case.kind == "review")), Decision.kind == "content"))
            content_decisions = s.scalar(select(func.count()).select_from(Decision).where(
                Decision.case_id.in_(select(Case.id).where(Case.kind == "review")), Decision.kind == "content"))
            assert decided_cases == content_decisions == report["policy"]["balance"]["decided"]
            # the quiet period's deadline of the scenario (3 h), for notices and detection alike
            spans = {(c.deadline - c.created_at).total_seconds() for c in s.scalars(
                select(Case).where(Case.kind == "review"))}
            assert spans == {3 * 3600.0}
    finally:
        db.dispose()


def _review_arrivals(path: Path) -> list[tuple[str, str, str, str]]:
    """Every review case of a run's database: the item, its source, policy and opening time."""
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as s:
            return sorted((item, c.source, c.policy, c.created_at.isoformat()) for c, item in s.execute(
                select(Case, ContentItem.platform_id).join(ContentItem, ContentItem.id == Case.content_id)
                .where(Case.kind == "review")).tuples())
    finally:
        db.dispose()


def test_the_fifo_replay_sees_the_same_arrivals(small_run) -> None:  # type: ignore[no-untyped-def]
    out, report = small_run
    # the same items, from the same sources, opened at the same virtual times
    policy_cases = _review_arrivals(out / "policy.db")
    assert policy_cases == _review_arrivals(out / "fifo.db") and len(policy_cases) == report["inflow"]["arrivals"]
    policy, fifo = report["policy"], report["fifo"]
    assert policy["queue_order"] == "priority" and fifo["queue_order"] == "fifo"
    assert {k: g["arrivals"] for k, g in policy["by_source"].items()} == \
        {k: g["arrivals"] for k, g in fifo["by_source"].items()}
    assert {k: g["arrivals"] for k, g in policy["by_policy"].items()} == \
        {k: g["arrivals"] for k, g in fifo["by_policy"].items()}
    assert set(policy["by_source"]) == {"trusted_flagger", "proactive", "user_report"}


def test_the_report_shows_both_runs_with_charts(small_run) -> None:  # type: ignore[no-untyped-def]
    out, report = small_run
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 3 and "FIFO" in html and "claim order" in html
    assert report["policy"]["backlog"] and report["policy"]["utilisation"]["pagi"]["people"] == 4
    assert 0 < report["policy"]["utilisation"]["pagi"]["utilisation"] <= 1


def test_arrivals_are_reproducible_from_the_seed() -> None:
    scenario = load_scenario(HERE / "small.toml")
    assert generate(scenario).arrivals == generate(scenario).arrivals


def test_a_bad_scenario_is_refused_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"detection\.campaign_rules: no detector"):
        parse_scenario({"scenario": {"election": "pemilu-2024", "start": date(2024, 2, 12), "days": 1},
                        "detection": {"campaign_rules": {"violating_share": 0.1, "precision": 1, "recall": 1}}})
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nelection = "pemilu-2099"\n')
    result = CliRunner().invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "pemilu-2099" in result.output


def test_staffing_search_finds_the_boundary(tmp_path: Path) -> None:
    report = simulate(load_scenario(HERE / "busy.toml"), Target(tmp_path), staffing=True, workers=2)
    staffing = report["staffing"]
    n = staffing["moderators_per_shift"]
    assert n is not None and n >= 2
    assert staffing["tried"][str(n)] is True
    assert staffing["tried"][str(n - 1)] is False
    assert not list(tmp_path.glob("staffing*"))
    assert report["fifo"]["balance"]["arrivals"] == report["policy"]["balance"]["arrivals"] > 0


@pytest.mark.parametrize("name", ["pemilu-2024-week", "pilkada-2024-voting-day"])
def test_shipped_scenarios_load_and_name_their_sources(name: str) -> None:
    scenario = load_scenario(find_scenario(name))
    assert {"removals", "calendar", "deadlines", "assumptions"} <= set(scenario.sources)
    inflow = generate(scenario)
    assert inflow.arrivals and {"detection", "notice"} == set(inflow.count_by_origin())


def test_runs_go_into_the_database_named_and_leave_the_policy_run_there(tmp_path: Path, database_url: str) -> None:
    """With a database URL (PostgreSQL under --postgres) both runs use it in turn, emptied
    before each; the claim-order run is what it keeps."""
    report = simulate(load_scenario(HERE / "busy.toml"), Target(tmp_path, database_url), staffing=False)
    db = Database(database_url)
    try:
        with db.session() as s:
            reviews = s.scalar(select(func.count()).select_from(Case).where(Case.kind == "review"))
    finally:
        db.dispose()
    assert reviews == report["policy"]["balance"]["arrivals"] == report["fifo"]["balance"]["arrivals"]
    assert report["policy"]["by_source"]["trusted_flagger"]["deadline_met_share"] >= \
        report["fifo"]["by_source"]["trusted_flagger"]["deadline_met_share"]


def test_a_database_with_people_who_sign_in_is_never_emptied(tmp_path: Path, database_url: str, world) -> None:
    world.user("admin", email="admin@example.org", password="a-long-password-1")
    result = CliRunner().invoke(app, ["simulate", str(HERE / "busy.toml"), "--out", str(tmp_path),
                                      "--database-url", database_url, "--no-staffing"])
    assert result.exit_code != 0 and "not a scratch database" in result.output
    db = Database(database_url)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Case)) == 0
            from salingjaga.auth.models import User

            assert s.scalar(select(func.count()).select_from(User)) == 1
    finally:
        db.dispose()
