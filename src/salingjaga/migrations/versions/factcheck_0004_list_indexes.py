"""factcheck: referrals by the time they were sent, and an organisation's fact-checks by
the time they were added: the orders their lists page in

Revision ID: factcheck_0004
Revises: factcheck_0003
"""

from __future__ import annotations

from alembic import op

revision = "factcheck_0004"
down_revision = "factcheck_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_referrals_created", "factcheck_referrals", ["created_at"])
    op.create_index("ix_factchecks_partner_created", "factchecks", ["partner_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_factchecks_partner_created", table_name="factchecks")
    op.drop_index("ix_referrals_created", table_name="factcheck_referrals")
