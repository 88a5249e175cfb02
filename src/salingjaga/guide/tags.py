"""Notice tags: election content carries a tag whose text and link come from the guide.

A tag applies when detection finds the item election-related, or when a moderator or the
platform's service tags it. Each tagged item has one ``TagAssignment`` row, so counts of
tagged items are exact; a tag a person removed stays removed through re-scans.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.content.service import get_content
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.guide.models import TagAssignment
from salingjaga.guide.schemas import TagIn
from salingjaga.guide.service import tag_text, wib_day
from salingjaga.guide.tagcache import TEXTS, TagCache, TagRow
from salingjaga.regions.elections import Election, all_elections, get_election
from salingjaga.regions.service import get_region

log = logging.getLogger("salingjaga.guide")


ElectionCheck = Callable[[Session, str], bool]
_election_check: list[ElectionCheck] = []


def provide_election_check(check: ElectionCheck) -> None:
    """Set who says whether an item is election-related (detection, at wiring): detection is
    guide's sibling, and siblings do not import each other."""
    _election_check[:] = [check]


def is_election_related(session: Session, content_id: str) -> bool | None:
    """Detection's verdict, or None while no check was provided."""
    return bool(_election_check[0](session, content_id)) if _election_check else None


def pick_election(elections: list[Election], region: str | None, day: date) -> Election | None:
    """The election an item posted on ``day`` in ``region`` most likely concerns: one with a
    period active that day (the nearest voting day if several), else the next one to come
    (the guide then helps people act), else the most recent."""
    in_scope = [e for e in elections if e.in_scope(region)]
    if not in_scope:
        return None
    active = [e for e in in_scope if e.active_periods(day, region)]
    if active:
        return min(active, key=lambda e: (abs((e.voting_day - day).days), e.slug))
    upcoming = [e for e in in_scope if e.voting_day >= day]
    if upcoming:
        return min(upcoming, key=lambda e: (e.voting_day, e.slug))
    return max(in_scope, key=lambda e: (e.voting_day, e.slug))


def resolve_election(item: ContentItem, explicit: str | None = None) -> Election | None:
    """The tag's election: the one named, else the item's, else by region and time."""
    if explicit:
        try:
            return get_election(explicit)
        except NotFound as exc:
            raise Invalid(exc.message, reason=exc.reason, params=exc.params) from exc
    if item.election and item.election in all_elections():
        return all_elections()[item.election]
    return pick_election(list(all_elections().values()), item.region_code, wib_day(item.posted_at))


def _existing(session: Session, content_id: str) -> TagAssignment | None:
    return session.scalar(select(TagAssignment).where(TagAssignment.content_id == content_id))


def _create(session: Session, item: ContentItem, election: Election, region: str | None,
            source: str, actor: Principal | str) -> TagAssignment | None:
    """Insert the assignment; None if another worker inserted it first (unique item)."""
    now = utcnow()
    row = TagAssignment(id=new_id("tag"), content_id=item.id, election=election.slug,
                        region_code=region, source=source, day=wib_day(now), created_at=now,
                        created_by=actor if isinstance(actor, str) else actor.actor)
    savepoint = session.begin_nested()
    try:
        session.add(row)
        session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        return None
    record(session, actor, "guide.tag_applied", "content", item.id,
           {"election": election.slug, "region": region, "source": source})
    return row


def ensure_tag(session: Session, item: ContentItem) -> TagAssignment | None:
    """Tag an item if detection finds it election-related; idempotent, and it never puts
    back a tag a person removed."""
    existing = _existing(session, item.id)
    if existing is not None:
        return existing if existing.removed_at is None else None
    if not is_election_related(session, item.id):
        return None
    election = resolve_election(item)
    if election is None:
        return None
    return _create(session, item, election, item.region_code, "detection", "system:detection") \
        or _existing(session, item.id)


