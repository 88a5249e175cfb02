"""The guide's editorial workflow and its published reads.

Rules: a draft belongs to the editor who wrote it; a *different* editor approves it, which
publishes it as the page's current version; approved versions never change and are all
kept; an earlier published version can be made current again (rollback). Public reads see
only current versions, never drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import WIB, as_utc, utcnow
from salingjaga.guide.caching import make_etag
from salingjaga.guide.markdown import render_markdown
from salingjaga.guide.models import GuidePage, GuideVersion
from salingjaga.guide.schemas import DraftIn, DraftPatch, PageData
from salingjaga.guide.tagcache import bump
from salingjaga.regions.elections import Election, get_election
from salingjaga.regions.service import all_regions, get_region, is_within, province_of
from salingjaga.web.i18n import gettext

LANGS = ("id", "en")
# Sections in the order the guide shows them; other keys follow, by position then key.
SECTION_ORDER = ("key-dates", "how-to-vote", "voter-list", "polling-station", "candidates",
                 "hotlines")
TAG_KEY = "notice-tag"
TAG_TEXT_MAX = 120
GUIDE_PATH = {"id": "/panduan", "en": "/guide"}
REGION_SEGMENT = {"id": "wilayah", "en": "regions"}
_SECTION_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")

# Milestones read from the election's data file, with English labels (translated by the
# guide catalogue).
CALENDAR_MILESTONES = (
    ("campaign", "start", "Campaign period begins"),
    ("campaign", "end", "Campaign period ends"),
    ("quiet", "start", "Quiet period (masa tenang) begins"),
    ("voting", "start", "Voting day"),
    ("counting", "end", "Vote recapitulation ends"),
)


def today_wib() -> date:
    """Today in Western Indonesian Time, the day the calendar and countdown use."""
    return utcnow().astimezone(WIB).date()


def wib_day(at: datetime) -> date:
    """The WIB calendar day of an instant."""
    return as_utc(at).astimezone(WIB).date()


def guide_url(election: str, lang: str, region: str | None = None) -> str:
    """The public page of a guide (and region) in a language."""
    base = f"{GUIDE_PATH[lang]}/{election}"
    return f"{base}/{REGION_SEGMENT[lang]}/{region}" if region else base


# --- pure calendar logic ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDate:
    """A date on the guide's calendar."""

    day: date
    label: str
    source: str  # "calendar" (election data file) or "editor"

    def as_dict(self, today: date) -> dict[str, Any]:
        """JSON shape, with the days left from ``today`` (negative once past)."""
        return {"date": self.day.isoformat(), "label": self.label, "source": self.source,
                "days_until": (self.day - today).days}


def calendar_dates(election: Election, lang: str) -> list[KeyDate]:
    """The milestones of an election's calendar, labelled in ``lang``."""
    out = []
    for period_name, end, label in CALENDAR_MILESTONES:
        period = election.period(period_name)
        if period is None:
            continue
        day = period.start if end == "start" else period.end
        out.append(KeyDate(day, gettext(lang, label), "calendar"))
    return out


def merge_key_dates(calendar: list[KeyDate], extra: list[KeyDate]) -> list[KeyDate]:
    """Calendar and editor dates in date order, without repeating the same date and label."""
    seen: set[tuple[date, str]] = set()
    out = []
    for kd in sorted([*calendar, *extra], key=lambda k: (k.day, k.source != "calendar")):
        if (kd.day, kd.label) not in seen:
            seen.add((kd.day, kd.label))
            out.append(kd)
    return out


def next_key_date(dates: list[KeyDate], today: date) -> KeyDate | None:
    """The first date that is today or later; None when the whole calendar is past."""
    return next((d for d in sorted(dates, key=lambda k: k.day) if d.day >= today), None)


# --- editorial workflow --------------------------------------------------------------------


