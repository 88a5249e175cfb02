"""The demo's earlier weeks: notices Bawaslu's East Java office filed over the twelve weeks
before today, more each week as voting day nears (the demo plays out in the days before voting),
each decided by a demo moderator some hours after it arrived.

They go through the real services in virtual time (``core.timeutil.use_clock``): the
content is taken in, the notice received and its case opened at the notice's moment, and
the case claimed and decided at the decision's, so receipt and decision times, deadlines,
statements of reasons and the audit log all carry those moments. Every one is decided and
none is high-reach or by a GPPPA account, so no second review stays open: the queues the
demo opens with are the recent notices' alone. After ``demo load --history`` (a simulated
election period, whose end leaves cases waiting) they are left out: that history fills
the charts already.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.schemas import ContentIn
from salingjaga.content.service import ingest_content
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import VirtualClock, use_clock, utcnow, wib_week_began
from salingjaga.moderation.models import Case, waiting
from salingjaga.notices.schemas import NoticeIn
from salingjaga.notices.service import submit_notice

WEEKS = 12
# Notices per week, the oldest week first and this week last: a trickle three months out,
# rising through the campaign towards voting day.
PER_WEEK = (1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12)
SEED = 2024

# What the offices report, by policy: a caption as posted and the office's explanation.
CLAIMS: tuple[tuple[str, str, str], ...] = (
    ("misinformation", "TPS di kelurahan ini dipindah ke balai desa sebelah, info dari grup RT!",
     "Tidak ada pemindahan TPS; lokasi sesuai pengumuman KPU kabupaten/kota."),
    ("misinformation", "Pemilih yang belum vaksin tidak boleh masuk TPS. Sebarkan!",
     "Tidak ada syarat vaksin untuk memilih; PKPU tidak mengatur hal itu."),
    ("civic_election_integrity", "Cukup bawa fotokopi KTP, e-KTP asli tidak perlu dibawa ke TPS",
     "Prosedur palsu: pemilih wajib menunjukkan e-KTP atau KTP asli."),
    ("civic_election_integrity", "Coblos dua kali boleh asal beda TPS, sudah dicek petugas",
     "Ajakan mencoblos lebih dari sekali melanggar UU 7/2017 Pasal 516."),
    ("misinformation", "Hasil hitung cepat sudah keluar seminggu sebelum pemungutan suara",
     "Hitung cepat baru boleh diumumkan dua jam setelah TPS di wilayah barat tutup."),
    ("campaign_rules", "Kampanye terbuka di masjid raya besok pagi, semua wajib hadir",
     "Kampanye di tempat ibadah dilarang UU 7/2017 Pasal 280 ayat (1) huruf h."),
    ("misinformation", "DPT online ditutup, yang belum terdaftar tidak bisa memilih lagi",
     "Pemilih yang tidak terdaftar masih dapat memilih dengan DPK membawa e-KTP."),
    ("civic_election_integrity", "Surat suara bisa dikirim lewat pos dari rumah tahun ini",
     "Tidak ada pemungutan suara lewat pos untuk pemilih dalam negeri."),
)
# Accounts of the demo that are neither high-reach nor GPPPA (no second review opens).
ACCOUNTS = ("acc-1001", "acc-1002", "acc-1004")
# Where the posts are, by province and regency: East Java's office files the earlier weeks
# (the demo's West Java offices keep just their recent notices, which the walkthroughs of
# their portal read), Bawaslu RI sees both.
REGIONS = (("35", "35.78"), ("35", "35.73"), ("35", "35.07"), ("35", "35.15"), ("35", "35.09"), ("35", "35.25"))


@dataclass(frozen=True)
class Planned:
    """One earlier notice: when it arrived, when it was decided, what it is about."""

    n: int
    received: datetime
    decided: datetime
    claim: tuple[str, str, str]
    region: tuple[str, str]
    removed: bool


def plan(now: datetime, seed: int = SEED) -> list[Planned]:
    """The earlier notices, oldest first: ``PER_WEEK[k]`` in week ``k`` of the last twelve
    (WIB, Monday to Sunday), at times of day people work, decided 2 to 30 hours later
    (sooner as voting day nears) and always before ``now``."""
    rnd = random.Random(seed)
    this_week = wib_week_began(now)
    latest = now - timedelta(hours=2)
    out: list[Planned] = []
    for k, count in enumerate(PER_WEEK):
        start = this_week - timedelta(weeks=WEEKS - 1 - k)
        end = min(start + timedelta(weeks=1), latest)
        if end <= start:
            continue
        span = (end - start).total_seconds()
        for _ in range(count):
            received = start + timedelta(seconds=rnd.uniform(0, span))
            wait = timedelta(hours=rnd.uniform(2, 30 - 2 * k))
            decided = min(received + wait, now - timedelta(minutes=1))
            out.append(Planned(len(out), received, decided, rnd.choice(CLAIMS), rnd.choice(REGIONS),
                               rnd.random() < 0.7))
    return sorted(out, key=lambda p: p.received)


def load_weeks(session: Session, settings: Settings, reporters: dict[str, tuple[Principal, str]],
               moderators: list[Principal]) -> int:
    """File and decide the earlier notices; returns how many were filed. ``reporters`` gives
    for each province code the office's reporter and contact address."""
    from salingjaga.moderation.decisions import decide
    from salingjaga.moderation.queue import claim_next

    if not reporters or not moderators or session.scalar(select(Case.id).where(waiting()).limit(1)):
        return 0  # each notice's case is claimed as the only one waiting (``demo load --history`` leaves some)
    filed = 0
    for p in plan(utcnow()):
        if p.region[0] not in reporters:
            continue
        (reporter, contact), moderator = reporters[p.region[0]], moderators[p.n % len(moderators)]
        policy, caption, explanation = p.claim
        clock = VirtualClock(p.received)
        with use_clock(clock):
            item, _ = ingest_content(session, ContentIn(
                platform_id=f"demo-week-{p.n}", kind="text", account_id=ACCOUNTS[p.n % len(ACCOUNTS)],
                url=f"https://video.example/p/demo-week-{p.n}", caption=caption, region=p.region[1],
                election="pemilu-2024", posted_at=p.received - timedelta(hours=3), views=800 + 137 * p.n,
                shares=5 + p.n), settings.data_dir)
            submit_notice(session, NoticeIn(
                content=[{"content_id": item.id}], policy=policy, explanation=explanation,
                region=p.region[0], election="pemilu-2024", contact=contact, good_faith=True),
                reporter, idempotency_key=f"demo-week-{p.n}", settings=settings)
            clock.advance_to(p.decided)
            case = claim_next(session, moderator, settings)
            if case is None or case.content_id != item.id:
                raise RuntimeError("the demo's earlier notices go in before any other case is waiting")
            decide(session, case.id, moderator, action="remove" if p.removed else "no_violation",
                   policy=policy, facts=explanation)
        filed += 1
    return filed
