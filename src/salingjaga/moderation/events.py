"""Case events: what moderation announces about its cases to the domains that keep records
of their own about them (``notices``: a notice follows the cases it joined; ``guide`` and
``transparency`` may subscribe too).

Moderation owns cases, decisions, statements, appeals and notifications, and writes no other
domain's tables. A domain whose rows change with a case subscribes a handler to the event
(``subscribe``) when the app, the CLI or the worker is built (``salingjaga.wiring``); moderation
never imports it. ``announce`` calls the handlers of the event's type one after the other,
synchronously, in the announcing session and transaction, in the order they subscribed: what
they write commits or rolls back with the case change itself, exactly as if moderation had
written it. A handler that raises fails the moderation action that announced.

Moderation also needs to read who reported a case (to notify them, to let a notifier appeal,
to show the console): the notices domain provides that reader (``provide_case_notices``).
Until one is provided a case has no notices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CaseOpened:
    """A review case was opened for a content item (``cases.open_cases``); joining an open
    case announces nothing."""

    case_id: str
    content_id: str
    policy: str
    source: str


@dataclass(frozen=True)
class CaseClaimed:
    """A moderator leased a case from the queue (``queue.claim_next``, or the one-statement
    claim of ``claim_statement``, which runs the subscribers' ``claim_sql`` instead)."""

    case_id: str
    user_id: str


@dataclass(frozen=True)
class CaseDecided:
    """A case was closed by a decision. ``standing_decision_id`` and ``standing_action`` are
    the decision that now stands for the case's notifiers: the decision itself, except for
    an upheld appeal, where the original decision stays in force. ``notices`` are the
    case's notices as the decider read them (``notices_of_case``, in this transaction), for
    handlers that would otherwise read them again; None when the decider did not."""

    case_id: str
    decision_id: str
    action: str
    decided_at: datetime
    standing_decision_id: str
    standing_action: str
    notices: Sequence[CaseNotice] | None = None


@dataclass(frozen=True)
class CaseAppealed:
    """The decision of ``case_id`` was appealed: ``appeal_case_id`` is the new appeal case
    about ``content_id`` (whoever appealed, creator or notifier)."""

    case_id: str
    appeal_case_id: str
    appeal_id: str
    decision_id: str
    content_id: str


@dataclass(frozen=True)
class CaseReversed:
    """Decisions of ``case_id`` were overturned (by a second review or an appeal) by
    ``decision_id``, whose action is ``action``."""

    case_id: str
    reversed_decision_ids: tuple[str, ...]
    decision_id: str
    action: str


CaseEvent = CaseOpened | CaseClaimed | CaseDecided | CaseAppealed | CaseReversed
E = TypeVar("E", CaseOpened, CaseClaimed, CaseDecided, CaseAppealed, CaseReversed)
Handler = Callable[[Session, Any], None]

_lock = threading.Lock()
_handlers: dict[type, list[Handler]] = {}
# CaseClaimed handlers whose work the one-statement claim runs as SQL (see ``subscribe``).
_claim_sql: dict[Handler, str] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], None], *,
              claim_sql: str | None = None) -> None:
    """Call ``handler(session, event)`` on every ``event_type`` announced from now on
    (subscribing the same handler again is harmless).

    ``claim_sql`` (``CaseClaimed`` only): the handler's work as the body of a data-modifying
    CTE, which the one-statement claim on PostgreSQL (``claim_statement``) runs in its own
    single statement, where no Python can run; it reads the claimed cases from ``taken``
    (column ``id``). A ``CaseClaimed`` handler without it makes claims take the
    transactional path (``claim_next``), which calls the handler."""
    if claim_sql is not None and event_type is not CaseClaimed:
        raise ValueError("claim_sql is for CaseClaimed handlers only")
    with _lock:
        handlers = _handlers.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)
        if claim_sql is not None:
            _claim_sql[handler] = claim_sql


def announce(session: Session, event: CaseEvent) -> None:
    """Tell every subscriber of the event's type, in order, in the caller's transaction."""
    for handler in _handlers.get(type(event), ()):
        handler(session, event)


def claim_sql_parts() -> tuple[str, ...] | None:
    """The ``claim_sql`` of every ``CaseClaimed`` subscriber, in order; None when one of
    them has none (the claim must then run the handlers themselves)."""
    handlers = _handlers.get(CaseClaimed, [])
    if any(h not in _claim_sql for h in handlers):
        return None
    return tuple(_claim_sql[h] for h in handlers)


class CaseNotice(Protocol):
    """A notice as moderation reads it: who reported a case, about what, and when."""

    @property
    def id(self) -> str: ...
    @property
    def partner_id(self) -> str | None: ...
    @property
    def reporter_user_id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def legal_ground(self) -> str | None: ...
    @property
    def explanation(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def election(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...


CaseNoticesReader = Callable[[Session, str], Sequence[CaseNotice]]
_reader: list[CaseNoticesReader] = []


def provide_case_notices(reader: CaseNoticesReader) -> None:
    """Set the reader of a case's notices (the notices domain's, at wiring)."""
    with _lock:
        _reader[:] = [reader]


def notices_of_case(session: Session, case_id: str) -> list[CaseNotice]:
    """The notices that joined a case, oldest first (none when no reader was provided)."""
    return list(_reader[0](session, case_id)) if _reader else []



EvidenceReader = Callable[[Session, Sequence[str]], dict[str, list[dict[str, Any]]]]
_evidence_reader: list[EvidenceReader] = []


def provide_notice_evidence(reader: EvidenceReader) -> None:
    """Set the reader of notices' evidence files (the notices domain's, at wiring): each
    file as ``{"id", "filename", "mime", "size", "sha256", "path"}``, ``path`` relative to
    the data folder."""
    with _lock:
        _evidence_reader[:] = [reader]


def evidence_of_notices(session: Session, notice_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The evidence files of each notice (none when no reader was provided)."""
    if not _evidence_reader or not notice_ids:
        return {}
    return _evidence_reader[0](session, notice_ids)
