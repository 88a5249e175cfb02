"""The invitation link's page: the invited person sets a password and, for partner and staff
roles, enrols the TOTP second factor with their authenticator app, in one step; then sees
their recovery codes once and signs in. Also the invitation e-mail itself, written in the
invited person's language through the same catalogues as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, public
from salingjaga.auth.invitations import INVITATION_HOURS, Issued, accept, invitation_secret, open_invitation
from salingjaga.auth.second_factor import provisioning_uri
from salingjaga.core.errors import APIError, Invalid
from salingjaga.core.mail import send_mail
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.web.csrf import page_guard
from salingjaga.web.i18n import gettext
from salingjaga.web.pages import render_app

router = Router(include_in_schema=False, dependencies=[Depends(page_guard)])


def invitation_link(settings: Settings, token: str) -> str:
    """The address the e-mail sends the person to."""
    return f"{settings.public_url.rstrip('/')}/invite/{token}"


def send_invitation(settings: Settings, issued: Issued, organisation: str | None) -> None:
    """E-mail the link of a fresh invitation (nothing for a withheld one); raises
    ``OSError`` if the mail server refuses, so the caller rolls the invitation back."""
    if issued.token is None:
        return
    inv = issued.invitation
    lang = inv.language

    def t(message: str, **values: Any) -> str:
        return gettext(lang, message) % values if values else gettext(lang, message)

    if inv.user_id is not None:
        subject = t("Reset your SalingJaga access")
        intro = t("Hello %(name)s, an administrator reset your SalingJaga sign-in.", name=inv.name)
    else:
        subject = t("Your invitation to SalingJaga")
        intro = t("Hello %(name)s, you are invited to SalingJaga as %(role)s of %(organisation)s.",
                  name=inv.name, role=inv.role, organisation=organisation or "SalingJaga")
    lines = [intro, "", t("Open this link to set your password:"), invitation_link(settings, issued.token), "",
             t("The link works once and expires in %(hours)s hours.", hours=INVITATION_HOURS)]
    if inv.totp_secret is not None:
        lines += ["", t("You will also set up a second factor: have an authenticator app on your phone ready.")]
    lines += ["", t("If you did not expect this message, ignore it.")]
    send_mail(settings, inv.email, subject, "\n".join(lines) + "\n")


def _page(request: Request, session: Session, token: str, error: str | APIError = "", status: int = 200) -> Response:
    settings = request.app.state.settings
    try:
        invitation = open_invitation(session, token)
    except APIError as exc:
        return render_app(request, "web/invite.html", {"closed": exc, "gone": exc.status == 410},
                          status=exc.status)
    secret = invitation_secret(invitation, settings.secret_key)
    return render_app(request, "web/invite.html", {
        "invitation": invitation, "token": token, "secret": secret,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)] if secret else [],
        "otpauth": provisioning_uri(secret, invitation.email) if secret else "", "error": error,
    }, status=status)


@router.get("/invite/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
def invitation_page(request: Request, token: str, session: Session = Depends(get_session)) -> Response:
    """The form: password, and the second factor to enrol."""
    return _page(request, session, token)


@router.post("/invite/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
def invitation_submit(
    request: Request,
    token: str,
    password: str = Form(..., max_length=500),
    password_again: str = Form(..., max_length=500),
    code: str = Form("", max_length=20),
    session: Session = Depends(get_session),
) -> Response:
    """Set the password and enrol the second factor; the recovery codes are shown once."""
    settings = request.app.state.settings
    try:
        if password != password_again:
            raise Invalid("password_again: the two passwords differ", reason="password.mismatch")
        done = accept(session, token, password=password, code=code, secret_key=settings.secret_key)
    except APIError as exc:
        session.rollback()
        return _page(request, session, token, error=exc, status=exc.status)
    session.commit()
    return render_app(request, "web/invite_done.html", {"user": done.user, "codes": done.recovery_codes})
