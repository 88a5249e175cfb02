"""The fact-checker desk: claims referred to the fact-checker's organisation, a form that
records a verdict as a ClaimReview, and the content that verdict now matches.

The form is turned into a schema.org ClaimReview and parsed by the fact-check domain's own
``from_claimreview``, so a verdict from the desk and one from the API are the same thing.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.principal import Principal
from salingjaga.content.service import get_content
from salingjaga.core.errors import APIError
from salingjaga.core.routing import Router
from salingjaga.factcheck.models import Referral
from salingjaga.factcheck.referral_view import (
    PERIODS,
    STATES,
    claim_count,
    claim_page,
    referral_count,
    state_counts,
)
from salingjaga.factcheck.referral_view import referral_page as referral_rows
from salingjaga.factcheck.service import (
    VERDICTS,
    from_claimreview,
    get_factcheck,
    get_referral,
    matching_content,
    record_verdict,
)
from salingjaga.stream.outbox import commit_and_publish
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app
from salingjaga.web.paging import pager

router = Router(prefix="/desk", include_in_schema=False, dependencies=[Depends(page_guard)])

MATCH_SHOWN = 50
LIST_PAGE = 200  # rows of one page of the desk's lists


@router.get("", response_class=HTMLResponse)
def referrals_page(
    request: Request,
    status: str = "sent",
    period: str = "",
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.desk")),
) -> Response:
    """Claims waiting for a verdict (or those already done; ``period=week``: answered this
    week), a page at a time."""
    status = status if status in STATES else "sent"
    period = period if period in PERIODS and status == "done" else ""
    page = pager("/desk", request.query_params, referral_count(session, who, status, period), LIST_PAGE)
    referrals = referral_rows(session, who, status, period, page.size, page.offset)
    items = {r.id: get_content(session, r.content_id) for r in referrals}
    return render_app(request, "factcheck/desk_list.html", {
        "referrals": referrals, "items": items, "status": status, "period": period, "pager": page,
        "counts": state_counts(session, who), "done": request.query_params.get("done")})


@router.get("/claims", response_class=HTMLResponse)
def claims_page(
    request: Request,
    period: str = "",
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.desk")),
) -> Response:
    """The fact-checks this organisation added (``period=week``: this week), newest first,
    a page at a time."""
    period = period if period in PERIODS else ""
    page = pager("/desk/claims", request.query_params, claim_count(session, who, period), LIST_PAGE)
    return render_app(request, "factcheck/desk_claims.html", {
        "claims": claim_page(session, who, period, page.size, page.offset), "period": period,
        "pager": page, "counts": state_counts(session, who), "status": "claims"})


def claim_review(*, claim: str, rating: str, claimant: str, review_url: str, language: str,
                 publisher: str, appearance: str | None) -> dict[str, Any]:
    """The ClaimReview (schema.org JSON-LD) a desk form describes."""
    item: dict[str, Any] = {"@type": "Claim"}
    if claimant:
        item["author"] = {"@type": "Organization", "name": claimant}
    if appearance:
        item["appearance"] = [{"@type": "CreativeWork", "url": appearance}]
    obj: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": claim,
        "reviewRating": {"@type": "Rating", "alternateName": rating}, "itemReviewed": item,
    }
    if review_url:
        obj["url"] = review_url
    if language:
        obj["inLanguage"] = language
    if publisher:
        obj["author"] = {"@type": "Organization", "name": publisher}
    return obj


def _referral_ctx(session: Session, referral: Referral) -> dict[str, Any]:
    item = get_content(session, referral.content_id)
    factcheck = get_factcheck(session, referral.factcheck_id) if referral.factcheck_id else None
    matches: list[tuple[Any, float]] = []
    if factcheck is not None:
        for content_id, score in matching_content(session, factcheck.id)[:MATCH_SHOWN]:
            matches.append((get_content(session, content_id), score))
    return {"referral": referral, "item": item, "factcheck": factcheck, "matches": matches,
            "verdicts": VERDICTS, "values": {"claim": item.caption[:500], "language": item.language or "id"},
            "error": ""}


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    request: Request,
    referral_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.desk")),
) -> Response:
    """One referred claim: the content, the verdict form or the recorded verdict and the
    content it now matches."""
    referral = get_referral(session, referral_id, who)
    return render_app(request, "factcheck/desk_referral.html", {
        **_referral_ctx(session, referral), "done": request.query_params.get("done")})


@router.post("/referrals/{referral_id}/verdict", response_class=HTMLResponse)
def record(
    request: Request,
    referral_id: str,
    claim: str = Form("", max_length=5000),
    rating: str = Form("", max_length=200),
    verdict: str = Form(""),
    claimant: str = Form("", max_length=500),
    review_url: str = Form("", max_length=2000),
    language: str = Form("", max_length=10),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.desk")),
) -> Response:
    """Record the verdict; publishing it starts matching against content on the platform."""
    referral = get_referral(session, referral_id, who)
    item = get_content(session, referral.content_id)
    # The rating word is the publisher's own ("Salah", "Hoaks"); the verdict list is a
    # fallback for a rating the vocabulary does not know.
    obj = claim_review(claim=claim, rating=rating.strip() or verdict, claimant=claimant.strip(),
                       review_url=review_url.strip(), language=language.strip(), publisher="",
                       appearance=item.url)
    try:
        data = from_claimreview(obj)
        if verdict in VERDICTS:
            data.verdict = verdict
        _, factcheck = record_verdict(session, referral_id, data, who)
    except APIError as exc:
        session.rollback()
        ctx = _referral_ctx(session, get_referral(session, referral_id, who))
        ctx.update(values={"claim": claim, "rating": rating, "verdict": verdict, "claimant": claimant,
                           "review_url": review_url, "language": language}, error=exc)
        return render_app(request, "factcheck/desk_referral.html", ctx, status=exc.status)
    commit_and_publish(session, request.app.state.db, request.app.state.stream, "factcheck",
                       [{"factcheck_id": factcheck.id}])
    return RedirectResponse(f"/desk/referrals/{referral_id}?done=verdict_recorded", status_code=303)