def _check_slot(election: Election, kind: str, key: str) -> str:
    """Validate what a page key may be for its kind; returns the normalised key."""
    if kind == "section":
        if not _SECTION_KEY.match(key) or key == TAG_KEY:
            raise Invalid(f"section key {key!r} must be lowercase letters, digits and dashes, "
                          f"such as how-to-vote (and not {TAG_KEY})", reason="guide.section_key")
        return key
    if kind == "region":
        region = get_region(key)
        if not election.in_scope(region.code):
            raise Invalid(f"{region.name} ({region.code}) holds no {election.slug} election",
                          reason="guide.region_outside_election", params={"code": f"{region.name} ({region.code})"})
        return region.code
    if key != TAG_KEY:
        raise Invalid(f"the notice tag page has key {TAG_KEY!r}", reason="guide.tag_key", params={"ref": TAG_KEY})
    return key


def _check_content(kind: str, title: str, data: PageData) -> None:
    if kind == "tag" and len(title) > TAG_TEXT_MAX:
        raise Invalid(f"the notice tag text is at most {TAG_TEXT_MAX} characters (it sits on "
                      f"a video); got {len(title)}", reason="guide.tag_too_long", params={"n": TAG_TEXT_MAX})
    if kind != "region" and data.candidates:
        raise Invalid("candidates belong on region pages (kind 'region')", reason="guide.candidates_off_region")


def _check_scope(session: Session, who: Principal, kind: str, key: str) -> None:
    """An editor of a regional KPU/Bawaslu office edits only region pages inside its area."""
    if who.role != "guide_editor" or who.partner_id is None:
        return
    from salingjaga.partners.service import get_partner

    area = get_partner(session, who.partner_id).region_code
    if area is None:
        return
    if kind != "region" or not is_within(key, area):
        raise Forbidden(f"your organisation covers region {area}: you may edit only region "
                        f"pages inside it; national pages are edited by national offices",
                        reason="guide.outside_area", params={"code": area})


def _get_page(session: Session, election: str, lang: str, kind: str, key: str,
              *, create: bool, lock: bool = False) -> GuidePage | None:
    stmt = select(GuidePage).where(GuidePage.election == election, GuidePage.lang == lang,
                                   GuidePage.kind == kind, GuidePage.key == key)
    if lock:
        stmt = stmt.with_for_update()
    page = session.scalar(stmt)
    if page is None and create:
        page = GuidePage(id=new_id("gpg"), election=election, lang=lang, kind=kind, key=key)
        savepoint = session.begin_nested()
        try:
            session.add(page)
            session.flush()
            savepoint.commit()
        except IntegrityError:
            # Another editor created the slot at the same moment: use theirs.
            savepoint.rollback()
            page = session.scalar(stmt)
    return page


def get_version(session: Session, election: str, version_id: str, *, lock: bool = False
                ) -> tuple[GuideVersion, GuidePage]:
    """A version of a page of this election (drafts included: editors only), or 404."""
    stmt = select(GuideVersion, GuidePage).join(GuidePage, GuidePage.id == GuideVersion.page_id)
    stmt = stmt.where(GuideVersion.id == version_id, GuidePage.election == election)
    if lock:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(f"guide version {version_id} not found in {election}", reason="guide.version_unknown",
                       params={"ref": version_id})
    return row[0], row[1]


def create_draft(session: Session, who: Principal, election_slug: str, body: DraftIn
                 ) -> tuple[GuideVersion, GuidePage]:
    """Start a new draft of a page; a page has at most one open draft at a time."""
    election = get_election(election_slug)
    key = _check_slot(election, body.kind, body.key)
    _check_content(body.kind, body.title, body.data)
    _check_scope(session, who, body.kind, key)
    _get_page(session, election.slug, body.lang, body.kind, key, create=True)
    page = _get_page(session, election.slug, body.lang, body.kind, key, create=False, lock=True)
    assert page is not None
    open_draft = session.scalar(select(GuideVersion).where(
        GuideVersion.page_id == page.id, GuideVersion.status == "draft"))
    if open_draft is not None:
        raise Conflict(f"this page already has an open draft ({open_draft.id}); its author "
                       "edits it, and another editor approves or rejects it first",
                       details={"draft_id": open_draft.id}, reason="guide.draft_open")
    number = (session.scalar(select(func.max(GuideVersion.number))
                             .where(GuideVersion.page_id == page.id)) or 0) + 1
    now = utcnow()
    version = GuideVersion(
        id=new_id("gvr"), page_id=page.id, number=number, status="draft", title=body.title,
        body_md=body.body, data=body.data.model_dump(mode="json", exclude_defaults=True),
        author_id=who.user_id, created_at=now, updated_at=now, reason="",
    )
    session.add(version)
    session.flush()
    record(session, who, "guide.draft_created", "guide_version", version.id,
           {"election": election.slug, "lang": body.lang, "kind": body.kind, "key": key,
            "number": number})
    return version, page


