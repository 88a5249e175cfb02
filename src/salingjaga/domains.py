"""The domain sub-packages by name, in the order the app includes their parts.

The names locate each domain's data files (``permissions.toml``, ``templates/``,
``locale/``, threshold files); the modules themselves are imported plainly in
``salingjaga.parts`` and ``salingjaga.cli``.
"""

from __future__ import annotations

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
