"""Notices: intake (single, bulk, evidence), the receipt, idempotency and who may see what.

A notice names content items; each item's review case is opened or joined through
``moderation.service.open_case``, so several notices about one item share one case.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.batch import each_row
from salingjaga.content.media import safe_filename, sniff_mime, store_bytes
from salingjaga.content.models import ContentItem
from salingjaga.content.service import find_content_by_url, get_content
from salingjaga.errors import Conflict, Invalid, NotFound
from salingjaga.ids import new_id
from salingjaga.moderation.models import Case, Notice, NoticeCase, NoticeEvidence
from salingjaga.moderation.service import open_case
from salingjaga.partners.models import Partner
from salingjaga.partners.notice_schemas import EvidenceIn, NoticeIn
from salingjaga.partners.service import covers_policy, get_partner, visible_partner_ids
from salingjaga.policies.service import get_policy
from salingjaga.regions.elections import get_election
from salingjaga.regions.service import get_region
from salingjaga.settings import Settings
from salingjaga.timeutil import utcnow

MAX_BULK_ROWS = 5000
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4",
                            "video/webm", "application/pdf"})
# Staff who see every notice; partner staff see their jurisdiction; others their own.
STAFF_ROLES = frozenset({"admin", "moderator", "senior_moderator", "policy_lead", "auditor"})


def submitter_of(who: Principal) -> str:
    """Whose idempotency keys a request uses: the partner's, or the user's own."""
    return who.partner_id or who.user_id


def request_hash(body: NoticeIn) -> str:
    """A fingerprint of a notice body, to refuse reuse of a key for a different notice."""
    data = body.model_dump(mode="json", exclude={"evidence"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def find_by_key(session: Session, who: Principal, key: str | None) -> Notice | None:
    """The notice this submitter already sent with this idempotency key."""
    if not key:
        return None
    return session.scalar(select(Notice).where(Notice.submitter == submitter_of(who),
                                               Notice.idempotency_key == key))


def _resolve_content(session: Session, refs: list[dict[str, Any]]) -> list[ContentItem]:
    items: list[ContentItem] = []
    for ref in refs:
        if ref.get("content_id"):
            try:
                item = get_content(session, ref["content_id"])
            except NotFound as exc:
                raise Invalid(f"content {ref['content_id']!r} is not known to the platform") from exc
        else:
            found = find_content_by_url(session, ref["url"])
            if found is None:
                raise Invalid(f"no content with url {ref['url']!r} is known to the platform")
            item = found
        if item.id not in {i.id for i in items}:
            items.append(item)
    return items


def _source(partner: Partner | None, policy: str) -> str:
    if partner is None:
        return "user_report"
    return "trusted_flagger" if covers_policy(partner, policy) else "partner"


def store_evidence(session: Session, notice: Notice, data: bytes, filename: str | None,
                   data_dir: Path, actor: Principal) -> NoticeEvidence:
    """Store one evidence file (allowed types only) with its SHA-256."""
    if not data:
        raise Invalid("the evidence file is empty")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise Invalid(f"evidence larger than {MAX_EVIDENCE_BYTES} bytes", status=413, code="payload_too_large")
    mime = sniff_mime(data)
    if mime not in EVIDENCE_TYPES:
        raise Invalid("evidence must be a PNG, JPEG, GIF or WebP image, an MP4 or WebM video, or a PDF",
                      status=415, code="unsupported_media_type")
    sha, _md5, rel = store_bytes(data_dir, "evidence", data)
    ev = NoticeEvidence(id=new_id("evd"), notice_id=notice.id, filename=safe_filename(filename),
                        mime=mime, size=len(data), sha256=sha, path=rel, created_at=utcnow())
    session.add(ev)
    session.flush()
    record(session, actor, "notice.evidence_added", "notice", notice.id,
           {"evidence_id": ev.id, "sha256": sha, "mime": mime, "size": len(data)})
    return ev


def _decode_evidence(ev: EvidenceIn) -> bytes:
    try:
        return base64.b64decode(ev.data_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("evidence data_base64 is not valid base64") from exc


def submit_notice(session: Session, body: NoticeIn, who: Principal, *, idempotency_key: str | None,
                  settings: Settings) -> tuple[Notice, bool]:
    """Receive a notice and open or join a case per content item; returns (notice, created).

    A second call with the same key returns the first notice; the same key with a different
    body is a 409.
    """
    key = idempotency_key or body.idempotency_key
    fingerprint = request_hash(body)
    existing = find_by_key(session, who, key)
    if existing is not None:
        if existing.request_hash != fingerprint:
            raise Conflict("this Idempotency-Key was already used for a different notice")
        return existing, False
    if not body.good_faith:
        raise Invalid("good_faith: the notifier must declare the notice is made in good faith")
    policy = get_policy(body.policy)
    if body.region is not None:
        get_region(body.region)
    if body.election is not None:
        try:
            get_election(body.election)
        except NotFound as exc:
            raise Invalid(exc.message) from exc
    if body.legal_ground is None and not body.explanation.strip():
        raise Invalid("explanation: say why the content breaks the policy or the law")
    partner = get_partner(session, who.partner_id) if who.partner_id and who.role in PARTNER_ROLES else None
    refs = [r.model_dump(exclude_none=True) for r in body.content]
    items = _resolve_content(session, refs)
    source = _source(partner, policy.code)
    notice_id = new_id("ntc")
    reason = f"notice {notice_id}: {policy.code}"
    # Cases first, then the notice with its case: the notice, its links and the audit rows
    # then go out in one flush at commit instead of an insert followed by updates.
    cases = [open_case(session, content_id=item.id, policy=policy.code, source=source, reason=reason,
                       actor=who, settings=settings) for item in items]
    notice = Notice(
        id=notice_id, partner_id=partner.id if partner else None, reporter_user_id=who.user_id,
        submitter=submitter_of(who), source=source, content_refs=refs,
        content_ids=[i.id for i in items], content_id=items[0].id, policy=policy.code,
        legal_ground=body.legal_ground, explanation=body.explanation, region=body.region,
        election=body.election, contact=body.contact, good_faith=True, idempotency_key=key,
        request_hash=fingerprint, received_at=utcnow(), case_id=cases[0].id,
        status="in_review" if any(c.status == "leased" for c in cases) else "received",
    )
    session.add(notice)
    session.add_all(NoticeCase(notice_id=notice.id, case_id=case.id, content_id=item.id)
                    for item, case in zip(items, cases, strict=True))
    for ev in body.evidence:
        store_evidence(session, notice, _decode_evidence(ev), ev.filename, settings.data_dir, who)
    record(session, who, "notice.received", "notice", notice.id,
           {"partner_id": notice.partner_id, "source": source, "policy": policy.code,
            "content_ids": notice.content_ids, "case_id": notice.case_id})
    return notice, True


def can_view(session: Session, who: Principal, notice: Notice) -> bool:
    """Jurisdiction: staff see all; a partner sees its own and its sub-jurisdictions' notices
    of the same organisation; anyone else only what they sent."""
    if who.role in STAFF_ROLES:
        return True
    if who.partner_id and who.role in PARTNER_ROLES:
        return notice.partner_id is not None and notice.partner_id in visible_partner_ids(session, who.partner_id)
    return notice.reporter_user_id == who.user_id


def get_visible_notice(session: Session, who: Principal, notice_id: str) -> Notice:
    """The notice if the caller may see it, else 404 (we never confirm it exists)."""
    notice = session.get(Notice, notice_id)
    if notice is None or not can_view(session, who, notice):
        raise NotFound(f"notice {notice_id} not found")
    return notice


def list_visible_notices(session: Session, who: Principal, *, status: str | None = None,
                         limit: int = 100, offset: int = 0) -> list[Notice]:
    """Notices the caller may see, newest first."""
    q = select(Notice)
    if who.role in STAFF_ROLES:
        pass
    elif who.partner_id and who.role in PARTNER_ROLES:
        q = q.where(Notice.partner_id.in_(visible_partner_ids(session, who.partner_id)))
    else:
        q = q.where(Notice.reporter_user_id == who.user_id)
    if status:
        q = q.where(Notice.status == status)
    return list(session.scalars(q.order_by(Notice.received_at.desc(), Notice.id).limit(limit).offset(offset)))


def notice_out(session: Session, notice: Notice, *, with_reporter: bool = False) -> dict[str, Any]:
    """The API shape of a notice: its status and, once decided, the decision."""
    out: dict[str, Any] = {
        "id": notice.id, "status": notice.status, "received_at": notice.received_at,
        "case_id": notice.case_id, "partner_id": notice.partner_id, "source": notice.source,
        "content": notice.content_refs, "content_ids": notice.content_ids, "policy": notice.policy,
        "legal_ground": notice.legal_ground, "explanation": notice.explanation,
        "region": notice.region, "election": notice.election, "decided_at": notice.decided_at,
        "evidence": [{"id": e.id, "filename": e.filename, "mime": e.mime, "size": e.size, "sha256": e.sha256}
                     for e in session.scalars(select(NoticeEvidence).where(NoticeEvidence.notice_id == notice.id))],
    }
    if with_reporter:
        out["contact"] = notice.contact
        out["reporter_user_id"] = notice.reporter_user_id
    if notice.decision_id:
        from salingjaga.moderation.models import Decision

        d = session.get(Decision, notice.decision_id)
        if d is not None:
            out["decision"] = {"id": d.id, "action": d.action, "policy": d.policy,
                               "statement_id": d.statement_id, "reasons": d.facts,
                               "decided_at": d.decided_at}
    return out


def receipt(notice: Notice) -> dict[str, Any]:
    """The immediate receipt."""
    return {"id": notice.id, "status": notice.status, "received_at": notice.received_at,
            "case_id": notice.case_id}


# ------------------------------------------------------------------------------------ bulk

CSV_FIELDS = ("url", "content_id", "policy", "legal_ground", "explanation", "region", "election",
              "contact", "good_faith", "idempotency_key")


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a bulk CSV as notice bodies (one content reference per row)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"policy"} - set(reader.fieldnames or [])
    if missing:
        raise Invalid(f"CSV header must include: {', '.join(sorted(missing))} (columns: {', '.join(CSV_FIELDS)})")
    rows: list[dict[str, Any]] = []
    for raw in reader:
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        ref: dict[str, str] = {}
        if row.get("content_id"):
            ref["content_id"] = row["content_id"]
        elif row.get("url"):
            ref["url"] = row["url"]
        body: dict[str, Any] = {
            "content": [ref] if ref else [], "policy": row.get("policy", ""),
            "explanation": row.get("explanation", ""),
            "good_faith": row.get("good_faith", "true").lower() in ("true", "1", "yes", "ya", "y"),
        }
        for name in ("legal_ground", "region", "election", "contact", "idempotency_key"):
            if row.get(name):
                body[name] = row[name]
        rows.append(body)
    return rows


@dataclass
class BulkOutcome:
    """Per-row outcomes of a bulk submission."""

    results: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        """Counts and the rows."""
        return {"received": sum(r["status"] == "received" for r in self.results),
                "existing": sum(r["status"] == "existing" for r in self.results),
                "errors": sum(r["status"] == "error" for r in self.results),
                "results": self.results}


def submit_bulk(session: Session, rows: list[Any], who: Principal, settings: Settings) -> BulkOutcome:
    """Each row in its own savepoint: a bad row is reported and the others go through."""
    def submit(body: NoticeIn) -> tuple[Notice, bool]:
        return submit_notice(session, body, who, idempotency_key=None, settings=settings)

    results: list[dict[str, Any]] = []
    for o in each_row(session, rows, NoticeIn, submit, limit=MAX_BULK_ROWS, what="bulk submission"):
        if o.error is not None:
            results.append({"index": o.index, "status": "error", "error": o.error})
        else:
            notice, created = o.value
            results.append({"index": o.index, "status": "received" if created else "existing",
                            "id": notice.id, "case_id": notice.case_id})
    return BulkOutcome(results)


def case_ids_of(session: Session, notice: Notice) -> list[str]:
    """Every case a notice joined."""
    return list(session.scalars(select(NoticeCase.case_id).where(NoticeCase.notice_id == notice.id)))


def open_cases_count(session: Session) -> int:
    """How many review cases are waiting (for the CLI)."""
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Case).where(Case.status != "decided")) or 0
