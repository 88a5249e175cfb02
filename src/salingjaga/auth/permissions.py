"""Permissions as data: each domain ships ``permissions.toml`` mapping a permission to roles.

Keeping the table beside each domain lets a domain add endpoints without touching another's
files, while ``all_permissions()`` still gives one matrix for the hardening tests.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from salingjaga.auth.roles import ROLES
from salingjaga.domains import DOMAINS


@cache
def all_permissions() -> dict[str, frozenset[str]]:
    """Every permission name mapped to the roles that hold it."""
    table: dict[str, frozenset[str]] = {}
    for domain in DOMAINS:
        try:
            ref = resources.files(f"salingjaga.{domain}").joinpath("permissions.toml")
        except ModuleNotFoundError:
            continue
        if not ref.is_file():
            continue
        data = tomllib.loads(ref.read_text(encoding="utf-8"))
        for name, roles in data.get("permissions", {}).items():
            unknown = set(roles) - set(ROLES)
            if unknown:
                raise ValueError(f"{domain}/permissions.toml: {name} names unknown roles {unknown}")
            if name in table:
                raise ValueError(f"permission {name} defined twice")
            table[name] = frozenset(roles)
    return table


def roles_for(permission: str) -> frozenset[str]:
    """The roles holding ``permission``; an unknown permission is a programming error."""
    try:
        return all_permissions()[permission]
    except KeyError as exc:
        raise KeyError(f"permission {permission!r} is not declared in any permissions.toml") from exc


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission``."""
    return role in roles_for(permission)
