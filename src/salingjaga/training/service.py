"""The practice sandbox: filing a practice notice (graded at once, kept only in this
domain's tables), each trainee's progress, completion and certificate, and the completion
figures per province and regency."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.notices.schemas import NoticeIn
from salingjaga.partners.models import Partner
from salingjaga.regions.service import province_of
from salingjaga.training.grading import grade
from salingjaga.training.models import Completion, PracticeAttempt
from salingjaga.training.scenarios import Scenario, all_scenarios, get_scenario


def _evidence_facts(body: NoticeIn) -> list[dict[str, Any]]:
    out = []
    for ev in body.evidence:
        try:
            data = base64.b64decode(ev.data_base64, validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append({"filename": ev.filename, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return out


def _names_the_post(scenario: Scenario, body: NoticeIn) -> bool:
    return all(ref.url == scenario.url or ref.content_id == scenario.id for ref in body.content)


def file_practice(session: Session, who: Principal, scenario_id: str, body: NoticeIn) -> PracticeAttempt:
    """Grade and keep a practice notice; a trainee who has now passed every module
    completes the training. A notice naming anything but the module's post is refused, so
    real content can never be reported through the sandbox."""
    scenario = get_scenario(scenario_id)
    if not _names_the_post(scenario, body):
        raise Invalid(f"content: a practice notice names the module's post ({scenario.url})",
                      reason="training.other_post", params={"url": scenario.url})
    result = grade(scenario, body)
    attempt = PracticeAttempt(
        id=new_id("prc"), user_id=who.user_id, partner_id=who.partner_id, scenario=scenario.id,
        policy=body.policy, legal_ground=body.legal_ground, explanation=body.explanation,
        evidence=_evidence_facts(body), checks=[c.as_dict() for c in result.checks], score=result.score,
        passed=result.passed, created_at=utcnow())
    session.add(attempt)
    session.flush()
    record(session, who, "training.practice_graded", "training_attempt", attempt.id,
           {"scenario": scenario.id, "score": result.score, "passed": result.passed})
    _complete_if_done(session, who)
    return attempt


@dataclass
class ModuleProgress:
    """A trainee's standing in one module."""

    scenario: Scenario
    attempts: int
    best_score: int
    passed: bool


@dataclass
class Progress:
    """A trainee's modules, practice score (the mean of each module's best) and completion."""

    modules: list[ModuleProgress]
    completion: Completion | None

    @property
    def done(self) -> int:
        return sum(m.passed for m in self.modules)

    @property
    def score(self) -> int:
        return round(sum(m.best_score for m in self.modules) / len(self.modules)) if self.modules else 0

    def as_dict(self) -> dict[str, Any]:
        c = self.completion
        return {"modules": [{"id": m.scenario.id, "attempts": m.attempts, "best_score": m.best_score,
                             "passed": m.passed} for m in self.modules],
                "done": self.done, "total": len(self.modules), "score": self.score,
                "completed_at": c.completed_at if c else None, "certificate": c.certificate if c else None}


def progress(session: Session, user_id: str) -> Progress:
    """Where a trainee stands."""
    rows = session.execute(select(PracticeAttempt.scenario, PracticeAttempt.score, PracticeAttempt.passed)
                           .where(PracticeAttempt.user_id == user_id)).all()
    modules = []
    for scenario in all_scenarios().values():
        mine = [(score, passed) for sid, score, passed in rows if sid == scenario.id]
        modules.append(ModuleProgress(scenario, len(mine), max((s for s, _ in mine), default=0),
                                      any(p for _, p in mine)))
    return Progress(modules, session.get(Completion, user_id))


def attempt_of(session: Session, who: Principal, attempt_id: str) -> PracticeAttempt:
    """One of the trainee's own practice notices (another's is a 404)."""
    attempt = session.get(PracticeAttempt, attempt_id)
    if attempt is None or attempt.user_id != who.user_id:
        raise NotFound(f"practice notice {attempt_id} not found", reason="training.attempt_unknown",
                       params={"ref": attempt_id})
    return attempt


def _complete_if_done(session: Session, who: Principal) -> None:
    if session.get(Completion, who.user_id) is not None:
        return
    now = progress(session, who.user_id)
    if now.done < len(now.modules):
        return
    number = f"SJ-{utcnow().year}-{secrets.token_hex(4).upper()}"
    session.add(Completion(user_id=who.user_id, partner_id=who.partner_id, certificate=number, score=now.score,
                           completed_at=utcnow()))
    session.flush()
    record(session, who, "training.completed", "user", who.user_id, {"certificate": number, "score": now.score})


@dataclass
class RegionTally:
    """Partner staff in a region and how many of them completed training."""

    code: str  # a province or regency code, or "national"
    staff: int = 0
    completed: int = 0

    @property
    def share(self) -> float:
        return self.completed / self.staff if self.staff else 0.0


def tally(members: Iterable[tuple[str | None, bool]], province: str | None = None) -> list[RegionTally]:
    """Count (region of the member's office, completed) pairs per province, or, given a
    province, per regency/city within it (the province's own office under its code). A
    national office's staff count under ``national``. Pure."""
    out: dict[str, RegionTally] = {}
    for region, completed in members:
        if province is None:
            key = province_of(region) if region else "national"
        else:
            if not region or province_of(region) != province:
                continue
            key = region
        row = out.setdefault(key, RegionTally(key))
        row.staff += 1
        row.completed += int(completed)
    return [out[k] for k in sorted(out)]


def staff_completion(session: Session) -> list[tuple[str | None, bool]]:
    """(office region, completed) for every active partner staff member with an office."""
    rows = session.execute(
        select(Partner.region_code, Completion.user_id)
        .select_from(User)
        .join(Partner, Partner.id == User.partner_id)
        .outerjoin(Completion, Completion.user_id == User.id)
        .where(User.active.is_(True), User.role.in_(PARTNER_ROLES), User.email.is_not(None))).all()
    return [(region, done is not None) for region, done in rows]


@dataclass
class TraineeRow:
    """One member of an office and where they stand."""

    user: User
    progress: Progress


def office_trainees(session: Session, partner_id: str) -> list[TraineeRow]:
    """Every person of an office (members with an e-mail address, not API users) with their
    modules done, practice score and certificate, by name."""
    members = session.scalars(select(User).where(User.partner_id == partner_id, User.email.is_not(None))
                              .order_by(User.name))
    return [TraineeRow(user, progress(session, user.id)) for user in members]
