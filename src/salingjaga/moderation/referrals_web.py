"""The console's referrals tab: the claims moderators sent to fact-checkers, with their
state (waiting for a verdict, answered) and, once answered, the verdict; each row names
its content by caption and picture and leads to the content's case.

The referrals are the fact-check domain's (``factcheck.referral_view``, the rule of
``factcheck.service.visible_referrals``); this page only lists them beside the moderator's
queues, a page at a time.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.factcheck.referral_view import STATES, referral_count, referral_page, state_counts
from salingjaga.factcheck.service import get_factcheck
from salingjaga.moderation.models import Case
from salingjaga.moderation.previews import thumbnails
from salingjaga.moderation.queue_view import tab_counts
from salingjaga.partners.service import list_partners
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app
from salingjaga.web.paging import pager

router = Router(prefix="/console", include_in_schema=False, dependencies=[Depends(page_guard)])

REFERRAL_PAGE = 200  # rows of one page of the referrals tab


def _cases_by_content(session: Session, content_ids: list[str]) -> dict[str, str]:
    """The latest case of each content item (where the row leads)."""
    if not content_ids:
        return {}
    out: dict[str, str] = {}
    for case_id, content_id in session.execute(
            select(Case.id, Case.content_id).where(Case.content_id.in_(content_ids))
            .order_by(Case.created_at, Case.id)):
        out[content_id] = case_id
    return out


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request,
    state: str = "",
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Claims sent to fact-checkers and where each stands, a page at a time."""
    state = state if state in STATES else ""
    page = pager("/console/referrals", request.query_params, referral_count(session, who, state), REFERRAL_PAGE)
    rows = referral_page(session, who, state, limit=page.size, offset=page.offset)
    ids = sorted({r.content_id for r in rows})
    items = {i.id: i for i in session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))} if ids else {}
    verdicts: dict[str, Any] = {r.id: get_factcheck(session, r.factcheck_id) for r in rows if r.factcheck_id}
    return render_app(request, "moderation/console_referrals.html", {
        "rows": rows, "items": items, "verdicts": verdicts, "state": state, "states": STATES,
        "state_counts": state_counts(session, who), "pager": page,
        "cases": _cases_by_content(session, ids), "thumbs": thumbnails(settings.data_dir, list(items.values())),
        "partner_names": {p.id: p.name for p in list_partners(session)},
        **tab_counts(session, who), "kind": "referrals",
    })
