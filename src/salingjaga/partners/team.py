"""An office's staff page (``/team``): its members and open invitations, and inviting a
colleague by e-mail. A partner admin manages their own office; an administrator any office
(``?partner=``). The invitation and the account belong to ``auth``; the e-mail is written by
the web shell (``web.invite``)."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.invitations import invite, pending_invitations
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.core.errors import APIError, NotFound
from salingjaga.core.routing import Router
from salingjaga.partners.models import Partner
from salingjaga.partners.service import get_partner
from salingjaga.web.csrf import page_guard
from salingjaga.web.invite import send_invitation
from salingjaga.web.pages import render_app

router = Router(include_in_schema=False, dependencies=[Depends(page_guard)])


def _office(session: Session, who: Principal, partner_id: str | None) -> Partner:
    """The office this person manages: their own, or (an administrator) the one asked for."""
    if who.role in PARTNER_ROLES:
        if partner_id and partner_id != who.partner_id:
            raise NotFound(f"partner {partner_id} not found", reason="partner.unknown", params={"ref": partner_id})
        return get_partner(session, who.partner_id or "")
    if not partner_id:
        raise NotFound("choose an office: /team?partner=<id>", reason="partner.not_chosen")
    return get_partner(session, partner_id)


def _page(request: Request, session: Session, office: Partner, error: str | APIError = "",
          status: int = 200) -> Response:
    """The team page; ``error`` is a refused invitation (said by its reason in the page's
    language) or ``mail_failed``."""
    members = list(session.scalars(select(User).where(User.partner_id == office.id).order_by(User.name)))
    return render_app(request, "partners/team.html", {
        "office": office, "members": members, "invitations": pending_invitations(session, office.id),
        "roles": sorted(PARTNER_ROLES), "error": error, "done": request.query_params.get("done")}, status=status)


@router.get("/team", response_class=HTMLResponse)
def team_page(
    request: Request,
    partner: str | None = None,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.members")),
) -> Response:
    """The office's members and open invitations."""
    return _page(request, session, _office(session, who, partner))


@router.post("/team/invitations", response_class=HTMLResponse)
def team_invite(
    request: Request,
    partner: str = Form(""),
    email: str = Form(..., max_length=320),
    name: str = Form("", max_length=200),
    role: str = Form("partner_reporter"),
    language: str = Form("id"),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.members")),
) -> Response:
    """Invite a colleague: the link goes out by e-mail once the invitation is stored; a
    mail server that refuses leaves no invitation behind."""
    office = _office(session, who, partner or None)
    settings = request.app.state.settings
    try:
        issued = invite(session, email=email, name=name, role=role, partner_id=office.id, language=language,
                        actor=who, secret_key=settings.secret_key)
        session.flush()
        send_invitation(settings, issued, office.name)
    except APIError as exc:
        session.rollback()
        return _page(request, session, office, exc, exc.status)
    except OSError:
        session.rollback()
        return _page(request, session, office, "mail_failed", 503)
    session.commit()
    suffix = f"&partner={office.id}" if who.role not in PARTNER_ROLES else ""
    return RedirectResponse(f"/team?done=invited{suffix}", status_code=303)
