"""Outgoing e-mail: through an SMTP server in production, or into a local file outbox
(``<data_dir>/outbox/*.eml``, one standard message file each) in development, where a person
opens them in a mail reader and the tests read them back. No domain knowledge here: callers
pass the recipient, subject and text."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow


def outbox_dir(settings: Settings) -> Path:
    """Where the file transport writes messages."""
    return Path(settings.data_dir) / "outbox"


def build_message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["Message-ID"] = f"<{new_id('msg')}@salingjaga>"
    message.set_content(text)
    return message


def send_mail(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one message; an SMTP failure raises ``OSError`` (``smtplib`` errors are ones),
    so the caller can roll back what the message announced."""
    message = build_message(settings, to, subject, text)
    if settings.mail_transport == "smtp":
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
        return
    folder = outbox_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{new_id('mail')}.eml"
    (folder / name).write_bytes(message.as_bytes())


def read_outbox(settings: Settings) -> list[EmailMessage]:
    """The messages in the file outbox, oldest first."""
    folder = outbox_dir(settings)
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=default_policy)
    out = []
    for path in sorted(folder.glob("*.eml")):
        parsed = parser.parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        out.append(parsed)
    return out
