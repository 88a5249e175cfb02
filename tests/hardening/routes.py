"""Reading the app's route table: which permission each route declares.

FastAPI 0.16x keeps included routers as nested objects; ``iter_route_contexts`` flattens
them with the prefix and the router-level dependencies applied."""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from salingjaga.auth.deps import public, require


def declared(dependant: Dependant) -> list[str]:
    """Permissions (or "public") declared anywhere in a route's dependency tree."""
    found: list[str] = []
    call = dependant.call
    if isinstance(call, require):
        found.append(call.permission)
    elif call is public:
        found.append("public")
    for sub in dependant.dependencies:
        found.extend(declared(sub))
    return found


def route_table(app: Any) -> dict[str, list[str]]:
    """``"METHOD /path"`` -> declared permissions, for every HTTP route of the app."""
    table: dict[str, list[str]] = {}
    for rc in iter_route_contexts(app.routes):
        ctx = rc._route_context
        if ctx is not None and getattr(ctx, "dependant", None) is not None:
            dependant, methods, path = ctx.dependant, ctx.methods, rc.path
        elif isinstance(rc.original_route, APIRoute):
            route = rc.original_route
            dependant, methods, path = route.dependant, route.methods, route.path
        else:
            continue  # Starlette's own docs routes (/openapi.json, /docs)
        for method in sorted(set(methods or ()) - {"HEAD", "OPTIONS"}):
            table[f"{method} {path}"] = sorted(set(declared(dependant)))
    return table
