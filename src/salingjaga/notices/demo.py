"""Demo data: notices from the demo Bawaslu partners over the last twelve weeks, and one
recent decided case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.models import User
from salingjaga.auth.service import principal_for_user
from salingjaga.content.models import ContentItem
from salingjaga.core.settings import Settings
from salingjaga.notices.demo_weeks import load_weeks
from salingjaga.notices.schemas import NoticeIn
from salingjaga.notices.service import submit_notice

# Who filed and decided the earlier weeks' notices: the provincial office's reporter (by
# province code) and the two first-line moderators.
WEEK_REPORTERS = {"35": "Yoga (Bawaslu Jatim)"}
WEEK_MODERATORS = ("Dewi (moderator)", "Rizky (moderator)")

NOTICES: list[dict[str, Any]] = [
    {"user": "Agus (Bawaslu Jabar)", "content": "vid-5001", "policy": "civic_election_integrity",
     "legal_ground": "UU 7/2017 Pasal 280 ayat (1)", "region": "32", "election": "pemilu-2024",
     "explanation": "Video menyatakan pencoblosan bisa diwakilkan lewat WhatsApp; ini prosedur palsu."},
    {"user": "Nina (Bawaslu Kota Bandung)", "content": "vid-5001", "policy": "misinformation",
     "region": "32.73", "election": "pemilu-2024",
     "explanation": "Konten yang sama beredar di Kota Bandung; banyak warga bertanya ke Panwascam."},
    {"user": "Yoga (Bawaslu Jatim)", "content": "img-6001", "policy": "misinformation",
     "region": "35", "election": "pilkada-2024",
     "explanation": "Klaim surat suara sudah dicoblos di gudang KPU tidak benar; gudang disegel."},
]


def load(session: Session, settings: Settings, ctx: dict[str, Any]) -> None:
    """File the earlier weeks' notices (``demo_weeks``), then submit the demo's recent
    notices and decide the first case as the demo moderator."""
    from salingjaga.moderation.decisions import decide
    from salingjaga.moderation.queue import claim_next

    users = {u.name: u for u in session.scalars(select(User))}
    reporters = {province: (principal_for_user(users[name]), users[name].email or "")
                 for province, name in WEEK_REPORTERS.items() if name in users}
    moderators = [principal_for_user(users[name]) for name in WEEK_MODERATORS if name in users]
    load_weeks(session, settings, reporters, moderators)
    for i, spec in enumerate(NOTICES):
        item = session.scalar(select(ContentItem).where(ContentItem.platform_id == spec["content"]))
        user = users.get(spec["user"])
        if item is None or user is None:
            continue
        body = NoticeIn(content=[{"content_id": item.id}], policy=spec["policy"],
                        legal_ground=spec.get("legal_ground"), explanation=spec["explanation"],
                        region=spec["region"], election=spec["election"], contact=user.email,
                        good_faith=True)
        submit_notice(session, body, principal_for_user(user), idempotency_key=f"demo-{i}", settings=settings)
    moderator = users.get("Dewi (moderator)")
    if moderator is None:
        return
    who = principal_for_user(moderator)
    case = claim_next(session, who, settings)
    if case is not None:
        decide(session, case.id, who, action="remove", policy="civic_election_integrity",
               legal_ground="UU 7/2017 Pasal 280 ayat (1)",
               facts="Video mengajak pemilih 'mencoblos lewat WhatsApp' dengan mengirim foto KTP: "
                     "prosedur pemungutan suara palsu.")
