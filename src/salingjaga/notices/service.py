"""Notices: intake (single and many at once, evidence), the receipt, idempotency and who may
see what. Bulk files are read and validated in ``notices.bulk``.

A notice names content items; each item's review case is opened or joined through
``moderation.service.open_case``, so several notices about one item share one case.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select, text
from sqlalchemy.orm import Session

from salingjaga.audit.service import record, record_many
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.content.media import sniff_mime, store_bytes, stored_filename
from salingjaga.content.models import ContentItem
from salingjaga.content.service import contents_by_reference, contents_by_url
from salingjaga.core.bulk import attach_written, insert_rows, null_columns
from salingjaga.core.errors import APIError, Conflict, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.models import Case
from salingjaga.moderation.service import CaseRequest, open_cases
from salingjaga.notices.models import Notice, NoticeCase, NoticeEvidence
from salingjaga.notices.schemas import EvidenceIn, NoticeIn
from salingjaga.partners.models import Partner
from salingjaga.partners.service import covers_policy, in_jurisdiction, partners_by_id, visible_partner_ids
from salingjaga.policies.service import get_policy
from salingjaga.regions.elections import get_election
from salingjaga.regions.service import get_region

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


def _source(partner: Partner | None, policy: str, regions: list[str]) -> tuple[str, str | None]:
    """Where a notice comes from, for its priority, and why a partner's notice gets less
    than trusted-flagger priority (None when nothing needs saying).

    Trusted-flagger status holds within the partner's policy areas and its jurisdiction:
    a regency office filing about another region is heard, at a partner's priority."""
    if partner is None:
        return "user_report", None
    if not partner.trusted:
        return "partner", None
    if not covers_policy(partner, policy):
        return "partner", (f"policy {policy} is outside the notifier's trusted-flagger areas: "
                           "handled at normal priority")
    outside = next((r for r in regions if not in_jurisdiction(partner, r)), None)
    if outside is not None:
        return "partner", (f"region {outside} is outside the notifier's jurisdiction "
                           f"({partner.jurisdiction}): handled at normal priority")
    return "trusted_flagger", None


def notice_regions(body: NoticeIn, items: list[ContentItem]) -> list[str]:
    """The regions a notice concerns: the one it names, else those of its content items
    (so leaving the region out does not lift a notice out of the jurisdiction rule)."""
    if body.region:
        return [body.region]
    return sorted({item.region_code for item in items if item.region_code})


def check_evidence(data: bytes) -> str:
    """The MIME type of an evidence file, or a 4xx naming what is wrong with it."""
    if not data:
        raise Invalid("the evidence file is empty", reason="evidence.empty")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise Invalid(f"evidence larger than {MAX_EVIDENCE_BYTES} bytes", status=413, code="payload_too_large",
                      reason="evidence.too_large", params={"limit": MAX_EVIDENCE_BYTES})
    mime = sniff_mime(data)
    if mime not in EVIDENCE_TYPES:
        raise Invalid("evidence must be a PNG, JPEG, GIF or WebP image, an MP4 or WebM video, or a PDF",
                      status=415, code="unsupported_media_type", reason="evidence.type")
    return mime


