"""factcheck: fact-checks and referrals to fact-checking partners

Revision ID: factcheck_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "factcheck_0001"
down_revision = "0001_foundation"
branch_labels = ("factcheck",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factchecks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(64), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("claimant", sa.String(500), nullable=True),
        sa.Column("claim_date", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appearance_urls", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("rating", sa.String(200), nullable=False),
        sa.Column("publisher", sa.String(300), nullable=False),
        sa.Column("review_url", sa.String(2000), nullable=True),
        sa.Column("review_date", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(10), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("partner_id", sa.String(40), nullable=True),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_factchecks_partner_id_partners"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factchecks")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_factchecks_dedup_key")),
    )
    with op.batch_alter_table("factchecks", schema=None) as batch_op:
        batch_op.create_index("ix_factchecks_updated", ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_factchecks_verdict"), ["verdict"], unique=False)

    op.create_table(
        "factcheck_referrals",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("content_id", sa.String(40), nullable=False),
        sa.Column("partner_id", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("referred_by", sa.String(80), nullable=False),
        sa.Column("factcheck_id", sa.String(40), nullable=True),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["content_id"], ["content_items.id"],
                                name=op.f("fk_factcheck_referrals_content_id_content_items"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_factcheck_referrals_partner_id_partners"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["factcheck_id"], ["factchecks.id"],
                                name=op.f("fk_factcheck_referrals_factcheck_id_factchecks"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factcheck_referrals")),
    )
    with op.batch_alter_table("factcheck_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_partner_status", ["partner_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_factcheck_referrals_content_id"), ["content_id"], unique=False)


def downgrade() -> None:
    op.drop_table("factcheck_referrals")
    op.drop_table("factchecks")
