"""Demo fact-checks, written for the demo content so matching shows up on first run, and
one claim a moderator has sent to MAFINDO, so the console's referrals tab and the
fact-checker's desk open with something in them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.core.settings import Settings
from salingjaga.factcheck.service import FactCheckData, upsert_factcheck

DEMO_FACTCHECKS = [
    FactCheckData(claim="Pencoblosan pemilu bisa diwakilkan dengan mengirim foto KTP lewat WhatsApp",
                  rating="Salah", publisher="MAFINDO (TurnBackHoax)", language="id",
                  review_url="https://factcheck.example/demo/coblos-lewat-wa"),
    FactCheckData(claim="Surat suara sudah dicoblos lebih dulu di gudang KPU sebelum hari pemungutan",
                  rating="Konten yang Menyesatkan", publisher="MAFINDO (TurnBackHoax)",
                  language="id", review_url="https://factcheck.example/demo/surat-suara-gudang"),
    FactCheckData(claim="Election day was moved to 15 February for voters in West Java",
                  rating="False", publisher="Demo Fact Check", language="en",
                  review_url="https://factcheck.example/demo/election-day-moved"),
]


def load(session: Session, settings: Settings, ctx: dict[str, Any]) -> None:
    """Add the demo fact-checks (idempotent: the review URL identifies each)."""
    for data in DEMO_FACTCHECKS:
        upsert_factcheck(session, replace(data, appearance_urls=[]), actor="system:demo")
    _demo_referral(session, ctx)


def _demo_referral(session: Session, ctx: dict[str, Any]) -> None:
    """Dewi refers the image post to MAFINDO (once: the world is loaded once)."""
    from salingjaga.auth.models import User
    from salingjaga.auth.service import principal_for_user
    from salingjaga.factcheck.service import create_referral

    users, partners, content = ctx.get("users", {}), ctx.get("partners", {}), ctx.get("content_ids", [])
    moderator = session.get(User, users.get("Dewi (moderator)", ""))
    if moderator is None or "mafindo" not in partners or len(content) < 4:
        return
    create_referral(session, content_id=content[3], partner_id=partners["mafindo"],
                    note="Foto surat suara tercoblos: mohon dicek keasliannya.", actor=principal_for_user(moderator))
