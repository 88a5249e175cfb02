"""Identifiers: short prefixed random strings, readable in logs and URLs."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A new id such as ``ntc_3f9a...``; 16 random bytes make collisions negligible."""
    return f"{prefix}_{secrets.token_hex(10)}"
