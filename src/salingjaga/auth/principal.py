"""Who is calling: the result of authentication, passed to services."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``partner_id`` is set for partner staff and partner keys."""

    user_id: str
    name: str
    role: str
    partner_id: str | None = None
    via: str = "api_key"  # or "session"

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"user:{self.user_id}"


SYSTEM = Principal(user_id="system", name="SalingJaga", role="system", via="system")