def handle_content(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler (after detection): attach the notice tag to election content."""
    item = session.get(ContentItem, payload.get("content_id", ""))
    if item is None:
        log.warning("content %s not found for tagging", payload.get("content_id"))
        return
    ensure_tag(session, item)


def explicit_tag(session: Session, who: Principal, content_id: str, body: TagIn
                 ) -> TagAssignment:
    """A moderator or the platform tags an item (or re-targets or restores its tag)."""
    item = get_content(session, content_id)
    election = resolve_election(item, body.election)
    if election is None:
        raise Invalid("no election is held in this item's region; name one in 'election'",
                      reason="guide.tag_no_election")
    region = body.region if body.region is not None else item.region_code
    if region is not None:
        found = get_region(region)
        region = found.code
        if not election.in_scope(region):
            raise Invalid(f"region {region} holds no {election.slug} election",
                          reason="guide.region_outside_election", params={"code": f"{found.name} ({region})"})
    source = "service" if who.role == "service" else "moderator"
    existing = _existing(session, item.id)
    if existing is None:
        created = _create(session, item, election, region, source, who)
        if created is not None:
            return created
        existing = _existing(session, item.id)
        assert existing is not None
    before = {"election": existing.election, "region": existing.region_code,
              "removed": existing.removed_at is not None}
    existing.election = election.slug
    existing.region_code = region
    if existing.removed_at is not None:
        # Restored tags count from the day they are restored.
        existing.removed_at = None
        existing.removed_by = None
        existing.day = wib_day(utcnow())
    existing.source = source
    record(session, who, "guide.tag_set", "content", item.id,
           {"before": before, "election": election.slug, "region": region, "source": source})
    return existing


def remove_tag(session: Session, who: Principal, content_id: str) -> None:
    """Take a tag off an item (a person's decision, which later scans respect)."""
    item = get_content(session, content_id)
    existing = _existing(session, item.id)
    if existing is None or existing.removed_at is not None:
        raise NotFound(f"content {content_id} has no notice tag", reason="guide.no_tag", params={"ref": content_id})
    existing.removed_at = utcnow()
    existing.removed_by = who.actor
    record(session, who, "guide.tag_removed", "content", item.id, {"election": existing.election})


def tag_for(session: Session, content_id: str, lang: str) -> dict[str, Any] | None:
    """The notice tag the app shows on an item, or None for content without one."""
    item = get_content(session, content_id)
    assignment = ensure_tag(session, item)
    if assignment is None:
        return None
    election = get_election(assignment.election)
    text = tag_text(session, election, lang)
    return {
        "content_id": item.id, "platform_id": item.platform_id,
        "election": election.slug, "election_name": election.name.get(lang, election.slug),
        "region": assignment.region_code, "lang": lang,
        "text": text["text"], "url": text["url"], "source": assignment.source,
        "tagged_at": assignment.created_at,
    }


MAX_LOOKUP = 1000  # content ids per tag look-up


def lookup_tags(session: Session, refs: list[str], lang: str, cache: TagCache) -> str:
    """The notice tags of many items at once, by our id or the platform's, as the JSON the
    API answers: ``tags`` maps each reference sent to its tag (the shape ``tag_for`` gives)
    or null, ``unknown`` lists the references that name no item.

    Answered from this process's tag cache, kept exact by the change counters
    (``tagcache``): one small read, then two reads of the items not held (by our id, then
    by the platform's) and the tag text when it changed; each item's answer is encoded once
    per language and text. The app asks this for a whole feed page at election-day load.
    It reads the tags the scan applied and never writes: an item the scan has not tagged
    answers null here, where the one-item look-up would tag it on the spot if detection
    found it election-related.
    """
    if len(refs) > MAX_LOOKUP:
        raise Invalid(f"a look-up names at most {MAX_LOOKUP} content ids; got {len(refs)}",
                      status=413, code="payload_too_large", reason="guide.lookup_too_large", params={"n": MAX_LOOKUP})
    wanted = list(dict.fromkeys(refs))
    entries, versions = cache.entries(session, wanted)
    texts_version = versions[TEXTS]
    members: list[str] = []
    unknown: list[str] = []
    for ref in wanted:
        entry = entries.get(ref)
        if entry is None:
            unknown.append(ref)
            members.append(_dumps(ref) + ":null")
            continue
        held = entry.encoded.get(lang)
        if held is None or held[0] != texts_version:
            held = (texts_version, _dumps(ref) + ":" + _encode_tag(session, cache, entry.row, lang, versions))
            entry.encoded[lang] = held
        members.append(held[1])
    return f'{{"lang":{_dumps(lang)},"tags":{{{",".join(members)}}},"unknown":{_dumps(unknown)}}}'


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _encode_tag(session: Session, cache: TagCache, row: TagRow, lang: str, versions: tuple[int, ...]) -> str:
    """One item's tag (or null) as JSON, in the shape of ``tag_for``."""
    content_id, platform_id, slug, region, source, tagged_at = row
    if slug is None:
        return "null"
    election = get_election(slug)
    text = cache.text(session, slug, lang, versions, lambda s: tag_text(s, election, lang))
    return _dumps({"content_id": content_id, "platform_id": platform_id, "election": slug,
                   "election_name": election.name.get(lang, slug), "region": region, "lang": lang,
                   "text": text["text"], "url": text["url"], "source": source, "tagged_at": tagged_at})