def update_draft(session: Session, who: Principal, election: str, version_id: str,
                 patch: DraftPatch) -> tuple[GuideVersion, GuidePage]:
    """Change a draft; only its author may, and only while it is a draft."""
    version, page = get_version(session, election, version_id, lock=True)
    if version.status != "draft":
        raise Conflict(f"version {version.number} is {version.status} and can no longer "
                       "change; start a new draft instead", reason="guide.not_a_draft")
    if version.author_id != who.user_id:
        raise Forbidden("only the author edits a draft; as a second editor you approve or "
                        "reject it", reason="guide.not_author")
    title = patch.title if patch.title is not None else version.title
    data = patch.data if patch.data is not None else PageData.model_validate(version.data)
    _check_content(page.kind, title, data)
    changed = []
    if patch.title is not None and patch.title != version.title:
        version.title = patch.title
        changed.append("title")
    if patch.body is not None and patch.body != version.body_md:
        version.body_md = patch.body
        changed.append("body")
    if patch.data is not None:
        version.data = patch.data.model_dump(mode="json", exclude_defaults=True)
        changed.append("data")
    version.updated_at = utcnow()
    record(session, who, "guide.draft_updated", "guide_version", version.id, {"changed": changed})
    return version, page


def approve(session: Session, who: Principal, election: str, version_id: str
            ) -> tuple[GuideVersion, GuidePage]:
    """Publish a draft as its page's current version: four eyes, never the author's own."""
    version, page = get_version(session, election, version_id, lock=True)
    if version.status != "draft":
        raise Conflict(f"version {version.number} is already {version.status}", reason="guide.not_a_draft")
    if version.author_id == who.user_id:
        raise Forbidden("you wrote this draft: a different guide editor must approve it "
                        "(four-eyes rule)", code="four_eyes", reason="guide.own_draft")
    _check_scope(session, who, page.kind, page.key)
    now = utcnow()
    previous = page.current_version_id
    version.status = "published"
    version.decided_by = who.user_id
    version.decided_at = now
    page.current_version_id = version.id
    page.current_since = now
    if page.kind == "tag":
        bump(session, None)  # every process's tag answers carry the new text
    record(session, who, "guide.published", "guide_version", version.id,
           {"page_id": page.id, "election": election, "lang": page.lang, "kind": page.kind,
            "key": page.key, "number": version.number, "previous_version_id": previous})
    return version, page


def reject(session: Session, who: Principal, election: str, version_id: str, reason: str
           ) -> tuple[GuideVersion, GuidePage]:
    """Close a draft without publishing it (the author withdrawing it, or a reviewer)."""
    version, page = get_version(session, election, version_id, lock=True)
    if version.status != "draft":
        raise Conflict(f"version {version.number} is already {version.status}", reason="guide.not_a_draft")
    if version.author_id != who.user_id and not reason.strip():
        raise Invalid("say why the draft is rejected, so its author can fix it", reason="guide.rejection_unexplained")
    _check_scope(session, who, page.kind, page.key)
    version.status = "rejected"
    version.decided_by = who.user_id
    version.decided_at = utcnow()
    version.reason = reason
    record(session, who, "guide.rejected", "guide_version", version.id, {"reason": reason})
    return version, page


