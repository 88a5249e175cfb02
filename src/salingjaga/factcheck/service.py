"""What the fact-check domain does: parse ClaimReview and other formats, store fact-checks
(a re-import updates), and referrals to fact-checking partners. Matching content against
the fact-checks is detection's (``detection.retro``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.core.errors import APIError, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow

# The parsers live in ``formats`` (pure); they are named here too, as callers have always
# found them in the service.
from salingjaga.factcheck.formats import CSV_COLUMNS as CSV_COLUMNS
from salingjaga.factcheck.formats import FactCheckData as FactCheckData
from salingjaga.factcheck.formats import Parsed as Parsed
from salingjaga.factcheck.formats import RecordError as RecordError
from salingjaga.factcheck.formats import from_claimreview as from_claimreview
from salingjaga.factcheck.formats import from_csv as from_csv
from salingjaga.factcheck.formats import from_google as from_google
from salingjaga.factcheck.formats import parse_date as parse_date
from salingjaga.factcheck.formats import parse_document as parse_document
from salingjaga.factcheck.formats import parse_file as parse_file
from salingjaga.factcheck.models import FactCheck, Referral
from salingjaga.factcheck.ratings import CLASSES
from salingjaga.factcheck.ratings import verdict_for as verdict_for

# The classes a person picks from (the desk's list); ``unrated`` is what an import gives a
# rating nobody recognises, not a verdict anyone records. Stored rows may hold any of
# ``CLASSES``.
VERDICTS = tuple(v for v in CLASSES if v != "unrated")
MAX_CLAIM = 5000


def dedup_key(data: FactCheckData) -> str:
    """The review URL identifies a fact-check; without one, its publisher and claim do."""
    basis = data.review_url.strip().lower() if data.review_url else (
        f"{data.publisher.strip().lower()}\n{' '.join(data.claim.lower().split())}")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def validate(data: FactCheckData) -> FactCheckData:
    """Check and complete parsed data: a claim, a known or derivable verdict."""
    # A NUL byte (from a broken CSV) is refused by PostgreSQL; it is never meaningful text.
    for name in ("claim", "rating", "publisher", "claimant", "review_url", "language", "headline"):
        value = getattr(data, name)
        if isinstance(value, str) and "\x00" in value:
            setattr(data, name, value.replace("\x00", ""))
    data.claim = " ".join((data.claim or "").split())
    if not data.claim:
        raise Invalid("claim: the claim text is empty", reason="factcheck.claim_empty")
    if len(data.claim) > MAX_CLAIM:
        raise Invalid(f"claim: at most {MAX_CLAIM} characters", reason="factcheck.claim_too_long",
                      params={"n": MAX_CLAIM})
    data.headline = " ".join((data.headline or "").split())[:MAX_CLAIM]
    verdict = (data.verdict or "").strip().lower()
    data.verdict = verdict if verdict in CLASSES else verdict_for(data.rating or data.verdict)
    if not data.rating:
        data.rating = data.verdict
    return data


def upsert_factcheck(
    session: Session, data: FactCheckData, *, actor: Principal | str = SYSTEM,
    source: str = "import", partner_id: str | None = None,
) -> tuple[FactCheck, bool]:
    """Store a fact-check, or update the one with the same review URL (or publisher and
    claim). Returns (row, created)."""
    row, outcome = store_factcheck(session, data, actor=actor, source=source, partner_id=partner_id)
    return row, outcome == "created"


def store_factcheck(
    session: Session, data: FactCheckData, *, actor: Principal | str = SYSTEM,
    source: str = "import", partner_id: str | None = None,
) -> tuple[FactCheck, str]:
    """Like ``upsert_factcheck`` but says what happened: created, updated or unchanged."""
    data = validate(data)
    key = dedup_key(data)
    row = session.scalar(select(FactCheck).where(FactCheck.dedup_key == key))
    fields = {
        "claim": data.claim, "claimant": data.claimant, "claim_date": data.claim_date,
        "appearance_urls": data.appearance_urls, "verdict": data.verdict,
        "rating": data.rating[:200], "publisher": data.publisher[:300],
        "review_url": data.review_url, "review_date": data.review_date, "language": data.language,
        "headline": data.headline,
    }
    if row is not None:
        changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(row, k, v)
            row.updated_at = utcnow()
            record(session, actor, "factcheck.updated", "factcheck", row.id, {"fields": sorted(changed)})
            return row, "updated"
        return row, "unchanged"
    now = utcnow()
    row = FactCheck(id=new_id("fc"), dedup_key=key, source=source, partner_id=partner_id,
                    created_at=now, updated_at=now, **fields)
    session.add(row)
    session.flush()
    record(session, actor, "factcheck.created", "factcheck", row.id,
           {"verdict": row.verdict, "publisher": row.publisher, "source": source})
    return row, "created"


@dataclass
class ImportSummary:
    """What an import did: counts per outcome, the skipped records with their reasons,
    and the fact-checks that are new or changed (to be matched against content)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Records not stored: each has an entry in ``errors``."""
        return len(self.errors)

    @property
    def stored(self) -> int:
        """Records the database now holds, whether new, changed or already the same."""
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        """The summary the API returns and ``factchecks import --json`` prints.
        ``errors_detail`` repeats the errors as lines, the shape the CLI printed before."""
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "errors": [e.as_dict() for e in self.errors],
            "errors_detail": [f"{e.item}: {e.message}" for e in self.errors],
        }

    def line(self) -> str:
        """One line for people."""
        return (f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
                f"skipped {self.skipped}")


def import_items(
    session: Session, items: Sequence[tuple[str, FactCheckData]], summary: ImportSummary, *,
    actor: Principal | str = SYSTEM, source: str = "import", partner_id: str | None = None,
) -> None:
    """Store parsed records in the caller's transaction, each in its own savepoint, so a
    record refused here (an empty claim) is reported in ``summary`` and leaves nothing
    half written while the others are kept."""
    for where, data in items:
        savepoint = session.begin_nested()
        try:
            row, outcome = store_factcheck(session, data, actor=actor, source=source,
                                           partner_id=partner_id)
            savepoint.commit()
        except APIError as exc:
            savepoint.rollback()
            summary.errors.append(RecordError(where, exc.message))
            continue
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if outcome != "unchanged":
            summary.touched.append(row.id)


def nothing_imported(name: str, parsed: Parsed, summary: ImportSummary) -> str | None:
    """The one-line reason a non-empty file gave nothing, or None when something was
    stored. A file with records that all failed names the first failure."""
    if summary.stored:
        return None
    if summary.errors:
        first = summary.errors[0]
        return (f"nothing imported from {name}: all {summary.skipped} records were refused "
                f"(first, {first.item}: {first.message})")
    if not parsed.items:
        return (f"nothing imported from {name}: no ClaimReview, Google Fact Check Tools claim "
                "or CSV row found in it")
    return None


def get_factcheck(session: Session, factcheck_id: str) -> FactCheck:
    """A fact-check by id, or 404."""
    row = session.get(FactCheck, factcheck_id)
    if row is None:
        raise NotFound(f"fact-check {factcheck_id} not found", reason="factcheck.unknown",
                       params={"ref": factcheck_id})
    return row


def list_factchecks(session: Session, *, verdict: str | None = None, q: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[FactCheck]:
    """Fact-checks, newest first; optionally by verdict or a word in the claim."""
    query = select(FactCheck)
    if verdict:
        query = query.where(FactCheck.verdict == verdict)
    if q:
        query = query.where(FactCheck.claim.ilike(f"%{q}%"))
    query = query.order_by(FactCheck.created_at.desc(), FactCheck.id).limit(limit).offset(offset)
    return list(session.scalars(query))


# Which stored content a fact-check matches is detection's work (its claim matcher).
# Detection stands on this domain (it matches content against the fact-checks), so it
# registers the search here, from ``salingjaga.wiring``; unwired, nothing matches.
ContentMatcher = Callable[[Session, str], list[tuple[str, float]]]
_content_matcher: ContentMatcher | None = None


def register_content_matcher(matcher: ContentMatcher) -> None:
    """Called by ``salingjaga.wiring`` with detection's retroactive matcher."""
    global _content_matcher
    _content_matcher = matcher


