"""Demo fact-checks, written for the demo content so matching shows up on first run, and
two claims a moderator sent to MAFINDO, one answered days ago and one waiting, so the
console's referrals tab, the fact-checker's desk and their home open with something in
them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import VirtualClock, use_clock, utcnow
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
    _answered_referral(session, principal_for_user(moderator), partners["mafindo"], content[1],
                       session.get(User, users.get("Tomi (MAFINDO)", "")))
    create_referral(session, content_id=content[3], partner_id=partners["mafindo"],
                    note="Foto surat suara tercoblos: mohon dicek keasliannya.", actor=principal_for_user(moderator))


def _answered_referral(session: Session, moderator: Principal, mafindo: str, content_id: str,
                       checker: Any) -> None:
    """An earlier referral MAFINDO has answered: sent three days ago, its verdict recorded
    by Tomi about a day later (in virtual time, so both moments are those), so the desk and
    the fact-checker's home show an answered claim and a time to answer."""
    from salingjaga.auth.service import principal_for_user
    from salingjaga.factcheck.service import create_referral, record_verdict

    if checker is None:
        return
    clock = VirtualClock(utcnow() - timedelta(days=3, hours=2))
    with use_clock(clock):
        referral = create_referral(session, content_id=content_id, partner_id=mafindo, actor=moderator,
                                   note="Benarkah cek DPT daring bisa sampai 14 Februari?")
        clock.advance(26 * 3600)
        record_verdict(session, referral.id, FactCheckData(
            claim="Pemilih bisa mengecek namanya di DPT lewat cekdptonline.kpu.go.id", rating="Benar",
            publisher="MAFINDO (TurnBackHoax)", language="id",
            review_url="https://factcheck.example/demo/cek-dpt-online"), principal_for_user(checker))
