"""detection: bank entry sources, banked vPDQ videos, the bank version and removal log

Revision ID: detection_0003
Revises: detection_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "detection_0003"
down_revision = "detection_0002"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("detection_bank_entries") as batch:
        batch.add_column(sa.Column("source", sa.String(120), nullable=False, server_default=""))
    op.create_index("ix_detection_bank_entries_bank_source", "detection_bank_entries",
                    ["bank_id", "source"])
    op.create_table(
        "detection_vpdq_videos",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("bank_id", sa.String(40), nullable=False),
        sa.Column("video_id", sa.String(200), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("signal", sa.Text(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["detection_hash_banks.id"], ondelete="CASCADE",
                                name=op.f("fk_detection_vpdq_videos_bank_id_detection_hash_banks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_vpdq_videos")),
        sa.UniqueConstraint("bank_id", "video_id", name="uq_detection_vpdq_videos_bank_video"),
    )
    op.create_table(
        "detection_bank_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.String(40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_bank_state")),
    )
    op.create_table(
        "detection_bank_removals",
        sa.Column("seq", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("removed_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_detection_bank_removals")),
    )


def downgrade() -> None:
    op.drop_table("detection_bank_removals")
    op.drop_table("detection_bank_state")
    op.drop_table("detection_vpdq_videos")
    op.drop_index("ix_detection_bank_entries_bank_source", "detection_bank_entries")
    with op.batch_alter_table("detection_bank_entries") as batch:
        batch.drop_column("source")
