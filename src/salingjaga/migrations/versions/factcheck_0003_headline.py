"""factcheck: the review article's headline, matched beside the claim

Revision ID: factcheck_0003
Revises: factcheck_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "factcheck_0003"
down_revision = "factcheck_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("factchecks") as batch:
        batch.add_column(sa.Column("headline", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("factchecks") as batch:
        batch.drop_column("headline")
