"""Partner organisations as auth sees them: a user of a partner role belongs to one.

The partners domain stands on auth (its staff are users, its routes use auth's
dependencies), so auth cannot import it. Instead the partners domain registers how to find
its organisations here, from ``salingjaga.wiring``, the way domains register stream handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

# (session, partner_id) -> the organisation, or raises NotFound; (session) -> all, by name
FindPartner = Callable[[Session, str], Any]
ListPartners = Callable[[Session], Sequence[Any]]

_find: FindPartner | None = None
_list: ListPartners | None = None


def register_directory(find: FindPartner, list_all: ListPartners) -> None:
    """Called by ``salingjaga.wiring``: how auth finds partner organisations."""
    global _find, _list
    _find, _list = find, list_all


def check_partner(session: Session, partner_id: str) -> None:
    """Refuse an unknown organisation with the partners domain's 404. Unwired (a script
    that never called ``wire()``), the ``users.partner_id`` foreign key still refuses it."""
    if _find is not None:
        _find(session, partner_id)


def list_partners(session: Session) -> list[Any]:
    """Every partner organisation, by name (none if the partners domain is not wired)."""
    return list(_list(session)) if _list is not None else []
