"""Signed webhook deliveries to partners, retried with backoff.

A delivery row is written in the transaction that makes the notification, so nothing is
lost; sending happens afterwards, outside any transaction (an HTTP call must never hold the
SQLite write lock). Senders: the request's background task, and
``salingjaga moderation deliver-webhooks`` for retries.

Every connection goes through ``salingjaga.core.outbound``: a URL that is (or resolves to) an
internal address is never contacted, whatever it was when configured, and such a delivery
fails at once rather than being retried (it is a configuration problem, not an outage).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.core.db import Database
from salingjaga.core.ids import new_id
from salingjaga.core.outbound import BlockedDestination, OutboundPolicy, check_url, guarded_client
from salingjaga.core.secretbox import unseal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.models import Notification, WebhookDelivery
from salingjaga.partners.models import Partner

log = logging.getLogger("salingjaga.webhooks")

SIGNATURE_HEADER = "X-SalingJaga-Signature"
MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
TOLERANCE_SECONDS = 300


def sign(secret: str, body: str, timestamp: int) -> str:
    """The signature header value: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: str, header: str, now: int | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Check a signature header as a receiver would (constant time, bounded clock skew)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else int(time.time())) - ts) > tolerance:
        return False
    expected = sign(secret, body, ts).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: 30 s doubling, capped."""
    return timedelta(seconds=min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1)))


def enqueue(session: Session, partner: Partner, notification: Notification) -> str | None:
    """Write a delivery for a partner with a webhook; returns its id (None without one)."""
    if not partner.webhook_url or not partner.webhook_secret:
        return None
    body = json.dumps({"id": notification.id, "type": notification.kind,
                       "created_at": notification.created_at.isoformat(),
                       "data": notification.payload}, ensure_ascii=False, sort_keys=True, default=str)
    delivery = WebhookDelivery(
        id=new_id("whd"), partner_id=partner.id, notification_id=notification.id,
        url=partner.webhook_url, body=body, status="pending", attempts=0, next_attempt_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    return delivery.id


def _claim_due(db: Database, settings: Settings, ids: list[str] | None, limit: int,
               now: datetime) -> list[tuple[str, str, str, str]]:
    """Pick due deliveries and push their next attempt out, so a parallel sender skips them."""
    out = []
    with db.session() as session:
        q = select(WebhookDelivery).where(WebhookDelivery.status == "pending",
                                          WebhookDelivery.next_attempt_at <= now)
        if ids is not None:
            q = q.where(WebhookDelivery.id.in_(ids))
        q = q.order_by(WebhookDelivery.next_attempt_at).limit(limit)
        if db.dialect == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for d in session.scalars(q):
            partner = session.get(Partner, d.partner_id)
            if partner is None or not partner.webhook_secret:
                d.status = "failed"
                d.last_error = "partner has no webhook secret"
                continue
            try:
                secret = unseal(settings.secret_key, partner.webhook_secret)
            except ValueError as exc:
                d.status = "failed"
                d.last_error = str(exc)
                continue
            d.next_attempt_at = now + timedelta(seconds=settings.webhook_timeout_seconds * 2 + 5)
            out.append((d.id, d.url, d.body, secret))
    return out


def deliver_due(db: Database, settings: Settings, *, ids: list[str] | None = None,
                limit: int = 100) -> dict[str, int]:
    """Send due deliveries (or just ``ids``); returns counts of delivered/retrying/failed."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    claimed = _claim_due(db, settings, ids, limit, utcnow())
    if not claimed:
        return counts
    policy = OutboundPolicy.from_setting(settings.webhook_allow_private)
    with guarded_client(policy, settings.webhook_timeout_seconds) as client:
        for delivery_id, url, body, secret in claimed:
            status_code: int | None = None
            error: str | None = None
            blocked = False
            try:
                check_url(url, policy)  # names the reason for spellings httpx cannot parse
                resp = client.post(url, content=body.encode("utf-8"), headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, body, int(time.time())),
                    "User-Agent": "SalingJaga-Webhooks/1",
                })
                status_code = resp.status_code
                if not 200 <= resp.status_code < 300:
                    error = f"HTTP {resp.status_code}"
            except BlockedDestination as exc:
                error = f"blocked: {exc}"[:500]
                blocked = True
            except httpx.InvalidURL as exc:  # not an HTTPError: it would end the whole batch
                error = f"invalid URL: {exc}"[:500]
                blocked = True
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
            with db.session() as session:
                d = session.get(WebhookDelivery, delivery_id)
                if d is None:
                    continue
                d.attempts += 1
                d.last_status_code = status_code
                d.last_error = error
                if error is None:
                    d.status = "delivered"
                    d.delivered_at = utcnow()
                    counts["delivered"] += 1
                    record(session, "system:webhooks", "webhook.delivered", "webhook_delivery", d.id,
                           {"partner_id": d.partner_id, "attempts": d.attempts})
                elif blocked:
                    d.status = "failed"
                    counts["failed"] += 1
                    log.warning("webhook %s refused: %s", d.id, error)
                    record(session, "system:webhooks", "webhook.blocked", "webhook_delivery", d.id,
                           {"partner_id": d.partner_id, "error": error})
                elif d.attempts >= MAX_ATTEMPTS:
                    d.status = "failed"
                    counts["failed"] += 1
                    record(session, "system:webhooks", "webhook.failed", "webhook_delivery", d.id,
                           {"partner_id": d.partner_id, "attempts": d.attempts, "error": error})
                else:
                    d.next_attempt_at = utcnow() + backoff(d.attempts)
                    counts["retrying"] += 1
                    log.info("webhook %s failed (%s); retry %d", d.id, error, d.attempts)
    return counts


def deliver_quietly(db: Database, settings: Settings, ids: list[str]) -> None:
    """Background-task entry point: deliver these (and any other due ones), never raise."""
    try:
        if ids:
            deliver_due(db, settings, ids=ids)
        deliver_due(db, settings, limit=20)
    except Exception:  # a webhook problem must never break the request that caused it
        log.exception("webhook delivery failed")


def delivery_status(session: Session, notification_id: str) -> list[dict[str, Any]]:
    """The deliveries of one notification (for the partner's view)."""
    rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.notification_id == notification_id))
    return [{"id": d.id, "status": d.status, "attempts": d.attempts,
             "last_status_code": d.last_status_code} for d in rows]
