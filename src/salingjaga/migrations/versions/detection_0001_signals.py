"""detection: signals, hash banks, bank entries, fingerprints

Revision ID: detection_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "detection_0001"
down_revision = "0001_foundation"
branch_labels = ("detection",)
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "detection_signals",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("content_id", sa.String(40), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("policy", sa.String(60), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("data", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["content_id"], ["content_items.id"], ondelete="CASCADE",
                                name=op.f("fk_detection_signals_content_id_content_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_signals")),
        sa.UniqueConstraint("content_id", "type", "key", name="uq_detection_signals_content_type_key"),
    )
    op.create_index("ix_detection_signals_content_id", "detection_signals", ["content_id"])
    op.create_index("ix_detection_signals_type_created", "detection_signals", ["type", "created_at"])
    op.create_table(
        "detection_hash_banks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("policy", sa.String(60), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("pdq_threshold", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_hash_banks")),
        sa.UniqueConstraint("name", name=op.f("uq_detection_hash_banks_name")),
    )
    op.create_table(
        "detection_bank_entries",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("bank_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["detection_hash_banks.id"], ondelete="CASCADE",
                                name=op.f("fk_detection_bank_entries_bank_id_detection_hash_banks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_bank_entries")),
        sa.UniqueConstraint("bank_id", "kind", "value", name="uq_detection_bank_entries_bank_kind_value"),
    )
    op.create_index("ix_detection_bank_entries_kind_value", "detection_bank_entries", ["kind", "value"])
    op.create_table(
        "detection_fingerprints",
        sa.Column("id", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("content_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=False),
        sa.Column("band", sa.String(24), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("posted_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["content_id"], ["content_items.id"], ondelete="CASCADE",
                                name=op.f("fk_detection_fingerprints_content_id_content_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_fingerprints")),
        sa.UniqueConstraint("content_id", "band", name="uq_detection_fingerprints_content_band"),
    )
    op.create_index("ix_detection_fingerprints_band_posted", "detection_fingerprints", ["band", "posted_at"])


def downgrade() -> None:
    op.drop_table("detection_fingerprints")
    op.drop_table("detection_bank_entries")
    op.drop_table("detection_hash_banks")
    op.drop_table("detection_signals")
