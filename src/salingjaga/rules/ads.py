"""Political-ad review: an ad with political content, or from an advertiser the feature
gates refuse, is rejected.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.service import get_account
from salingjaga.core.errors import Invalid
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.rules.campaign_accounts import candidate_person_names
from salingjaga.rules.common import ACTOR
from salingjaga.rules.gate_checks import decide_feature, record_refusal
from salingjaga.rules.matching import campaign_data, political_hits, review_ad
from salingjaga.rules.models import AdReview, Candidate


def review_advertisement(session: Session, *, advertiser: str, text: str, category: str,
                         ad_id: str | None = None) -> AdReview:
    """Review an ad: political content or an advertiser the gates refuse means rejection."""
    categories = campaign_data()["ads"]["categories"]
    if category not in categories:
        raise Invalid(f"unknown ad category {category!r}; valid: {', '.join(categories)}",
                      reason="rules.ad_category_unknown")
    account = get_account(session, advertiser)
    gate = decide_feature(session, account, "ads")
    names = [c.name for c in session.scalars(select(Candidate))] + candidate_person_names(session)
    decision, reasons = review_ad(gate, category, political_hits(text, names))
    if not gate.allowed:
        record_refusal(session, account, gate, source="ad_review")
    row = AdReview(id=new_id("adr"), ad_id=ad_id, account_id=account.id, category=category,
                   decision=decision, reasons=reasons, at=utcnow())
    session.add(row)
    session.flush()
    record(session, ACTOR, "rules.ad_reviewed", "account", account.id,
           {"review": row.id, "ad_id": ad_id, "decision": decision, "reasons": [r["code"] for r in reasons]})
    return row
