"""The practice sandbox through the API: the modules, filing a practice notice in the shape
of ``POST /api/v1/notices`` (graded at once; never a real notice), one's progress, and the
completion figures per province."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.principal import Principal
from salingjaga.core.routing import Router
from salingjaga.notices.schemas import NoticeIn
from salingjaga.training.scenarios import all_scenarios, get_scenario
from salingjaga.training.service import file_practice, progress, staff_completion, tally

router = Router(prefix="/api/v1/training", tags=["training"])


def _scenario_out(sid: str) -> dict[str, Any]:
    s = get_scenario(sid)
    return {"id": s.id, "order": s.order, "title": s.title, "platform": s.platform, "author": s.author,
            "post": s.post, "media": s.media, "url": s.url, "region": s.region, "election": s.election}


@router.get("/modules")
def get_modules(_: Principal = Depends(require("training.practice"))) -> list[dict[str, Any]]:
    """The practice modules: each a post to judge (the answer key is not shown)."""
    return [_scenario_out(sid) for sid in all_scenarios()]


@router.post("/modules/{module_id}/notices", status_code=201)
def post_practice_notice(
    module_id: str,
    body: NoticeIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.practice")),
) -> dict[str, Any]:
    """File a practice notice about the module's post (``content: [{"url": <the module's
    url>}]``, or ``policy: "none"`` when the post breaks no policy). The answer is the grade:
    each check, the score and the answer key's reasoning."""
    attempt = file_practice(session, who, module_id, body)
    scenario = get_scenario(module_id)
    return {"id": attempt.id, "module": module_id, "score": attempt.score, "passed": attempt.passed,
            "checks": attempt.checks, "reasoning": scenario.reasoning, "practice": True}


@router.get("/progress")
def get_progress(
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.practice")),
) -> dict[str, Any]:
    """The caller's modules done, practice score and certificate."""
    return progress(session, who.user_id).as_dict()


@router.get("/completion")
def get_completion(
    request: Request,
    province: str | None = None,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("training.report")),
) -> dict[str, Any]:
    """Partner staff and how many completed training, per province (or per regency/city of
    ``province``); the rows add up to the totals."""
    rows = tally(staff_completion(session), province)
    return {"province": province, "rows": [{"code": r.code, "staff": r.staff, "completed": r.completed}
                                           for r in rows],
            "total": {"staff": sum(r.staff for r in rows), "completed": sum(r.completed for r in rows)}}
