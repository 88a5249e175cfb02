"""The roles people and services hold. A user has exactly one role."""

from __future__ import annotations

ROLES: tuple[str, ...] = (
    "admin",
    "moderator",
    "senior_moderator",
    "policy_lead",
    "fact_checker",
    "guide_editor",
    "partner_reporter",
    "partner_admin",
    "service",
    "auditor",
    "user",
)

# Roles that act for a partner organisation and so must belong to one.
PARTNER_ROLES = frozenset({"partner_reporter", "partner_admin"})

# Moderation roles in escalation order.
MODERATION_ROLES = ("moderator", "senior_moderator", "policy_lead")
