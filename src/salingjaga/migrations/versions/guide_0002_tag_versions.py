"""guide: change counters of the notice tags, per bucket of content items

Revision ID: guide_0002
Revises: guide_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "guide_0002"
down_revision = "guide_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_tag_versions",
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_guide_tag_versions")),
    )


def downgrade() -> None:
    op.drop_table("guide_tag_versions")
