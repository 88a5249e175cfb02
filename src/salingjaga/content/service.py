"""Intake of accounts and content, the state changes moderation applies to them, and the
account kind (GPPPA or not) reviewers set. This domain alone writes accounts and content
items; other domains change them through these functions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.content.media import decode_media
from salingjaga.content.models import ACCOUNT_KINDS, Account, ContentItem
from salingjaga.content.schemas import AccountIn, ContentIn, IntakeResult
from salingjaga.core.batch import each_row
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.regions.elections import get_election
from salingjaga.regions.service import get_region

MAX_BATCH = 1000
M = TypeVar("M", bound=BaseModel)


def upsert_account(session: Session, data: AccountIn, actor: Principal = SYSTEM) -> tuple[Account, bool]:
    """Create an account, or refresh the platform-owned fields of an existing one.

    Returns (account, created). Moderation state is never touched by intake.
    """
    if data.region is not None:
        get_region(data.region)
    existing = session.scalar(select(Account).where(Account.platform_id == data.platform_id))
    if existing is not None:
        existing.handle = data.handle
        existing.display_name = data.display_name
        existing.verified = data.verified
        existing.bio = data.bio
        existing.followers = data.followers
        if data.region is not None:
            existing.region_code = data.region
        if existing.kind != data.kind and existing.kind_source == "platform":
            record(session, actor, "account.kind_changed", "account", existing.id,
                   {"from": existing.kind, "to": data.kind})
            existing.kind = data.kind
        return existing, False
    account = Account(
        id=new_id("acc"),
        platform_id=data.platform_id,
        handle=data.handle,
        display_name=data.display_name,
        kind=data.kind,
        verified=data.verified,
        bio=data.bio,
        region_code=data.region,
        followers=data.followers,
        platform_created_at=data.created_at,
        strikes=0,
        restricted_features=[],
        banned=False,
    )
    session.add(account)
    session.flush()
    record(session, actor, "account.created", "account", account.id,
           {"platform_id": data.platform_id, "kind": data.kind})
    return account, True


def ingest_content(
    session: Session, data: ContentIn, data_dir: Path, actor: Principal = SYSTEM
) -> tuple[ContentItem, bool]:
    """Take in one content item; an existing ``platform_id`` refreshes its reach only."""
    existing = session.scalar(select(ContentItem).where(ContentItem.platform_id == data.platform_id))
    if existing is not None:
        existing.views = max(existing.views, data.views)
        existing.shares = max(existing.shares, data.shares)
        return existing, False
    if data.account is not None:
        if data.account_id is not None and data.account_id != data.account.platform_id:
            raise Invalid("account_id and account.platform_id disagree", reason="content.author_twice")
        account, _ = upsert_account(session, data.account, actor)
    elif data.account_id is not None:
        found = session.scalar(select(Account).where(Account.platform_id == data.account_id))
        if found is None:
            raise Invalid(f"unknown account {data.account_id!r}: send it to /api/v1/accounts "
                          "first or inline it as 'account'", reason="content.account_not_found",
                          params={"ref": data.account_id})
        account = found
    else:
        raise Invalid("content needs its author: account_id or account", reason="content.author_missing")
    if data.region is not None:
        get_region(data.region)
    if data.election is not None:
        try:
            get_election(data.election)
        except NotFound as exc:
            raise Invalid(exc.message, reason=exc.reason, params=exc.params) from exc
    media = [decode_media(m.model_dump(), data_dir) for m in data.media]
    item = ContentItem(
        id=new_id("cnt"),
        platform_id=data.platform_id,
        url=data.url,
        account_id=account.id,
        kind=data.kind,
        caption=data.caption,
        transcript=data.transcript,
        on_screen_text=data.on_screen_text,
        hashtags=[h.lstrip("#") for h in data.hashtags],
        media=media,
        language=data.language,
        region_code=data.region or account.region_code,
        election=data.election,
        creator_ai_label=data.ai_label,
        posted_at=data.posted_at or utcnow(),
        views=data.views,
        shares=data.shares,
        status="active",
        fyp_excluded=False,
        age_restricted=False,
        labels=[],
    )
    session.add(item)
    session.flush()
    record(session, actor, "content.created", "content", item.id,
           {"platform_id": data.platform_id, "kind": data.kind, "account_id": account.id})
    return item, True


def run_batch(
    session: Session,
    rows: list[Any],
    schema: type[M],
    handler: Callable[[M], tuple[Any, bool]],
) -> list[IntakeResult]:
    """Validate and apply each row in its own savepoint: a bad row is reported, not fatal."""
    return [
        IntakeResult(index=o.index, status="error", error=o.error) if o.error is not None
        else IntakeResult(index=o.index, status="created" if o.value[1] else "existing",
                          id=o.value[0].id)
        for o in each_row(session, rows, schema, handler, limit=MAX_BATCH, what="batch")
    ]


def get_content(session: Session, content_id: str) -> ContentItem:
    """A content item by our id or the platform's id, or 404."""
    item = session.get(ContentItem, content_id)
    if item is None:
        item = session.scalar(select(ContentItem).where(ContentItem.platform_id == content_id))
    if item is None:
        raise NotFound(f"content {content_id} not found", reason="content.not_found", params={"ref": content_id})
    return item


