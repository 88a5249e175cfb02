"""Notice routes (the trusted-flagger channel) and partner feedback on notices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, File, Header, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.core.errors import NotFound
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.notices.bulk import parse_bulk, submit_bulk
from salingjaga.notices.feedback import partner_feedback, yearly_report
from salingjaga.notices.intake import NoticeIntake
from salingjaga.notices.schemas import (
    BulkResult,
    EvidenceCreated,
    FeedbackOut,
    NoticeIn,
    NoticeOut,
    NoticeReceipt,
    YearlyReport,
)
from salingjaga.notices.service import (
    MAX_EVIDENCE_BYTES,
    NoticeJob,
    get_visible_notice,
    list_visible_notices,
    notice_out,
    notices_out,
    store_evidence,
)

router = Router(prefix="/api/v1", tags=["partners", "notices"])  # the tags it had when nested under partners


@router.post("/notices", status_code=201, response_model=NoticeReceipt)
async def post_notice(
    body: NoticeIn,
    request: Request,
    response: Response,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", max_length=200),
    who: Principal = Depends(require("notices.create")),
) -> dict[str, Any]:
    """Receive a notice and answer the receipt once it is committed; a retry with the same
    ``Idempotency-Key`` returns the same notice.

    The notice is written by the server's intake writer (``notices.intake``), which
    commits the notices arriving together in one transaction: the receipt still comes only
    after the notice's commit."""
    intake: NoticeIntake = request.app.state.notice_intake
    answer, created = await intake.submit(NoticeJob(body, who, idempotency_key))
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return answer


@router.get("/notices", response_model=list[NoticeOut], response_model_exclude_unset=True)
def get_notices(
    status: str | None = Query(default=None),
    limit: int = Query(default=100, ge=1, le=1000),
    # Bounded: SQLite cannot bind an integer past 2**63 (an OverflowError, not a 4xx).
    offset: int = Query(default=0, ge=0, le=2**31 - 1),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("notices.read")),
) -> list[dict[str, Any]]:
    """Notices the caller may see: a partner its own and its sub-jurisdictions'."""
    return notices_out(session, list_visible_notices(session, who, status=status, limit=limit, offset=offset))


@router.get("/notices/{notice_id}", response_model=NoticeOut, response_model_exclude_unset=True)
def get_notice(
    notice_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("notices.read")),
) -> dict[str, Any]:
    """A notice's status and, once decided, the decision with its statement of reasons."""
    notice = get_visible_notice(session, who, notice_id)
    return notice_out(session, notice, with_reporter=who.role not in PARTNER_ROLES or
                      notice.partner_id == who.partner_id)


_BULK_DOC = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [
        {"type": "array", "items": {"$ref": "#/components/schemas/NoticeIn"}},
        {"type": "object", "properties": {"notices": {"type": "array",
                                                      "items": {"$ref": "#/components/schemas/NoticeIn"}}}},
    ]}},
    "text/csv": {"schema": {"type": "string"}},
}}}


@router.post("/notices/bulk", openapi_extra=_BULK_DOC, response_model=BulkResult, response_model_exclude_unset=True)
async def post_bulk(
    request: Request,
    who: Principal = Depends(require("notices.create")),
) -> dict[str, Any]:
    """Many notices as a JSON list (or ``{"notices": [...]}``) or CSV; a result per row.

    CSV columns: url or content_id, policy, legal_ground, explanation, region, election,
    contact, good_faith, idempotency_key. ``good_faith`` takes true/1/ya/yes or
    false/0/tidak/no; any other value (the empty cell included) is that row's error. At
    most 5,000 rows; JSON nested at most 64 levels deep.

    Every row is validated before any is written; the good ones go through the server's
    intake writer in short transactions (``notices.bulk``), each with its receipt. No
    request session: on SQLite a request holding the write lock while it waits for the
    writer would wait for itself."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rows = parse_bulk(raw, csv_input=ctype in ("text/csv", "application/csv"))
    intake: NoticeIntake = request.app.state.notice_intake
    return (await submit_bulk(intake, rows, who)).summary()


@router.post("/notices/{notice_id}/evidence", status_code=201, response_model=EvidenceCreated)
def post_evidence(
    notice_id: str,
    file: UploadFile = File(...),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("notices.create")),
) -> dict[str, Any]:
    """Attach an evidence file (image, video or PDF) to one of your notices."""
    notice = get_visible_notice(session, who, notice_id)
    if notice.reporter_user_id != who.user_id and notice.partner_id != (who.partner_id or "-"):
        raise NotFound(f"notice {notice_id} not found", reason="notice.unknown", params={"ref": notice_id})
    data = file.file.read(MAX_EVIDENCE_BYTES + 1)
    ev = store_evidence(session, notice, data, file.filename, settings.data_dir, who)
    return {"id": ev.id, "notice_id": notice.id, "filename": ev.filename, "mime": ev.mime,
            "size": ev.size, "sha256": ev.sha256}


def _own_partner(who: Principal, partner_id: str) -> None:
    if who.role in PARTNER_ROLES and who.partner_id != partner_id:
        raise NotFound(f"partner {partner_id} not found", reason="partner.unknown", params={"ref": partner_id})


def _year_bounds(year: int | None) -> tuple[datetime | None, datetime | None]:
    if year is None:
        return None, None
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


@router.get("/partners/{partner_id}/feedback", response_model=FeedbackOut)
def get_feedback(
    partner_id: str,
    year: int | None = Query(default=None, ge=2000, le=2100),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.feedback")),
) -> dict[str, Any]:
    """Share actioned, median time to decision, counts by policy, and the Art. 22(6) flag."""
    _own_partner(who, partner_id)
    start, end = _year_bounds(year)
    return partner_feedback(session, partner_id, start, end)


@router.get("/partners/{partner_id}/report", response_model=YearlyReport)
def get_yearly_report(
    partner_id: str,
    year: int = Query(ge=2000, le=2100),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.feedback")),
) -> dict[str, Any]:
    """The yearly DSA Art. 22(3) report for a partner."""
    _own_partner(who, partner_id)
    return yearly_report(session, partner_id, year)
