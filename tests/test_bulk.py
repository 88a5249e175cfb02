"""Multi-row inserts (``salingjaga.core.bulk``): one statement, counts, conflicts skipped."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select

from salingjaga.core.bulk import insert_rows
from salingjaga.core.timeutil import utcnow
from salingjaga.partners.models import Partner

PARTNERS = cast(Table, Partner.__table__)


def _row(pid: str, name: str) -> dict[str, Any]:
    return {"id": pid, "name": name, "organisation": name.lower(), "kind": "fact_checker", "region_code": None,
            "trusted": True, "policy_areas": ["misinformation"], "active": True, "created_at": utcnow()}


def test_rows_go_in_with_their_json_and_times_and_conflicts_are_counted_out(db):
    with db.session() as s:
        assert insert_rows(s, PARTNERS, [_row("ptn_a", "Cek Fakta A"), _row("ptn_b", "Cek Fakta B")]) == 2
    with db.session() as s:
        # ptn_a exists: skipped, and the count says so; ptn_c goes in.
        assert insert_rows(s, PARTNERS, [_row("ptn_a", "Other"), _row("ptn_c", "Cek Fakta C")],
                           skip_conflicts=True) == 1
    with db.session() as s:
        rows = {p.id: p for p in s.scalars(select(Partner))}
    assert set(rows) == {"ptn_a", "ptn_b", "ptn_c"}
    assert rows["ptn_a"].name == "Cek Fakta A" and rows["ptn_c"].policy_areas == ["misinformation"]
    assert rows["ptn_b"].created_at.tzinfo is not None
    with db.session() as s:
        assert insert_rows(s, PARTNERS, []) == 0
