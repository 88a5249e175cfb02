"""Read-only API for the policy taxonomy."""

from __future__ import annotations

from fastapi import Depends

from salingjaga.auth.deps import public
from salingjaga.core.routing import Router
from salingjaga.policies.schemas import PolicyOut
from salingjaga.policies.service import all_policies, get_policy

router = Router(prefix="/api/v1/policies", tags=["policies"])


@router.get("", dependencies=[Depends(public)], response_model=list[PolicyOut])
def list_policies() -> list[dict[str, object]]:
    """Every policy with its DSA category, keywords and legal grounds."""
    return [p.as_dict() for p in all_policies().values()]


@router.get("/{code}", dependencies=[Depends(public)], response_model=PolicyOut)
def policy_detail(code: str) -> dict[str, object]:
    """One policy."""
    from salingjaga.core.errors import Invalid, NotFound

    try:
        return get_policy(code).as_dict()
    except Invalid as exc:
        raise NotFound(exc.message, reason=exc.reason, params=exc.params) from exc
