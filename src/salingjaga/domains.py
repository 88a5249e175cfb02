"""The domain sub-packages, in the order their routers, CLIs and demo data are loaded."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "auth",
    "regions",
    "policies",
    "audit",
    "partners",
    "content",
    "rules",
    "detection",
    "factcheck",
    "moderation",
    "notices",
    "guide",
    "training",
    "transparency",
    "stream",
    "web",
)


def domain_modules(name: str) -> list[ModuleType]:
    """Import ``salingjaga.<domain>.<name>`` for every domain that has one."""
    found = []
    for domain in DOMAINS:
        full = f"salingjaga.{domain}.{name}"
        try:
            spec = importlib.util.find_spec(full)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found.append(importlib.import_module(full))
    return found


def import_all_models() -> None:
    """Import every domain's ``models`` so the shared metadata knows every table."""
    domain_modules("models")
