"""Grading a practice notice: first the checks the real channel applies to every notice
(``notices.service.check_body``: a known policy, the good-faith declaration, a valid region
and election, an explanation or legal ground, evidence of an accepted type), then the
answer key's: the right policy, a legal ground that applies, evidence attached, and an
explanation specific to this post. Pure: no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from salingjaga.core.errors import APIError
from salingjaga.notices.schemas import NoticeIn
from salingjaga.notices.service import check_body
from salingjaga.training.scenarios import NO_VIOLATION, Scenario

MIN_EXPLANATION = 60


@dataclass(frozen=True)
class Check:
    """One graded point: its name, whether it passed, and the detail shown (an error of
    the real channel, the terms found, ...)."""

    name: str
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass
class Grade:
    """The checks of one practice notice, its score (0..100) and whether it passes (every
    check passed)."""

    checks: list[Check] = field(default_factory=list)

    @property
    def score(self) -> int:
        return round(100 * sum(c.passed for c in self.checks) / len(self.checks)) if self.checks else 0

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def ground_matches(cited: str, accepted: tuple[str, ...]) -> str | None:
    """The accepted article the cited ground names ("UU 7/2017 Pasal 280 ayat (1) huruf c"
    names "UU 7/2017 Pasal 280"), or None."""
    text = _normal(cited)
    for ground in accepted:
        g = _normal(ground)
        for match in re.finditer(re.escape(g), text):
            after = text[match.end():match.end() + 1]
            if not after.isdigit():  # "Pasal 28" must not match "Pasal 280"
                return ground
    return None


def terms_found(explanation: str, terms: tuple[str, ...]) -> list[str]:
    """The answer key's terms the explanation names."""
    text = _normal(explanation)
    return [t for t in terms if t in text]


def grade(scenario: Scenario, body: NoticeIn, *, declined: bool = False) -> Grade:
    """Grade a practice notice about ``scenario`` (``declined``: the trainee judged that the
    post needs no notice)."""
    result = Grade()
    if declined or body.policy == NO_VIOLATION:
        right = not scenario.breaks_a_policy
        result.checks.append(Check("policy", right, NO_VIOLATION))
        return result
    try:
        check_body(body)
        result.checks.append(Check("channel", True))
    except APIError as exc:
        result.checks.append(Check("channel", False, exc.message))
    result.checks.append(Check("policy", body.policy in scenario.policies, body.policy))
    if scenario.legal_grounds:
        matched = ground_matches(body.legal_ground or "", scenario.legal_grounds)
        result.checks.append(Check("legal_ground", matched is not None, matched or (body.legal_ground or "")))
    else:
        result.checks.append(Check("legal_ground", True, body.legal_ground or ""))
    if scenario.evidence:
        result.checks.append(Check("evidence", bool(body.evidence), str(len(body.evidence))))
    found = terms_found(body.explanation, scenario.key_terms)
    specific = len(body.explanation.strip()) >= MIN_EXPLANATION and len(found) >= scenario.min_terms
    result.checks.append(Check("explanation", specific, ", ".join(found)))
    return result