def store_evidence(session: Session, notice: Notice, data: bytes, filename: str | None,
                   data_dir: Path, actor: Principal) -> NoticeEvidence:
    """Store one evidence file (allowed types only) with its SHA-256."""
    mime = check_evidence(data)
    sha, _md5, rel = store_bytes(data_dir, "evidence", data)
    ev = NoticeEvidence(id=new_id("evd"), notice_id=notice.id, filename=stored_filename(filename, mime),
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
        raise Invalid("evidence data_base64 is not valid base64", reason="evidence.not_base64") from exc


@dataclass
class NoticeJob:
    """One notice to take in: the body, who sends it and the Idempotency-Key header."""

    body: NoticeIn
    who: Principal
    idempotency_key: str | None = None


@dataclass
class NoticeOutcome:
    """What became of a job: its notice (``created`` False for a replay), or the error;
    ``cases`` the cases a new notice opened or joined, one per content item (empty for a
    replay or an error)."""

    notice: Notice | None = None
    created: bool = False
    error: APIError | None = None
    cases: list[Case] = field(default_factory=list)


@dataclass
class _Accepted:
    """A job that passed every check and read, waiting for its writes."""

    index: int
    job: NoticeJob
    key: str | None
    fingerprint: str
    items: list[ContentItem]
    partner: Partner | None
    policy: str
    source: str
    priority_note: str | None
    evidence: list[tuple[bytes, str | None]]


def submit_notice(session: Session, body: NoticeIn, who: Principal, *, idempotency_key: str | None,
                  settings: Settings) -> tuple[Notice, bool]:
    """Receive a notice and open or join a case per content item; returns (notice, created).

    A second call with the same key returns the first notice; the same key with a different
    body is a 409.
    """
    outcome = submit_notices(session, [NoticeJob(body, who, idempotency_key)], settings)[0]
    if outcome.error is not None:
        raise outcome.error
    assert outcome.notice is not None
    return outcome.notice, outcome.created


def submit_notices(session: Session, jobs: list[NoticeJob], settings: Settings) -> list[NoticeOutcome]:
    """Take in many notices in the caller's transaction: ``submit_notice`` for each, in
    order, with a fixed number of statements for the whole list (the group commit of
    ``notices.intake`` relies on it).

    Every check and read comes first: a job that fails one gets its error and writes
    nothing, and the others go on. Then the cases of all jobs are opened or joined at once
    and the notices written. An error in that second part (a race another transaction won)
    is raised: the caller rolls back and may retry the jobs one by one.
    """
    outcomes = [NoticeOutcome() for _ in jobs]
    fingerprints = [request_hash(job.body) for job in jobs]
    keys = [job.idempotency_key or job.body.idempotency_key for job in jobs]
    earlier = _notices_by_key(session, [(submitter_of(j.who), k) for j, k in zip(jobs, keys, strict=True) if k])
    first_in_batch: dict[tuple[str, str], int] = {}
    repeats: list[tuple[int, int]] = []  # (job, earlier job of this batch with its key)
    candidates: list[int] = []
    for index, (job, key) in enumerate(zip(jobs, keys, strict=True)):
        slot = (submitter_of(job.who), key) if key else None
        if slot is not None and slot in earlier:
            outcomes[index] = _replay(earlier[slot], fingerprints[index])
        elif slot is not None and slot in first_in_batch:
            repeats.append((index, first_in_batch[slot]))
        else:
            if slot is not None:
                first_in_batch[slot] = index
            candidates.append(index)
    accepted = _check_and_resolve(session, jobs, candidates, keys, fingerprints, outcomes)
    _write(session, accepted, outcomes, settings)
    for index, first in repeats:
        done = outcomes[first]
        outcomes[index] = (_replay(done.notice, fingerprints[index]) if done.notice is not None
                           else NoticeOutcome(error=done.error))
    return outcomes


# The pairs as two arrays joined to the unique index: one index probe per pair, whatever
# PostgreSQL's statistics say. Two IN lists (one per column) were planned from a growing
# table's stale statistics as an index condition on the submitter alone, reading every
# notice of the batch's partners (~1 ms per batch at 1,500 notices, growing with history);
# a tuple IN the same. One statement text for every batch size, so it is prepared once.
_BY_KEY_PG = text(
    "SELECT n.* FROM unnest(CAST(:submitters AS text[]), CAST(:keys AS text[])) AS k(submitter, key) "
    "JOIN notices AS n ON n.submitter = k.submitter AND n.idempotency_key = k.key")


_BY_KEY_SQLITE = select(Notice).where(Notice.submitter.in_(bindparam("p_submitters", expanding=True)),
                                      Notice.idempotency_key.in_(bindparam("p_keys", expanding=True)))


def _notices_by_key(session: Session, slots: list[tuple[str, str]]) -> dict[tuple[str, str], Notice]:
    if not slots:
        return {}
    wanted = set(slots)
    if session.get_bind().dialect.name == "postgresql":
        pairs = sorted(wanted)
        found = session.scalars(select(Notice).from_statement(_BY_KEY_PG),
                                {"submitters": [s for s, _ in pairs], "keys": [k for _, k in pairs]})
    else:
        # SQLite: two IN lists, a superset of the pairs, narrowed below.
        found = session.scalars(_BY_KEY_SQLITE, {"p_submitters": sorted({s for s, _ in wanted}),
                                                 "p_keys": sorted({k for _, k in wanted})})
    return {slot: n for n in found if (slot := (n.submitter, n.idempotency_key or "")) in wanted}


def _replay(notice: Notice, fingerprint: str) -> NoticeOutcome:
    if notice.request_hash != fingerprint:
        return NoticeOutcome(error=Conflict("this Idempotency-Key was already used for a different notice",
                                            reason="notice.key_reused"))
    return NoticeOutcome(notice=notice, created=False)


def check_body(body: NoticeIn) -> tuple[str, list[tuple[bytes, str | None]]]:
    """The checks that need no database: returns the policy code and decoded evidence
    (bulk files run them on every row before anything is written)."""
    if not body.good_faith:
        raise Invalid("good_faith: the notifier must declare the notice is made in good faith",
                      reason="notice.good_faith_missing")
    policy = get_policy(body.policy)
    if body.region is not None:
        get_region(body.region)
    if body.election is not None:
        try:
            get_election(body.election)
        except NotFound as exc:
            raise Invalid(exc.message, reason=exc.reason, params=exc.params) from exc
    if body.legal_ground is None and not body.explanation.strip():
        raise Invalid("explanation: say why the content breaks the policy or the law",
                      reason="notice.explanation_missing")
    evidence = []
    for ev in body.evidence:
        data = _decode_evidence(ev)
        check_evidence(data)
        evidence.append((data, ev.filename))
    return policy.code, evidence


def _check_and_resolve(session: Session, jobs: list[NoticeJob], candidates: list[int], keys: list[str | None],
                       fingerprints: list[str], outcomes: list[NoticeOutcome]) -> list[_Accepted]:
    """Checks and reads for the jobs that need writing: bodies, partners, content items."""
    checked: dict[int, tuple[str, list[tuple[bytes, str | None]]]] = {}
    for index in candidates:
        try:
            checked[index] = check_body(jobs[index].body)
        except APIError as exc:
            outcomes[index] = NoticeOutcome(error=exc)
    refs = {index: [r.model_dump(exclude_none=True) for r in jobs[index].body.content] for index in checked}
    by_id = contents_by_reference(session, [r["content_id"] for rs in refs.values() for r in rs if r.get("content_id")])
    by_url = contents_by_url(session, [r["url"] for rs in refs.values() for r in rs if not r.get("content_id")])
    partners = partners_by_id(session, [jobs[i].who.partner_id or "" for i in checked
                                        if jobs[i].who.partner_id and jobs[i].who.role in PARTNER_ROLES])
    accepted: list[_Accepted] = []
    for index, (policy, evidence) in checked.items():
        job = jobs[index]
        try:
            partner = None
            if job.who.partner_id and job.who.role in PARTNER_ROLES:
                partner = partners.get(job.who.partner_id)
                if partner is None:
                    raise NotFound(f"partner {job.who.partner_id} not found", reason="partner.unknown",
                                   params={"ref": job.who.partner_id})
            items = _resolve_content(refs[index], by_id, by_url)
        except APIError as exc:
            outcomes[index] = NoticeOutcome(error=exc)
            continue
        source, note = _source(partner, policy, notice_regions(job.body, items))
        accepted.append(_Accepted(index, job, keys[index], fingerprints[index], items, partner, policy,
                                  source, note, evidence))
    return accepted


def _resolve_content(refs: list[dict[str, Any]], by_id: dict[str, ContentItem],
                     by_url: dict[str, ContentItem]) -> list[ContentItem]:
    items: list[ContentItem] = []
    for ref in refs:
        if ref.get("content_id"):
            item = by_id.get(ref["content_id"])
            if item is None:
                raise Invalid(f"content {ref['content_id']!r} is not known to the platform",
                              reason="content.unknown_id", params={"ref": ref["content_id"]})
        else:
            found = by_url.get(ref["url"])
            if found is None:
                raise Invalid(f"no content with url {ref['url']!r} is known to the platform",
                              reason="content.unknown_url", params={"url": ref["url"]})
            item = found
        if item.id not in {i.id for i in items}:
            items.append(item)
    return items


_NOTICES = cast(Table, Notice.__table__)
_NOTICE_CASES = cast(Table, NoticeCase.__table__)
# Columns a new notice leaves NULL, so the attached object has every attribute loaded.
_NOTICE_NULLS = null_columns(_NOTICES)


def _write(session: Session, accepted: list[_Accepted], outcomes: list[NoticeOutcome], settings: Settings) -> None:
    """Open or join every case of the accepted jobs, then write their notices, links and
    audit events with one statement per table."""
    notice_ids = [new_id("ntc") for _ in accepted]
    requests = [CaseRequest(content_id=item.id, policy=a.policy, source=a.source,
                            reason=f"notice {notice_id}: {a.policy}", actor=a.job.who)
                for a, notice_id in zip(accepted, notice_ids, strict=True) for item in a.items]
    cases = iter(open_cases(session, requests, settings=settings))
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    own_cases: dict[int, list[Case]] = {}
    now = utcnow()
    for a, notice_id in zip(accepted, notice_ids, strict=True):
        own = [next(cases) for _ in a.items]
        own_cases[a.index] = own
        body, who = a.job.body, a.job.who
        rows.append({
            **_NOTICE_NULLS, "id": notice_id, "partner_id": a.partner.id if a.partner else None,
            "reporter_user_id": who.user_id, "submitter": submitter_of(who), "source": a.source,
            "priority_note": a.priority_note,
            "content_refs": [r.model_dump(exclude_none=True) for r in body.content],
            "content_ids": [i.id for i in a.items], "content_id": a.items[0].id, "policy": a.policy,
            "legal_ground": body.legal_ground, "explanation": body.explanation, "region": body.region,
            "election": body.election, "contact": body.contact, "good_faith": True, "idempotency_key": a.key,
            "request_hash": a.fingerprint, "received_at": now, "case_id": own[0].id,
            "status": "in_review" if any(c.status == "leased" for c in own) else "received",
        })
        links.extend({"notice_id": notice_id, "case_id": case.id, "content_id": item.id}
                     for item, case in zip(a.items, own, strict=True))
    insert_rows(session, _NOTICES, rows)
    insert_rows(session, _NOTICE_CASES, links)
    events: list[tuple[Principal | str, str, str, str, dict[str, Any]]] = []
    for a, row in zip(accepted, rows, strict=True):
        # The rows are written: attach them as loaded objects instead of reading them back.
        notice = attach_written(session, Notice, row)
        for data, filename in a.evidence:
            store_evidence(session, notice, data, filename, settings.data_dir, a.job.who)
        events.append((a.job.who, "notice.received", "notice", notice.id,
                       {"partner_id": notice.partner_id, "source": a.source, "priority_note": a.priority_note,
                        "policy": a.policy,
                        "content_ids": notice.content_ids, "case_id": notice.case_id}))
        outcomes[a.index] = NoticeOutcome(notice=notice, created=True, cases=own_cases[a.index])
    record_many(session, events)


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
        raise NotFound(f"notice {notice_id} not found", reason="notice.unknown", params={"ref": notice_id})
    return notice


def visible_select(session: Session, who: Principal, *columns: Any) -> Select[Any]:
    """A SELECT of ``columns`` (the notice rows when none) over the notices the caller may
    see (``can_view``'s rule as a query)."""
    q: Select[Any] = select(*columns) if columns else select(Notice)
    if who.role in STAFF_ROLES:
        return q
    if who.partner_id and who.role in PARTNER_ROLES:
        return q.where(Notice.partner_id.in_(visible_partner_ids(session, who.partner_id)))
    return q.where(Notice.reporter_user_id == who.user_id)


def list_visible_notices(session: Session, who: Principal, *, status: str | None = None,
                         limit: int = 100, offset: int = 0) -> list[Notice]:
    """Notices the caller may see, newest first."""
    q = visible_select(session, who)
    if status:
        q = q.where(Notice.status == status)
    return list(session.scalars(q.order_by(Notice.received_at.desc(), Notice.id).limit(limit).offset(offset)))


def notice_out(session: Session, notice: Notice, *, with_reporter: bool = False) -> dict[str, Any]:
    """The API shape of a notice: its status and, once decided, the decision."""
    return notices_out(session, [notice], with_reporter=with_reporter)[0]


def notices_out(session: Session, notices: list[Notice], *, with_reporter: bool = False) -> list[dict[str, Any]]:
    """The API shape of several notices, their evidence and decisions read in two queries
    for all of them (a page of 100 notices cost 200 queries one by one)."""
    from salingjaga.moderation.models import Decision

    ids = [n.id for n in notices]
    evidence: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for e in session.scalars(select(NoticeEvidence).where(NoticeEvidence.notice_id.in_(ids))
                                 .order_by(NoticeEvidence.notice_id, NoticeEvidence.id)):
            evidence[e.notice_id].append({"id": e.id, "filename": e.filename, "mime": e.mime, "size": e.size,
                                          "sha256": e.sha256})
    decision_ids = [n.decision_id for n in notices if n.decision_id]
    decisions = {d.id: d for d in session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))} \
        if decision_ids else {}
    out = []
    for notice in notices:
        one: dict[str, Any] = {
            "id": notice.id, "status": notice.status, "received_at": notice.received_at,
            "case_id": notice.case_id, "partner_id": notice.partner_id, "source": notice.source,
            "priority_note": notice.priority_note,
            "content": notice.content_refs, "content_ids": notice.content_ids, "policy": notice.policy,
            "legal_ground": notice.legal_ground, "explanation": notice.explanation,
            "region": notice.region, "election": notice.election, "decided_at": notice.decided_at,
            "evidence": evidence[notice.id],
        }
        if with_reporter:
            one["contact"] = notice.contact
            one["reporter_user_id"] = notice.reporter_user_id
        d = decisions.get(notice.decision_id) if notice.decision_id else None
        if d is not None:
            one["decision"] = {"id": d.id, "action": d.action, "policy": d.policy,
                               "statement_id": d.statement_id, "reasons": d.facts, "decided_at": d.decided_at}
        out.append(one)
    return out


def receipt(notice: Notice) -> dict[str, Any]:
    """The immediate receipt: with the source the notice is handled as and, when a partner's
    notice gets less than trusted-flagger priority, the reason."""
    return {"id": notice.id, "status": notice.status, "received_at": notice.received_at,
            "case_id": notice.case_id, "source": notice.source, "priority_note": notice.priority_note}


def case_ids_of(session: Session, notice: Notice) -> list[str]:
    """Every case a notice joined."""
    return list(session.scalars(select(NoticeCase.case_id).where(NoticeCase.notice_id == notice.id)))
