"""Demo data of the election rules: fictional candidate pairs (text only), an official
campaign account, and a public-service ad approval for the demo city government."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.schemas import AccountIn, ContentIn
from salingjaga.content.service import ingest_content, upsert_account
from salingjaga.core.settings import Settings
from salingjaga.rules.campaign_accounts import CandidateRef, add_candidate, register_campaign_account
from salingjaga.rules.classification import propose_all
from salingjaga.rules.psa_approvals import add_psa_approval

# Fictional names; any likeness to real candidates is unintended.
CANDIDATES: list[dict[str, Any]] = [
    {"election": "pilkada-2024", "region": "32", "number": 1, "name": "Andi Pratama - Siti Rahmawati",
     "parties": ["Partai Contoh Nusantara"]},
    {"election": "pilkada-2024", "region": "32", "number": 2, "name": "Hendra Wijaya - Maya Lestari",
     "parties": []},
    {"election": "pilkada-2024", "region": "32", "number": 3, "name": "Budi Santoso - Ratna Wulandari",
     "parties": []},
    {"election": "pilkada-2024", "region": "32.73", "number": 1, "name": "Fajar Nugroho - Dian Puspita",
     "parties": []},
    {"election": "pilkada-2024", "region": "32.73", "number": 2, "name": "Rudi Hartono - Intan Permata",
     "parties": []},
    {"election": "pilkada-2024", "region": "35", "number": 1, "name": "Eko Prasetyo - Wulan Sari",
     "parties": []},
]


def load(session: Session, settings: Settings, ctx: dict[str, Any]) -> None:
    """Add the demo candidates, register one campaign account, approve one PSA advertiser."""
    kpu_user = ctx["users"].get("Putri (KPU editor)")
    kpu = Principal(user_id=kpu_user or "demo", name="Putri (KPU editor)", role="guide_editor",
                    partner_id=ctx["partners"].get("kpu_ri"))
    ids: dict[tuple[str, int], str] = {}
    for spec in CANDIDATES:
        c = add_candidate(session, spec["election"], region=spec["region"], number=spec["number"],
                          name=spec["name"], members=[m.strip() for m in spec["name"].split(" - ")],
                          parties=spec["parties"], who=kpu)
        ids[(spec["region"], spec["number"])] = c.id
    register_campaign_account(session, "pilkada-2024", region="32",
                              candidate=CandidateRef(ids[("32", 3)], None, None), platform="video-platform",
                              account="acc-2002", valid_from=None, valid_to=None, who=kpu)
    admin = Principal(user_id=ctx["users"].get("Bima (policy lead)", "demo"), name="Bima (policy lead)",
                      role="policy_lead")
    add_psa_approval(session, "acc-2001", reference="KOMINFO/PSA/2024/017",
                     note="Voter information ads (cek DPT, TPS locations) for Pilkada 2024", actor=admin)
    # An ordinary account whose name says "party office": proposed as GPPPA for a reviewer.
    upsert_account(session, AccountIn(platform_id="acc-3001", handle="dpc_partai_contoh_bdg",
                                      display_name="DPC Partai Contoh Nusantara Kota Bandung",
                                      kind="personal", region="32.73", followers=2100))
    propose_all(session)
    # Two posts the campaign rules flag when the demo content is scanned: the registered
    # account posting in the quiet period, and an unregistered account campaigning.
    for spec in POSTS:
        item, created = ingest_content(session, ContentIn(**spec), settings.data_dir)
        if created:
            ctx.setdefault("content_ids", []).append(item.id)


POSTS: list[dict[str, Any]] = [
    {"platform_id": "vid-5101", "kind": "video", "account_id": "acc-2002",
     "url": "https://video.example/@caleg_budi_santoso/vid-5101",
     "caption": "Terima kasih relawan! Besok jangan lupa pilih nomor urut 3 ya",
     "region": "32", "election": "pilkada-2024", "views": 18000, "shares": 240,
     "posted_at": datetime(2024, 11, 25, 3, 0, tzinfo=UTC)},
    {"platform_id": "vid-5102", "kind": "video", "account_id": "acc-1002",
     "url": "https://video.example/@info_pemilu_viral/vid-5102",
     "caption": "Warga Jabar, coblos nomor 2! #kampanye", "region": "32.04", "election": "pilkada-2024",
     "views": 64000, "shares": 1900, "posted_at": datetime(2024, 10, 20, 5, 0, tzinfo=UTC)},
]
