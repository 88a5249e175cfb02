"""Loads the demo world. Idempotent: a second run changes nothing and prints no keys.

Domains add their own demo data through ``<domain>/demo.py:load(session, settings, ctx)``,
called after the core world exists; ``ctx`` holds the ids created here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga import parts
from salingjaga.auth.service import create_api_key, create_user
from salingjaga.content.schemas import AccountIn, ContentIn
from salingjaga.content.service import ingest_content, upsert_account
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.demo.media import media_for
from salingjaga.partners.models import Partner
from salingjaga.partners.service import create_partner

DEMO_PASSWORD = "salingjaga-demo-2024"  # noqa: S105 - documented demo login, local only
MARKER = "Bawaslu RI"

PARTNERS: list[dict[str, Any]] = [
    {"key": "bawaslu_ri", "name": "Bawaslu RI", "kind": "election_supervisor",
     "organisation": "bawaslu", "region": None, "trusted": True,
     "policies": ["misinformation", "civic_election_integrity", "hate_speech_sara",
                  "campaign_rules", "synthetic_media", "gpppa_restrictions", "political_ads"]},
    {"key": "bawaslu_jabar", "name": "Bawaslu Provinsi Jawa Barat", "kind": "election_supervisor",
     "organisation": "bawaslu", "region": "32", "trusted": True,
     "policies": ["misinformation", "civic_election_integrity", "hate_speech_sara", "campaign_rules"]},
    {"key": "bawaslu_bandung", "name": "Bawaslu Kota Bandung", "kind": "election_supervisor",
     "organisation": "bawaslu", "region": "32.73", "trusted": True,
     "policies": ["misinformation", "civic_election_integrity", "campaign_rules"]},
    {"key": "bawaslu_jatim", "name": "Bawaslu Provinsi Jawa Timur", "kind": "election_supervisor",
     "organisation": "bawaslu", "region": "35", "trusted": True,
     "policies": ["misinformation", "civic_election_integrity", "campaign_rules"]},
    {"key": "kpu_ri", "name": "KPU RI", "kind": "election_commission", "organisation": "kpu",
     "region": None, "trusted": True, "policies": ["civic_election_integrity", "misinformation"]},
    {"key": "perludem", "name": "Perludem", "kind": "civil_society", "organisation": "perludem",
     "region": None, "trusted": True, "policies": ["misinformation", "civic_election_integrity"]},
    {"key": "mafindo", "name": "MAFINDO (TurnBackHoax)", "kind": "fact_checker",
     "organisation": "mafindo", "region": None, "trusted": True,
     "policies": ["misinformation", "synthetic_media"]},
]

USERS: list[dict[str, Any]] = [
    {"name": "Admin SalingJaga", "role": "admin", "email": "admin@demo.salingjaga.id"},
    {"name": "Dewi (moderator)", "role": "moderator", "email": "dewi@demo.salingjaga.id"},
    {"name": "Rizky (moderator)", "role": "moderator", "email": "rizky@demo.salingjaga.id"},
    {"name": "Sari (senior moderator)", "role": "senior_moderator", "email": "sari@demo.salingjaga.id"},
    {"name": "Bima (policy lead)", "role": "policy_lead", "email": "bima@demo.salingjaga.id"},
    {"name": "Auditor Publik", "role": "auditor", "email": "auditor@demo.salingjaga.id"},
    {"name": "Platform Service", "role": "service", "email": None},
    {"name": "Rina (Bawaslu RI)", "role": "partner_admin", "partner": "bawaslu_ri",
     "email": "rina@bawaslu.demo"},
    {"name": "Agus (Bawaslu Jabar)", "role": "partner_reporter", "partner": "bawaslu_jabar",
     "email": "agus@jabar.bawaslu.demo"},
    {"name": "Nina (Bawaslu Kota Bandung)", "role": "partner_reporter",
     "partner": "bawaslu_bandung", "email": "nina@bandung.bawaslu.demo"},
    {"name": "Yoga (Bawaslu Jatim)", "role": "partner_reporter", "partner": "bawaslu_jatim",
     "email": "yoga@jatim.bawaslu.demo"},
    {"name": "Putri (KPU editor)", "role": "guide_editor", "partner": "kpu_ri",
     "email": "putri@kpu.demo"},
    {"name": "Hadi (Bawaslu editor)", "role": "guide_editor", "partner": "bawaslu_ri",
     "email": "hadi@bawaslu.demo"},
    {"name": "Lia (Perludem)", "role": "partner_reporter", "partner": "perludem",
     "email": "lia@perludem.demo"},
    {"name": "Tomi (MAFINDO)", "role": "fact_checker", "partner": "mafindo",
     "email": "tomi@mafindo.demo"},
]

ACCOUNTS: list[dict[str, Any]] = [
    {"platform_id": "acc-1001", "handle": "warga_bandung", "display_name": "Warga Bandung",
     "kind": "personal", "region": "32.73", "followers": 1200},
    {"platform_id": "acc-1002", "handle": "info_pemilu_viral", "display_name": "Info Pemilu Viral",
     "kind": "personal", "region": "32", "followers": 85000},
    {"platform_id": "acc-1003", "handle": "toko_batik_sari", "display_name": "Toko Batik Sari",
     "kind": "business", "region": "33.72", "followers": 4300},
    {"platform_id": "acc-2001", "handle": "pemkot_bandung", "display_name": "Pemerintah Kota Bandung",
     "kind": "government", "region": "32.73", "verified": True, "followers": 410000},
    {"platform_id": "acc-2002", "handle": "caleg_budi_santoso", "display_name": "Budi Santoso",
     "kind": "politician", "region": "32", "verified": True, "followers": 52000},
    {"platform_id": "acc-2003", "handle": "partai_contoh_nusantara",
     "display_name": "Partai Contoh Nusantara", "kind": "political_party", "verified": True,
     "followers": 230000},
    {"platform_id": "acc-1004", "handle": "kabar_jatim_24", "display_name": "Kabar Jatim 24",
     "kind": "personal", "region": "35", "followers": 15000},
]

CONTENT: list[dict[str, Any]] = [
    {"platform_id": "vid-5001", "kind": "video", "account_id": "acc-1002",
     "url": "https://video.example/@info_pemilu_viral/vid-5001",
     "caption": "BREAKING!! Pencoblosan bisa diwakilkan lewat WA, cukup kirim foto KTP ke nomor ini "
                "#pemilu2024 #pilpres",
     "transcript": "Kalian tidak perlu datang ke TPS, cukup kirim foto KTP.",
     "region": "32", "election": "pemilu-2024", "views": 250000, "shares": 9100, "days_ago": 2},
    {"platform_id": "vid-5002", "kind": "video", "account_id": "acc-1001",
     "url": "https://video.example/@warga_bandung/vid-5002",
     "caption": "Jangan lupa cek DPT kamu di cekdptonline.kpu.go.id sebelum 14 Februari ya!",
     "region": "32.73", "election": "pemilu-2024", "views": 3200, "shares": 40, "days_ago": 3},
    {"platform_id": "vid-5003", "kind": "video", "account_id": "acc-2002",
     "url": "https://video.example/@caleg_budi_santoso/vid-5003",
     "caption": "Pilih nomor urut 3 untuk Jawa Barat yang lebih maju! #kampanye",
     "region": "32", "election": "pilkada-2024", "views": 41000, "shares": 800, "days_ago": 1},
    {"platform_id": "img-6001", "kind": "image", "account_id": "acc-1004",
     "url": "https://video.example/@kabar_jatim_24/img-6001",
     "caption": "Surat suara sudah dicoblos duluan di gudang KPU, lihat buktinya! Sebarkan!!",
     "region": "35", "election": "pilkada-2024", "views": 77000, "shares": 5100, "days_ago": 1},
    {"platform_id": "txt-7001", "kind": "text", "account_id": "acc-1003",
     "caption": "Diskon batik 20% minggu ini, mampir ke toko kami di Solo.",
     "region": "33.72", "views": 900, "shares": 3, "days_ago": 4},
]


def _creds_path(settings: Settings) -> Any:
    return settings.data_dir / "demo-credentials.json"


def load_demo(session: Session, settings: Settings) -> dict[str, Any]:
    """Create the demo world unless it exists; return logins and keys created now."""
    if session.scalar(select(Partner.id).where(Partner.name == MARKER)):
        return {"users": [], "already_loaded": True}
    partner_ids: dict[str, str] = {}
    partner_keys: dict[str, str] = {}
    for spec in PARTNERS:
        p = create_partner(session, name=spec["name"], kind=spec["kind"], region=spec["region"],
                           organisation=spec["organisation"], trusted=spec["trusted"],
                           policies=spec["policies"])
        partner_ids[spec["key"]] = p.id
        api_user = create_user(session, name=f"{p.name} (API)", role="partner_reporter",
                               partner_id=p.id)
        partner_keys[spec["key"]] = create_api_key(session, api_user.id, label="demo")
    users_out = []
    user_ids: dict[str, str] = {}
    for spec in USERS:
        partner_id = partner_ids.get(spec.get("partner", ""))
        u = create_user(session, name=spec["name"], role=spec["role"], partner_id=partner_id,
                        email=spec["email"], password=DEMO_PASSWORD if spec["email"] else None)
        key = create_api_key(session, u.id, label="demo")
        user_ids[spec["name"]] = u.id
        users_out.append({"name": u.name, "role": u.role, "email": u.email,
                          "password": DEMO_PASSWORD if u.email else None, "api_key": key,
                          "partner": spec.get("partner")})
    for spec in ACCOUNTS:
        upsert_account(session, AccountIn(**spec))
    now = datetime.now(UTC)
    content_ids = []
    for spec in CONTENT:
        body = {k: v for k, v in spec.items() if k != "days_ago"}
        body["posted_at"] = now - timedelta(days=spec["days_ago"])
        body["media"] = media_for(spec["platform_id"])
        item, _ = ingest_content(session, ContentIn(**body), settings.data_dir)
        content_ids.append(item.id)
    ctx = {"partners": partner_ids, "users": user_ids, "content_ids": content_ids}
    for module in parts.DEMO:
        module.load(session, settings, ctx)
    creds = {"users": users_out, "partner_keys": partner_keys, "content_ids": content_ids}
    path = _creds_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(creds, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return creds


def load_and_scan(db: Database, settings: Settings) -> dict[str, Any]:
    """Load the demo world (``load_demo``) and scan its content at once, so the demo opens
    with signals and cases in place; returns the credentials ``load_demo`` made. The
    database is disposed of afterwards."""
    from salingjaga.stream.handlers import dispatch

    try:
        with db.session() as session:
            creds = load_demo(session, settings)
        for content_id in creds.get("content_ids", []):
            dispatch(db, settings, "content", {"content_id": content_id})
    finally:
        db.dispose()
    return creds


def print_credentials(creds: dict[str, Any]) -> None:
    """Print the demo logins and keys in full (a table would cut keys in a narrow terminal)."""
    console = Console(soft_wrap=True)
    console.print(f"[bold]SalingJaga demo logins[/bold] (web password for all: {DEMO_PASSWORD})")
    for u in creds["users"]:
        console.print(f"  {u['role']:<17} {u['name']:<30} {u['email'] or '-':<30} {u['api_key']}")
    console.print("[bold]Partner organisation API keys[/bold]")
    for k, v in creds["partner_keys"].items():
        console.print(f"  {k:<17} {v}")
    console.print("Also saved to var/demo-credentials.json. Open http://127.0.0.1:8000/login")
