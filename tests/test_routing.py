"""The routers' path shortcut picks the same route FastAPI's full walk picks, for every
route of the application, and plain HTTP answers (404, 405, trailing slash) are unchanged."""

import re
from typing import Any

from starlette.routing import Match

from salingjaga.core.routing import Router
from tests.conftest import bearer

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _sample_paths(app: Any) -> list[str]:
    """Every route's path with its parameters filled in, with and without a trailing
    slash, one level deeper, and a few that no route takes."""
    paths = {"/", "/nowhere", "/api/v1", "/api/v1/", "/api/v1/nothing/here", "/consolex", "/static/app.css"}
    for top in app.router.routes:
        router = getattr(top, "original_router", None)
        contexts = top.effective_route_contexts() if router is not None else []
        for ctx in contexts:
            route = ctx.starlette_route or ctx.original_route
            path = getattr(route, "path", None) or getattr(ctx, "path", None)
            if not isinstance(path, str):
                continue
            filled = re.sub(r"\{[^}]+\}", "x1", path)
            paths.update({filled, filled.rstrip("/") or "/", filled + "/", filled + "/deeper"})
    return sorted(paths)


def _first_match(app: Any, method: str, path: str, shortcut: bool) -> tuple[int, Match]:
    """Index of the top-level route that takes the request, as the application's router
    walks them (the first full match, else the first partial one)."""
    partial: tuple[int, Match] | None = None
    for i, top in enumerate(app.router.routes):
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
                 "query_string": b""}
        router = getattr(top, "original_router", None)
        if isinstance(router, Router) and not shortcut:
            router.paths = lambda: None  # type: ignore[method-assign]  # the full walk
            try:
                match, _ = top.matches(scope)
            finally:
                del router.paths
        else:
            match, _ = top.matches(scope)
        if match == Match.FULL:
            return i, match
        if match == Match.PARTIAL and partial is None:
            partial = (i, match)
    return partial or (-1, Match.NONE)


def test_every_route_is_found_as_by_the_full_walk(app):
    routers = [t.original_router for t in app.router.routes if isinstance(getattr(t, "original_router", None), Router)]
    assert len(routers) >= 15, "the domains declare their routes on salingjaga.core.routing.Router"
    assert all(r.paths() is not None for r in routers)
    paths = _sample_paths(app)
    assert len(paths) > 300
    checked = 0
    for path in paths:
        for method in METHODS:
            assert _first_match(app, method, path, True) == _first_match(app, method, path, False), (method, path)
            checked += 1
    assert checked == len(paths) * len(METHODS)


def test_a_router_asked_with_a_path_it_cannot_take_says_none_at_once(app):
    moderation = next(t for t in app.router.routes
                      if isinstance(getattr(t, "original_router", None), Router)
                      and "/api/v1/queue/claim" in t.original_router.paths().exact)
    assert moderation.original_router.paths().admits("/api/v1/cases/case_1")
    assert not moderation.original_router.paths().admits("/api/v1/notices")
    scope = {"type": "http", "method": "POST", "path": "/api/v1/notices", "root_path": "", "headers": []}
    assert moderation.matches(scope)[0] == Match.NONE


def test_a_route_added_later_is_found(app):
    router = Router(prefix="/extra")
    app.include_router(router)
    assert router.paths() is not None and not router.paths().exact

    @router.get("/late")
    def late() -> dict[str, str]:
        return {"late": "yes"}

    assert "/extra/late" in router.paths().exact

    inner = Router(prefix="/inner")
    router.include_router(inner)
    assert router.paths().prefixes == ()

    @inner.get("/{item}")
    def item(item: str) -> dict[str, str]:
        return {"item": item}

    assert router.paths().prefixes == ("/extra/inner/",)  # a route added to a nested router counts too


def test_http_answers_are_unchanged(client, world):
    key = world.key("moderator")
    assert client.get("/api/v1/nothing/here", headers=bearer(key)).status_code == 404
    assert client.get("/api/v1/queue/claim", headers=bearer(key)).status_code == 405
    assert client.post("/api/v1/queue/claim", headers=bearer(key)).status_code in (200, 204)
    slash = client.get("/api/v1/me/", headers=bearer(key), follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"].endswith("/api/v1/me")
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
