"""``demo load --history`` fills the demo with an election period from a simulated run,
and the transparency report shows it in the seeds' proportions."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salingjaga.app import create_app
from salingjaga.cli import app
from salingjaga.core.settings import Settings
from tests.conftest import bearer

SEEDS = {"misinformation": 17_195, "civic_election_integrity": 38_002, "synthetic_media": 3_359}


def test_the_demo_history_shows_the_election_period_at_the_seeds_proportions(settings: Settings,
                                                                             monkeypatch) -> None:
    monkeypatch.setenv("SALINGJAGA_DATA_DIR", str(settings.data_dir))
    args = ["demo", "load", "--json", "--database-url", settings.database_url, "--history",
            "--history-scale", "0.002"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    history = json.loads(result.output.strip().splitlines()[-1])["history"]
    assert history["already_loaded"] is False and history["arrivals"] > 100
    balance = history["balance"]
    assert balance["decided"] + balance["pending"] + balance["expired"] == balance["arrivals"]

    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.output.strip().splitlines()[-1])["history"][
        "already_loaded"] is True

    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    auditor = next(u["api_key"] for u in creds["users"] if u["role"] == "auditor")
    with TestClient(create_app(settings)) as client:
        r = client.get("/api/v1/transparency/report", params={"from": "2023-11-28", "to": "2024-02-15"},
                       headers=bearer(auditor))
    assert r.status_code == 200, r.text
    removed = {p: row["removed"] for p, row in r.json()["actions_by_policy"].items() if p in SEEDS}
    total, seeds = sum(removed.values()), sum(SEEDS.values())
    assert total > 70
    for policy, n in SEEDS.items():  # each policy's share of removals, within sampling noise
        assert abs(removed[policy] / total - n / seeds) < 0.08, removed
