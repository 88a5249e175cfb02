"""Fact-check and referral endpoints. Every new fact-check is published on the
``factcheck`` stream after commit, so content already taken in is matched against it."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Invalid
from salingjaga.core.routing import Router
from salingjaga.factcheck.models import FactCheck, Referral
from salingjaga.factcheck.schemas import (
    ClaimReviewIn,
    FactCheckOut,
    ImportSummaryOut,
    ReferralIn,
    ReferralOut,
)
from salingjaga.factcheck.service import (
    ImportSummary,
    create_referral,
    from_claimreview,
    get_factcheck,
    get_referral,
    import_items,
    list_factchecks,
    nothing_imported,
    parse_document,
    record_verdict,
    upsert_factcheck,
    visible_referrals,
)
from salingjaga.stream.outbox import commit_and_publish

router = Router(prefix="/api/v1", tags=["factchecks"])


def factcheck_out(f: FactCheck) -> dict[str, Any]:
    """The API shape of a fact-check."""
    return {
        "id": f.id, "claim": f.claim, "claimant": f.claimant, "claim_date": f.claim_date,
        "appearance_urls": list(f.appearance_urls or []), "verdict": f.verdict,
        "rating": f.rating, "publisher": f.publisher, "review_url": f.review_url,
        "review_date": f.review_date, "language": f.language, "source": f.source,
        "created_at": f.created_at, "updated_at": f.updated_at,
    }


def referral_out(r: Referral) -> dict[str, Any]:
    """The API shape of a referral."""
    return {
        "id": r.id, "content_id": r.content_id, "partner_id": r.partner_id, "note": r.note,
        "status": r.status, "factcheck_id": r.factcheck_id, "created_at": r.created_at,
        "completed_at": r.completed_at,
    }


def _commit_and_announce(request: Request, session: Session, factcheck_id: str) -> None:
    """Commit; the workers then match the fact-check against content already taken in."""
    commit_and_publish(session, request.app.state.db, request.app.state.stream, "factcheck",
                       [{"factcheck_id": factcheck_id}])


@router.post("/factchecks", status_code=201, response_model=FactCheckOut,
             responses={200: {"description": "the same review was known: updated"}})
def post_factcheck(
    body: ClaimReviewIn,
    request: Request,
    response: Response,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("factchecks.create")),
) -> dict[str, Any]:
    """Add one fact-check as ClaimReview (201); the same review URL again updates it (200)."""
    data = from_claimreview(body.model_dump(exclude_none=True))
    row, created = upsert_factcheck(session, data, actor=who, source="api",
                                    partner_id=who.partner_id)
    out = factcheck_out(row)
    _commit_and_announce(request, session, row.id)
    response.status_code = 201 if created else 200
    return out


_IMPORT_DOC = {"requestBody": {"required": True, "content": {
    "application/ld+json": {"schema": {"type": "object", "description":
                            "ClaimReview JSON-LD: one object, a list, @graph, DataFeed or "
                            "DataFeedItem; or Google Fact Check Tools JSON"}},
    "application/json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
}}}
_CSV_TYPES = ("text/csv", "application/csv", "text/tab-separated-values", "text/plain")


@router.post("/factchecks/import", response_model=ImportSummaryOut, openapi_extra=_IMPORT_DOC)
async def post_import(
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("factchecks.create")),
) -> dict[str, Any]:
    """Import a file of fact-checks as ``factchecks import`` does: each record on its own,
    the broken ones reported in ``errors`` and skipped. A body that yields nothing at all
    is refused (422) with the same summary in the error's details."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the body must be UTF-8", reason="factcheck.not_utf8") from exc
    if not text.strip():
        raise Invalid("the body is empty: send ClaimReview JSON-LD, Google Fact Check Tools "
                      "JSON, or CSV", reason="factcheck.body_empty")
    name = "upload.csv" if ctype in _CSV_TYPES else "upload.json"
    from starlette.concurrency import run_in_threadpool

    def work() -> dict[str, Any]:
        parsed = parse_document(name, text)
        summary = ImportSummary(errors=list(parsed.errors))
        import_items(session, parsed.items, summary, actor=who, source="api",
                     partner_id=who.partner_id)
        refusal = nothing_imported("the body", parsed, summary)
        if refusal is not None:
            raise Invalid(refusal, status=422, code="nothing_imported", details=summary.as_dict(),
                          reason="factcheck.nothing_imported")
        commit_and_publish(session, request.app.state.db, request.app.state.stream, "factcheck",
                           [{"factcheck_id": fid} for fid in summary.touched])
        return summary.as_dict()

    return await run_in_threadpool(work)


@router.get("/factchecks", response_model=list[FactCheckOut])
def get_factchecks(
    verdict: str | None = Query(None, max_length=20),
    q: str | None = Query(None, max_length=200, description="a word in the claim"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # beyond, databases overflow (a 500)
    session: Session = Depends(get_session),
    _: Principal = Depends(require("factchecks.read")),
) -> list[dict[str, Any]]:
    """Fact-checks, newest first."""
    return [factcheck_out(f) for f in list_factchecks(session, verdict=verdict, q=q,
                                                      limit=limit, offset=offset)]


@router.get("/factchecks/{factcheck_id}", response_model=FactCheckOut)
def get_factcheck_detail(
    factcheck_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("factchecks.read")),
) -> dict[str, Any]:
    """One fact-check."""
    return factcheck_out(get_factcheck(session, factcheck_id))


@router.post("/referrals", status_code=201, response_model=ReferralOut)
def post_referral(
    body: ReferralIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("referrals.create")),
) -> dict[str, Any]:
    """Send a content item's claim to a fact-checking partner."""
    referral = create_referral(session, content_id=body.content_id, partner_id=body.partner_id,
                               note=body.note, actor=who)
    return referral_out(referral)


@router.get("/referrals", response_model=list[ReferralOut])
def get_referrals(
    status: str | None = Query(None, pattern="^(sent|done)$"),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("referrals.read")),
) -> list[dict[str, Any]]:
    """Referrals: a fact-checker sees those sent to its organisation, staff see all."""
    return [referral_out(r) for r in visible_referrals(session, who, status)]


@router.get("/referrals/{referral_id}", response_model=ReferralOut)
def get_referral_detail(
    referral_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("referrals.read")),
) -> dict[str, Any]:
    """One referral the caller may see."""
    return referral_out(get_referral(session, referral_id, who))


@router.post("/referrals/{referral_id}/verdict", response_model=ReferralOut)
def post_verdict(
    referral_id: str,
    body: ClaimReviewIn,
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("referrals.verdict")),
) -> dict[str, Any]:
    """The fact-checker's verdict (ClaimReview): stored as a fact-check, referral done."""
    data = from_claimreview(body.model_dump(exclude_none=True))
    referral, factcheck = record_verdict(session, referral_id, data, who)
    out = referral_out(referral)
    _commit_and_announce(request, session, factcheck.id)
    return out