def matching_content(session: Session, factcheck_id: str) -> list[tuple[str, float]]:
    """Content already taken in that the fact-check matches: (content_id, score), best first."""
    return _content_matcher(session, factcheck_id) if _content_matcher is not None else []


# --- referrals -------------------------------------------------------------------------

def create_referral(session: Session, *, content_id: str, partner_id: str, note: str,
                    actor: Principal) -> Referral:
    """Send a content item's claim to a fact-checking partner."""
    from salingjaga.content.service import get_content
    from salingjaga.partners.service import get_partner

    item = get_content(session, content_id)
    partner = get_partner(session, partner_id)
    if partner.kind != "fact_checker":
        raise Invalid(f"partner {partner_id} is not a fact-checker", reason="factcheck.partner_not_fact_checker",
                      params={"name": partner.name})
    referral = Referral(id=new_id("ref"), content_id=item.id, partner_id=partner.id, note=note,
                        status="sent", referred_by=actor.actor)
    session.add(referral)
    session.flush()
    record(session, actor, "referral.created", "referral", referral.id,
           {"content_id": item.id, "partner_id": partner.id})
    return referral


def visible_referrals(session: Session, who: Principal, status: str | None = None) -> list[Referral]:
    """Referrals the caller may see: a fact-checker those sent to its partner, staff all."""
    query = select(Referral)
    if who.role == "fact_checker":
        if who.partner_id is None:
            return []
        query = query.where(Referral.partner_id == who.partner_id)
    if status:
        query = query.where(Referral.status == status)
    return list(session.scalars(query.order_by(Referral.created_at.desc(), Referral.id).limit(500)))


def get_referral(session: Session, referral_id: str, who: Principal) -> Referral:
    """A referral the caller may see, or 404."""
    referral = session.get(Referral, referral_id)
    if referral is None or (who.role == "fact_checker" and referral.partner_id != who.partner_id):
        raise NotFound(f"referral {referral_id} not found", reason="factcheck.referral_unknown",
                       params={"ref": referral_id})
    return referral


def record_verdict(
    session: Session, referral_id: str, data: FactCheckData, who: Principal
) -> tuple[Referral, FactCheck]:
    """A fact-checker's verdict on a referral: store it as a fact-check, mark the referral
    done. The content's own URL is kept as an appearance of the claim."""
    referral = get_referral(session, referral_id, who)
    if referral.status == "done":
        raise Invalid(f"referral {referral_id} already has a verdict ({referral.factcheck_id})",
                      status=409, code="conflict", reason="factcheck.referral_done")
    from salingjaga.content.service import get_content

    item = get_content(session, referral.content_id)
    if item.url and item.url not in data.appearance_urls:
        data.appearance_urls.append(item.url)
    if not data.publisher and who.partner_id:
        from salingjaga.partners.service import get_partner

        data.publisher = get_partner(session, who.partner_id).name
    factcheck, _ = upsert_factcheck(session, data, actor=who, source="referral",
                                    partner_id=referral.partner_id)
    referral.status = "done"
    referral.factcheck_id = factcheck.id
    referral.completed_at = utcnow()
    record(session, who, "referral.verdict", "referral", referral.id,
           {"factcheck_id": factcheck.id, "verdict": factcheck.verdict})
    return referral, factcheck
