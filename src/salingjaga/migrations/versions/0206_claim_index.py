"""moderation: a partial index of the waiting cases in claim order; notices by case

Revision ID: 0206_claim_index
Revises: 0205_queue_index
Create Date: 2026-11-21

``claim_next`` now takes the first unlocked waiting case of a level in one statement
(``UPDATE .. WHERE id = (SELECT .. ORDER BY priority DESC, created_at, id LIMIT 1 FOR
UPDATE SKIP LOCKED)``). ``ix_cases_waiting`` holds only open and escalated cases, per level,
in exactly that order, so the walk starts at the answer and a claimed case drops out of the
index instead of staying in it under another status. It replaces ``ix_cases_queue``, which
nothing else walks. ``ix_notice_cases_case`` serves the notices of a case (the claim marks
them in review); the primary key (notice_id, case_id) could not, so that was a full scan.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0206_claim_index"
down_revision = "0205_queue_index"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must keep meaning what it meant when written.
WAITING_SQL = "status IN ('open', 'escalated')"


def upgrade() -> None:
    op.create_index("ix_cases_waiting", "cases", ["level", sa.text("priority DESC"), "created_at", "id"],
                    postgresql_where=sa.text(WAITING_SQL), sqlite_where=sa.text(WAITING_SQL))
    op.drop_index("ix_cases_queue", table_name="cases")
    op.create_index("ix_notice_cases_case", "notice_cases", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_notice_cases_case", table_name="notice_cases")
    op.create_index("ix_cases_queue", "cases", ["level", "status", sa.text("priority DESC"), "created_at", "id"])
    op.drop_index("ix_cases_waiting", table_name="cases")
