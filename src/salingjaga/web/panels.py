"""The panels of a signed-in person's home page. Each domain that has something to show a
role on arrival offers a ``panel(session, settings, who)`` in its ``home.py`` (listed in
``parts.HOME``) returning a ``Panel`` (its template and data) or None when the person has
nothing to see there. The shell sits below the domains and may not import them: the app
registers the panels here at wiring (``provide_panels``) and the home page renders them
in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings


@dataclass(frozen=True)
class Panel:
    """One block of the home page: its template (``"<domain>/..."``) and what it shows."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)


PanelMaker = Callable[[Session, Settings, Principal], Panel | None]
_makers: list[PanelMaker] = []


def provide_panels(makers: Iterable[PanelMaker]) -> None:
    """Set the home page's panel makers, in the order they are shown."""
    _makers[:] = list(makers)


def panels_for(session: Session, settings: Settings, who: Principal) -> list[Panel]:
    """The panels this person sees on their home page."""
    return [p for p in (make(session, settings, who) for make in _makers) if p is not None]
