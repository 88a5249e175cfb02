"""What the fact-check domain does: parse ClaimReview and other formats, store fact-checks
(a re-import updates), referrals to fact-checking partners, and retroactive matching."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.errors import Invalid, NotFound
from salingjaga.factcheck.models import FactCheck, Referral
from salingjaga.ids import new_id
from salingjaga.timeutil import utcnow

VERDICTS = ("false", "misleading", "mixed", "true", "satire", "unproven", "other")
MAX_CLAIM = 5000
RETRO_WINDOW_DAYS = 90
RETRO_LIMIT = 20_000


@dataclass
class FactCheckData:
    """One fact-check as parsed from any input format, before it is stored."""

    claim: str
    rating: str = ""
    verdict: str = ""
    claimant: str | None = None
    claim_date: datetime | None = None
    appearance_urls: list[str] = field(default_factory=list)
    publisher: str = ""
    review_url: str | None = None
    review_date: datetime | None = None
    language: str | None = None


@cache
def _verdict_words() -> dict[str, str]:
    text = resources.files("salingjaga.factcheck").joinpath("verdicts.toml").read_text("utf-8")
    words: dict[str, str] = tomllib.loads(text)["verdicts"]
    return words


def verdict_for(rating: str) -> str:
    """The verdict a rating word means (the longest known phrase in it wins)."""
    text = " ".join(rating.lower().replace("[", " ").replace("]", " ").split())
    if text in VERDICTS:
        return text
    best = ""
    for phrase in _verdict_words():
        if phrase in text and len(phrase) > len(best):
            best = phrase
    return _verdict_words()[best] if best else "other"


def parse_date(value: Any) -> datetime | None:
    """An ISO date or datetime (aware UTC), or None when missing or unreadable."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("site") or "")
    if isinstance(value, list) and value:
        return _name(value[0])
    return str(value or "")


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    out = []
    for item in items:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            out.append(url.strip())
    return out


def from_claimreview(obj: dict[str, Any]) -> FactCheckData:
    """A schema.org ClaimReview object (JSON-LD); the verdict comes from
    ``reviewRating.alternateName``."""
    if not isinstance(obj, dict):
        raise Invalid("a ClaimReview must be a JSON object")
    reviewed = obj.get("itemReviewed") or {}
    rating = obj.get("reviewRating") or {}
    claim = obj.get("claimReviewed") or (reviewed.get("name") if isinstance(reviewed, dict) else None)
    alternate = rating.get("alternateName") if isinstance(rating, dict) else None
    if not claim or not isinstance(claim, str):
        raise Invalid("ClaimReview needs claimReviewed: the claim's text")
    if not alternate:
        raise Invalid("ClaimReview needs reviewRating.alternateName: the verdict")
    reviewed = reviewed if isinstance(reviewed, dict) else {}
    return FactCheckData(
        claim=claim, rating=str(alternate), claimant=_name(reviewed.get("author")) or None,
        claim_date=parse_date(reviewed.get("datePublished")),
        appearance_urls=_urls(reviewed.get("appearance")) + _urls(reviewed.get("firstAppearance")),
        publisher=_name(obj.get("author")), review_url=obj.get("url"),
        review_date=parse_date(obj.get("datePublished")), language=_language(obj.get("inLanguage")),
    )


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return str(value)[:10].lower() if value else None


def from_google(obj: dict[str, Any]) -> Iterator[FactCheckData]:
    """Google Fact Check Tools API output: ``claims[]``, each with ``claimReview[]``."""
    for claim in obj.get("claims") or []:
        for review in claim.get("claimReview") or []:
            yield FactCheckData(
                claim=claim.get("text") or "", rating=review.get("textualRating") or "",
                claimant=claim.get("claimant"), claim_date=parse_date(claim.get("claimDate")),
                publisher=_name(review.get("publisher")), review_url=review.get("url"),
                review_date=parse_date(review.get("reviewDate")),
                language=review.get("languageCode"),
            )


CSV_COLUMNS = {"claim", "rating", "verdict", "claimant", "claim_date", "appearance_urls",
               "publisher", "review_url", "review_date", "language"}


