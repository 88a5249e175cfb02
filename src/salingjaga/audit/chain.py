"""Pure hash-chain functions, kept apart from storage so they are tested on their own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    """Stable JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    prev_hash: str,
    position: int,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any],
) -> str:
    """The hash of one event, chained to the one before it."""
    body = canonical(
        {
            "prev": prev_hash,
            "pos": position,
            # microseconds dropped: not every backend keeps them identically
            "at": at.replace(microsecond=0).isoformat(),
            "actor": actor,
            "action": action,
            "type": entity_type,
            "id": entity_id,
            "data": data,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    """What verification needs of a stored event."""

    position: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: ``first_bad`` is None when the chain holds."""

    checked: int
    first_bad: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when no entry was altered, inserted or removed."""
        return self.first_bad is None


def verify_rows(rows: Iterable[ChainRow]) -> ChainReport:
    """Walk rows in position order and report the first that breaks the chain."""
    prev = GENESIS
    expected_pos = 1
    checked = 0
    for row in rows:
        if row.position != expected_pos:
            return ChainReport(checked, expected_pos, f"entry {expected_pos} is missing")
        if row.prev_hash != prev:
            return ChainReport(checked, row.position, "previous-hash link broken")
        recomputed = event_hash(
            prev,
            row.position,
            row.at,
            row.actor,
            row.action,
            row.entity_type,
            row.entity_id,
            row.data,
        )
        if recomputed != row.hash:
            return ChainReport(checked, row.position, "content does not match its hash")
        prev = row.hash
        expected_pos += 1
        checked += 1
    return ChainReport(checked)
