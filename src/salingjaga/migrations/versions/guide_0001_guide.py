"""guide: pages and versions, notice-tag assignments, reach counters and visitor hashes

Revision ID: guide_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "guide_0001"
down_revision = "0001_foundation"
branch_labels = ("guide",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_pages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("election", sa.String(length=60), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("current_version_id", sa.String(length=40), nullable=True),
        sa.Column("current_since", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_pages")),
        sa.UniqueConstraint("election", "lang", "kind", "key", name="uq_guide_pages_slot"),
    )
    op.create_index("ix_guide_pages_election_lang", "guide_pages", ["election", "lang"])
    op.create_table(
        "guide_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("page_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("data", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("author_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["guide_pages.id"],
                                name=op.f("fk_guide_versions_page_id_guide_pages"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_guide_versions_author_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_versions")),
        sa.UniqueConstraint("page_id", "number", name="uq_guide_versions_page_number"),
    )
    op.create_index("ix_guide_versions_page_status", "guide_versions", ["page_id", "status"])
    op.create_table(
        "guide_tag_assignments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("content_id", sa.String(length=40), nullable=False),
        sa.Column("election", sa.String(length=60), nullable=False),
        sa.Column("region_code", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("removed_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["content_id"], ["content_items.id"],
                                name=op.f("fk_guide_tag_assignments_content_id_content_items"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_tag_assignments")),
        sa.UniqueConstraint("content_id", name=op.f("uq_guide_tag_assignments_content_id")),
    )
    op.create_index("ix_guide_tags_election_day", "guide_tag_assignments", ["election", "day"])
    op.create_table(
        "guide_reach_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("election", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "election", "region", "metric", name=op.f("pk_guide_reach_daily")),
    )
    op.create_table(
        "guide_visitor_hashes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("election", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", "election", "region", "user_hash",
                                name=op.f("pk_guide_visitor_hashes")),
    )
    op.create_table(
        "guide_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_guide_salts")),
    )
    op.create_table(
        "guide_event_batches",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result", salingjaga.core.db.JSONType(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_guide_event_batches")),
    )


def downgrade() -> None:
    op.drop_table("guide_event_batches")
    op.drop_table("guide_salts")
    op.drop_table("guide_visitor_hashes")
    op.drop_table("guide_reach_daily")
    op.drop_index("ix_guide_tags_election_day", table_name="guide_tag_assignments")
    op.drop_table("guide_tag_assignments")
    op.drop_index("ix_guide_versions_page_status", table_name="guide_versions")
    op.drop_table("guide_versions")
    op.drop_index("ix_guide_pages_election_lang", table_name="guide_pages")
    op.drop_table("guide_pages")
