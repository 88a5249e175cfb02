"""What the simulator measures about the claim order itself, on a real database: the
overdue turns keep lower tiers moving under overload without costing trusted notices
their deadline, and utilisation never counts work done after a shift ended."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from salingjaga.core.timeutil import WIB
from salingjaga.simulate.arrivals import generate
from salingjaga.simulate.runner import run_once
from salingjaga.simulate.scenario import Scenario, parse_scenario


def _overloaded(**head: Any) -> Scenario:
    """Twelve hours of voting day for one moderator deciding ~10 cases an hour: trusted
    notices (5 an hour) fit, the untrusted partner's (7) and user reports (3) do not."""
    stream = {"level": "national", "violating_share": 0.8, "policies": {"misinformation": 1}}
    return parse_scenario({
        "scenario": {"name": "overloaded", "election": "pemilu-2024", "days": 0.5, "seed": 5,
                     "start": datetime(2024, 2, 14, 6, 0, tzinfo=WIB), "deadline_hours_tight": 1.0,
                     "lease_minutes": 60, "sample_minutes": 60, **head},
        "notices": [{**stream, "kind": "election_supervisor", "per_day": 120},
                    {**stream, "kind": "civil_society", "trusted": False, "per_day": 168}],
        "user_reports": {"per_day": 72, "violating_share": 0.3, "policies": {"misinformation": 1}},
        "shifts": [{"name": "all day", "start_hour": 6, "hours": 12, "staff": [{"count": 1}]}],
        "handling": {"default": {"any": {"median_minutes": 6, "p90_minutes": 7}}},
    })


def _run(scenario: Scenario, tmp_path: Path, name: str) -> dict[str, Any]:
    return run_once(scenario, generate(scenario), f"sqlite:///{tmp_path / name}.db", tmp_path / "data", "priority")


def test_overdue_turns_keep_user_reports_moving_and_trusted_notices_in_time(tmp_path: Path) -> None:
    strict = _run(_overloaded(overdue_share=0.0), tmp_path, "strict")["by_source"]
    ageing = _run(_overloaded(), tmp_path, "ageing")["by_source"]
    assert strict["user_report"]["arrivals"] == ageing["user_report"]["arrivals"] > 20
    # The strict order leaves user reports waiting behind the partner's backlog ...
    assert strict["user_report"]["decided"] <= 3
    # ... the overdue turns give them a share, and trusted notices still meet the deadline.
    assert ageing["user_report"]["decided"] >= strict["user_report"]["decided"] + 8
    assert ageing["trusted_flagger"]["deadline_met_share"] >= 0.95
    assert strict["trusted_flagger"]["deadline_met_share"] >= 0.95


def test_utilisation_counts_no_work_after_the_shift_ends(tmp_path: Path) -> None:
    """Cases of 50 minutes and a shift of two hours: the third case ends well into
    overtime, which is not shift time worked (counted, it read ~119 %)."""
    scenario = _overloaded(days=0.25)
    scenario = replace(scenario, shifts=(replace(scenario.shifts[0], hours=2.0),))
    scenario = replace(scenario, handling={"default": {"any": replace(
        scenario.handling["default"]["any"], median_s=3000.0, p90_s=3000.0)}})
    row = _run(scenario, tmp_path, "overtime")["utilisation"]["all day"]
    assert row["shift_hours"] == 2.0
    # busy from the first notice (minutes in) to the end of the shift, and not beyond it
    assert 1.75 < row["busy_hours"] <= 2.0 and row["utilisation"] <= 1.0


def test_a_review_that_outlasts_its_lease_is_refused_once_and_then_decided(tmp_path: Path) -> None:
    """Reviews of 40 minutes against a lease of 30: each decision is refused (409) when it
    comes in after the lease, the case waits again, and the next claim enters it again
    from the notes instead of reviewing it from scratch forever."""
    scenario = _overloaded(days=0.25, lease_minutes=30)
    scenario = replace(scenario, handling={"default": {"any": replace(
        scenario.handling["default"]["any"], median_s=2400.0, p90_s=2400.0)}})
    summary = _run(scenario, tmp_path, "long")
    assert summary["refused"] == {"decide: 409 conflict": summary["lease_expired"]}
    assert summary["lease_expired"] >= 3
    # ~42 minutes a case (40 reviewing, 2 entering the decision again) over 6 hours
    assert summary["balance"]["decided"] >= summary["lease_expired"] - 1
    assert summary["balance"]["decided_twice"] == 0