def rollback(session: Session, who: Principal, election: str, version_id: str, reason: str
             ) -> tuple[GuideVersion, GuidePage]:
    """Make an earlier published version of a page current again."""
    version, page = get_version(session, election, version_id, lock=True)
    if version.status != "published":
        raise Conflict(f"version {version.number} was never published; only a published "
                       "version can be restored", reason="guide.never_published")
    if page.current_version_id == version.id:
        raise Conflict(f"version {version.number} is already the current one", reason="guide.already_current")
    _check_scope(session, who, page.kind, page.key)
    previous = page.current_version_id
    page.current_version_id = version.id
    page.current_since = utcnow()
    if page.kind == "tag":
        bump(session, None)
    record(session, who, "guide.rolled_back", "guide_page", page.id,
           {"election": election, "lang": page.lang, "kind": page.kind, "key": page.key,
            "from_version_id": previous, "to_version_id": version.id,
            "to_number": version.number, "reason": reason})
    return version, page


def list_versions(session: Session, election: str, *, lang: str | None = None,
                  kind: str | None = None, key: str | None = None, status: str | None = None
                  ) -> list[tuple[GuideVersion, GuidePage]]:
    """Every version (drafts, published, rejected) of the election's pages, newest first."""
    get_election(election)
    stmt = (select(GuideVersion, GuidePage).join(GuidePage, GuidePage.id == GuideVersion.page_id)
            .where(GuidePage.election == election))
    if lang is not None:
        stmt = stmt.where(GuidePage.lang == lang)
    if kind is not None:
        stmt = stmt.where(GuidePage.kind == kind)
    if key is not None:
        stmt = stmt.where(GuidePage.key == key)
    if status is not None:
        stmt = stmt.where(GuideVersion.status == status)
    stmt = stmt.order_by(GuidePage.kind, GuidePage.key, GuidePage.lang, GuideVersion.number.desc())
    return [(v, p) for v, p in session.execute(stmt).all()]


def version_out(version: GuideVersion, page: GuidePage) -> dict[str, Any]:
    """The editor's view of a version, with its sanitised preview."""
    return {
        "id": version.id, "page_id": page.id, "election": page.election, "lang": page.lang,
        "kind": page.kind, "key": page.key, "number": version.number, "status": version.status,
        "current": page.current_version_id == version.id, "title": version.title,
        "body": version.body_md, "html": render_markdown(version.body_md),
        "data": version.data or {}, "author_id": version.author_id,
        "created_at": version.created_at, "updated_at": version.updated_at,
        "decided_by": version.decided_by, "decided_at": version.decided_at,
        "reason": version.reason,
    }


# --- published reads -----------------------------------------------------------------------


def _published(session: Session, election: str, lang: str, kind: str | None = None,
               keys: list[str] | None = None) -> list[tuple[GuidePage, GuideVersion]]:
    stmt = (select(GuidePage, GuideVersion)
            .join(GuideVersion, GuideVersion.id == GuidePage.current_version_id)
            .where(GuidePage.election == election, GuidePage.lang == lang,
                   GuideVersion.status == "published"))
    if kind is not None:
        stmt = stmt.where(GuidePage.kind == kind)
    if keys is not None:
        stmt = stmt.where(GuidePage.key.in_(keys))
    return [(p, v) for p, v in session.execute(stmt).all()]


def _section_sort(page: GuidePage, version: GuideVersion) -> tuple[int, int, str]:
    known = SECTION_ORDER.index(page.key) if page.key in SECTION_ORDER else len(SECTION_ORDER)
    return (known, int((version.data or {}).get("position", 0)), page.key)


def tag_text(session: Session, election: Election, lang: str) -> dict[str, str]:
    """The notice tag's text and link for an election: the guide's published tag page, or a
    default that still points at the guide."""
    rows = _published(session, election.slug, lang, "tag", [TAG_KEY])
    if rows:
        _page, version = rows[0]
        link = (version.data or {}).get("link") or guide_url(election.slug, lang)
        return {"text": version.title, "url": link, "version_id": version.id}
    template = gettext(lang, "Get official info about %(election)s")
    return {"text": template % {"election": election.name.get(lang, election.slug)},
            "url": guide_url(election.slug, lang), "version_id": ""}


