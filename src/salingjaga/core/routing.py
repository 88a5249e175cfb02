"""The router every domain declares its routes on.

FastAPI finds a request's route by asking each included router in turn, and each router
asks each of its routes (a regular expression and some bookkeeping per route). With ~150
routes a request for the moderation queue paid ~300 us and a console page ~600 us before
its handler ran: 5-10% of a claim's CPU. ``Router`` answers "none of mine" at once when the
path is none of its routes' paths and does not start with the fixed part (up to the first
parameter) of any of them, so a request only walks the routes of the router that holds it.
The answer is the same as FastAPI's own: such a path can match none of them
(``tests/test_routing.py`` checks every route of the application both ways).

A plain ``def`` route's transaction ends in the thread that ran it (``end_transactions``):
FastAPI validates such a route's answer in a second worker thread and ends the request's
session in a third, and a transaction left open across those hops held its connection (and
on SQLite the writer) while it waited for a free thread that the requests waiting on that
very connection or writer were occupying. Under a burst the server stopped.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette._utils import get_route_path
from starlette.routing import Match, Route
from starlette.types import Scope


def end_transactions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` (a plain ``def`` route), committing the sessions it was given once it
    returns, in its own thread; an exception leaves them to the dependency's rollback."""

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session) and (value.in_transaction() or value.new or value.dirty
                                               or value.deleted):
                value.commit()
        return result

    return run


class Router(APIRouter):
    """An ``APIRouter`` that rules itself out by path before matching route by route."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paths_key: tuple[int, ...] | None = None
        self._paths: Paths | None = None
        self._nested: list[Router] = []  # routers included here, as of the last collect

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Register a route; a plain ``def`` one ends its transactions in its own thread."""
        if not inspect.iscoroutinefunction(endpoint) and _takes_session(endpoint):
            endpoint = end_transactions(endpoint)
        if getattr(endpoint, FAST_PATH, None) is not None:
            kwargs.setdefault("route_class_override", FastPathRoute)
        super().add_api_route(path, endpoint, **kwargs)

    def _shape(self) -> tuple[int, ...]:
        """Changes when a route is added here or to a router included here (asked on every
        request: a length per router, no walk over the routes)."""
        if not self._nested:
            return (len(self.routes),)
        return (len(self.routes), *(n for child in self._nested for n in child._shape()))

    def paths(self) -> Paths | None:
        """The paths this router's routes can take, nested routers included; None when a
        route has no path to read them from (the router is then always asked in full)."""
        key = self._shape()
        if key != self._paths_key:
            self._paths = self._collect()
            self._paths_key = key
        return self._paths

    def _collect(self) -> Paths | None:
        exact: set[str] = set()
        prefixes: set[str] = set()
        self._nested = [child for r in self.routes if isinstance(child := getattr(r, "original_router", None), Router)]
        for route in self.routes:
            path = getattr(route, "path", None)
            child = getattr(route, "original_router", None)
            if isinstance(route, Route) and isinstance(path, str) and "{" not in path:
                exact.add(path)  # a route without parameters matches its path exactly
            elif isinstance(path, str):
                prefixes.add(path.split("{", 1)[0])
            elif isinstance(child, Router):
                inner = child.paths()
                outer = getattr(getattr(route, "include_context", None), "prefix", None)
                if inner is None or not isinstance(outer, str):
                    return None
                exact.update(outer + p for p in inner.exact)
                prefixes.update(outer + p for p in inner.prefixes)
            else:
                return None
        return Paths(frozenset(exact), tuple(sorted(prefixes)))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """FastAPI's answer, or NONE straight away for a path none of the routes can take."""
        paths = self.paths()
        outer = _include_prefix(scope, self)
        if paths is not None and outer == "" and not paths.admits(get_route_path(scope)):
            return Match.NONE, {}
        return super().matches(scope)


FAST_PATH = "fast_path"
FastPath = Callable[[Request], Response | None]


def fast_path(answer: FastPath) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a route a fast path: ``answer(request)`` runs first, on the event loop, and its
    response is sent as it is; None hands the request to the route as declared (its
    parameters, dependencies and validation). For routes that answer most requests from
    memory (the public guide at election-day load): FastAPI's parameter and dependency
    machinery cost more than the answer. ``answer`` must decide only what the declared
    route would decide the same way (it sees the matched path parameters, nothing parsed)."""

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        setattr(endpoint, FAST_PATH, answer)
        return endpoint

    return mark


class FastPathRoute(APIRoute):
    """An ``APIRoute`` whose endpoint carries a fast path (``fast_path``); the OpenAPI
    description and every request the fast path declines go the declared way."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        declared = super().get_route_handler()
        answer: FastPath = getattr(self.endpoint, FAST_PATH)

        async def handler(request: Request) -> Response:
            quick = answer(request)
            return quick if quick is not None else await declared(request)

        return handler


@dataclass(frozen=True)
class Paths:
    """The paths routes take: exactly (routes without parameters) or by their fixed start."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def admits(self, path: str) -> bool:
        """Whether some route might match ``path`` (no route can when this says no)."""
        return path in self.exact or path.startswith(self.prefixes)


def _include_prefix(scope: Scope, router: Router) -> str | None:
    """The prefix ``router`` was included under for this match (FastAPI notes the inclusion
    in the scope before asking); None when that cannot be read, and no shortcut is taken.
    The application includes its routers without a prefix; only then is the shortcut taken."""
    included = scope.get("fastapi", {}).get("included_router")
    if getattr(included, "original_router", None) is not router:
        return None
    prefix = getattr(getattr(included, "include_context", None), "prefix", None)
    return prefix if isinstance(prefix, str) else None


def _takes_session(endpoint: Callable[..., Any]) -> bool:
    """Whether any parameter of ``endpoint`` is annotated as a SQLAlchemy ``Session``."""
    try:
        hints = inspect.signature(endpoint, eval_str=True).parameters.values()
    except (NameError, TypeError):  # an annotation that cannot be resolved here: wrap anyway
        return True
    return any(p.annotation is Session for p in hints)
