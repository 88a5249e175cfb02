"""training: practice notices and completions

Revision ID: training_0001_practice
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "training_0001_practice"
down_revision = "0001_foundation"
branch_labels = ("training",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("scenario", sa.String(length=60), nullable=False),
        sa.Column("policy", sa.String(length=60), nullable=False),
        sa.Column("legal_ground", sa.String(length=500), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("checks", salingjaga.core.db.JSONType(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_training_attempts_partner_id_partners"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_training_attempts_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
    )
    with op.batch_alter_table("training_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_training_attempts_user_scenario", ["user_id", "scenario"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_attempts_partner_id"), ["partner_id"], unique=False)
    op.create_table(
        "training_completions",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=40), nullable=True),
        sa.Column("certificate", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("completed_at", salingjaga.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_training_completions_partner_id_partners"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_training_completions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_training_completions")),
        sa.UniqueConstraint("certificate", name=op.f("uq_training_completions_certificate")),
    )
    with op.batch_alter_table("training_completions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_completions_partner_id"), ["partner_id"], unique=False)


def downgrade() -> None:
    op.drop_table("training_completions")
    op.drop_table("training_attempts")
