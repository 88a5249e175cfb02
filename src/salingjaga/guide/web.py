"""Public guide pages: ``/panduan/...`` in Bahasa Indonesia, ``/guide/...`` in English.

Server-rendered, readable on a phone, cached like the JSON API (ETag, Last-Modified, a
short in-process cache). The countdown is computed on the server; one tiny inline script
(allowed by its hash in the page's Content-Security-Policy, needing no network) keeps it
right when a page stays open past midnight. Anything else that tried to run a script is
refused by the same policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from datetime import date
from importlib import resources
from typing import Any

from babel.dates import format_date
from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from salingjaga.auth.deps import public
from salingjaga.core.errors import NotFound
from salingjaga.core.routing import Router
from salingjaga.guide import service
from salingjaga.guide.api import cached_read
from salingjaga.guide.caching import cache_headers, make_etag, not_modified
from salingjaga.guide.editor_web import router as editor_router
from salingjaga.regions.elections import all_elections, get_election
from salingjaga.web.pages import render

router = Router(include_in_schema=False)
# The app includes each side by side (see ``app.create_app``): the public guide, then the
# guide editor (``editor_web``).
routers = (router, editor_router)

# Updates every [data-countdown] element from the visitor's own clock (WIB dates).
COUNTDOWN_JS = (
    "(function(){var d=document.querySelectorAll('[data-countdown]');"
    "var now=new Date(Date.now()+7*3600e3);"
    "var t=Date.UTC(now.getUTCFullYear(),now.getUTCMonth(),now.getUTCDate());"
    "for(var i=0;i<d.length;i++){var p=d[i].getAttribute('data-countdown').split('-');"
    "var n=Math.round((Date.UTC(+p[0],p[1]-1,+p[2])-t)/864e5);"
    "if(n>=0){var v=d[i].querySelector('[data-days]');if(v){v.textContent=String(n);}}}"
    "document.documentElement.setAttribute('data-countdown-ready','1');})();"
)
GUIDE_CSS = resources.files("salingjaga.guide").joinpath("templates/guide/guide.css").read_text("utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# Only our own files and these two inline blocks may run or style the page: an injected
# <script>, on* handler or style in guide text would be refused by the browser.
CSP = ("default-src 'self'; script-src 'self' " + _sha256(COUNTDOWN_JS) + "; style-src 'self' "
       + _sha256(GUIDE_CSS) + "; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
_REGION_CODE = re.compile(r"^[0-9]{2}(\.[0-9]{2})?$")


def _date_formatter(lang: str) -> Callable[[str], str]:
    def fmt(iso: str) -> str:
        return format_date(date.fromisoformat(iso), format="long", locale=lang)

    return fmt


def _other(lang: str) -> str:
    return "en" if lang == "id" else "id"


def _page(request: Request, lang: str, template: str, payload: dict[str, Any],
          context: dict[str, Any]) -> Response:
    """Render with validators and the policy, or 304 when the visitor's copy is current."""
    etag = make_etag("page", [payload["etag"]])
    headers = cache_headers(etag, payload["last_modified"])
    headers["Content-Security-Policy"] = CSP
    if not_modified(request, etag, payload["last_modified"]):
        return Response(status_code=304, headers=headers)
    response = render(request, template, {
        **context, "g": payload, "countdown_js": COUNTDOWN_JS, "guide_css": GUIDE_CSS,
        "switch": payload["alternate"], "fmt_date": _date_formatter(lang)}, lang=lang)
    response.headers.update(headers)
    return response


def _switch_or_pick(request: Request, election: str, lang: str, code: str | None = None
                    ) -> Response | None:
    """``?lang=`` of the other language goes to the other path (the shared layout's switch
    links that way); the region picker's ``?region=`` goes to the region's page."""
    wanted = request.query_params.get("lang")
    if wanted in service.LANGS and wanted != lang:
        return RedirectResponse(service.guide_url(election, wanted, code), status_code=303)
    picked = (request.query_params.get("region") or "").strip()
    if code is None and _REGION_CODE.match(picked):
        return RedirectResponse(service.guide_url(election, lang, picked), status_code=303)
    return None


def _guide(request: Request, election: str, lang: str) -> Response:
    get_election(election)
    redirect = _switch_or_pick(request, election, lang)
    if redirect is not None:
        return redirect
    today = service.today_wib()
    payload = cached_read(request, ("guide", election, lang, today),
                          lambda s: service.published_guide(s, election, lang, today))
    others = [{"slug": e.slug, "name": e.name.get(lang, e.slug),
               "url": service.guide_url(e.slug, lang)}
              for e in all_elections().values() if e.slug != election]
    return _page(request, lang, "guide/guide.html", payload, {"other_elections": others})


def _region(request: Request, election: str, code: str, lang: str) -> Response:
    get_election(election)
    redirect = _switch_or_pick(request, election, lang, code)
    if redirect is not None:
        return redirect
    today = service.today_wib()
    payload = cached_read(request, ("region", election, code, lang, today),
                          lambda s: service.published_region(s, election, code, lang, today))
    return _page(request, lang, "guide/region.html", payload, {})


@router.get("/panduan/{election}", dependencies=[Depends(public)])
def panduan(request: Request, election: str) -> Response:
    """Pusat Panduan Pemilu (Bahasa Indonesia)."""
    return _guide(request, election, "id")


@router.get("/guide/{election}", dependencies=[Depends(public)])
def guide_en(request: Request, election: str) -> Response:
    """Election Guide Center (English)."""
    return _guide(request, election, "en")


@router.get("/panduan/{election}/wilayah/{code}", dependencies=[Depends(public)])
def panduan_wilayah(request: Request, election: str, code: str) -> Response:
    """Calon dan informasi setempat per wilayah."""
    return _region(request, election, code, "id")


@router.get("/guide/{election}/regions/{code}", dependencies=[Depends(public)])
def guide_region_en(request: Request, election: str, code: str) -> Response:
    """Candidates and local information for a region."""
    return _region(request, election, code, "en")


@router.get("/panduan", dependencies=[Depends(public)])
def panduan_index(request: Request) -> Response:
    """The guide of the election nearest today."""
    return _nearest(request, "id")


@router.get("/guide", dependencies=[Depends(public)])
def guide_index(request: Request) -> Response:
    """The guide of the election nearest today."""
    return _nearest(request, "en")


def _nearest(request: Request, lang: str) -> Response:
    today = service.today_wib()
    elections = sorted(all_elections().values(), key=lambda e: abs((e.voting_day - today).days))
    if not elections:
        raise NotFound("no elections are configured", reason="guide.no_elections")
    return RedirectResponse(service.guide_url(elections[0].slug, lang), status_code=307)
