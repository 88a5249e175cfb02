"""The queue claim as one committed statement (PostgreSQL, deferred audit).

``claim_next`` leases a case in the caller's transaction: BEGIN, the expired-lease probe,
the lease, the notices update, the audit row, COMMIT: six round trips, each costing the
API CPU, for what is in the end one decision taken by PostgreSQL. The API's claim
(``POST /api/v1/queue/claim``) and the console's are answered from their own commit, so
there it runs as a single statement in autocommit: one round trip per level.

What the statement does is what ``claim_next`` does, in the same order:
- the first waiting case of the level in claim order (``queue.CLAIM_ORDER``), or a
  case of the level whose lease ran out, whichever comes first in that order (the lapsed
  lease waits in its place, as ``claim_next`` puts it back before it picks); rows another
  transaction holds are skipped (SKIP LOCKED) and a row leased since the statement began is
  re-checked on its newest version and passed over;
- the work of every ``CaseClaimed`` subscriber, as the SQL it gave (``events.subscribe``,
  ``claim_sql``: the notices domain puts the case's received notices in review); when a
  subscriber gave none, claims take ``claim_next``, which calls it;
- the audit rows (``case.lease_expired`` for a lapsed lease, then ``case.claimed``) are
  queued for the chainer in the same statement, through the audit domain's SQL
  (``audit.service.deferred_insert_sql``), so the lease never commits without them.

Expired leases the claim does not take stay leased until the maintenance thread puts them
back (every ``maintenance_interval_seconds``, 30 s by default), instead of being put back by
whichever claim comes next; they are claimable in their place all the while.

A claim on an overdue turn (``queue.overdue_turn``: the case longest past its deadline
first) takes ``claim_next`` as well; the statement keeps to the claim order.

The audit rows can only be written this way in deferred mode (``audit_pending``); chaining
in the request holds the chain's lock and reads its head, so other set-ups, and SQLite, use
``claim_next`` in a transaction of its own.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import cast

from sqlalchemy import Column, String, Table, TextualSelect, text

from salingjaga.audit.service import deferred_insert_sql
from salingjaga.auth.principal import Principal
from salingjaga.core.bulk import detached
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.cases import LEVELS, levels_for
from salingjaga.moderation.events import claim_sql_parts
from salingjaga.moderation.models import WAITING_SQL, Case
from salingjaga.moderation.queue import claim_next, claim_order_sql, overdue_turn

_CASES = cast(Table, Case.__table__)
_ORDER = claim_order_sql()
# Named in the model's order (the table's own order may differ, columns added later go last).
_RETURNING = ", ".join(f'cases."{c.name}"' for c in _CASES.columns)
# Constants only in these strings; every value is a bound parameter. WAITING_SQL is the
# predicate of ix_cases_waiting, word for word, so the planner walks that index. In the
# UPDATE its bare ``status`` is the case's: ``chosen`` has no column of that name.
_PICK = (
    "SELECT id, status, lease_owner, priority, deadline, created_at FROM cases WHERE level = :level "  # noqa: S608
    "AND (excluded_user_id IS NULL OR excluded_user_id != :user_id) AND {where} "
    f"ORDER BY {_ORDER} LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED")
# The audit rows, queued by the audit domain's SQL (``audit.service.deferred_insert_sql``).
_AUDIT = deferred_insert_sql(
    "SELECT 1 AS n, 'system:moderation' AS actor, 'case.lease_expired' AS action, 'case' AS entity_type, "
    "id AS entity_id, jsonb_build_object('lease_owner', expired_lease_of) AS data "
    "FROM taken WHERE expired_lease_of IS NOT NULL "
    "UNION ALL "
    "SELECT 2, :actor, 'case.claimed', 'case', id, jsonb_build_object('lease_expires_at', "
    "CAST(:until_text AS text), 'expired_lease_of', expired_lease_of) FROM taken")
_SQL = f"""
WITH waiting AS ({_PICK.format(where=WAITING_SQL)}),
lapsed AS ({_PICK.format(where="status = 'leased' AND lease_expires_at < :now")}),
chosen AS (
  SELECT id, status = 'leased' AS lapsed, lease_owner FROM (
    SELECT * FROM waiting UNION ALL SELECT * FROM lapsed) AS c
  ORDER BY {_ORDER} LIMIT 1),
taken AS (
  UPDATE cases SET status = 'leased', lease_owner = :user_id, lease_expires_at = :until, updated_at = :now
  FROM chosen
  WHERE cases.id = chosen.id
    AND ({WAITING_SQL} OR (cases.status = 'leased' AND cases.lease_expires_at < :now))
  RETURNING {_RETURNING}, CASE WHEN chosen.lapsed THEN chosen.lease_owner END AS expired_lease_of),
{{subscribers}}events AS (
{_AUDIT})
SELECT * FROM taken
"""  # noqa: S608


@lru_cache(maxsize=4)
def _claim(parts: tuple[str, ...]) -> TextualSelect:
    """The statement with the subscribers' CTEs (built once per set of subscribers)."""
    subscribers = "".join(f"subscriber_{i} AS (\n{part}),\n" for i, part in enumerate(parts))
    return text(_SQL.replace("{subscribers}", subscribers)).columns(
        *_CASES.columns, Column("expired_lease_of", String))


def statement() -> TextualSelect:
    """The claim statement with the current ``CaseClaimed`` subscribers' SQL."""
    return _claim(claim_sql_parts() or ())


def one_statement(db: Database) -> bool:
    """Whether ``claim_committed`` takes the one-statement path on ``db``: PostgreSQL with
    deferred audit, and every ``CaseClaimed`` subscriber's work given as SQL."""
    return db.dialect == "postgresql" and db.audit_deferred and claim_sql_parts() is not None


def claim_committed(db: Database, who: Principal, settings: Settings) -> Case | None:
    """Lease the most urgent waiting case to ``who`` and commit the lease; None when nothing
    waits. The case comes back detached, with the columns as committed."""
    levels = levels_for(who)
    overdue_first = overdue_turn(who, settings)
    if not one_statement(db) or settings.queue_order != "priority" or overdue_first:
        with db.session() as session:
            case = claim_next(session, who, settings, overdue_first)
            if case is not None:
                session.expunge(case)
            return case
    now = utcnow()
    until = now + timedelta(seconds=settings.lease_seconds)
    params = {"user_id": who.user_id, "actor": who.actor, "now": now, "until": until,
              "until_text": until.isoformat(), "at": now.replace(microsecond=0)}
    claim = statement()
    with db.generic_plan_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for level in sorted(levels, key=LEVELS.index, reverse=True):
            row = conn.execute(claim, {**params, "level": level}).first()
            if row is not None:
                values = row._mapping
                return detached(Case, {c.key: values[c.name] for c in _CASES.columns})
    return None
