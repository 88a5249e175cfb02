"""API shapes of the policy taxonomy, and the policy codes other domains' schemas list."""

from __future__ import annotations

from typing import Any

from salingjaga.core.apimodel import ApiModel, I18n
from salingjaga.policies.service import all_policies


def policy_enum(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for a policy code field: the codes of the taxonomy in force,
    listed in the document only (the services check the code and name an unknown one)."""
    schema["enum"] = list(all_policies())


class PolicyOut(ApiModel):
    """A policy with its DSA category, keywords and legal grounds."""

    code: str
    name: I18n
    description: I18n
    severity: int
    dsa_category: str
    dsa_keywords: list[str]
    dsa_specification: str | None
    legal_grounds: list[str]
    territory: str
