"""FastAPI dependencies: the request's database session, its caller, and permission checks.

Every route declares ``Depends(require("perm"))`` or ``Depends(public)``; the hardening
tests walk the route table and fail on a route that declares neither.

Dependencies that only read memory are ``async def``: FastAPI runs a plain ``def``
dependency in the thread pool, and a hop to a thread per dependency per request cost more
than the work itself. Those that may touch the database hop to a thread only when they do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from salingjaga.auth.cache import AuthCache
from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.auth.service import authenticate_key, hash_key
from salingjaga.core.db import Database
from salingjaga.core.errors import Forbidden, Unauthorized
from salingjaga.core.settings import Settings


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session and one transaction per request.

    Routes that acknowledge something (a receipt) call ``session.commit()`` themselves before
    answering; whatever is left is committed here, and any error rolls everything back.
    Opening a session does no I/O, so it happens on the event loop; only a commit or a
    rollback that has a transaction to end goes to a worker thread (a route that committed
    itself costs no second hop; a plain ``def`` route's transactions end in its own thread,
    see ``routing.end_transactions``). That thread is taken outside the shared thread pool's
    limit, as FastAPI does for a dependency's exit: the session holds a connection (on
    SQLite, the writer) that requests occupying the pool's threads may be waiting for.
    """
    db: Database = request.app.state.db
    session = db.sessionmaker()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await _end_unbounded(session, False)
        else:
            session.close()
        raise
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        await _end_unbounded(session, True)
    else:
        session.close()


async def _end_unbounded(session: Session, commit: bool) -> None:
    # A limiter of its own per call: never waits for the shared pool's threads, and is not
    # cancelled half-way (a disconnecting client must not leave the transaction open).
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(_end, session, commit, limiter=anyio.CapacityLimiter(1))


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _bearer(request: Request) -> str | None:
    return bearer_token(request.headers.get("authorization"))


# Other ways of proving identity than an API key (the web session cookie): each takes the
# request and a db session and returns a Principal or None. A domain's ``web`` module
# offers one as ``PRINCIPAL_LOADER``; the app lists them in ``app.state.principal_loaders``.
PrincipalLoader = Callable[[Request, Session], Principal | None]


async def optional_principal(request: Request) -> Principal | None:
    """The caller if one is identified, else None.

    API keys are answered from the app's short-lived ``AuthCache`` when they can be (no
    query, no thread); see ``auth/cache.py`` for what that means for revocation. A look-up
    (a cache miss, a browser's session cookie) runs in a worker thread in its own short
    read transaction, not the request's: a route that hands its work to a writer (notice
    intake) must not hold a transaction open while it waits (on SQLite every
    transaction holds the write lock), and a route that needs no database opens nothing.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = _bearer(request)
    principal = None
    if token is not None:
        principal = await principal_for_key(request.app, token)
        if principal is None:
            raise Unauthorized("the API key is unknown or revoked", reason="key.unknown")
    elif loaders := getattr(request.app.state, "principal_loaders", ()):
        principal = await run_in_threadpool(_load_other, request, request.app.state.db, loaders)
    request.state.principal = principal
    return principal


async def principal_for_key(app: Any, token: str) -> Principal | None:
    """The Principal holding an API key, or None for a key no live user holds.

    Both answers come from the app's ``AuthCache`` when it has them; a key refused a moment
    ago is refused again without a query, so made-up keys cost the database nothing on
    repeat. Shared by the rate limit (which buckets on the principal) and the route
    dependencies, so a request is looked up once.
    """
    cache: AuthCache = app.state.auth_cache
    key_hash = hash_key(token)
    principal = cache.get(key_hash)
    if principal is not None or cache.is_unknown(key_hash):
        return principal
    principal = await run_in_threadpool(_check_key, app.state.db, token)
    if principal is None:
        cache.put_unknown(key_hash)
    else:
        cache.put(key_hash, principal)
    return principal


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _check_key(db: Database, token: str) -> Principal | None:
    with db.session() as session:
        return authenticate_key(session, token)


def _load_other(request: Request, db: Database, loaders: list[PrincipalLoader]) -> Principal | None:
    with db.session() as session:
        for loader in loaders:
            principal = loader(request, session)
            if principal is not None:
                return principal
    return None


async def current_principal(request: Request) -> Principal:
    """The caller; 401 when there is none."""
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <api key>'", reason="key.missing")
    return principal


class require:
    """Dependency that admits only roles holding ``permission`` (403 otherwise)."""

    def __init__(self, permission: str) -> None:
        roles_for(permission)  # fail at import time on an undeclared permission
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        # One dependency, not a chain of three: FastAPI's resolution of each nested
        # dependency cost more than the checks.
        principal = await current_principal(request)
        if principal.role not in roles_for(self.permission):
            raise Forbidden(f"role {principal.role} may not {self.permission}", reason="role.not_allowed",
                            params={"role": principal.role})
        return principal


async def public() -> None:
    """Marks a route that anyone may call (health, public pages, reference data)."""
    return None
