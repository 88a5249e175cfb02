"""Demo fact-checks, written for the demo content so matching shows up on first run."""

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
