"""moderation: the claim order includes the deadline

Revision ID: 0207_claim_deadline
Revises: 0206_claim_index
Create Date: 2026-11-21

``claim_next`` hands out cases by priority, then nearest deadline, then age: the order the
moderator console lists the queue in (before, the claim ignored the deadline, so a case
opened in the quiet period with two hours to decide waited behind older cases with a day
left). ``ix_cases_waiting`` is rebuilt in the new order so the claim still starts its walk
at the answer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0207_claim_deadline"
down_revision = "0206_claim_index"
branch_labels = None
depends_on = None

# Written out rather than imported: a migration must keep meaning what it meant when written.
WAITING_SQL = "status IN ('open', 'escalated')"


def _waiting_index(columns: list[str | sa.TextClause]) -> None:
    op.create_index("ix_cases_waiting", "cases", columns,
                    postgresql_where=sa.text(WAITING_SQL), sqlite_where=sa.text(WAITING_SQL))


def upgrade() -> None:
    op.drop_index("ix_cases_waiting", table_name="cases")
    _waiting_index(["level", sa.text("priority DESC"), "deadline", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_waiting", table_name="cases")
    _waiting_index(["level", sa.text("priority DESC"), "created_at", "id"])
