"""The OpenAPI document: what FastAPI generates from the routes and their models, plus what
it cannot know: the one error shape on every operation, the API key and which permission
(and so which roles) each operation needs, and request schemas that routes describe by hand
(a body that is one object or a list of them)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from salingjaga.auth.deps import public, require
from salingjaga.auth.permissions import roles_for
from salingjaga.core.apimodel import documented_models

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["not_found"]},
                "message": {"type": "string"},
                "reason": {"type": "string", "examples": ["content.unknown_url"],
                           "description": "This particular error, stable across releases (the message "
                                          "may be reworded); only on errors that have one"},
                "details": {},
            },
        }
    },
}
# Every operation may answer these: a body too large, a rate limit, a malformed request and
# a bad key are decided before the route runs (a public route refuses an unknown key too).
_ERRORS = {
    "400": "Malformed request",
    "401": "No API key, or an unknown or revoked one",
    "403": "The caller's role may not do this",
    "404": "Not found, or not visible to the caller",
    "409": "Conflicts with stored state",
    "413": "Body too large",
    "415": "Unsupported media type",
    "422": "A field is invalid",
    "429": "Rate limited (see Retry-After)",
}
SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key, sent as `Authorization: Bearer <key>`. Keys are issued with "
        "`salingjaga users create` or `POST /api/v1/users` and belong to one user with one role; "
        "each operation lists the roles that may call it (`x-roles`).",
    }
}


def _declared(dependant: Dependant) -> list[str]:
    """Permissions (or "public") declared anywhere in a route's dependency tree."""
    call = dependant.call
    found = [call.permission] if isinstance(call, require) else ["public"] if call is public else []
    return found + [p for sub in dependant.dependencies for p in _declared(sub)]


def permissions(app: FastAPI) -> dict[tuple[str, str], str]:
    """``(method, path)`` -> the permission a route declares ("public" for open routes)."""
    table: dict[tuple[str, str], str] = {}
    for rc in iter_route_contexts(app.routes):
        ctx = rc._route_context
        dependant: Dependant | None = getattr(ctx, "dependant", None)
        methods: set[str] | None = getattr(ctx, "methods", None)
        path: str | None = rc.path
        if dependant is None and isinstance(rc.original_route, APIRoute):
            route = rc.original_route
            dependant, methods, path = route.dependant, route.methods, route.path
        if dependant is None or path is None:
            continue  # Starlette's own routes (/openapi.json, /docs)
        declared = _declared(dependant)
        for method in set(methods or ()) - {"HEAD", "OPTIONS"}:
            table[(method.lower(), path)] = next((p for p in declared if p != "public"), "public")
    return table


def _add_models(components: dict[str, Any]) -> None:
    """Schemas that routes reference by hand (``openapi_extra``), with the models they nest."""
    for model in documented_models():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components.setdefault(model.__name__, schema)


def build(app: FastAPI) -> dict[str, Any]:
    """The whole document for ``app``."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    _add_models(components)
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    needs = permissions(app)
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            permission = needs.get((method, path), "public")
            operation["x-permission"] = permission
            if permission == "public":
                operation["security"] = []
            else:
                roles = sorted(roles_for(permission))
                operation["security"] = [{"apiKey": []}]
                operation["x-roles"] = roles
                note = f"Needs an API key of a role holding `{permission}`: {', '.join(roles)}."
                operation["description"] = f"{operation.get('description', '').rstrip()}\n\n{note}".lstrip()
            responses = operation.setdefault("responses", {})
            for status, label in _ERRORS.items():
                responses[status] = {"description": label, **ref}
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve ``build(app)`` as the app's document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if not app.openapi_schema:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
