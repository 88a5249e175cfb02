"""The policy library: one public page per policy and language, saying what the policy
covers, its Indonesian legal grounds and DSA category (from the taxonomy), examples of
content that breaks it and content that does not, and what a good notice includes.

The first text ships in ``data/library.toml``; a policy lead writes a new version as a
draft, and it is published only when a different policy lead approves it (four eyes). The
published version replaces the previous one, which stays as ``superseded``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.policies.models import LIBRARY_SECTIONS, LibraryVersion
from salingjaga.policies.service import Policy, get_policy

LANGUAGES = ("id", "en")
MAX_SECTION = 4000


@cache
def shipped_text() -> dict[str, dict[str, dict[str, str]]]:
    """The shipped text: policy -> language -> section -> text."""
    raw = resources.files("salingjaga.policies").joinpath("data/library.toml").read_text("utf-8")
    return tomllib.loads(raw)


@dataclass
class LibraryPage:
    """A policy's page in one language: its sections, the taxonomy's facts and the version."""

    policy: Policy
    language: str
    sections: dict[str, str]
    number: int  # 0: the shipped text

    def items(self, section: str) -> list[str]:
        """A section's lines (one item each)."""
        return [line.strip() for line in self.sections.get(section, "").splitlines() if line.strip()]


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise Invalid(f"language: one of {', '.join(LANGUAGES)}", reason="language.unknown")
    return language


def library_page(session: Session, code: str, language: str) -> LibraryPage:
    """The published page, or the shipped text while no version was approved."""
    policy = get_policy(code)
    language = _language(language)
    current = session.scalar(select(LibraryVersion).where(
        LibraryVersion.policy == code, LibraryVersion.language == language, LibraryVersion.status == "published"))
    if current is not None:
        return LibraryPage(policy, language, dict(current.sections), current.number)
    return LibraryPage(policy, language, dict(shipped_text().get(code, {}).get(language, {})), 0)


def create_draft(session: Session, code: str, language: str, sections: dict[str, str], note: str,
                 who: Principal) -> LibraryVersion:
    """A new version of a page, waiting for another policy lead's approval."""
    get_policy(code)
    language = _language(language)
    clean = {name: (sections.get(name) or "").strip() for name in LIBRARY_SECTIONS}
    missing = [name for name, text in clean.items() if not text]
    if missing:
        raise Invalid(f"{missing[0]}: every section needs text", reason="library.section_empty")
    if any(len(text) > MAX_SECTION for text in clean.values()):
        raise Invalid(f"a section is longer than {MAX_SECTION} characters", reason="library.section_too_long",
                      params={"n": MAX_SECTION})
    number = (session.scalar(select(func.max(LibraryVersion.number)).where(
        LibraryVersion.policy == code, LibraryVersion.language == language)) or 0) + 1
    version = LibraryVersion(id=new_id("plv"), policy=code, language=language, number=number, sections=clean,
                             note=note.strip()[:500], status="draft", author_id=who.user_id, created_at=utcnow())
    session.add(version)
    session.flush()
    record(session, who, "policy_library.draft_created", "policy_library_version", version.id,
           {"policy": code, "language": language, "number": number})
    return version


def drafts(session: Session) -> list[LibraryVersion]:
    """Versions waiting for approval, oldest first."""
    return list(session.scalars(select(LibraryVersion).where(LibraryVersion.status == "draft")
                                .order_by(LibraryVersion.created_at)))


def decide(session: Session, version_id: str, approve: bool, who: Principal) -> LibraryVersion:
    """Approve (publish) or reject a draft. Its author may do neither: a second policy lead
    must read it (four eyes)."""
    version = session.get(LibraryVersion, version_id, with_for_update=True)
    if version is None:
        raise NotFound(f"library version {version_id} not found", reason="library.version_unknown",
                       params={"ref": version_id})
    if version.status != "draft":
        raise Conflict(f"version {version_id} is {version.status}, not a draft", reason="library.not_draft")
    if version.author_id == who.user_id:
        raise Forbidden("four eyes: another policy lead must approve or reject your draft",
                        reason="four_eyes.own_draft")
    now = utcnow()
    if approve:
        session.execute(update(LibraryVersion).where(
            LibraryVersion.policy == version.policy, LibraryVersion.language == version.language,
            LibraryVersion.status == "published").values(status="superseded"))
    version.status = "published" if approve else "rejected"
    version.approver_id = who.user_id
    version.decided_at = now
    record(session, who, "policy_library.published" if approve else "policy_library.rejected",
           "policy_library_version", version.id,
           {"policy": version.policy, "language": version.language, "number": version.number,
            "author_id": version.author_id})
    return version
