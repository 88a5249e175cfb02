"""What the election rules' modules share: the actor their automatic actions are recorded
as, and the way they open moderation cases.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal

log = logging.getLogger("salingjaga.rules")

ACTOR = "system:rules"


def actor_name(who: Principal | str) -> str:
    """The audit name of a person or a system actor."""
    return who if isinstance(who, str) else who.actor


def open_case(session: Session, **kwargs: Any) -> str | None:
    """Open (or join) a moderation case; the moderation domain is imported lazily so the rules
    work in a build without it (the finding is then kept, with no case id)."""
    try:
        from salingjaga.moderation.service import open_case as moderation_open_case
    except ModuleNotFoundError as exc:
        if exc.name and "salingjaga.moderation" in exc.name:
            log.warning("moderation is not installed: no case opened for %s", kwargs.get("content_id"))
            return None
        raise
    case = moderation_open_case(session, **kwargs)
    return str(getattr(case, "id", case)) if case is not None else None
