"""Campaign content on the stream: quiet-period posts from registered accounts and campaign
posts from unregistered accounts open campaign_rules cases for the region's Bawaslu."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from salingjaga.moderation.models import Case
from salingjaga.rules.models import CampaignFinding
from salingjaga.stream.handlers import HANDLERS, Registration
from tests.conftest import bearer
from tests.rules.helpers import kpu_key, make_account, post_content

REG_URL = "/api/v1/elections/pilkada-2024/campaign-accounts"


def _bawaslu(world) -> dict[str, str]:
    return {
        "national": world.partner(name="Bawaslu RI"),
        "jabar": world.partner(name="Bawaslu Provinsi Jawa Barat", region="32"),
        "bandung": world.partner(name="Bawaslu Kota Bandung", region="32.73"),
    }


def _register_bandung_pair(client, world, account: str) -> None:
    body = {"region": "32.73", "candidate_number": 1, "candidate_name": "Fajar Nugroho - Dian Puspita",
            "platform": "video-platform", "account": account}
    r = client.post(REG_URL, json=body, headers=bearer(kpu_key(world)))
    assert r.status_code == 201, r.text


def _case_for(db, content_id: str) -> Case:
    with db.session() as s:
        case = s.scalar(select(Case).where(Case.content_id == content_id))
        assert case is not None, "no case opened"
        s.expunge(case)
        return case


def test_rules_handler_is_wired_to_the_content_stream() -> None:
    from salingjaga.rules.service import handle_content

    assert Registration("salingjaga.rules.service:handle_content", handle_content) in HANDLERS["content"]


def test_quiet_period_post_from_registered_account_opens_tight_case(client, world, db) -> None:
    partners = _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-paslon1", kind="politician", region="32.73", handle="fajar_dian_1")
    _register_bandung_pair(client, world, "acc-paslon1")
    # 25 Nov 2024, 10:00 WIB: masa tenang of Pilkada 2024.
    item = post_content(client, service, "vid-q1", "acc-paslon1", "Terima kasih relawan! Sampai jumpa di TPS.",
                        "2024-11-25T03:00:00Z", region="32.73")
    case = _case_for(db, item["id"])
    assert case.policy == "campaign_rules"
    assert case.source == "rules"
    assert case.notify_partner_ids == [partners["bandung"]]
    finding = client.get(f"/api/v1/rules/findings/{item['id']}", headers=bearer(service)).json()
    assert finding["case_id"] == case.id
    assert [f["rule"] for f in finding["findings"]] == ["registered_account_in_quiet_period"]
    assert finding["findings"][0]["period"] == "quiet" and finding["findings"][0]["date"] == "2024-11-25"


def test_quiet_period_post_gets_the_tight_deadline(client, world, db) -> None:
    _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-paslon1", kind="politician", region="32.73")
    _register_bandung_pair(client, world, "acc-paslon1")
    item = post_content(client, service, "vid-q2", "acc-paslon1", "Salam dari paslon 1",
                        "2024-11-25T03:00:00Z", region="32.73")
    case = _case_for(db, item["id"])
    assert case.tight is True
    assert case.deadline - case.created_at <= timedelta(hours=2)


def test_campaign_day_post_from_registered_account_is_fine(client, world, db) -> None:
    _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-paslon1", kind="politician", region="32.73")
    _register_bandung_pair(client, world, "acc-paslon1")
    # 23 Nov 2024 16:30 UTC = 23:30 WIB: the last hour of the campaign period in Bandung.
    item = post_content(client, service, "vid-c1", "acc-paslon1", "Pilih nomor urut 1! #kampanye",
                        "2024-11-23T16:30:00Z", region="32.73")
    with db.session() as s:
        assert s.get(CampaignFinding, item["id"]) is None
        assert s.scalar(select(Case).where(Case.content_id == item["id"])) is None


def test_unregistered_campaign_post_goes_to_the_provinces_bawaslu(client, world, db) -> None:
    partners = _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-buzzer", kind="personal", region="32.04")
    # Kabupaten Bandung has no Bawaslu partner here: the province's is the recipient.
    item = post_content(client, service, "vid-u1", "acc-buzzer", "Ayo coblos nomor 2 untuk Jabar! #kampanye",
                        "2024-10-10T05:00:00Z", region="32.04")
    case = _case_for(db, item["id"])
    assert case.policy == "campaign_rules"
    assert case.notify_partner_ids == [partners["jabar"]]
    with db.session() as s:
        finding = s.get(CampaignFinding, item["id"])
        assert finding is not None
        assert [f["rule"] for f in finding.findings] == ["unregistered_campaign_account"]
        assert "coblos nomor" in finding.findings[0]["campaign_phrases"]


def test_national_bawaslu_when_no_regional_one(client, world, db) -> None:
    partners = {"national": world.partner(name="Bawaslu RI")}
    service = world.key("service")
    make_account(client, service, "acc-x", kind="personal", region="35.78")
    item = post_content(client, service, "vid-x", "acc-x", "Pilih nomor urut 1 untuk Surabaya",
                        "2024-10-10T05:00:00Z", region="35.78")
    assert _case_for(db, item["id"]).notify_partner_ids == [partners["national"]]


def test_ordinary_and_out_of_season_posts_open_nothing(client, world, db) -> None:
    _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-w", kind="personal", region="32.73")
    plain = post_content(client, service, "vid-p", "acc-w", "Cek DPT kamu sebelum 27 November ya",
                         "2024-11-25T03:00:00Z", region="32.73")
    late = post_content(client, service, "vid-l", "acc-w", "Dulu kampanye ramai sekali",
                        "2025-03-01T03:00:00Z", region="32.73")
    with db.session() as s:
        for item in (plain, late):
            assert s.get(CampaignFinding, item["id"]) is None
            assert s.scalar(select(Case).where(Case.content_id == item["id"])) is None


def test_handler_is_idempotent(client, world, db, settings) -> None:
    from salingjaga.rules.service import handle_content

    _bawaslu(world)
    service = world.key("service")
    make_account(client, service, "acc-b", kind="personal", region="32.73")
    item = post_content(client, service, "vid-i", "acc-b", "#kampanye coblos nomor 3",
                        "2024-11-25T03:00:00Z", region="32.73")
    with db.session() as s:
        handle_content(s, {"content_id": item["id"]}, settings)
    with db.session() as s:
        assert len(s.scalars(select(Case).where(Case.content_id == item["id"])).all()) == 1
        case = s.scalar(select(Case).where(Case.content_id == item["id"]))
        assert case is not None and len(case.sources) == 1
