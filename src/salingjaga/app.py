"""Builds the FastAPI app from the domain routers. No module-level app: ``create_app`` takes
its settings, so tests and several servers can each have their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import text

from salingjaga import __version__
from salingjaga.auth.deps import public
from salingjaga.db import Database
from salingjaga.domains import domain_modules, import_all_models
from salingjaga.errors import install_error_handlers
from salingjaga.settings import Settings
from salingjaga.stream.base import make_transport

health = APIRouter(tags=["health"])


@health.get("/healthz", dependencies=[Depends(public)])
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok", "version": __version__}


def create_app(settings: Settings | None = None, *, start_workers: bool = True) -> FastAPI:
    """The application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    settings.ensure_dirs()
    import_all_models()
    db = Database(settings.database_url)
    stream = make_transport(db, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_workers:
            stream.start()
        try:
            yield
        finally:
            stream.stop()
            db.dispose()

    app = FastAPI(
        title="SalingJaga",
        version=__version__,
        description="Open election-integrity platform: trusted-flagger notices, layered "
        "moderation, election rules, the Election Guide Center and transparency reports.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.stream = stream
    install_error_handlers(app)

    @app.get("/readyz", tags=["health"], dependencies=[Depends(public)])
    def readyz() -> dict[str, Any]:
        """Readiness: the database answers."""
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ready", "database": db.dialect, "stream_pending": stream.pending()}

    app.include_router(health)
    for module in domain_modules("middleware"):
        module.install(app, settings)
    for module in domain_modules("api"):
        app.include_router(module.router)
    for module in domain_modules("web"):
        app.include_router(module.router)
    return app
