"""Official campaign accounts: who may register, the per-platform limit, validity and closure."""

from __future__ import annotations

from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.rules.models import CampaignAccount
from tests.conftest import bearer
from tests.rules.helpers import kpu_key

URL = "/api/v1/elections/pilkada-2024/campaign-accounts"


def _register(client, key, account: str, number: int = 1, platform: str = "video-platform",
              region: str = "32", name: str | None = "Andi Pratama - Siti Rahmawati", **extra):
    body = {"region": region, "candidate_number": number, "candidate_name": name, "platform": platform,
            "account": account, **extra}
    return client.post(URL, json=body, headers=bearer(key))


def test_registration_defaults_to_the_campaign_period(client, world) -> None:
    key = kpu_key(world)
    r = _register(client, key, "acc-c1")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["valid_from"], body["valid_to"]) == ("2024-09-25", "2024-11-23")
    assert body["candidate"]["number"] == 1 and body["candidate"]["members"] == ["Andi Pratama", "Siti Rahmawati"]
    assert body["region"] == "32" and body["platform"] == "video-platform"

    def status(day: str) -> str:
        rows = client.get(f"{URL}?on={day}", headers=bearer(key)).json()
        return rows[0]["status"]

    assert status("2024-09-24") == "pending"
    assert status("2024-10-15") == "active"
    assert status("2024-11-23") == "active"
    assert status("2024-11-24") == "closed"  # the quiet period starts: closed


def test_twenty_first_account_is_refused(client, world, db) -> None:
    key = kpu_key(world)
    for i in range(20):
        r = _register(client, key, f"acc-{i}")
        assert r.status_code == 201, (i, r.text)
    r = _register(client, key, "acc-20")
    assert r.status_code == 409
    message = r.json()["error"]["message"]
    assert "20" in message and "video-platform" in message
    # Another platform, and another pair, each have their own 20.
    assert _register(client, key, "acc-20", platform="short-video").status_code == 201
    assert _register(client, key, "acc-21", number=2, name="Hendra Wijaya - Maya Lestari").status_code == 201
    with db.session() as s:
        assert len(s.scalars(select(CampaignAccount)).all()) == 22


def test_limit_is_per_election(client, world, tmp_path, monkeypatch) -> None:
    from salingjaga.regions import elections

    text = (
        'slug = "pilkada-uji"\nkind = "pilkada"\nname = { id = "Uji", en = "Test" }\n'
        "voting_day = 2030-11-27\nmax_campaign_accounts_per_platform = 2\n"
        "[periods]\ncampaign = { start = 2030-09-25, end = 2030-11-23 }\n"
        "quiet = { start = 2030-11-24, end = 2030-11-26 }\nvoting = { start = 2030-11-27, end = 2030-11-27 }\n"
        '[scope]\nprovinces = ["32"]\nregencies = []\n'
    )
    (tmp_path / "uji.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("SALINGJAGA_ELECTIONS_DIR", str(tmp_path))
    elections._load.cache_clear()
    try:
        key = kpu_key(world)
        url = "/api/v1/elections/pilkada-uji/campaign-accounts"
        body = {"region": "32", "candidate_number": 1, "candidate_name": "Uji Coba", "platform": "p"}
        assert client.post(url, json={**body, "account": "a1"}, headers=bearer(key)).status_code == 201
        assert client.post(url, json={**body, "account": "a2"}, headers=bearer(key)).status_code == 201
        r = client.post(url, json={**body, "account": "a3"}, headers=bearer(key))
        assert r.status_code == 409 and "at most 2" in r.json()["error"]["message"]
    finally:
        monkeypatch.delenv("SALINGJAGA_ELECTIONS_DIR")
        elections._load.cache_clear()


def test_only_kpu_staff_register(client, world) -> None:
    bawaslu = world.partner(name="Bawaslu RI")
    assert _register(client, world.key("guide_editor", bawaslu), "x").status_code == 403
    assert _register(client, world.key("partner_admin", bawaslu), "x").status_code == 403
    assert _register(client, world.key("moderator"), "x").status_code == 403
    assert _register(client, world.key("service"), "x").status_code == 403
    assert _register(client, kpu_key(world, role="partner_reporter"), "x").status_code == 201


def test_kpu_acts_only_in_its_jurisdiction(client, world) -> None:
    jabar = kpu_key(world, region="32")
    assert _register(client, jabar, "a-bdg", region="32.73", name="Fajar Nugroho - Dian Puspita").status_code == 201
    r = _register(client, jabar, "a-jatim", region="35", name="Eko Prasetyo - Wulan Sari")
    assert r.status_code == 403 and "32" in r.json()["error"]["message"]


def test_bad_registrations(client, world) -> None:
    key = kpu_key(world)
    # Yogyakarta elects no governor in Pilkada 2024.
    r = _register(client, key, "a", region="34")
    assert r.status_code == 422 and "no province-level race" in r.json()["error"]["message"]
    # Validity beyond the campaign period.
    r = _register(client, key, "a", valid_to="2024-11-25")
    assert r.status_code == 422 and "campaign period" in r.json()["error"]["message"]
    # Unknown candidate without a name.
    r = _register(client, key, "a", number=7, name=None)
    assert r.status_code == 422 and "candidate" in r.json()["error"]["message"]
    # Same account twice; a different name for a known ballot number.
    assert _register(client, key, "dup").status_code == 201
    assert _register(client, key, "dup").status_code == 409
    r = _register(client, key, "other", name="Someone Else")
    assert r.status_code == 409 and "Andi Pratama" in r.json()["error"]["message"]
    assert client.post("/api/v1/elections/nope/campaign-accounts", json={"platform": "p", "account": "a"},
                       headers=bearer(key)).status_code == 404
    assert client.post(URL, json={"platform": "p", "account": "a", "bogus": 1},
                       headers=bearer(key)).status_code == 422


def test_candidates_are_listed_publicly(client, world) -> None:
    key = kpu_key(world)
    r = client.post("/api/v1/elections/pilkada-2024/candidates",
                    json={"region": "32.73", "number": 2, "name": "Rudi Hartono - Intan Permata",
                          "members": ["Rudi Hartono", "Intan Permata"]}, headers=bearer(key))
    assert r.status_code == 201, r.text
    listed = client.get("/api/v1/elections/pilkada-2024/candidates?region=32.73").json()
    assert [(c["number"], c["name"]) for c in listed] == [(2, "Rudi Hartono - Intan Permata")]
    again = client.post("/api/v1/elections/pilkada-2024/candidates",
                        json={"region": "32.73", "number": 2, "name": "X Y"}, headers=bearer(key))
    assert again.status_code == 409


def test_close_command_records_closures_once(client, world, db, settings) -> None:
    from typer.testing import CliRunner

    from salingjaga.cli import app

    key = kpu_key(world)
    assert _register(client, key, "acc-close").status_code == 201
    runner = CliRunner()
    args = ["rules", "close-campaign-accounts", "--database-url", settings.database_url, "--json"]
    early = runner.invoke(app, [*args, "--date", "2024-11-01"])
    assert early.exit_code == 0, early.output
    assert '"closed": []' in early.output
    late = runner.invoke(app, [*args, "--date", "2024-11-24"])
    assert late.exit_code == 0 and "acc-close" in late.output
    again = runner.invoke(app, [*args, "--date", "2024-11-25"])
    assert '"closed": []' in again.output
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "rules.campaign_account_closed")).all()
        assert len(events) == 1 and events[0].data["account"] == "acc-close"
        reg = s.scalars(select(CampaignAccount)).one()
        assert reg.closed_at is not None
