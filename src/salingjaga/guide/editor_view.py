"""The guide's pages as the editor lists and counts them: per election and language, each
page (slot) with its published version, its open draft and its states. The editor's list
and the guide editor's home panel both read ``slots``, so a figure on the home is the
number of rows the list shows with that state's filter.

A page's states (a page can be in more than one):
- ``unpublished``: no version of it is public yet;
- ``awaiting``: it has an open draft, which a second editor must approve (four eyes);
- ``published``: the public sees a version of it;
- ``changed``: a version of it was written, saved, approved or rejected this week (WIB,
  from Monday), or its public version changed (a rollback).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.core.timeutil import wib_week_began as week_began
from salingjaga.guide import service
from salingjaga.regions.elections import Election, all_elections

STATES = ("unpublished", "awaiting", "published", "changed")


def nearest_election() -> Election | None:
    """The election whose voting day is nearest today (WIB): the one an editor opens."""
    today = service.today_wib()
    elections = sorted(all_elections().values(), key=lambda e: abs((e.voting_day - today).days))
    return elections[0] if elections else None


def _after(moment: datetime | None, since: datetime) -> bool:
    return moment is not None and moment >= since


def slots(session: Session, election: str, lang: str | None = None,
          now: datetime | None = None) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every page of the election's guide that has a version, by (language, kind, key):
    its published version, its open draft, how many versions it has and its states."""
    since = week_began(now)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for v, p in service.list_versions(session, election, lang=lang):
        slot = out.setdefault((p.lang, p.kind, p.key), {
            "kind": p.kind, "key": p.key, "lang": p.lang, "current": None, "draft": None, "versions": 0,
            "states": {"published"} if p.current_version_id else {"unpublished"}})
        slot["versions"] += 1
        if p.current_version_id == v.id:
            slot["current"] = {"id": v.id, "number": v.number, "title": v.title, "since": p.current_since}
        if v.status == "draft":
            slot["draft"] = {"id": v.id, "number": v.number, "title": v.title, "author_id": v.author_id}
            slot["states"].add("awaiting")
        if any(_after(t, since) for t in (v.created_at, v.updated_at, v.decided_at, p.current_since)):
            slot["states"].add("changed")
    return out


def state_counts(session: Session, election: str, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Per guide language, how many pages stand in each state."""
    counts = {lang: dict.fromkeys(STATES, 0) for lang in service.LANGS}
    for (lang, _kind, _key), slot in slots(session, election, now=now).items():
        for state in slot["states"]:
            counts.setdefault(lang, dict.fromkeys(STATES, 0))[state] += 1
    return counts
