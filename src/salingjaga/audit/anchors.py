"""Head anchors: cutting entries off the end of the chain shows.

The hash chain shows an altered, inserted or removed entry anywhere but at the end: the
chain minus its last entries is still a valid chain. An anchor is the (position, hash) of
the chain's head written outside the database, to an append-only file in the data
directory (and printed, so an operator can publish it: a ticket, a signed email, a public
transparency page). ``verify`` then also checks that every anchored (position, hash) is
still in the chain; an anchored entry that is missing, or holds another hash, breaks it.

Anchors name the database they were taken from, so one data directory serving several
databases (or a test run) never mixes their chains. Restoring a backup older than the last
anchor loses entries, and ``verify`` says so: that loss is what an anchor is for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from salingjaga.audit.chain import ChainReport
from salingjaga.audit.models import AuditEvent
from salingjaga.core.timeutil import utcnow

ANCHOR_FILE = "audit-anchors.jsonl"


@dataclass(frozen=True)
class Anchor:
    """One published head of the chain."""

    position: int
    hash: str
    at: str
    database: str


def anchor_path(data_dir: Path) -> Path:
    """The anchor file of a data directory."""
    return Path(data_dir) / ANCHOR_FILE


def database_id(url: str) -> str:
    """The database an anchor belongs to: its URL without the password."""
    return make_url(url).render_as_string(hide_password=True)


def read_anchors(path: Path, database: str) -> list[Anchor]:
    """This database's anchors, in the order written; a damaged line is an error."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(int(data["position"]), str(data["hash"]), str(data["at"]), str(data["database"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not an anchor line ({exc})") from exc
        if anchor.database == database:
            out.append(anchor)
    return out


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Append one anchor and flush it to disk (the file is only ever appended to)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(anchor), sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def head(session: Session) -> tuple[int, str] | None:
    """The (position, hash) of the chain's last entry; None for an empty chain."""
    row = session.execute(
        select(AuditEvent.position, AuditEvent.hash).order_by(AuditEvent.position.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else None


def check_anchors(anchors: Iterable[Anchor], hash_at: Callable[[int], str | None], last_position: int,
                  checked: int) -> ChainReport:
    """Every anchored entry must still be in the chain with its anchored hash (pure: the
    chain is read through ``hash_at`` and its ``last_position``)."""
    for a in sorted(anchors, key=lambda x: x.position):
        if a.position > last_position:
            first_missing = last_position + 1
            return ChainReport(checked, first_missing,
                               f"entry {first_missing} is missing: the chain ends at entry {last_position} "
                               f"but entry {a.position} (hash {a.hash}) was anchored at {a.at}")
        found = hash_at(a.position)
        if found is None:
            return ChainReport(checked, a.position, f"entry {a.position} is missing (anchored at {a.at})")
        if found != a.hash:
            return ChainReport(checked, a.position,
                               f"entry {a.position} does not match the hash anchored at {a.at} ({a.hash})")
    return ChainReport(checked)


def verify_anchored(session: Session, path: Path, database: str, chain: ChainReport) -> ChainReport:
    """``chain`` (the hash-chain verification) followed by the anchors' check."""
    if not chain.ok:
        return chain
    top = head(session)

    def hash_at(position: int) -> str | None:
        return session.scalar(select(AuditEvent.hash).where(AuditEvent.position == position))

    return check_anchors(read_anchors(path, database), hash_at, top[0] if top else 0, chain.checked)


def anchor_head(session: Session, path: Path, database: str) -> Anchor | None:
    """Append the chain's head unless it is already the last anchor; returns the head's
    anchor (None for an empty chain). Call only after a successful verification."""
    top = head(session)
    if top is None:
        return None
    known = read_anchors(path, database)
    if known and (known[-1].position, known[-1].hash) == top:
        return known[-1]
    anchor = Anchor(top[0], top[1], utcnow().replace(microsecond=0).isoformat(), database)
    append_anchor(path, anchor)
    return anchor
