"""moderation: an index that serves the queue walk of claim_next

Revision ID: 0205_queue_index
Revises: 0201_second_review
Create Date: 2026-11-21

``claim_next`` looks up the most urgent case per (level, status); this index returns it
from its first entry (priority descending, then oldest). It replaces ix_cases_claimable,
whose column order could not serve that ordering.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0205_queue_index"
down_revision = "0201_second_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cases_claimable", table_name="cases")
    op.create_index("ix_cases_queue", "cases",
                    ["level", "status", sa.text("priority DESC"), "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_queue", table_name="cases")
    op.create_index("ix_cases_claimable", "cases", ["status", "level", "priority", "created_at"])
