"""The shell's own pages: the landing page and the static files, and beside them the pages
that stand on the shell but belong to the layers below it: signing in and out
(``login.py``), the admin pages of users, keys and roles (``admin_users.py``) and of the
audit log (``admin_audit.py``), and the invitation link's page (``invite.py``). Every domain's
pages are its own (``<domain>/web.py`` with ``<domain>/templates/<domain>/``); the app
includes the ones listed in ``parts.WEB``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import Depends, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, public
from salingjaga.core.errors import NotFound
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.web import admin_audit, admin_users, invite, login
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render, render_app
from salingjaga.web.panels import panels_for

router = Router(include_in_schema=False)
# The app includes each side by side (see ``app.create_app``).
routers = (login.router, invite.router, admin_users.router, admin_audit.router, router)
PRINCIPAL_LOADER = login.PRINCIPAL_LOADER  # a signed-in browser counts as a caller of the API

_STATIC = Path(str(resources.files("salingjaga.web").joinpath("static"))).resolve()
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
          ".png": "image/png", ".ico": "image/x-icon", ".woff2": "font/woff2"}


@router.get("/", response_class=HTMLResponse, dependencies=[Depends(public), Depends(page_guard)])
def home(
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    """The landing page; for a signed-in person, the home of their role: the panels of the
    domains they work in (``web.panels``) above the links to their tasks."""
    who = getattr(request.state, "principal", None)
    if who is None or getattr(who, "via", "") != "session":
        return render(request, "web/home.html", {"panels": []})
    # render_app: the strict CSP and no-store, as on every page of the person's own work
    return render_app(request, "web/home.html", {"panels": panels_for(session, settings, who)})


@router.get("/static/{path:path}", dependencies=[Depends(public)])
def static(path: str) -> FileResponse:
    """Static assets, served locally (no external network), never outside the folder."""
    target = (_STATIC / path).resolve()
    if not target.is_file() or _STATIC not in target.parents or target.suffix not in _TYPES:
        raise NotFound("no such file", reason="file.unknown")
    return FileResponse(target, media_type=_TYPES[target.suffix],
                        headers={"Cache-Control": "public, max-age=3600"})
