"""The rules' demo data and command line."""

from __future__ import annotations

from typer.testing import CliRunner

from salingjaga.cli import app
from tests.conftest import bearer
from tests.rules.helpers import make_account


def test_demo_registers_a_campaign_account_and_approval(client, world, db, settings) -> None:
    from salingjaga.rules import demo

    service = world.key("service")
    make_account(client, service, "acc-2001", kind="government", region="32.73", handle="pemkot_bandung")
    make_account(client, service, "acc-2002", kind="politician", region="32", handle="caleg_budi_santoso")
    make_account(client, service, "acc-1002", kind="personal", region="32", handle="info_pemilu_viral")
    kpu = world.partner(name="KPU RI", kind="election_commission", organisation="kpu")
    kpu_user, _ = world.user("guide_editor", kpu, name="Putri (KPU editor)")
    jabar = world.partner(name="Bawaslu Provinsi Jawa Barat", region="32")
    ctx: dict = {"partners": {"kpu_ri": kpu}, "users": {"Putri (KPU editor)": kpu_user}, "content_ids": []}
    with db.session() as s:
        demo.load(s, settings, ctx)
    # The demo's two flagged posts are handed to the scan like the core demo content.
    assert len(ctx["content_ids"]) == 2
    from salingjaga.stream.handlers import dispatch

    for content_id in ctx["content_ids"]:
        dispatch(db, settings, "content", {"content_id": content_id})
    for content_id in ctx["content_ids"]:
        finding = client.get(f"/api/v1/rules/findings/{content_id}", headers=bearer(service)).json()
        assert finding["notify_partner_id"] == jabar and finding["case_id"]
    lead = world.key("policy_lead")
    proposals = client.get("/api/v1/rules/classification-proposals", headers=bearer(lead)).json()
    assert [p["proposed_kind"] for p in proposals] == ["political_party"]
    regs = client.get("/api/v1/elections/pilkada-2024/campaign-accounts?on=2024-10-01",
                      headers=bearer(service)).json()
    assert [(r["account"], r["candidate"]["number"], r["status"]) for r in regs] == [("acc-2002", 3, "active")]
    ads = client.get("/api/v1/accounts/acc-2001/features/ads", headers=bearer(service)).json()
    assert ads["allowed"] is True
    names = [c["name"] for c in client.get("/api/v1/elections/pilkada-2024/candidates?region=32").json()]
    assert len(names) == 3


def test_cli_calendar() -> None:
    result = CliRunner().invoke(app, ["rules", "calendar", "--region", "32.73", "--date", "2024-11-26"])
    assert result.exit_code == 0, result.output
    assert "pilkada-2024: quiet" in result.output and "Kota Bandung" in result.output
    assert "2 h" in result.output
    bad = CliRunner().invoke(app, ["rules", "calendar", "--region", "99"])
    assert bad.exit_code != 0