def contents_by_reference(session: Session, refs: list[str]) -> dict[str, ContentItem]:
    """``get_content`` for many references at once (our id, else the platform's id): the
    items found, by reference; a reference that names nothing is left out. Two reads at
    most, however many references."""
    found: dict[str, ContentItem] = {}
    for ref in set(refs):
        # Items this session already holds cost no read (as with ``session.get``).
        held = session.identity_map.get(identity_key(ContentItem, ref))
        if isinstance(held, ContentItem):
            found[ref] = held
    wanted = set(refs) - found.keys()
    if wanted:
        found.update((i.id, i) for i in session.scalars(select(ContentItem).where(ContentItem.id.in_(wanted))))
    rest = wanted - found.keys()
    if rest:
        for item in session.scalars(select(ContentItem).where(ContentItem.platform_id.in_(rest))):
            found.setdefault(item.platform_id, item)
    return found


def contents_by_url(session: Session, urls: list[str]) -> dict[str, ContentItem]:
    """The content items with these platform URLs, in one read: the items found, by URL
    (the lowest id when two items share a URL)."""
    wanted = set(urls)
    if not wanted:
        return {}
    found: dict[str, ContentItem] = {}
    for item in session.scalars(select(ContentItem).where(ContentItem.url.in_(wanted)).order_by(ContentItem.id)):
        if item.url is not None:
            found.setdefault(item.url, item)
    return found


def get_account(session: Session, account_id: str) -> Account:
    """An account by our id or the platform's id, or 404."""
    acc = session.get(Account, account_id)
    if acc is None:
        acc = session.scalar(select(Account).where(Account.platform_id == account_id))
    if acc is None:
        raise NotFound(f"account {account_id} not found", reason="content.account_not_found",
                       params={"ref": account_id})
    return acc


def set_account_kind(session: Session, account_id: str, kind: str, actor: Principal | str, *,
                     source: str) -> Account:
    """Set an account's kind (GPPPA or not) and who set it. ``source`` "reviewer" pins the
    kind against later platform intake, which only overwrites kinds the platform itself
    set. ``account_id`` is our id or the platform's; nothing changes (and nothing is
    recorded) when kind and source are already as asked."""
    if kind not in ACCOUNT_KINDS:
        raise Invalid(f"unknown account kind {kind!r}; valid: {', '.join(ACCOUNT_KINDS)}",
                      reason="content.account_kind_unknown")
    account = get_account(session, account_id)
    before = account.kind
    if before != kind or account.kind_source != source:
        account.kind = kind
        account.kind_source = source
        record(session, actor, "account.kind_changed", "account", account.id,
               {"from": before, "to": kind, "source": source})
    return account


def set_content_state(
    session: Session,
    item: ContentItem,
    *,
    actor: Principal | str = SYSTEM,
    reason: str = "",
    status: str | None = None,
    fyp_excluded: bool | None = None,
    age_restricted: bool | None = None,
    add_labels: list[str] | None = None,
    remove_labels: list[str] | None = None,
) -> dict[str, Any]:
    """Change what viewers see of an item; returns the previous state so it can be restored."""
    before = {
        "status": item.status,
        "fyp_excluded": item.fyp_excluded,
        "age_restricted": item.age_restricted,
        "labels": list(item.labels or []),
    }
    if status is not None:
        item.status = status
    if fyp_excluded is not None:
        item.fyp_excluded = fyp_excluded
    if age_restricted is not None:
        item.age_restricted = age_restricted
    labels = list(item.labels or [])
    for label in add_labels or []:
        if label not in labels:
            labels.append(label)
    for label in remove_labels or []:
        if label in labels:
            labels.remove(label)
    item.labels = labels
    after = {
        "status": item.status,
        "fyp_excluded": item.fyp_excluded,
        "age_restricted": item.age_restricted,
        "labels": labels,
    }
    if after != before:
        record(session, actor, "content.state_changed", "content", item.id,
               {"before": before, "after": after, "reason": reason})
    return before


def restore_content_state(
    session: Session, item: ContentItem, before: dict[str, Any], *, actor: Principal | str, reason: str
) -> None:
    """Put an item back as it was before a decision (used when an appeal reverses one)."""
    current = list(item.labels or [])
    set_content_state(
        session,
        item,
        actor=actor,
        reason=reason,
        status=before["status"],
        fyp_excluded=before["fyp_excluded"],
        age_restricted=before["age_restricted"],
        add_labels=[x for x in before["labels"] if x not in current],
        remove_labels=[x for x in current if x not in before["labels"]],
    )


def suspended(account: Account, at: datetime | None = None) -> bool:
    """Whether the account is banned or currently suspended."""
    now = at or utcnow()
    return account.banned or (account.suspended_until is not None and account.suspended_until > now)


def set_account_state(
    session: Session,
    account: Account,
    *,
    actor: Principal | str = SYSTEM,
    reason: str = "",
    strikes: int | None = None,
    restricted_features: list[str] | None = None,
    suspended_until: datetime | bool | None = False,
    banned: bool | None = None,
) -> dict[str, Any]:
    """Change an account's moderation state (moderation's account actions); returns the
    previous state so an appeal can restore it. ``suspended_until=False`` leaves it as is."""
    before = {
        "strikes": account.strikes,
        "restricted_features": list(account.restricted_features or []),
        "suspended_until": account.suspended_until.isoformat() if account.suspended_until else None,
        "banned": account.banned,
    }
    if strikes is not None:
        account.strikes = strikes
    if restricted_features is not None:
        account.restricted_features = list(restricted_features)
    if suspended_until is not False:
        account.suspended_until = suspended_until if isinstance(suspended_until, datetime) else None
    if banned is not None:
        account.banned = banned
    after = {
        "strikes": account.strikes,
        "restricted_features": list(account.restricted_features or []),
        "suspended_until": account.suspended_until.isoformat() if account.suspended_until else None,
        "banned": account.banned,
    }
    if after != before:
        record(session, actor, "account.state_changed", "account", account.id,
               {"before": before, "after": after, "reason": reason})
    return before
