"""Rendering pages: one Jinja2 environment per language over the shared layout and every
domain's ``templates/`` folder. Autoescaping is on for every template, so user text shows
as text. A domain's templates live in ``<domain>/templates/<domain>/...`` and are named
``"<domain>/..."``; the shared layout and partials are ``web/templates/web/`` (``"web/..."``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import BaseLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from salingjaga.auth.permissions import roles_for
from salingjaga.web import display
from salingjaga.web.i18n import LANGUAGES, pick_language, translations


def template_loader() -> BaseLoader:
    """``"<domain>/page.html"`` is read from ``salingjaga/<domain>/templates/<domain>/`` and
    nowhere else: one prefix per domain (not one search path over every folder), so no
    domain can shadow another's template, or the layout, by shipping a file of that name."""
    from salingjaga.domains import DOMAINS

    loaders: dict[str, BaseLoader] = {}
    for domain in DOMAINS:
        try:
            folder = resources.files(f"salingjaga.{domain}").joinpath("templates", domain)
        except ModuleNotFoundError:
            continue
        if folder.is_dir():
            loaders[domain] = FileSystemLoader(str(Path(str(folder))))
    return PrefixLoader(loaders)


@cache
def environment(lang: str) -> Environment:
    """The template environment for one language."""
    env = Environment(
        loader=template_loader(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(display.filters(translations(lang).gettext, lang))
    env.globals["guide_path"] = "/panduan" if lang == "id" else "/guide"
    return env


def request_language(request: Request) -> str:
    """The language of this request (``?lang=``, cookie, Accept-Language, default id)."""
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )


def _can(principal: Any) -> Callable[[str], bool]:
    """``can("perm")`` in templates: whether the signed-in role holds a permission (an
    undeclared permission, e.g. of a domain not installed, is simply False)."""

    def can(permission: str) -> bool:
        if principal is None:
            return False
        try:
            return bool(principal.role in roles_for(permission))
        except KeyError:
            return False

    return can


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    """Render a page in the request's language with the shared context."""
    language = lang or request_language(request)
    principal = getattr(request.state, "principal", None)
    ctx: dict[str, Any] = {
        "request": request,
        "lang": language,
        "languages": LANGUAGES,
        "principal": principal,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "can": _can(principal),
        "path": request.url.path,
    }
    ctx.update(context or {})
    html = environment(language).get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


# Pages of the signed-in application allow scripts only from this site: even if some user
# text escaped escaping, an injected <script> would not run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def render_app(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """``render`` for the portal, console, desk and admin: adds the strict CSP and no-store
    (pages hold case data that must not linger in shared caches)."""
    response = render(request, template, context, status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response