def _meta(rows: list[tuple[GuidePage, GuideVersion]], kind: str, lang: str, today: date,
          *extra: str) -> tuple[str, datetime | None]:
    ids = sorted(v.id for _p, v in rows)
    since = [p.current_since for p, _v in rows if p.current_since is not None]
    return make_etag(kind, [lang, today.isoformat(), *extra, *ids]), (max(since) if since else None)


def published_guide(session: Session, election_slug: str, lang: str, today: date
                    ) -> dict[str, Any]:
    """The public guide of an election in a language: sections, key dates with the next
    one, the regions that have candidate lists, the notice tag. Drafts never appear."""
    election = get_election(election_slug)
    rows = _published(session, election.slug, lang)
    sections = sorted([(p, v) for p, v in rows if p.kind == "section"],
                      key=lambda pv: _section_sort(*pv))
    extra: list[KeyDate] = []
    for p, v in sections:
        if p.key == "key-dates":
            for d in (v.data or {}).get("dates", []):
                extra.append(KeyDate(date.fromisoformat(d["date"]), d["label"], "editor"))
    dates = merge_key_dates(calendar_dates(election, lang), extra)
    upcoming = next_key_date(dates, today)
    regions = all_regions()
    region_list = sorted(
        ({"code": p.key, "name": regions[p.key].name, "level": regions[p.key].level,
          "province_code": regions[p.key].province_code,
          "province_name": regions[regions[p.key].province_code].name,
          "url": guide_url(election.slug, lang, p.key)}
         for p, _v in rows if p.kind == "region" and p.key in regions),
        key=lambda r: r["code"],
    )
    etag, last_modified = _meta(rows, "guide", lang, today, election.slug)
    return {
        "election": {"slug": election.slug, "name": election.name.get(lang, election.slug),
                     "kind": election.kind, "voting_day": election.voting_day.isoformat()},
        "lang": lang,
        "url": guide_url(election.slug, lang),
        "alternate": {code: guide_url(election.slug, code) for code in LANGS},
        "today": today.isoformat(),
        "sections": [
            {"key": p.key, "title": v.title, "html": render_markdown(v.body_md),
             "version_id": v.id, "version": v.number, "published_at": p.current_since}
            for p, v in sections
        ],
        "key_dates": [d.as_dict(today) for d in dates],
        "next_key_date": upcoming.as_dict(today) if upcoming else None,
        "regions": region_list,
        "notice_tag": {k: v for k, v in tag_text(session, election, lang).items()
                       if k != "version_id"},
        "etag": etag,
        "last_modified": last_modified,
    }


def published_region(session: Session, election_slug: str, code: str, lang: str, today: date
                     ) -> dict[str, Any]:
    """Candidates and local information for a region: its province's race and, for a
    regency or city, its own race."""
    election = get_election(election_slug)
    region = all_regions().get(code)
    if region is None or not election.in_scope(code):
        raise NotFound(f"no {election.slug} guide for region {code!r}", reason="guide.region_outside_election",
                       params={"code": code})
    keys = [province_of(code)] + ([code] if region.level == "regency" else [])
    rows = _published(session, election.slug, lang, "region", keys)
    by_key = {p.key: (p, v) for p, v in rows}
    regions = all_regions()
    races = []
    for key in keys:
        if key not in by_key:
            continue
        p, v = by_key[key]
        data = v.data or {}
        races.append({
            "region": {"code": key, "name": regions[key].name, "level": regions[key].level},
            "title": v.title, "race": data.get("race", ""),
            "candidates": sorted(data.get("candidates", []), key=lambda c: c["number"]),
            "html": render_markdown(v.body_md), "version_id": v.id, "version": v.number,
            "published_at": p.current_since,
        })
    etag, last_modified = _meta(rows, "region", lang, today, election.slug, code)
    return {
        "election": {"slug": election.slug, "name": election.name.get(lang, election.slug)},
        "region": region.as_dict(),
        "lang": lang,
        "url": guide_url(election.slug, lang, code),
        "guide_url": guide_url(election.slug, lang),
        "alternate": {c: guide_url(election.slug, c, code) for c in LANGS},
        "races": races,
        "etag": etag,
        "last_modified": last_modified,
    }