def from_csv(text: str) -> Iterator[FactCheckData]:
    """CSV with a header naming some of: claim (required), rating or verdict, claimant,
    claim_date, appearance_urls (space or | separated), publisher, review_url, review_date,
    language."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "claim" not in reader.fieldnames:
        raise Invalid("the CSV needs a header with at least a 'claim' column")
    for row in reader:
        urls = (row.get("appearance_urls") or "").replace("|", " ").split()
        yield FactCheckData(
            claim=row.get("claim") or "", rating=row.get("rating") or row.get("verdict") or "",
            verdict=row.get("verdict") or "", claimant=row.get("claimant") or None,
            claim_date=parse_date(row.get("claim_date")), appearance_urls=urls,
            publisher=row.get("publisher") or "", review_url=row.get("review_url") or None,
            review_date=parse_date(row.get("review_date")), language=row.get("language") or None,
        )


def parse_file(name: str, text: str) -> list[FactCheckData]:
    """Every fact-check in a file: ClaimReview JSON-LD (one object, a list, or a ``@graph``),
    Google Fact Check Tools JSON, or CSV (by extension or content)."""
    stripped = text.lstrip()
    if name.lower().endswith(".csv") or not stripped.startswith(("{", "[")):
        return list(from_csv(text))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if isinstance(data, dict) and "claims" in data:
        return list(from_google(data))
    if isinstance(data, dict) and "@graph" in data:
        data = data["@graph"]
    items = data if isinstance(data, list) else [data]
    return [from_claimreview(obj) for obj in items
            if not (isinstance(obj, dict) and obj.get("@type") not in (None, "ClaimReview"))]


def dedup_key(data: FactCheckData) -> str:
    """The review URL identifies a fact-check; without one, its publisher and claim do."""
    basis = data.review_url.strip().lower() if data.review_url else (
        f"{data.publisher.strip().lower()}\n{' '.join(data.claim.lower().split())}")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def validate(data: FactCheckData) -> FactCheckData:
    """Check and complete parsed data: a claim, a known or derivable verdict."""
    data.claim = " ".join((data.claim or "").split())
    if not data.claim:
        raise Invalid("claim: the claim text is empty")
    if len(data.claim) > MAX_CLAIM:
        raise Invalid(f"claim: at most {MAX_CLAIM} characters")
    verdict = (data.verdict or "").strip().lower()
    data.verdict = verdict if verdict in VERDICTS else verdict_for(data.rating or data.verdict)
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


def get_factcheck(session: Session, factcheck_id: str) -> FactCheck:
    """A fact-check by id, or 404."""
    row = session.get(FactCheck, factcheck_id)
    if row is None:
        raise NotFound(f"fact-check {factcheck_id} not found")
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


def retro_match(session: Session, factcheck_id: str, threshold: float) -> list[tuple[str, float]]:
    """Content already taken in (the last ``RETRO_WINDOW_DAYS`` days, newest first, at most
    ``RETRO_LIMIT`` items) that matches a new fact-check: (content_id, score) best first."""
    from salingjaga.content.models import ContentItem
    from salingjaga.detection.text.matcher import get_matcher

    matcher = get_matcher(session)
    if matcher.position(factcheck_id) is None:
        get_factcheck(session, factcheck_id)  # 404 for an unknown id
        return []
    since = utcnow() - timedelta(days=RETRO_WINDOW_DAYS)
    items = list(session.scalars(
        select(ContentItem).where(ContentItem.posted_at >= since, ContentItem.status == "active")
        .order_by(ContentItem.posted_at.desc()).limit(RETRO_LIMIT)
    ))
    texts = [item.text_for_detection() for item in items]
    keep = [(i, t) for i, t in enumerate(texts) if t.strip()]
    scores = matcher.score_against([t for _, t in keep], factcheck_id)
    found = [(items[i].id, s) for (i, _), s in zip(keep, scores, strict=True) if s >= threshold]
    return sorted(found, key=lambda pair: -pair[1])


# --- referrals -------------------------------------------------------------------------

def create_referral(session: Session, *, content_id: str, partner_id: str, note: str,
                    actor: Principal) -> Referral:
    """Send a content item's claim to a fact-checking partner."""
    from salingjaga.content.service import get_content
    from salingjaga.partners.service import get_partner

    item = get_content(session, content_id)
    partner = get_partner(session, partner_id)
    if partner.kind != "fact_checker":
        raise Invalid(f"partner {partner_id} is not a fact-checker")
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
        raise NotFound(f"referral {referral_id} not found")
    return referral


def record_verdict(
    session: Session, referral_id: str, data: FactCheckData, who: Principal
) -> tuple[Referral, FactCheck]:
    """A fact-checker's verdict on a referral: store it as a fact-check, mark the referral
    done. The content's own URL is kept as an appearance of the claim."""
    referral = get_referral(session, referral_id, who)
    if referral.status == "done":
        raise Invalid(f"referral {referral_id} already has a verdict ({referral.factcheck_id})",
                      status=409, code="conflict")
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
